"""Azure ML scoring wrapper: serves a user's score.py over HTTP (Python standard library only).

Contract (see README.md beside this file):
  GET  /        -> 200 "Healthy" (liveness; never requires the key)
  POST /score   -> run(<request body as str>) serialised as JSON; 500 {"error": ...} when run() raises
  SCORING_KEY   -> when set, /score requires "Authorization: Bearer <key>" (constant-time compare), else 401
  PORT (5001), HOST (0.0.0.0), AZUREML_MODEL_DIR (the model files; score.py reads it in init())
"""
import hmac
import importlib.util
import json
import os
import signal
import sys
import threading
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HERE = os.path.dirname(os.path.abspath(__file__))
MAX_BODY_BYTES = 100 * 1024 * 1024


def load_score_module(folder=HERE):
    """Imports score.py from `folder` (which also goes on sys.path, for the files copied beside it)."""
    if folder not in sys.path:
        sys.path.insert(0, folder)
    spec = importlib.util.spec_from_file_location("score", os.path.join(folder, "score.py"))
    module = importlib.util.module_from_spec(spec)
    sys.modules["score"] = module
    spec.loader.exec_module(module)
    return module


def is_authorized(header_value, key):
    """True when no key is configured, or the header is exactly "Bearer <key>" (constant-time compare)."""
    if not key:
        return True
    if not header_value:
        return False
    scheme, _, presented = header_value.partition(" ")
    if scheme.lower() != "bearer":
        return False
    # compare_digest on bytes: str arguments must be ASCII, and a non-ASCII header must not raise.
    return hmac.compare_digest(presented.strip().encode("utf-8"), key.encode("utf-8"))


def to_json_bytes(result):
    if isinstance(result, (bytes, bytearray)):
        return bytes(result)
    return json.dumps(result, default=str).encode("utf-8")


class ScoringHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "azureml-scoring/1.0"
    # set on the class by make_server()
    score = None
    scoring_key = None
    run_lock = threading.Lock()

    def log_message(self, fmt, *args):  # one line per request on stdout (the container log)
        sys.stdout.write("%s - %s\n" % (self.address_string(), fmt % args))
        sys.stdout.flush()

    def _send(self, status, body, content_type="application/json", extra=None):
        data = body if isinstance(body, bytes) else body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def _path(self):
        return self.path.split("?", 1)[0].rstrip("/") or "/"

    def do_GET(self):
        if self._path() == "/":
            self._send(200, "Healthy", "text/plain; charset=utf-8")
        elif self._path() == "/score":
            self._send(405, json.dumps({"error": "Use POST /score"}), extra={"Allow": "POST"})
        else:
            self._send(404, json.dumps({"error": "Not found: %s" % self._path()}))

    do_HEAD = do_GET

    def do_POST(self):
        if self._path() != "/score":
            self.close_connection = True
            self._send(404, json.dumps({"error": "Not found: %s" % self._path()}), extra={"Connection": "close"})
            return
        if not is_authorized(self.headers.get("Authorization"), self.scoring_key):
            # The body is not read: close the connection so a kept-alive client cannot desynchronise.
            self.close_connection = True
            self._send(401, json.dumps({"error": "Unauthorized: send 'Authorization: Bearer <key>'"}),
                       extra={"WWW-Authenticate": 'Bearer realm="score"', "Connection": "close"})
            return
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if length < 0 or length > MAX_BODY_BYTES:
            self.close_connection = True
            self._send(413 if length > 0 else 400, json.dumps({"error": "Bad Content-Length"}), extra={"Connection": "close"})
            return
        raw = self.rfile.read(length).decode("utf-8", errors="replace")
        try:
            with self.run_lock:  # AML runs one request at a time per worker; score.py need not be thread-safe
                result = type(self).score.run(raw)
            body = to_json_bytes(result)
        except Exception as exc:  # noqa: BLE001 - every run() failure is a 500 with a JSON error
            traceback.print_exc()
            sys.stderr.flush()
            self._send(500, json.dumps({"error": "%s: %s" % (type(exc).__name__, exc)}))
            return
        self._send(200, body)


def make_server(score_module, host, port, scoring_key):
    handler = type("BoundScoringHandler", (ScoringHandler,), {"score": score_module, "scoring_key": scoring_key or None})
    return ThreadingHTTPServer((host, port), handler)


def main():
    port = int(os.environ.get("PORT") or "5001")
    host = os.environ.get("HOST") or "0.0.0.0"
    os.environ.setdefault("AZUREML_MODEL_DIR", os.path.join(os.path.dirname(HERE), "model"))
    module = load_score_module()
    try:
        module.init()
    except Exception:
        traceback.print_exc()
        sys.stderr.write("init() failed: the scoring server does not start.\n")
        sys.exit(1)
    server = make_server(module, host, port, os.environ.get("SCORING_KEY"))
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown, daemon=True).start())
    bound = server.server_address
    print("Scoring server listening on %s:%d (auth %s)" % (bound[0], bound[1], "on" if os.environ.get("SCORING_KEY") else "off"), flush=True)
    try:
        server.serve_forever()
    finally:
        server.server_close()


if __name__ == "__main__":
    main()

"""Azure ML scoring server: serves a user's score.py over HTTP (Python standard library only, Python 3.8+).

The contract is documented in README.md beside this file. In short:
  GET  /              -> 200 "Healthy" (liveness; never requires the key)
  GET|POST /score     -> run(...) as Azure ML's inference server (azureml-inference-server-http) calls it
  GET  /swagger.json  -> the API description (from @input_schema/@output_schema when run() has them)
  SCORING_KEY         -> when set, /score requires "Authorization: Bearer <key>" (constant-time compare), else 401
  SCORING_TLS_PEM     -> when set (a PEM private key with its certificate chain), every connection is HTTPS (TLS 1.2+)
  WORKER_COUNT        -> worker processes (default: the container's CPUs); each calls run() one request at a time
  PORT (5001), HOST (0.0.0.0), AZUREML_MODEL_DIR, SCORING_TIMEOUT_MS (3600000)
  APPLICATIONINSIGHTS_CONNECTION_STRING -> request and exception telemetry, batched in the background
  DATA_COLLECTOR_SAS_URL (+ DATA_COLLECTOR_*) -> sampled inputs/outputs as JSON lines to blob storage

Where the behaviour follows Azure ML's inference server, the comment names the file of
microsoft/azureml-inference-server (package azureml_inference_server_http) it follows.
"""
import datetime
import hmac
import importlib
import importlib.util
import inspect
import json
import math
import mmap
import os
import queue
import random
import re
import select
import signal
import socket
import ssl
import struct
import sys
import tempfile
import threading
import time
import traceback
import types
import urllib.error
import urllib.parse
import urllib.request
import uuid
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler

HERE = os.path.dirname(os.path.abspath(__file__))
SERVER_NAME = "azureml-scoring"
MAX_BODY_BYTES = 100 * 1024 * 1024
# An idle keep-alive connection, or a client that stops sending mid-request, frees its thread after this.
SOCKET_TIMEOUT_SECONDS = 30
# Connections one worker process serves at once (each holds a thread); more wait in the accept backlog.
MAX_CONNECTIONS_PER_WORKER = 64
LISTEN_BACKLOG = 512
MAX_WORKERS = 64
# Azure ML refuses request ids longer than this with 431 (server/routes.py HEADER_LIMIT).
REQUEST_ID_LIMIT = 100
DEFAULT_SCORING_TIMEOUT_MS = 3600 * 1000  # server/config.py scoring_timeout
INIT_FAILED_EXIT = 3  # a worker whose score.py cannot load or init() fails (gunicorn's boot-error code, as Azure ML uses)
# Bodies of Azure ML's error replies (server/routes.py): generic, the details go to the container log only.
RUN_FAILED_MESSAGE = "An unexpected error occurred in scoring script. Check the logs for more info."
INTERNAL_ERROR_MESSAGE = "An unexpected internal error occurred. Check the logs for more info."


class ConfigError(Exception):
    """A bad environment variable: one line naming it, then exit 1."""


def log(line):
    """One line on stderr (the container log), control characters escaped."""
    sys.stderr.write(printable(line) + "\n")
    sys.stderr.flush()


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def printable(text):
    """Escapes control characters (CR, LF, ESC, ...) so a request cannot forge or colour log lines."""
    return _CONTROL.sub(lambda m: "\\x%02x" % ord(m.group(0)), text)


def _int_env(name, default, low, high):
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    if not re.fullmatch(r"\d+", raw) or not low <= int(raw) <= high:
        raise ConfigError("%s=%r is not a whole number from %d to %d" % (name, raw, low, high))
    return int(raw)


def container_cpus():
    """CPUs this container may use: the affinity mask, capped by a cgroup CPU quota (ACI and Docker set one)."""
    try:
        count = len(os.sched_getaffinity(0))
    except AttributeError:
        count = os.cpu_count() or 1
    quota = None
    try:
        with open("/sys/fs/cgroup/cpu.max") as f:  # cgroup v2: "<quota> <period>" or "max <period>"
            q, p = f.read().split()[:2]
            if q != "max":
                quota = int(q) / int(p)
    except (OSError, ValueError):
        try:  # cgroup v1
            with open("/sys/fs/cgroup/cpu/cpu.cfs_quota_us") as fq, open("/sys/fs/cgroup/cpu/cpu.cfs_period_us") as fp:
                q, p = int(fq.read()), int(fp.read())
                if q > 0:
                    quota = q / p
        except (OSError, ValueError):
            pass
    if quota:
        count = min(count, math.ceil(quota))
    return max(1, count)


# ---------------------------------------------------------------------------------------------------------------------
# Authorization
# ---------------------------------------------------------------------------------------------------------------------


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


# ---------------------------------------------------------------------------------------------------------------------
# Azure ML's request/response classes for @rawhttp scripts
# (api/aml_request.py, api/aml_response.py; score.py imports them from azureml.contrib.services.*)
# ---------------------------------------------------------------------------------------------------------------------

_raw_http_requested = [False]


def rawhttp(func):
    """@rawhttp: run() receives the request object (Azure ML sets a module flag, as this does)."""
    _raw_http_requested[0] = True
    return func


class QueryArgs(dict):
    """The query string as Flask's request.args offers it: get() gives the first value, getlist() all."""

    def __init__(self, query):
        super().__init__()
        self._lists = urllib.parse.parse_qs(query, keep_blank_values=True)
        for k, v in self._lists.items():
            self[k] = v[0]

    def getlist(self, key):
        return list(self._lists.get(key, []))


class AMLRequest:
    """What a @rawhttp run() receives: the parts of flask.Request that Azure ML's scripts use."""

    def __init__(self, method, full_path, headers, body, remote_addr=None):
        self.method = method
        path, _, query = full_path.partition("?")
        self.path = path
        self.full_path = full_path if query else path + "?"
        self.query_string = query.encode("latin-1", "replace")
        self.args = QueryArgs(query)
        self.headers = headers
        self.data = body
        self.remote_addr = remote_addr
        self.content_type = headers.get("Content-Type", "") or ""
        self.mimetype = self.content_type.split(";", 1)[0].strip().lower()
        self.url = "http://%s%s" % (headers.get("Host", "localhost"), full_path)

    @property
    def is_json(self):
        return self.mimetype == "application/json" or (self.mimetype.startswith("application/") and self.mimetype.endswith("+json"))

    def get_data(self, as_text=False, cache=True, parse_form_data=False):  # noqa: ARG002 - Flask's signature
        return self.data.decode("utf-8", errors="replace") if as_text else self.data

    def get_json(self, force=False, silent=False, cache=True):  # noqa: ARG002 - Flask's signature
        if not (force or self.is_json):
            if silent:
                return None
            raise BadInput("Expects Content-Type to be application/json")
        try:
            return json.loads(self.data)
        except ValueError:
            if silent:
                return None
            raise BadInput("The body is not valid JSON")

    @property
    def json(self):
        return self.get_json(silent=True)


class AMLResponse:
    """A reply run() builds itself: AMLResponse(message, status_code, response_headers={}, json_str=False)."""

    def __init__(self, message, status_code, response_headers=None, json_str=False, run_function_failed=False):
        self.status_code = int(status_code)
        self.headers = []
        if message is None:
            body, content_type = json.dumps({}), "application/json"
        elif json_str:
            body, content_type = json.dumps(message), "application/json"
        else:
            body, content_type = message, "text/html; charset=utf-8"  # Flask's default mimetype
        self._body = body if isinstance(body, (bytes, bytearray)) else str(body).encode("utf-8")
        headers = dict(response_headers or {})
        if not any(k.lower() == "content-type" for k in headers):
            self.headers.append(("Content-Type", content_type))
        self.headers.append(("x-ms-run-function-failed", str(bool(run_function_failed))))
        # Repeated headers come comma-separated, as in Azure ML's AMLResponse.
        for name, value in headers.items():
            for v in str(value).split(","):
                self.headers.append((name, v.strip()))

    def get_data(self, as_text=False):
        return self._body.decode("utf-8", errors="replace") if as_text else bytes(self._body)


def install_azureml_contrib_services():
    """Makes `from azureml.contrib.services.aml_request import AMLRequest, rawhttp` (and aml_response) import
    this server's classes, as Azure ML's server does for its own. Existing `azureml` packages stay importable."""
    leaves = {
        "azureml.contrib.services.aml_request": {"AMLRequest": AMLRequest, "rawhttp": rawhttp},
        "azureml.contrib.services.aml_response": {"AMLResponse": AMLResponse},
    }
    for parent in ("azureml", "azureml.contrib", "azureml.contrib.services"):
        if parent in sys.modules:
            continue
        try:
            importlib.import_module(parent)
        except ImportError:
            stub = types.ModuleType(parent)
            stub.__path__ = []
            sys.modules[parent] = stub
            if "." in parent:
                setattr(sys.modules[parent.rsplit(".", 1)[0]], parent.rsplit(".", 1)[1], stub)
    for name, attrs in leaves.items():
        module = types.ModuleType(name)
        module.__dict__.update(attrs)
        sys.modules[name] = module
        setattr(sys.modules["azureml.contrib.services"], name.rsplit(".", 1)[1], module)


def _is_response(value):
    """An AMLResponse of this server, or a flask/werkzeug Response (Azure ML's own AMLResponse is one)."""
    return isinstance(value, AMLResponse) or (hasattr(value, "status_code") and hasattr(value, "get_data") and hasattr(value, "headers"))


def _response_parts(value):
    headers = value.headers
    pairs = list(headers.items()) if hasattr(headers, "items") and not isinstance(headers, list) else list(headers)
    return int(value.status_code), [(str(k), str(v)) for k, v in pairs], value.get_data()


# ---------------------------------------------------------------------------------------------------------------------
# The user's score.py (server/user_script.py, server/input_parsers.py)
# ---------------------------------------------------------------------------------------------------------------------


class BadInput(Exception):
    """400 with this message (Azure ML: input_parsers.BadInput)."""


class UnsupportedInput(Exception):
    """415 with this message (Azure ML: input_parsers.UnsupportedInput)."""


class ScriptError(Exception):
    """score.py cannot be served (missing init/run, bad run signature, missing package)."""


class ScoringTimeout(Exception):
    pass


def _parse_value(text):
    try:
        return json.loads(text)
    except ValueError:
        return text


class UserScript:
    """Loads score.py, decides how run() is called (raw request, schema arguments or the body as a string)."""

    def __init__(self, folder=HERE):
        self.folder = folder
        self.module = None
        self.run = None
        self.mode = "string"  # "raw" | "schema" | "string"
        self.params = []
        self.takes_headers = False

    def load(self):
        install_azureml_contrib_services()
        _raw_http_requested[0] = False
        if self.folder not in sys.path:
            sys.path.insert(0, self.folder)
        spec = importlib.util.spec_from_file_location("score", os.path.join(self.folder, "score.py"))
        module = importlib.util.module_from_spec(spec)
        sys.modules["score"] = module
        try:
            spec.loader.exec_module(module)
        except ModuleNotFoundError as ex:
            if (ex.name or "").split(".")[0] == "inference_schema":
                raise ScriptError(
                    "score.py imports inference_schema (the inference-schema package, for @input_schema/@output_schema), "
                    "which is not installed in the image: add inference-schema to the requirementsFile or condaFile."
                ) from ex
            raise
        for name in ("init", "run"):
            if not callable(getattr(module, name, None)):
                raise ScriptError("score.py does not define a %s() function." % name)
        self.module = module
        self.run = module.run
        self._analyze_run()
        return module

    def _analyze_run(self):
        params = list(inspect.signature(self.run).parameters.values())
        if any(p.kind not in (p.KEYWORD_ONLY, p.POSITIONAL_OR_KEYWORD) for p in params):
            raise ScriptError("run() cannot accept positional-only arguments, *args, or **kwargs.")
        self.takes_headers = any(p.name == "request_headers" for p in params)
        params = [p for p in params if p.name != "request_headers"]
        if not params:
            raise ScriptError("run() needs to accept an argument for input data.")
        raw = _raw_http_requested[0] or _official_rawhttp_requested()
        schema = is_schema_decorated(self.run)
        if raw and schema:
            raise ScriptError("run() cannot be decorated with both @rawhttp and @input_schema")
        self.params = params
        self.mode = "raw" if raw else "schema" if schema else "string"

    def arguments(self, request):
        """run()'s keyword arguments for this request (raises BadInput / UnsupportedInput)."""
        if self.mode == "raw":
            args = {self.params[0].name: request}
        elif self.mode == "schema":
            if request.method == "GET":
                body = {k: (_parse_value(v[0]) if len(v) == 1 else [_parse_value(x) for x in v]) for k, v in request.args._lists.items()}
            else:
                if not request.is_json:
                    raise UnsupportedInput("Expects Content-Type to be application/json")
                try:
                    body = json.loads(request.data)
                except ValueError as ex:
                    raise BadInput("POST body could not be decoded as JSON: %s" % ex if request.data else "POST body is empty. Expecting a JSON dictionary.")
                if not isinstance(body, dict):
                    raise BadInput("POST body should be a JSON dictionary.")
            args = {}
            for p in self.params:
                value = body.get(p.name, p.default)
                if value is inspect.Parameter.empty:
                    raise BadInput("A value is not provided for the %r parameter." % p.name)
                args[p.name] = value
        else:
            if request.method == "GET":
                parsed = {k: (_parse_value(v[0]) if len(v) == 1 else [_parse_value(x) for x in v]) for k, v in request.args._lists.items()}
                args = {self.params[0].name: json.dumps(parsed)}
            else:
                try:
                    args = {self.params[0].name: request.data.decode("utf-8")}
                except UnicodeDecodeError as ex:
                    raise BadInput("Input cannot be decoded as UTF-8: %s" % ex)
        if self.takes_headers:
            # Flask's headers as dict(): names in Title-Case (werkzeug EnvironHeaders), as Azure ML passes them
            args["request_headers"] = {k.title(): v for k, v in request.headers.items()}
        return args


def _official_rawhttp_requested():
    """@rawhttp imported from Azure ML's own package (when the base image has it) sets its module flag."""
    mod = sys.modules.get("azureml_inference_server_http.api.aml_request")
    return bool(getattr(mod, "_rawHttpRequested", False))


def is_schema_decorated(func):
    try:
        from inference_schema.schema_util import is_schema_decorated as decorated
    except ImportError:
        return False  # a script cannot be decorated without the package (its import would have failed)
    return bool(decorated(func))


# ---------------------------------------------------------------------------------------------------------------------
# /swagger.json (server/swagger.py: a user's swagger.json wins; else generated, schemas from inference-schema)
# ---------------------------------------------------------------------------------------------------------------------


def build_swagger(script, service_name):
    for name in ("swagger.json", "swagger2.json"):
        path = os.path.join(script.folder, name)
        if os.path.isfile(path):
            with open(path, encoding="utf-8") as f:
                return json.load(f)
    if script.mode == "schema":
        from inference_schema.schema_util import get_input_schema, get_output_schema
        service_input, service_output = get_input_schema(script.run), get_output_schema(script.run)
    else:
        service_input = service_output = {"type": "object", "example": {}}
    error = {"description": "The service failed to execute due to an error.", "schema": {"$ref": "#/definitions/ErrorResponse"}}
    return {
        "swagger": "2.0",
        "info": {"title": service_name, "description": "API specification for the Azure Machine Learning service %s" % service_name, "version": "1.0"},
        "schemes": ["https", "http"],
        "consumes": ["application/json"],
        "produces": ["application/json"],
        "securityDefinitions": {"Bearer": {"type": "apiKey", "name": "Authorization", "in": "header", "description": "For example: Bearer abc123"}},
        "paths": {
            "/": {"get": {"operationId": "ServiceHealthCheck", "description": "Simple health check endpoint.",
                          "responses": {"200": {"description": "The service is up.", "schema": {"type": "string"}}, "default": error}}},
            "/score": {"post": {"operationId": "RunMLService", "description": "Run web service's model and get the prediction output",
                                "security": [{"Bearer": []}],
                                "parameters": [{"name": "serviceInputPayload", "in": "body", "description": "The input payload.", "schema": {"$ref": "#/definitions/ServiceInput"}}],
                                "responses": {"200": {"description": "The prediction.", "schema": {"$ref": "#/definitions/ServiceOutput"}}, "default": error}}},
            "/swagger.json": {"get": {"operationId": "GetSwaggerSpec", "description": "Get the Swagger specification.",
                                      "responses": {"200": {"description": "The Swagger specification.", "schema": {"type": "string"}}, "default": error}}},
        },
        "definitions": {
            "ServiceInput": service_input,
            "ServiceOutput": service_output,
            "ErrorResponse": {"type": "object", "properties": {"message": {"type": "string"}}},
        },
    }


# ---------------------------------------------------------------------------------------------------------------------
# Background senders: Application Insights telemetry and the data collector
# ---------------------------------------------------------------------------------------------------------------------


class ThrottledLog:
    """A failing sender logs at most one line per minute (never raises into a request)."""

    def __init__(self, what, period=60.0):
        self.what, self.period, self.last, self.suppressed = what, period, -1e9, 0

    def __call__(self, message):
        now = time.monotonic()
        if now - self.last >= self.period:
            extra = " (%d more failures in the last minute)" % self.suppressed if self.suppressed else ""
            log("%s: %s%s" % (self.what, message, extra))
            self.last, self.suppressed = now, 0
        else:
            self.suppressed += 1


def _ssl_context():
    # SSL_CERT_FILE / SSL_CERT_DIR choose the trusted CAs (OpenSSL's defaults otherwise).
    return ssl.create_default_context()


class BackgroundBatcher:
    """Items queue in memory (bounded: when full, new items are dropped and counted) and a daemon thread sends
    them in batches every `interval` seconds or at `batch_size` items. Never blocks the caller."""

    def __init__(self, name, interval, batch_size=500, capacity=20000):
        self.name, self.interval, self.batch_size = name, interval, batch_size
        self.items = queue.Queue(maxsize=capacity)
        self.dropped = 0
        self.failure_log = ThrottledLog(name)
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._loop, name=name, daemon=True)
        self.thread.start()

    def add(self, item):
        try:
            self.items.put_nowait(item)
        except queue.Full:
            self.dropped += 1

    def _drain(self):
        batch = []
        while len(batch) < self.batch_size:
            try:
                batch.append(self.items.get_nowait())
            except queue.Empty:
                break
        return batch

    def _loop(self):
        while not self.stopping.is_set():
            deadline = time.monotonic() + self.interval
            while time.monotonic() < deadline and self.items.qsize() < self.batch_size and not self.stopping.is_set():
                time.sleep(min(0.05, self.interval))
            self.flush()

    def flush(self):
        batch = self._drain()
        while batch:
            try:
                self.send(batch)
            except Exception as ex:  # noqa: BLE001 - a sender failure is logged (throttled), never raised
                self.failure_log("%d items not sent: %s" % (len(batch), _describe(ex)))
            batch = self._drain()
        if self.dropped:
            self.failure_log("%d items dropped (queue full)" % self.dropped)
            self.dropped = 0

    def close(self, timeout=5.0):
        self.stopping.set()
        self.thread.join(timeout)
        self.flush()

    def send(self, batch):  # pragma: no cover - overridden
        raise NotImplementedError


def _describe(ex):
    if isinstance(ex, urllib.error.HTTPError):
        return "HTTP %d %s" % (ex.code, ex.reason)
    return "%s: %s" % (type(ex).__name__, ex)


def parse_connection_string(text):
    """'InstrumentationKey=...;IngestionEndpoint=https://...' -> dict (keys lower-cased)."""
    out = {}
    for part in text.split(";"):
        k, sep, v = part.partition("=")
        if sep:
            out[k.strip().lower()] = v.strip()
    return out


def _timespan(ms):
    """Application Insights duration format d.hh:mm:ss.fff."""
    total = max(0.0, ms) / 1000.0
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    return "%d.%02d:%02d:%06.3f" % (days, hours, minutes, seconds)


def _iso(ts):
    return datetime.datetime.fromtimestamp(ts, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class Telemetry(BackgroundBatcher):
    """Request and exception telemetry to <IngestionEndpoint>/v2.1/track (a JSON array of envelopes)."""

    def __init__(self, connection_string, role, interval):
        cs = parse_connection_string(connection_string)
        self.ikey = cs.get("instrumentationkey", "")
        if not self.ikey:
            raise ConfigError("APPLICATIONINSIGHTS_CONNECTION_STRING has no InstrumentationKey")
        endpoint = cs.get("ingestionendpoint", "https://dc.services.visualstudio.com")
        if not endpoint.lower().startswith("https://"):
            raise ConfigError("APPLICATIONINSIGHTS_CONNECTION_STRING: IngestionEndpoint must be an https:// URL")
        self.url = endpoint.rstrip("/") + "/v2.1/track"
        self.tags = {"ai.cloud.role": role, "ai.cloud.roleInstance": socket.gethostname(), "ai.internal.sdkVersion": "py:%s" % SERVER_NAME}
        self.context = _ssl_context()
        super().__init__("Application Insights telemetry", interval)

    def _envelope(self, kind, ts, operation_id, operation_name, base_type, base_data):
        tags = dict(self.tags)
        tags["ai.operation.id"] = operation_id
        tags["ai.operation.name"] = operation_name
        return {"name": "Microsoft.ApplicationInsights.%s" % kind, "time": _iso(ts), "iKey": self.ikey, "tags": tags,
                "data": {"baseType": base_type, "baseData": base_data}}

    def request(self, started, duration_ms, method, path, status, request_id, client_request_id):
        name = "%s %s" % (method, path)
        props = {"x-ms-client-request-id": client_request_id} if client_request_id else {}
        self.add(self._envelope("Request", started, request_id, name, "RequestData", {
            "ver": 2, "id": request_id, "name": name, "duration": _timespan(duration_ms), "responseCode": str(status),
            "success": status < 400, "url": path, "properties": props}))

    def exception(self, when, request_id, operation_name, exc_type, message, stack):
        self.add(self._envelope("Exception", when, request_id, operation_name, "ExceptionData", {
            "ver": 2, "severityLevel": 3, "properties": {},
            "exceptions": [{"id": 1, "outerId": 0, "typeName": exc_type, "message": message[:32768], "hasFullStack": True, "stack": stack[:32768]}]}))

    def send(self, batch):
        data = json.dumps(batch).encode("utf-8")
        req = urllib.request.Request(self.url, data=data, method="POST", headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=10, context=self.context) as res:
            reply = res.read()
        if res.status == 206:  # partial: some items refused (their reasons are in the reply)
            self.failure_log("some items refused: %s" % reply[:300].decode("utf-8", "replace"))


class DataCollector(BackgroundBatcher):
    """Sampled inputs and outputs as JSON lines in Azure ML's data-collector layout:
    <container>/modelDataCollector/<endpoint>/<deployment>/<model_inputs|model_outputs>/YYYY/MM/DD/HH/<id>.jsonl,
    one CloudEvents envelope per line (Azure ML docs, how-to-collect-production-data: specversion, id, source, type
    azureml.inference.<collection>, datacontenttype, time, data = the records, contentrange, correlationid,
    xrequestid, modelversion, collectdatatype, agent). Written with Put Blob through a write-only SAS URL."""

    COLLECTIONS = ("model_inputs", "model_outputs")

    def __init__(self, sas_url, endpoint, deployment, source, sample_rate, interval, model_version="default"):
        parts = urllib.parse.urlsplit(sas_url)
        if parts.scheme not in ("https", "http") or not parts.netloc or not parts.query:
            raise ConfigError("DATA_COLLECTOR_SAS_URL is not a container URL with a SAS query string")
        self.container = parts._replace(query="", fragment="").geturl().rstrip("/")
        self.sas = parts.query
        self.endpoint, self.deployment, self.source = endpoint, deployment, source
        self.sample_rate, self.model_version = sample_rate, model_version
        self.writer_id = uuid.uuid4().hex[:12]
        self.sequence = 0
        self.context = _ssl_context() if parts.scheme == "https" else None
        super().__init__("Data collector", interval)

    def sampled(self):
        return self.sample_rate >= 1.0 or random.random() < self.sample_rate

    def collect(self, when, request_id, method, path, inputs, outputs):
        """inputs/outputs: (python value, type name) pairs; the envelope is built in the background thread."""
        self.add((when, request_id, method, path, inputs, outputs))

    @staticmethod
    def records(value):
        if isinstance(value, list) and all(isinstance(v, dict) for v in value):
            return value
        if isinstance(value, dict):
            return [value]
        return [{"value": value}]

    def _line(self, collection, when, request_id, method, path, value):
        records = self.records(value[0])
        data_text = json.dumps(records, separators=(",", ":"), default=str)
        size = len(data_text.encode("utf-8"))
        envelope = {
            "specversion": "1.0", "id": str(uuid.uuid4()), "source": self.source, "type": "azureml.inference.%s" % collection,
            "datacontenttype": "application/json", "time": datetime.datetime.fromtimestamp(when, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "data": "@DATA@", "path": path, "method": method, "contentrange": "bytes 0-%d/%d" % (max(0, size - 1), size),
            "correlationid": request_id, "xrequestid": request_id, "modelversion": self.model_version,
            "collectdatatype": value[1], "agent": "%s/1.0" % SERVER_NAME,
        }
        return json.dumps(envelope, separators=(",", ":")).replace('"@DATA@"', data_text, 1)

    def send(self, batch):
        groups = {}
        for when, request_id, method, path, inputs, outputs in batch:
            hour = datetime.datetime.fromtimestamp(when, datetime.timezone.utc).strftime("%Y/%m/%d/%H")
            for collection, value in zip(self.COLLECTIONS, (inputs, outputs)):
                if value is not None:
                    groups.setdefault((collection, hour), []).append(self._line(collection, when, request_id, method, path, value))
        for (collection, hour), lines in sorted(groups.items()):
            self.sequence += 1
            blob = "modelDataCollector/%s/%s/%s/%s/%s-%06d.jsonl" % (
                urllib.parse.quote(self.endpoint, safe=""), urllib.parse.quote(self.deployment, safe=""), collection, hour, self.writer_id, self.sequence)
            body = ("\n".join(lines) + "\n").encode("utf-8")
            req = urllib.request.Request("%s/%s?%s" % (self.container, blob, self.sas), data=body, method="PUT", headers={
                "x-ms-blob-type": "BlockBlob", "x-ms-version": "2021-08-06", "Content-Type": "application/x-ndjson"})
            with urllib.request.urlopen(req, timeout=30, context=self.context) as res:
                res.read()


def _json_value(body):
    """(value, type name) of a request or reply body for the collector; non-JSON text is kept as a string."""
    try:
        value = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        value = body.decode("utf-8", "replace") if isinstance(body, (bytes, bytearray)) else str(body)
    return value, "builtins.%s" % type(value).__name__


# ---------------------------------------------------------------------------------------------------------------------
# HTTP
# ---------------------------------------------------------------------------------------------------------------------


class Job:
    """One run() call, handed from a connection thread to the worker's main thread."""

    __slots__ = ("kwargs", "done", "outcome", "value", "elapsed_ms")

    def __init__(self, kwargs):
        self.kwargs = kwargs
        self.done = threading.Lock()  # held until run_job() releases it: the cheapest cross-thread hand-back
        self.done.acquire()
        self.outcome = None  # "ok" | "error" | "timeout"
        self.value = None
        self.elapsed_ms = 0.0


class ScoringHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = SERVER_NAME
    disable_nagle_algorithm = True  # headers and body in one write anyway; no 40 ms delayed-ACK stall
    timeout = SOCKET_TIMEOUT_SECONDS
    # `server` is the Worker (set by BaseRequestHandler)

    def version_string(self):
        return SERVER_NAME  # no Python version

    def log_message(self, fmt, *args):
        log("%s - %s" % (self.address_string(), fmt % args))

    def log_error(self, fmt, *args):
        if fmt.startswith("Request timed out"):
            return  # an idle keep-alive connection reaching SOCKET_TIMEOUT_SECONDS is normal
        self.log_message(fmt, *args)

    def log_request(self, code="-", size="-"):
        pass  # one line per request is written by _reply, with the duration and request id

    # -- replies ------------------------------------------------------------------------------------------------------

    def _reply(self, status, body, content_type="application/json", headers=(), close=False):
        data = body if isinstance(body, (bytes, bytearray)) else body.encode("utf-8")
        if close:
            self.close_connection = True
        lines = ["%s %d %s" % (self.protocol_version, status, self.responses.get(status, ("",))[0]),
                 "Server: %s" % SERVER_NAME, "Date: %s" % http_date()]
        names = {k.lower() for k, _ in headers}
        if "content-type" not in names:
            lines.append("Content-Type: %s" % content_type)
        for k, v in headers:
            if k.lower() in ("content-length", "connection", "transfer-encoding", "server", "date"):
                continue
            lines.append("%s: %s" % (_header_value(k).replace(":", ""), _header_value(v)))
        lines.append("Content-Length: %d" % len(data))
        if self.close_connection:
            lines.append("Connection: close")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1", "replace")
        self.wfile.write(head + (b"" if self.command == "HEAD" else bytes(data)))
        self.status = status
        self.server.access_log(self, status, len(data))

    def _json(self, status, obj, headers=(), close=False):
        self._reply(status, json.dumps(obj), headers=headers, close=close)

    def _message(self, status, message, headers=(), close=False):
        self._json(status, {"message": message}, headers=headers, close=close)

    # -- routing ------------------------------------------------------------------------------------------------------

    def _route(self):
        return self.path.split("?", 1)[0].rstrip("/") or "/"

    def _begin(self):
        self.started = time.time()
        self.t0 = time.perf_counter()
        self.status = 0
        self.request_id = ""
        self.ids_headers = []

    def do_GET(self):
        self._begin()
        route = self._route()
        if route == "/":
            self._reply(200, "Healthy", "text/plain; charset=utf-8")
        elif route == "/swagger.json":
            self._swagger()
        elif route == "/score":
            self._score()
        else:
            self._message(404, "Not found: %s" % route)

    do_HEAD = do_GET

    def do_POST(self):
        self._begin()
        if self._route() == "/score":
            self._score()
        else:
            self._message(404, "Not found: %s" % self._route(), close=self._has_body())

    def do_OPTIONS(self):
        self._begin()
        if self._route() == "/score" and not self._has_body():
            self._reply(200, b"", "text/html; charset=utf-8")  # Azure ML answers OPTIONS /score with an empty 200
        else:
            self._message(405, "Method not allowed", close=True)

    def _method_not_allowed(self):
        self._begin()
        self._message(405, "Method not allowed", close=True)

    do_PUT = do_DELETE = do_PATCH = _method_not_allowed

    def _has_body(self):
        return bool(self.headers.get("Transfer-Encoding")) or (self.headers.get("Content-Length") or "0").strip() != "0"

    def _swagger(self):
        version = urllib.parse.parse_qs(self.path.partition("?")[2]).get("version", ["2"])[0]
        if version not in ("2", "2.0"):
            self._message(404, "Swagger version [%s] is not supported for the scoring script. Supported swagger versions: [2]." % version)
            return
        self._json(200, self.server.swagger)

    # -- /score -------------------------------------------------------------------------------------------------------

    def _request_ids(self):
        """x-request-id (generated when absent) and the x-ms-request-id / x-ms-client-request-id echoes, as Azure ML
        does (server/routes.py _init_headers, populate_response_headers). None when one is too long (431)."""
        request_id = self.headers.get("x-request-id") or new_request_id()
        legacy = self.headers.get("x-ms-request-id") or ""
        client = self.headers.get("x-ms-client-request-id") or ""
        if legacy:
            client = client or legacy
        else:
            legacy = client or request_id
        if any(len(v) > REQUEST_ID_LIMIT for v in (request_id, legacy, client)):
            return None
        self.request_id = printable(request_id)
        self.client_request_id = printable(client)
        self.ids_headers = [("x-request-id", self.request_id), ("x-ms-request-id", printable(legacy))]
        if client:
            self.ids_headers.append(("x-ms-client-request-id", self.client_request_id))
        return self.request_id

    def _read_body(self):
        """The request body, or None after an error reply (400 / 411 / 413)."""
        te = (self.headers.get("Transfer-Encoding") or "").strip().lower()
        cl = self.headers.get("Content-Length")
        if te:
            if cl is not None:  # both: a request-smuggling shape (RFC 9112 6.3); refuse
                self._message(400, "Send either Content-Length or Transfer-Encoding, not both", close=True)
                return None
            if te != "chunked":
                self._message(411, "Transfer-Encoding %r is not supported: send Content-Length or chunked" % te[:40], close=True)
                return None
            return self._read_chunked()
        try:
            length = int(cl) if cl is not None else 0
            if length < 0:
                raise ValueError
        except ValueError:
            self._message(400, "Bad Content-Length", close=True)
            return None
        if length > MAX_BODY_BYTES:
            self._message(413, "The body is larger than %d bytes" % MAX_BODY_BYTES, close=True)
            return None
        body = self.rfile.read(length)
        if len(body) != length:
            self.close_connection = True
            return None
        return body

    def _read_chunked(self):
        chunks, total = [], 0
        while True:
            line = self.rfile.readline(1026)
            size_text = line.split(b";", 1)[0].strip()
            if not line.endswith(b"\n") or not re.fullmatch(rb"[0-9A-Fa-f]{1,8}", size_text):
                self._message(400, "Malformed chunked body", close=True)
                return None
            size = int(size_text, 16)
            if size == 0:
                break
            total += size
            if total > MAX_BODY_BYTES:
                self._message(413, "The body is larger than %d bytes" % MAX_BODY_BYTES, close=True)
                return None
            data = self.rfile.read(size)
            if len(data) != size or self.rfile.readline(3) not in (b"\r\n", b"\n"):
                self._message(400, "Malformed chunked body", close=True)
                return None
            chunks.append(data)
        for _ in range(100):  # trailer section, up to the empty line
            trailer = self.rfile.readline(8194)
            if trailer in (b"\r\n", b"\n"):
                return b"".join(chunks)
            if not trailer.endswith(b"\n"):
                break
        self._message(400, "Malformed chunked body", close=True)
        return None

    def _score(self):
        if self._request_ids() is None:
            self._message(431, "x-request-id, x-ms-request-id and x-ms-client-request-id must not exceed %d characters" % REQUEST_ID_LIMIT, close=True)
            return
        worker = self.server
        if not is_authorized(self.headers.get("Authorization"), worker.scoring_key):
            # The body is not read: close the connection so a kept-alive client cannot desynchronise.
            self._message(401, "Unauthorized: send 'Authorization: Bearer <key>'", close=True,
                          headers=[("WWW-Authenticate", 'Bearer realm="score"')] + self.ids_headers)
            return
        body = b""
        if self.command == "POST":
            body = self._read_body()
            if body is None:
                return
        elif self._has_body():
            self.close_connection = True  # a GET with a body: it is not read
        request = AMLRequest(self.command, self.path, self.headers, body, self.client_address[0])
        script = worker.script
        try:
            kwargs = script.arguments(request)
        except BadInput as ex:
            self._message(400, str(ex), headers=self.ids_headers)
            return
        except UnsupportedInput as ex:
            self._message(415, str(ex), headers=self.ids_headers)
            return
        job = worker.submit(kwargs)
        job.done.acquire()
        headers = list(self.ids_headers)
        if job.outcome == "timeout":
            log("run() did not finish within SCORING_TIMEOUT_MS=%d (request %s)" % (worker.timeout_ms, self.request_id))
            worker.exception(self, "ScoringTimeout", "Scoring timeout after %d ms" % worker.timeout_ms, "")
            self._message(500, "Scoring timeout after %d ms" % worker.timeout_ms, headers=headers + [("x-ms-run-function-failed", "True")])
            return
        if job.outcome == "error":
            exc_type, message, stack = job.value
            sys.stderr.write("run() failed (request %s):\n%s" % (self.request_id, stack))
            sys.stderr.flush()
            worker.exception(self, exc_type, message, stack)
            self._message(500, RUN_FAILED_MESSAGE, headers=headers + [("x-ms-run-function-failed", "True")])
            return
        headers.append(("x-ms-run-fn-exec-ms", "%.3f" % job.elapsed_ms))
        output = job.value
        if _is_response(output):
            status, extra, data = _response_parts(output)
            self._reply(status, data, headers=headers + extra)
            if status < 400:
                worker.collect(self, request, body, data)
            return
        try:
            # Azure ML's server answers json.dumps(run()) with no fallback (routes.py wrap_response, AMLResponse
            # json_str=True): numpy float64 is a float and passes, an ndarray or DataFrame is a 500 (return .tolist()).
            data = json.dumps(output).encode("utf-8")
        except (TypeError, ValueError) as ex:
            log("run() returned a value JSON cannot hold (%s: %s; request %s): return lists, dicts, strings and numbers, "
                "e.g. array.tolist() or frame.to_dict(orient='records')" % (type(output).__name__, ex, self.request_id))
            worker.exception(self, type(ex).__name__, str(ex), traceback.format_exc())
            self._message(500, INTERNAL_ERROR_MESSAGE, headers=headers)
            return
        self._reply(200, data, headers=headers + [("x-ms-run-function-failed", "False")])
        worker.collect(self, request, body, data)


def new_request_id():
    """A random UUID (version 4 layout) without uuid4()'s os.urandom call: an id, not a secret (~6 us vs ~30 us)."""
    h = "%032x" % random.getrandbits(128)
    return "%s-%s-4%s-%x%s-%s" % (h[:8], h[8:12], h[13:16], 8 | (int(h[16], 16) & 3), h[17:20], h[20:])


_date_cache = [0, ""]


def http_date():
    """The Date header, formatted once per second (formatdate costs ~35 us)."""
    now = int(time.time())
    if _date_cache[0] != now:
        _date_cache[0], _date_cache[1] = now, formatdate(now, usegmt=True)
    return _date_cache[1]


def _header_value(v):
    return _CONTROL.sub("", str(v))  # no CR/LF: a run()-chosen header cannot split the response


class Worker:
    """One worker process: connection threads (at most MAX_CONNECTIONS_PER_WORKER) parse requests; run() is called
    on the main thread, one request at a time (score.py need not be thread-safe; SCORING_TIMEOUT_MS uses SIGALRM,
    as Azure ML's server/utils.py timeout() does)."""

    def __init__(self, sock, settings, script, balance=None, slot=0):
        self.sock = sock
        self.settings = settings
        self.script = script
        self.scoring_key = settings["scoring_key"]
        self.timeout_ms = settings["timeout_ms"]
        self.balance, self.slot = balance, slot
        self.jobs = queue.SimpleQueue()
        self.stopping = threading.Event()
        self.connection_slots = threading.BoundedSemaphore(settings["max_connections"])
        self.open_connections = 0
        self.lock = threading.Lock()
        self.swagger = build_swagger(script, settings["service_name"])
        self.telemetry = None
        self.collector = None
        self._publish(0)  # ready to take connections before the supervisor hears "ready" (else others take them all)

    # -- senders ------------------------------------------------------------------------------------------------------

    def start_senders(self):
        s = self.settings
        if s["appinsights"]:
            self.telemetry = Telemetry(s["appinsights"], s["service_name"], s["flush_seconds"])
        if s["collector_sas_url"]:
            self.collector = DataCollector(s["collector_sas_url"], s["collector_endpoint"], s["collector_deployment"],
                                           s["collector_source"], s["sample_rate"], s["flush_seconds"])

    def access_log(self, handler, status, size):
        ms = (time.perf_counter() - getattr(handler, "t0", time.perf_counter())) * 1000.0
        path = handler.path.split("?", 1)[0][:200]
        log('%s "%s %s" %d %d %.3fms %s' % (handler.client_address[0], handler.command, path, status, size, ms, getattr(handler, "request_id", "")))
        if self.telemetry is not None and path.rstrip("/") not in ("", "/"):
            try:
                self.telemetry.request(handler.started, ms, handler.command, path, status, handler.request_id or str(uuid.uuid4()), getattr(handler, "client_request_id", ""))
            except Exception as ex:  # noqa: BLE001 - telemetry never fails a request
                self.telemetry.failure_log(_describe(ex))

    def exception(self, handler, exc_type, message, stack):
        if self.telemetry is not None:
            try:
                self.telemetry.exception(time.time(), handler.request_id, "%s %s" % (handler.command, handler.path.split("?", 1)[0]), exc_type, message, stack)
            except Exception as ex:  # noqa: BLE001
                self.telemetry.failure_log(_describe(ex))

    def collect(self, handler, request, body, reply):
        c = self.collector
        if c is None or not c.sampled():
            return
        try:
            inputs = _json_value(body) if request.method == "POST" else (dict(request.args), "builtins.dict")
            c.collect(handler.started, handler.request_id, request.method, handler.path.split("?", 1)[0], inputs,
                      _json_value(reply) if reply is not None else None)
        except Exception as ex:  # noqa: BLE001 - collection never fails a request
            c.failure_log(_describe(ex))

    def stop(self):
        """SIGTERM: stop accepting and free the port at once; requests in flight still finish."""
        self.stopping.set()
        try:
            self.sock.close()
        except OSError:
            pass

    # -- run() on the main thread -------------------------------------------------------------------------------------

    def submit(self, kwargs):
        job = Job(kwargs)
        self.jobs.put(job)
        return job

    def run_job(self, job):
        run = self.script.run
        start = time.perf_counter()
        try:
            signal.setitimer(signal.ITIMER_REAL, self.timeout_ms / 1000.0)
            try:
                job.value = run(**job.kwargs)
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
            job.outcome = "ok"
        except ScoringTimeout:
            job.outcome = "timeout"
        except Exception as ex:  # noqa: BLE001 - run() failures become 500s
            job.outcome = "error"
            job.value = (type(ex).__name__, str(ex), traceback.format_exc())
        job.elapsed_ms = (time.perf_counter() - start) * 1000.0
        job.done.release()

    # -- connections --------------------------------------------------------------------------------------------------

    def _my_turn(self):
        """With several workers sharing the socket, the one with the fewest open connections accepts, so kept-alive
        clients spread evenly (a plain shared accept lets one worker take them all)."""
        if self.balance is None:
            return True
        counts = [c for c in struct.unpack_from("%di" % (len(self.balance) // 4), self.balance) if c >= 0]
        return not counts or self.open_connections <= min(counts)

    def _publish(self, count):
        if self.balance is not None:
            struct.pack_into("i", self.balance, self.slot * 4, count)

    def accept_loop(self):
        sock = self.sock
        while not self.stopping.is_set():
            if not self.connection_slots.acquire(timeout=0.5):
                continue
            accepted = False
            try:
                # not this worker's turn: a less busy one accepts at once; look again in a while (a tight
                # poll would take the GIL from this worker's run() a thousand times a second)
                while not self.stopping.is_set() and not self._my_turn():
                    time.sleep(0.02)
                if self.stopping.is_set():
                    continue
                try:
                    ready, _, _ = select.select([sock], [], [], 0.5)
                except (OSError, ValueError):  # closed by stop()
                    break
                if not ready:
                    continue
                try:
                    conn, addr = sock.accept()
                except (BlockingIOError, InterruptedError):
                    continue  # another worker took it
                except OSError:
                    if self.stopping.is_set():
                        break
                    continue
                with self.lock:
                    self.open_connections += 1
                    self._publish(self.open_connections)
                accepted = True
                threading.Thread(target=self._serve_connection, args=(conn, addr), daemon=True).start()
            finally:
                if not accepted:
                    self.connection_slots.release()

    def _serve_connection(self, conn, addr):
        try:
            conn.setblocking(True)
            tls = self.settings.get("tls")
            if tls is not None:
                # the handshake runs on this connection's thread, bounded like a request (a silent client cannot
                # hold the slot); a failed handshake is a client that went away
                conn.settimeout(self.settings["socket_timeout"])
                conn = tls.wrap_socket(conn, server_side=True)
            ScoringHandler(conn, addr, self)
        except (OSError, ValueError):
            pass  # client went away
        except Exception:  # noqa: BLE001 - a handler bug must not kill the worker; the client sees a closed socket
            log("internal error serving %s:\n%s" % (addr[0], traceback.format_exc()))
        finally:
            try:
                conn.close()
            except OSError:
                pass
            with self.lock:
                self.open_connections -= 1
                self._publish(self.open_connections)
            self.connection_slots.release()

    def serve(self):
        """Runs until SIGTERM: accept thread in the background, run() calls on this (main) thread."""
        self._publish(0)
        acceptor = threading.Thread(target=self.accept_loop, name="accept", daemon=True)
        acceptor.start()
        while True:
            try:
                job = self.jobs.get(timeout=0.2)
            except queue.Empty:
                if self.stopping.is_set():
                    break
                continue
            self.run_job(job)
        acceptor.join(2)
        # in-flight requests: let them finish (bounded), then flush what the senders hold
        deadline = time.monotonic() + 10
        while self.open_connections > 0 and time.monotonic() < deadline:
            try:
                self.run_job(self.jobs.get(timeout=0.05))
            except queue.Empty:
                pass
        for sender in (self.telemetry, self.collector):
            if sender is not None:
                sender.close()


# ---------------------------------------------------------------------------------------------------------------------
# Start-up: settings, one process or a supervisor with N forked workers
# ---------------------------------------------------------------------------------------------------------------------


def read_settings():
    sample_raw = os.environ.get("DATA_COLLECTOR_SAMPLE_RATE", "").strip() or "1"
    try:
        sample_rate = float(sample_raw)
        if not 0.0 < sample_rate <= 1.0:
            raise ValueError
    except ValueError:
        raise ConfigError("DATA_COLLECTOR_SAMPLE_RATE=%r is not a number in (0, 1]" % sample_raw)
    flush_raw = os.environ.get("TELEMETRY_FLUSH_SECONDS", "").strip() or "5"
    try:
        flush_seconds = float(flush_raw)
        if not 0.05 <= flush_seconds <= 300:
            raise ValueError
    except ValueError:
        raise ConfigError("TELEMETRY_FLUSH_SECONDS=%r is not a number from 0.05 to 300" % flush_raw)
    workers_default = min(MAX_WORKERS, container_cpus())
    endpoint = os.environ.get("DATA_COLLECTOR_ENDPOINT", "").strip() or os.environ.get("HOSTNAME", "") or "endpoint"
    deployment = os.environ.get("DATA_COLLECTOR_DEPLOYMENT", "").strip() or "default"
    return {
        "port": _int_env("PORT", 5001, 0, 65535),
        "host": os.environ.get("HOST") or "0.0.0.0",
        "workers": _int_env("WORKER_COUNT", workers_default, 1, MAX_WORKERS),
        "timeout_ms": _int_env("SCORING_TIMEOUT_MS", DEFAULT_SCORING_TIMEOUT_MS, 1, 24 * 3600 * 1000),
        "scoring_key": os.environ.get("SCORING_KEY") or None,
        "tls": tls_context(os.environ.get("SCORING_TLS_PEM") or ""),
        "service_name": os.environ.get("SERVICE_NAME") or "ML service",
        "appinsights": (os.environ.get("APPLICATIONINSIGHTS_CONNECTION_STRING") or "").strip(),
        "collector_sas_url": (os.environ.get("DATA_COLLECTOR_SAS_URL") or "").strip(),
        "collector_endpoint": endpoint,
        "collector_deployment": deployment,
        "collector_source": os.environ.get("DATA_COLLECTOR_SOURCE", "").strip() or "/onlineEndpoints/%s/deployments/%s" % (endpoint, deployment),
        "sample_rate": sample_rate,
        "flush_seconds": flush_seconds,
        "socket_timeout": _int_env("SOCKET_TIMEOUT_SECONDS", SOCKET_TIMEOUT_SECONDS, 1, 3600),
        "max_connections": _int_env("MAX_CONNECTIONS_PER_WORKER", MAX_CONNECTIONS_PER_WORKER, 1, 10000),
    }


def tls_context(pem):
    """The server's TLS context from SCORING_TLS_PEM (key and chain, as Key Vault stores a PEM certificate as a
    secret), or None without it. ssl loads a chain only from a file: a private temporary file, removed at once."""
    if not pem.strip():
        return None
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    fd, path = tempfile.mkstemp(prefix="scoring-tls-", suffix=".pem")  # mode 0600
    try:
        with os.fdopen(fd, "w") as f:
            f.write(pem)
        context.load_cert_chain(path)
    except (ssl.SSLError, OSError, ValueError) as ex:
        # the reason only: the value is a private key
        raise ConfigError("SCORING_TLS_PEM is not a PEM private key with its certificate chain (%s)" % type(ex).__name__)
    finally:
        os.unlink(path)
    return context


def listen(host, port):
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(LISTEN_BACKLOG)
    sock.setblocking(False)  # workers share it: accept() after select() may find the connection gone
    return sock


def _on_alarm(signum, frame):  # noqa: ARG001
    raise ScoringTimeout()


def start_worker(sock, settings, balance=None, slot=0):
    """Loads score.py and calls init() (exit INIT_FAILED_EXIT when either fails), then returns a ready Worker."""
    script = UserScript()
    try:
        script.load()
        script.module.init()
    except ScriptError as ex:
        log("score.py cannot be served: %s" % ex)
        sys.exit(INIT_FAILED_EXIT)
    except BaseException:  # noqa: BLE001 - import or init() failure: the traceback goes to the container log
        traceback.print_exc()
        sys.stderr.write("init() failed: the scoring server does not start.\n")
        sys.stderr.flush()
        sys.exit(INIT_FAILED_EXIT)
    worker = Worker(sock, settings, script, balance, slot)
    worker.start_senders()
    signal.signal(signal.SIGALRM, _on_alarm)
    signal.signal(signal.SIGTERM, lambda *_: worker.stop())
    signal.signal(signal.SIGINT, lambda *_: worker.stop())
    return worker


def announce(sock, settings):
    bound = sock.getsockname()
    print("Scoring server listening on %s:%d (%s, auth %s, %d worker%s)" % (
        bound[0], bound[1], "https" if settings.get("tls") else "http", "on" if settings["scoring_key"] else "off",
        settings["workers"], "" if settings["workers"] == 1 else "s"), flush=True)


def die_with_parent(parent):
    """A worker must not outlive the supervisor (killed with SIGKILL, it cannot stop its workers, and they would
    keep the port): Linux's PR_SET_PDEATHSIG kills this process when the parent dies."""
    try:
        import ctypes
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG = 1
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:  # the parent died before prctl
        os._exit(1)


def supervise(sock, settings):
    """N forked workers share the listening socket; each loads score.py and calls init() itself (as Azure ML's
    gunicorn workers do). A worker whose init() fails stops the server; one that dies later is replaced."""
    n = settings["workers"]
    balance = mmap.mmap(-1, 4 * n)
    struct.pack_into("%di" % n, balance, 0, *([-1] * n))
    ready_r, ready_w = os.pipe()
    children = {}
    stopping = [False]

    parent = os.getpid()

    def spawn(slot):
        pid = os.fork()
        if pid == 0:
            os.close(ready_r)
            code = 0
            try:
                signal.signal(signal.SIGTERM, signal.SIG_DFL)
                signal.signal(signal.SIGINT, signal.SIG_DFL)
                die_with_parent(parent)
                worker = start_worker(sock, settings, balance, slot)
                os.write(ready_w, b"r")
                os.close(ready_w)
                worker.serve()
            except SystemExit as ex:
                code = ex.code if isinstance(ex.code, int) else 1
            except BaseException:  # noqa: BLE001
                traceback.print_exc()
                code = 1
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(code)
        children[pid] = slot

    def stop(*_):
        stopping[0] = True
        try:
            sock.close()
        except OSError:
            pass
        for pid in list(children):
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    for slot in range(n):
        spawn(slot)
    ready = 0
    announced = False
    while children:
        if not announced:
            r, _, _ = select.select([ready_r], [], [], 0.1)
            if r:
                ready += len(os.read(ready_r, 64))
                if ready >= n:
                    announce(sock, settings)
                    announced = True
        try:
            pid, status = os.waitpid(-1, os.WNOHANG if not announced else 0)
        except ChildProcessError:
            break
        except InterruptedError:
            continue
        if pid == 0:
            continue
        slot = children.pop(pid)
        struct.pack_into("i", balance, slot * 4, -1)
        code = os.waitstatus_to_exitcode(status) if hasattr(os, "waitstatus_to_exitcode") else (status >> 8)
        if stopping[0]:
            continue
        if code == INIT_FAILED_EXIT or not announced:
            stop()
            for other in list(children):
                try:
                    os.waitpid(other, 0)
                except ChildProcessError:
                    pass
            sys.exit(1)
        log("worker %d (pid %d) exited with %s: starting a new one" % (slot, pid, code))
        time.sleep(1)
        spawn(slot)
    sys.exit(0)


def main():
    try:
        settings = read_settings()
        # fail on a bad connection string / SAS URL before forking (Telemetry/DataCollector validate them)
        if settings["appinsights"]:
            parse = parse_connection_string(settings["appinsights"])
            if not parse.get("instrumentationkey"):
                raise ConfigError("APPLICATIONINSIGHTS_CONNECTION_STRING has no InstrumentationKey")
            if not parse.get("ingestionendpoint", "https://").lower().startswith("https://"):
                raise ConfigError("APPLICATIONINSIGHTS_CONNECTION_STRING: IngestionEndpoint must be an https:// URL")
        if settings["collector_sas_url"]:
            parts = urllib.parse.urlsplit(settings["collector_sas_url"])
            if parts.scheme not in ("https", "http") or not parts.netloc or not parts.query:
                raise ConfigError("DATA_COLLECTOR_SAS_URL is not a container URL with a SAS query string")
    except ConfigError as ex:
        log("The scoring server does not start: %s" % ex)
        sys.exit(1)
    os.environ.setdefault("AZUREML_MODEL_DIR", os.path.join(os.path.dirname(HERE), "model"))
    ScoringHandler.timeout = settings["socket_timeout"]
    sock = listen(settings["host"], settings["port"])
    if settings["workers"] == 1:
        try:
            worker = start_worker(sock, settings)
        except SystemExit as ex:
            sys.exit(1 if ex.code == INIT_FAILED_EXIT else ex.code)
        announce(sock, settings)
        try:
            worker.serve()
        finally:
            sock.close()
        return
    supervise(sock, settings)


if __name__ == "__main__":
    main()

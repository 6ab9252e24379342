#!/usr/bin/env python3
"""Regenerate or verify samples/expected.jsonl (standard library only).

    python3 examples/project/tools/samples.py            # train, score samples/payload.jsonl, write expected.jsonl
    python3 examples/project/tools/samples.py --check    # same, but compare with the committed file (exit 1 on a difference)

Trains src/train.py with its default hyperparameters on data/ into a temporary folder,
loads src/score.py with AZUREML_MODEL_DIR pointing there, and scores each payload line
exactly as the scoring server would (run(<the line as a JSON string>)). The committed
expected.jsonl is what ProbeEndpoint's `expectedResponseFile` compares the live endpoint
with; --check compares within an absolute tolerance of 1e-6.
"""
import argparse
import importlib.util
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
PROJECT = os.path.normpath(os.path.join(HERE, ".."))
TOLERANCE = 1e-6


def score_payloads(model_dir, payload_file):
    os.environ["AZUREML_MODEL_DIR"] = model_dir
    spec = importlib.util.spec_from_file_location("score", os.path.join(PROJECT, "src", "score.py"))
    score = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(score)
    score.init()
    with open(payload_file, encoding="utf-8") as f:
        return [score.run(line.strip()) for line in f if line.strip()]


def close(a, b):
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(close(x, y) for x, y in zip(a, b))
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return abs(a - b) <= TOLERANCE
    return a == b


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--check", action="store_true", help="verify instead of writing")
    p.add_argument("--model-dir", help="score with this trained model folder instead of training one")
    p.add_argument("--payload", default=os.path.join(PROJECT, "samples", "payload.jsonl"))
    p.add_argument("--expected", default=os.path.join(PROJECT, "samples", "expected.jsonl"))
    a = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        model_dir = a.model_dir
        if not model_dir:
            model_dir = os.path.join(tmp, "model")
            subprocess.run([sys.executable, os.path.join(PROJECT, "src", "train.py"), "--data",
                            os.path.join(PROJECT, "data"), "--output", model_dir],
                           check=True, stdout=subprocess.DEVNULL)
        actual = score_payloads(model_dir, a.payload)
    if not a.check:
        with open(a.expected, "w", encoding="utf-8") as f:
            for response in actual:
                f.write(json.dumps(response) + "\n")
        print(f"wrote {len(actual)} expected responses to {os.path.relpath(a.expected)}")
        return 0
    with open(a.expected, encoding="utf-8") as f:
        expected = [json.loads(line) for line in f if line.strip()]
    if len(expected) != len(actual):
        print(f"expected.jsonl has {len(expected)} lines, payload.jsonl gives {len(actual)} responses")
        return 1
    bad = [i + 1 for i, (e, r) in enumerate(zip(expected, actual)) if not close(e, r)]
    for line in bad:
        print(f"line {line}: expected {json.dumps(expected[line - 1])}, score.py returned {json.dumps(actual[line - 1])}")
    if bad:
        return 1
    print(f"{len(actual)} responses match expected.jsonl within {TOLERANCE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

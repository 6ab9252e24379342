"""Scoring script for the building-energy model (Azure ML scoring contract).

init()          called once when the container starts: loads model.json from the folder
                in AZUREML_MODEL_DIR (AML sets it to the registered model's root; a model
                registered from a job output may sit one folder deeper, so that is searched too).
run(raw_data)   called per request with the request body (a JSON string):
                    {"data": [[temperature_c, occupancy, workday], ...]}
                returns the predicted daily energy use in kWh, one number per row:
                    [123.4, 98.7]
                A malformed request raises ValueError with a message saying what is expected.
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from features import features  # noqa: E402

model = None


def _find_model_file(root):
    direct = os.path.join(root, "model.json")
    if os.path.isfile(direct):
        return direct
    for dirpath, _dirs, files in sorted(os.walk(root)):
        if "model.json" in files:
            return os.path.join(dirpath, "model.json")
    raise FileNotFoundError(f"model.json not found under AZUREML_MODEL_DIR={root}")


def init():
    global model
    root = os.environ.get("AZUREML_MODEL_DIR", os.getcwd())
    with open(_find_model_file(root), encoding="utf-8") as f:
        model = json.load(f)


def _predict(row):
    x = features(*row)
    return model["bias"] + sum(
        w * (v - m) / s for w, v, m, s in zip(model["weights"], x, model["means"], model["stds"])
    )


def run(raw_data):
    if model is None:
        init()
    request = json.loads(raw_data) if isinstance(raw_data, (str, bytes)) else raw_data
    rows = request.get("data") if isinstance(request, dict) else None
    width = len(model["input_columns"])
    if not isinstance(rows, list) or not all(isinstance(r, list) and len(r) == width for r in rows):
        raise ValueError(
            f'expected {{"data": [[{", ".join(model["input_columns"])}], ...]}}, one list of {width} numbers per row')
    return [_predict(r) for r in rows]

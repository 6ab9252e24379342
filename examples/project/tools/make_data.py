#!/usr/bin/env python3
"""Generate the example data set deterministically (standard library only).

The data set models the energy a small office building uses in a day (kWh) from
the outdoor temperature (degC), the number of people in the building and whether
it is a working day. It is synthetic but has the shape of a real regression
problem: a non-linear effect of temperature (heating below 18 degC, cooling above
22 degC), a linear effect of occupancy and Gaussian noise.

    python3 examples/project/tools/make_data.py [--out examples/project/data] [--rows 400] [--seed 7]

Writes train.csv (80 %) and test.csv (20 %). The same seed always gives the same bytes.

With --collect it writes production data instead, as the Azure ML data collector stores it (model
inputs, one JSON envelope per request, under <endpoint>/<deployment>/model_inputs/YYYY/MM/DD/HH/), with
a drift knob: from --drift-from-hour on, --drift-feature is shifted by --drift-shift (temperature_c:
degrees added; occupancy: people added; workday: added to the share of working days):

    python3 examples/project/tools/make_data.py --collect /tmp/collected --start 2026-11-27T00:00:00Z \
        --hours 168 --rows-per-hour 60 --drift-feature temperature_c --drift-shift 10 --drift-from-hour 96 \
        [--labels /tmp/labels.csv] [--model outputs/model/model.json]

--labels writes the ground truth (correlationid,energy_kwh); --model also writes model_outputs (the
prediction of that model for each request, as score.py computes it). Each record carries its own
correlationid column, as Azure ML advises for joining ground truth (the collector batches requests).
"""
import argparse
import csv
import datetime
import json
import os
import random
import sys

HEADER = ["temperature_c", "occupancy", "workday", "energy_kwh"]


def energy(temperature, occupancy, workday, noise):
    heating = max(0.0, 18.0 - temperature) * 2.2
    cooling = max(0.0, temperature - 22.0) * 3.1
    return 40.0 + heating + cooling + 0.45 * occupancy + 12.0 * workday + noise


def rows(count, seed):
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        temperature = round(rng.uniform(-5.0, 35.0), 1)
        workday = 1 if rng.random() < 5 / 7 else 0
        occupancy = rng.randint(20, 120) if workday else rng.randint(0, 15)
        kwh = energy(temperature, occupancy, workday, rng.gauss(0.0, 3.0))
        out.append([temperature, occupancy, workday, round(kwh, 3)])
    return out


def write(path, data):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(HEADER)
        w.writerows(data)


DRIFTABLE = ["temperature_c", "occupancy", "workday"]


def production_row(rng, shift_feature, shift):
    """One request's inputs and its true energy; `shift` moves `shift_feature` (0: the training distribution)."""
    temperature = rng.uniform(-5.0, 35.0) + (shift if shift_feature == "temperature_c" else 0.0)
    p_workday = 5 / 7 + (shift if shift_feature == "workday" else 0.0)
    workday = 1 if rng.random() < min(1.0, max(0.0, p_workday)) else 0
    occupancy = rng.randint(20, 120) if workday else rng.randint(0, 15)
    if shift_feature == "occupancy":
        occupancy = max(0, int(round(occupancy + shift)))
    temperature = round(temperature, 1)
    return [temperature, occupancy, workday], round(energy(temperature, occupancy, workday, rng.gauss(0.0, 3.0)), 3)


def envelope(rng, kind, endpoint, deployment, when, records, correlation_id):
    """The collector's JSON line (Azure ML docs, how-to-collect-production-data, "Store collected data in Blob Storage")."""
    body = json.dumps(records, separators=(",", ":"))
    return json.dumps({
        "specversion": "1.0",
        "id": uuid(rng),
        "source": f"/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-ml/providers/"
                  f"Microsoft.MachineLearningServices/workspaces/mlw/onlineEndpoints/{endpoint}/deployments/{deployment}",
        "type": f"azureml.inference.{kind}",
        "datacontenttype": "application/json",
        "time": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "data": records,
        "correlationid": correlation_id,
        "xrequestid": correlation_id,
        "modelversion": "default",
        "collectdatatype": "pandas.core.frame.DataFrame",
        "agent": "azureml-ai-monitoring/0.1.0b4",
        "contentrange": f"bytes 0-{len(body) - 1}/{len(body)}",
    }, separators=(",", ":"))


def uuid(rng):
    h = f"{rng.getrandbits(128):032x}"
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:]}"


def load_predictor(model_path):
    """score.py's prediction for a row, with the model in model_path."""
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src"))
    import score  # noqa: E402
    with open(model_path, encoding="utf-8") as f:
        score.model = json.load(f)
    return score._predict  # pylint: disable=protected-access


def collect(a):
    if a.drift_feature and a.drift_feature not in DRIFTABLE:
        raise SystemExit(f"error: --drift-feature '{a.drift_feature}' is not one of {', '.join(DRIFTABLE)}")
    try:
        start = datetime.datetime.strptime(a.start, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc)
    except ValueError:
        raise SystemExit(f"error: --start '{a.start}' is not a UTC time like 2026-11-27T00:00:00Z")
    rng = random.Random(f"collect-{a.seed}")  # not the training rows again
    predict = load_predictor(a.model) if a.model else None
    base = os.path.join(a.collect, a.endpoint, a.deployment)
    labels = []
    requests = 0
    for hour in range(a.hours):
        t0 = start + datetime.timedelta(hours=hour)
        folder = t0.strftime("%Y/%m/%d/%H")
        shift = a.drift_shift if a.drift_feature and hour >= a.drift_from_hour else 0.0
        inputs, outputs = [], []
        for i in range(a.rows_per_hour):
            when = t0 + datetime.timedelta(seconds=int(i * 3600 / a.rows_per_hour))
            row, truth = production_row(rng, a.drift_feature, shift)
            cid = uuid(rng)
            inputs.append(envelope(rng, "model_inputs", a.endpoint, a.deployment, when,
                                   [dict(zip(INPUT_COLUMNS, row), correlationid=cid)], cid))
            if predict:
                outputs.append(envelope(rng, "model_outputs", a.endpoint, a.deployment, when,
                                        [{"prediction": round(predict(row), 3), "correlationid": cid}], cid))
            labels.append((cid, truth))
            requests += 1
        for kind, lines in (("model_inputs", inputs), ("model_outputs", outputs)):
            if not lines:
                continue
            path = os.path.join(base, kind, folder, "instance-0.jsonl")
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w", encoding="utf-8", newline="\n") as f:
                f.write("\n".join(lines) + "\n")
    if a.labels:
        with open(a.labels, "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(["correlationid", TARGET])
            w.writerows(labels)
    drift = f", {a.drift_feature} shifted by {a.drift_shift} from hour {a.drift_from_hour}" if a.drift_feature else ", no drift"
    print(f"wrote {requests} requests over {a.hours} hour(s) to {os.path.normpath(base)}{drift}")


INPUT_COLUMNS = HEADER[:3]
TARGET = HEADER[3]


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", default=os.path.join(here, "..", "data"))
    p.add_argument("--rows", type=int, default=400)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--collect", help="write collected production data under this folder (the modelDataCollector folder) instead")
    p.add_argument("--endpoint", default="energy-ep")
    p.add_argument("--deployment", default="blue")
    p.add_argument("--start", default="2026-11-27T00:00:00Z")
    p.add_argument("--hours", type=int, default=168)
    p.add_argument("--rows-per-hour", type=int, default=60)
    p.add_argument("--drift-feature", choices=DRIFTABLE)
    p.add_argument("--drift-shift", type=float, default=10.0)
    p.add_argument("--drift-from-hour", type=int, default=0)
    p.add_argument("--labels", help="with --collect: write the ground truth CSV here")
    p.add_argument("--model", help="with --collect: also write model_outputs predicted by this model.json")
    a = p.parse_args()
    if a.collect:
        collect(a)
        return
    data = rows(a.rows, a.seed)
    cut = int(len(data) * 0.8)
    os.makedirs(a.out, exist_ok=True)
    write(os.path.join(a.out, "train.csv"), data[:cut])
    write(os.path.join(a.out, "test.csv"), data[cut:])
    print(f"wrote {cut} training rows and {len(data) - cut} test rows to {os.path.normpath(a.out)}")


if __name__ == "__main__":
    main()

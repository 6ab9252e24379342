#!/usr/bin/env python3
"""Train a linear regression of daily building energy use by batch gradient descent.

Standard library only, so it runs on any python3 (an AML command job, a build agent,
a laptop). Usage:

    python3 src/train.py --data data --learning-rate 0.1 --epochs 300 --output outputs/model

--data      a folder holding train.csv and test.csv, or one CSV file (then the last 20 %
            of its rows are the test set)
--output    the model output folder (the AML job's `model` output); receives
            model.json  the weights, the feature scaling and the hyperparameters
            metrics.json  {"rmse": ..., "mae": ..., "r2": ..., "train_rmse": ...}

Metrics (on the test set): rmse and mae in kWh (lower is better), r2 (higher is better).
When the `mlflow` module is importable (an AML job with mlflow/azureml-mlflow in its
environment) they are also logged with mlflow.log_metric, which is where TrainModel and
RegisterModel read them from; metrics.json is written in every case, so RegisterModel's
`metricsFile` input can use it when the model is trained outside AML.
"""
import argparse
import csv
import json
import math
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from features import FEATURES, INPUT_COLUMNS, TARGET, features  # noqa: E402

try:  # mlflow is optional: present on AML, absent on a bare python3
    import mlflow  # type: ignore
except ImportError:  # pragma: no cover - depends on the environment
    mlflow = None


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        missing = [c for c in INPUT_COLUMNS + [TARGET] if c not in (reader.fieldnames or [])]
        if missing:
            raise SystemExit(f"error: {path} lacks column(s) {', '.join(missing)}")
        xs, ys = [], []
        for row in reader:
            xs.append(features(*(row[c] for c in INPUT_COLUMNS)))
            ys.append(float(row[TARGET]))
    return xs, ys


def load(data):
    if os.path.isdir(data):
        train = read_csv(os.path.join(data, "train.csv"))
        test = read_csv(os.path.join(data, "test.csv"))
        return train, test
    xs, ys = read_csv(data)
    cut = int(len(xs) * 0.8)
    return (xs[:cut], ys[:cut]), (xs[cut:], ys[cut:])


def scaling(xs):
    n = len(xs)
    means = [sum(r[j] for r in xs) / n for j in range(len(FEATURES))]
    stds = []
    for j, m in enumerate(means):
        var = sum((r[j] - m) ** 2 for r in xs) / n
        stds.append(math.sqrt(var) if var > 0 else 1.0)
    return means, stds


def scale(xs, means, stds):
    return [[(v - m) / s for v, m, s in zip(r, means, stds)] for r in xs]


def predict_scaled(row, weights, bias):
    return bias + sum(w * v for w, v in zip(weights, row))


def gradient_descent(xs, ys, learning_rate, epochs, log_every):
    n, d = len(xs), len(xs[0])
    weights, bias = [0.0] * d, 0.0
    for epoch in range(1, epochs + 1):
        grad_w, grad_b = [0.0] * d, 0.0
        for row, y in zip(xs, ys):
            err = predict_scaled(row, weights, bias) - y
            grad_b += err
            for j in range(d):
                grad_w[j] += err * row[j]
        bias -= learning_rate * 2.0 * grad_b / n
        weights = [w - learning_rate * 2.0 * g / n for w, g in zip(weights, grad_w)]
        if log_every and (epoch % log_every == 0 or epoch == epochs):
            loss = sum((predict_scaled(r, weights, bias) - y) ** 2 for r, y in zip(xs, ys)) / n
            print(f"epoch {epoch:5d}  train mse {loss:10.4f}")
    return weights, bias


def evaluate(xs, ys, weights, bias):
    preds = [predict_scaled(r, weights, bias) for r in xs]
    n = len(ys)
    mean_y = sum(ys) / n
    sse = sum((p - y) ** 2 for p, y in zip(preds, ys))
    sst = sum((y - mean_y) ** 2 for y in ys)
    return {
        "rmse": math.sqrt(sse / n),
        "mae": sum(abs(p - y) for p, y in zip(preds, ys)) / n,
        "r2": 1.0 - sse / sst if sst > 0 else 0.0,
    }


def main(argv=None):
    p = argparse.ArgumentParser(description="Train the building-energy linear regression.")
    p.add_argument("--data", required=True, help="folder with train.csv + test.csv, or one CSV file")
    p.add_argument("--learning-rate", type=float, default=0.1)
    p.add_argument("--epochs", type=int, default=300)
    p.add_argument("--output", required=True, help="model output folder (model.json, metrics.json)")
    a = p.parse_args(argv)
    if a.learning_rate <= 0 or a.epochs < 1:
        p.error("--learning-rate must be > 0 and --epochs >= 1")

    started = time.time()
    (train_x, train_y), (test_x, test_y) = load(a.data)
    print(f"training rows: {len(train_x)}, test rows: {len(test_x)}, features: {', '.join(FEATURES)}")
    means, stds = scaling(train_x)
    weights, bias = gradient_descent(scale(train_x, means, stds), train_y, a.learning_rate, a.epochs,
                                     log_every=max(1, a.epochs // 5))
    metrics = evaluate(scale(test_x, means, stds), test_y, weights, bias)
    metrics["train_rmse"] = evaluate(scale(train_x, means, stds), train_y, weights, bias)["rmse"]

    os.makedirs(a.output, exist_ok=True)
    model = {
        "kind": "linear_regression",
        "features": FEATURES,
        "input_columns": INPUT_COLUMNS,
        "target": TARGET,
        "means": means,
        "stds": stds,
        "weights": weights,
        "bias": bias,
        "hyperparameters": {"learning_rate": a.learning_rate, "epochs": a.epochs},
    }
    with open(os.path.join(a.output, "model.json"), "w", encoding="utf-8") as f:
        json.dump(model, f, indent=2)
    with open(os.path.join(a.output, "metrics.json"), "w", encoding="utf-8") as f:
        json.dump(metrics, f, indent=2)

    if mlflow is not None:
        mlflow.log_param("learning_rate", a.learning_rate)
        mlflow.log_param("epochs", a.epochs)
        for name, value in metrics.items():
            mlflow.log_metric(name, value)
    where = "mlflow and metrics.json" if mlflow is not None else "metrics.json (mlflow not installed)"
    print("test metrics: " + ", ".join(f"{k}={v:.4f}" for k, v in metrics.items()))
    print(f"model written to {os.path.join(a.output, 'model.json')}; metrics logged to {where}; "
          f"{time.time() - started:.1f}s")


if __name__ == "__main__":
    main()

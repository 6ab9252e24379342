"""What our tasks do, done by the official client (azure-ai-ml 1.4) against the emulator.

    python3 our_flows.py <step> '<json arguments>'
Steps (each prints one JSON line: {"step": ..., "result": ...}):
  train     {"code": dir, "command": str, "environment": "azureml:name:version", "compute": name,
             "experiment": str, "inputs": {name: {"type": "uri_folder", "path": "azureml:data:1"}}, "name": job}
            uploads the code and creates a command job (TrainModel).
  register  {"name": model, "version": str, "job": job, "output": output name, "type": "custom_model"}
            creates a model version from a job output (RegisterModel).
  show      {"name": job}  reads a job (TrainModel's wait loop, RegisterModel's lineage).
"""
import json
import sys

from azure.ai.ml import Input, command
from azure.ai.ml.entities import Model

from emulator_client import ml_client


def train(client, a):
    inputs = {k: Input(type=v["type"], path=v["path"]) for k, v in a.get("inputs", {}).items()}
    job = command(
        name=a["name"], code=a["code"], command=a["command"], environment=a["environment"],
        compute=a["compute"], experiment_name=a["experiment"], inputs=inputs,
    )
    created = client.jobs.create_or_update(job)
    return {"name": created.name, "status": created.status}


def register(client, a):
    path = a.get("uri") or f"azureml://jobs/{a['job']}/outputs/{a['output']}"
    model = client.models.create_or_update(Model(name=a["name"], version=a["version"], path=path, type=a.get("type", "custom_model")))
    return {"name": model.name, "version": model.version, "path": model.path}


def show(client, a):
    job = client.jobs.get(a["name"])
    return {"name": job.name, "status": job.status}


STEPS = {"train": train, "register": register, "show": show}

if __name__ == "__main__":
    step, args = sys.argv[1], json.loads(sys.argv[2])
    result = STEPS[step](ml_client(), args)
    print(json.dumps({"step": step, "result": result}))

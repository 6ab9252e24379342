"""Schemas recorded by the decorators, keyed by the decorated function (stand-in, see __init__.py)."""
_SCHEMAS = {}


def _record(func):
    return _SCHEMAS.setdefault(getattr(func, "__schema_key__", id(func)), {"input": {}, "output": None})


def is_schema_decorated(func):
    entry = _SCHEMAS.get(getattr(func, "__schema_key__", None))
    return bool(entry and (entry["input"] or entry["output"]))


def get_input_schema(func):
    entry = _SCHEMAS.get(getattr(func, "__schema_key__", None)) or {"input": {}}
    return {"type": "object", "properties": dict(entry["input"]), "example": {k: v.get("example") for k, v in entry["input"].items()}}


def get_output_schema(func):
    entry = _SCHEMAS.get(getattr(func, "__schema_key__", None)) or {"output": None}
    return entry["output"] or {}

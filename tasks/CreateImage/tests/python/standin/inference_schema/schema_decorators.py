"""@input_schema / @output_schema (stand-in, see __init__.py): record the schema and convert the named argument."""
import functools
import itertools

from . import schema_util

_keys = itertools.count(1)


def _wrap(func):
    if hasattr(func, "__schema_key__"):
        return func

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        return wrapper.__converting__(*args, **kwargs)

    wrapper.__schema_key__ = next(_keys)
    wrapper.__converting__ = func
    return wrapper


def input_schema(param_name, param_type, convert_to_provided_type=True):
    def decorate(func):
        wrapped = _wrap(func)
        schema_util._record(wrapped)["input"][param_name] = param_type.input_to_swagger()
        inner = wrapped.__converting__

        def converting(*args, **kwargs):
            if convert_to_provided_type and param_name in kwargs:
                kwargs[param_name] = param_type.deserialize_input(kwargs[param_name])
            return inner(*args, **kwargs)

        wrapped.__converting__ = converting
        return wrapped

    return decorate


def output_schema(output_type):
    def decorate(func):
        wrapped = _wrap(func)
        schema_util._record(wrapped)["output"] = output_type.input_to_swagger()
        return wrapped

    return decorate

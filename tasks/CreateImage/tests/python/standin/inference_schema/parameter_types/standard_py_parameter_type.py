"""StandardPythonParameterType (stand-in, see ../__init__.py): the value as JSON gives it."""


class StandardPythonParameterType:
    def __init__(self, sample_input):
        self.sample_input = sample_input

    def input_to_swagger(self):
        kind = {bool: "boolean", int: "integer", float: "number", str: "string", list: "array", dict: "object"}.get(type(self.sample_input), "object")
        return {"type": kind, "example": self.sample_input}

    def deserialize_input(self, value):
        return value

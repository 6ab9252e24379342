"""NumpyParameterType (stand-in, see ../__init__.py): a JSON list becomes a numpy array."""
import numpy as np


class NumpyParameterType:
    def __init__(self, sample_input):
        self.sample_input = sample_input

    def input_to_swagger(self):
        return {"type": "array", "items": {"type": "number"}, "example": self.sample_input.tolist()}

    def deserialize_input(self, value):
        return np.array(value)

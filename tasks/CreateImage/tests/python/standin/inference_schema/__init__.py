"""A test stand-in for the `inference-schema` package (PyPI is not reachable from the test machine).

Written for these tests from the package's public API as Azure ML scoring scripts use it: the decorators
`schema_decorators.input_schema(name, param_type)` / `output_schema(param_type)`, the parameter types'
`deserialize_input()` / `input_to_swagger()`, and `schema_util.is_schema_decorated / get_input_schema /
get_output_schema`, which Azure ML's inference server calls. It holds none of the package's code.
"""

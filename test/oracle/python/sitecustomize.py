"""Loaded first by the oracle's python process (PYTHONPATH): `*.localhost` names reach 127.0.0.1.

The emulator serves production-shaped host names (management.localhost, <region>.api.azureml.localhost,
<account>.blob.localhost); the system resolver here does not answer `*.localhost`. This is the Python
twin of test/harness/dns-preload.js. Any other name is refused, so the official client cannot reach
a host outside this machine.
"""
import socket

_getaddrinfo = socket.getaddrinfo


def _local_only(host, *args, **kwargs):
    name = host.decode() if isinstance(host, bytes) else host
    if name and (name == "localhost" or name.endswith(".localhost")):
        return _getaddrinfo("127.0.0.1", *args, **kwargs)
    if name in (None, "127.0.0.1", "::1"):
        return _getaddrinfo(host, *args, **kwargs)
    raise socket.gaierror(socket.EAI_NONAME, f"oracle: {name} is not a local emulator host")


socket.getaddrinfo = _local_only

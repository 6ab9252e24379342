"""Test-only DNS for Python processes of the test bed (the Python twin of dns-preload.js): `*.localhost`
names answer 127.0.0.1, so production-style URLs (https://<account>.blob.localhost:<port>) reach Azurite.
The ACI emulator puts this folder on PYTHONPATH of the containers it starts; Python imports sitecustomize
at start-up."""
import socket

_getaddrinfo = socket.getaddrinfo


def _local_getaddrinfo(host, *args, **kwargs):
    if isinstance(host, (str, bytes)):
        name = (host.decode("ascii", "replace") if isinstance(host, bytes) else host).lower().rstrip(".")
        if name.endswith(".localhost"):
            host = "127.0.0.1"
    return _getaddrinfo(host, *args, **kwargs)


socket.getaddrinfo = _local_getaddrinfo

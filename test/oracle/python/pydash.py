"""Stand-in for the few `pydash` functions azure-ai-ml 1.4 imports (Debian's python3-azure lacks pydash).

azure-ai-ml uses `pydash.get`, `pydash.omit`, and `pydash.objects.set_` (dotted paths into dicts and
objects); nothing else. Test-only: it sits on PYTHONPATH of the oracle's python process alone.
"""


def _parts(path):
    if isinstance(path, (list, tuple)):
        return list(path)
    return [p for p in str(path).split(".") if p != ""]


def _child(obj, key, default):
    if isinstance(obj, dict):
        return obj.get(key, default)
    if isinstance(obj, (list, tuple)):
        try:
            return obj[int(key)]
        except (ValueError, IndexError):
            return default
    return getattr(obj, str(key), default)


def get(obj, path, default=None):
    cur = obj
    for key in _parts(path):
        if cur is None:
            return default
        missing = object()
        cur = _child(cur, key, missing)
        if cur is missing:
            return default
    return cur


def set_(obj, path, value):
    parts = _parts(path)
    cur = obj
    for key in parts[:-1]:
        nxt = _child(cur, key, None)
        if nxt is None:
            nxt = {}
            if isinstance(cur, dict):
                cur[key] = nxt
            else:
                setattr(cur, key, nxt)
        cur = nxt
    if isinstance(cur, dict):
        cur[parts[-1]] = value
    else:
        setattr(cur, parts[-1], value)
    return obj


def omit(obj, *keys):
    drop = set()
    for k in keys:
        if isinstance(k, (list, tuple, set)):
            drop.update(k)
        else:
            drop.add(k)
    return {k: v for k, v in dict(obj).items() if k not in drop}


class objects:  # noqa: N801 - the module path azure-ai-ml imports (`from pydash import objects`)
    get = staticmethod(get)
    set_ = staticmethod(set_)
    omit = staticmethod(omit)

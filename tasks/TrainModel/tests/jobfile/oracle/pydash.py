def get(obj, path, default=None):
    cur = obj
    for k in (path.split('.') if isinstance(path, str) else path):
        if isinstance(cur, dict): cur = cur.get(k, default)
        else: cur = getattr(cur, k, default)
        if cur is default: return default
    return cur
def omit(obj, *keys):
    ks = set()
    for k in keys:
        if isinstance(k, (list, tuple, set)): ks.update(k)
        else: ks.add(k)
    return {k: v for k, v in obj.items() if k not in ks}
def set_(obj, path, value):
    parts = path.split('.') if isinstance(path, str) else list(path)
    cur = obj
    for p in parts[:-1]:
        if isinstance(cur, dict):
            cur = cur.setdefault(p, {})
        else:
            if getattr(cur, p, None) is None: setattr(cur, p, {})
            cur = getattr(cur, p)
    if isinstance(cur, dict): cur[parts[-1]] = value
    else: setattr(cur, parts[-1], value)
    return obj
class objects:
    get = staticmethod(get)
    set_ = staticmethod(set_)

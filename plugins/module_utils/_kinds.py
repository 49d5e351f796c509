# Copyright: Beekeeper developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to this collection: the conversion kinds every option table uses.

A kind says how a user's value becomes the Engine API's (``to_api``: durations to nanoseconds, ``512M``
to bytes, ``0.5`` CPUs to NanoCPUs, env mappings to sorted ``K=V`` lists...), how an API value is made
comparable (``canon``: order that does not matter sorted away, engine defaults filled in) and how a
comparable value reads in the user's units again (``to_user``, for diffs and results). Pure functions.
"""

from __future__ import annotations

import copy
import re
import shlex

from ansible_collections.beekeeper.swarm.plugins.module_utils._errors import InvalidInput

MODES = {"replicated": "Replicated", "global": "Global", "replicated-job": "ReplicatedJob", "global-job": "GlobalJob"}
SIZE_UNITS = {"": 1, "b": 1, "k": 1024, "kb": 1024, "m": 1024 ** 2, "mb": 1024 ** 2, "g": 1024 ** 3, "gb": 1024 ** 3, "t": 1024 ** 4, "tb": 1024 ** 4}

NS = {"ns": 1, "us": 10**3, "µs": 10**3, "ms": 10**6, "s": 10**9, "m": 60 * 10**9, "h": 3600 * 10**9, "d": 86400 * 10**9}
_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h|d)")


def parse_duration(value, option):
    """'1m30s' / '100ms' / 90 (seconds) -> nanoseconds. Raise InvalidInput naming the option."""
    if isinstance(value, bool):
        raise InvalidInput("%s: %r is not a duration; use a number with a unit, e.g. 5s, 1m30s, 100ms, 2160h." % (option, value))
    if isinstance(value, (int, float)):
        if value < 0:
            raise InvalidInput("%s: %s is negative; durations are 0 or more, e.g. 5s." % (option, value))
        return int(value * 10**9)
    text = str(value).strip()
    if text.startswith("-"):
        raise InvalidInput("%s: '%s' is negative; durations are 0 or more, e.g. 5s." % (option, text))
    if re.match(r"^\d+(\.\d+)?$", text):
        return parse_duration(float(text), option)
    pos, total = 0, 0
    for match in _DURATION_PART.finditer(text):
        if match.start() != pos:
            break
        total += int(float(match.group(1)) * NS[match.group(2)])
        pos = match.end()
    if not text or pos != len(text):
        raise InvalidInput(
            "%s: '%s' is not a duration; use a number with a unit (ns, us, ms, s, m, h, d), "
            "e.g. 5s, 1m30s, 100ms, 2160h." % (option, text)
        )
    return total


def format_duration(ns):
    """Nanoseconds -> the shortest readable form: 5000000000 -> '5s', 90*10**9 -> '1m30s'."""
    if ns is None:
        return None
    ns = int(ns)
    if ns == 0:
        return "0s"
    out = []
    for unit in ("h", "m", "s", "ms", "us", "ns"):
        size = NS[unit]
        if ns >= size:
            out.append("%d%s" % (ns // size, unit))
            ns %= size
    return "".join(out)


def get_path(obj, path):
    for key in path:
        if not isinstance(obj, dict) or key not in obj:
            return None
        obj = obj[key]
    return obj


def set_path(obj, path, value):
    for key in path[:-1]:
        obj = obj.setdefault(key, {})
    obj[path[-1]] = value


def parse_size(value, option):
    if isinstance(value, bool):
        raise InvalidInput("%s: %r is not a size; use bytes or a number with a unit, e.g. 512M, 1G." % (option, value))
    if isinstance(value, int):
        if value < 0:
            raise InvalidInput("%s: %s is negative; use bytes or a number with a unit, e.g. 512M, 1G." % (option, value))
        return value
    match = re.match(r"^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$", str(value))
    if not match or match.group(2).lower() not in SIZE_UNITS:
        raise InvalidInput("%s: '%s' is not a size; use bytes or a number with a unit (K, M, G, T), e.g. 512M, 1G." % (option, value))
    return int(float(match.group(1)) * SIZE_UNITS[match.group(2).lower()])


def _argv(value, option):
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    try:
        return shlex.split(str(value))
    except ValueError as exc:
        raise InvalidInput("%s: cannot split '%s' into arguments (%s); give a list instead." % (option, value, exc)) from exc


def _env(value, option):
    if isinstance(value, dict):
        return sorted("%s=%s" % (k, "" if v is None else v) for k, v in value.items())
    out = []
    for item in value:
        if "=" not in str(item):
            raise InvalidInput("%s: '%s' has no '='; write KEY=VALUE, or give env as a mapping." % (option, item))
        out.append(str(item))
    return sorted(out)


def _cpus(value, option):
    try:
        cpus = float(value)
    except (TypeError, ValueError):
        raise InvalidInput("%s: '%s' is not a number of CPUs; use e.g. 0.5 or 2." % (option, value)) from None
    if cpus < 0:
        raise InvalidInput("%s: %s is negative; use a number of CPUs such as 0.5." % (option, value))
    return int(round(cpus * 10 ** 9))


def _caps(value, option=None):
    """Capabilities as the docker CLI sends them: upper case with the CAP_ prefix (ALL stays ALL)."""
    out = []
    for cap in value or []:
        cap = str(cap).upper()
        out.append(cap if cap == "ALL" or cap.startswith("CAP_") else "CAP_" + cap)
    return sorted(out)


def _hosts(value, option):
    if isinstance(value, dict):
        return sorted("%s %s" % (ip, host) for host, ip in value.items())
    return sorted(str(v) for v in value)


def _healthtest(value, option):
    if isinstance(value, (list, tuple)):
        test = [str(v) for v in value]
        if test and test[0] not in ("NONE", "CMD", "CMD-SHELL"):
            test = ["CMD"] + test
        return test
    return ["CMD-SHELL", str(value)]


def _ports(value, option):
    out = []
    for i, port in enumerate(value):
        where = "%s[%d]" % (option, i)
        target = port.get("target")
        for key in ("target", "published"):
            number = port.get(key)
            if number is None and key == "published":
                continue
            if isinstance(number, bool) or not isinstance(number, int) or not 1 <= number <= 65535:
                raise InvalidInput("%s.%s: %s is out of range; ports are 1-65535." % (where, key, number))
        entry = dict(Protocol=port.get("protocol") or "tcp", TargetPort=target, PublishMode=port.get("mode") or "ingress")
        if port.get("published") is not None:
            entry["PublishedPort"] = port["published"]
        if port.get("name"):
            entry["Name"] = port["name"]
        out.append(entry)
    return out


def _mounts(value, option):
    out = []
    for i, mount in enumerate(value):
        where = "%s[%d]" % (option, i)
        kind = mount.get("type") or "volume"
        if kind == "bind" and not mount.get("source"):
            raise InvalidInput("%s.source: a bind mount needs the path on the node; set source." % where)
        if kind == "tmpfs" and mount.get("source"):
            raise InvalidInput("%s.source: a tmpfs mount has no source; remove it." % where)
        entry = dict(Type=kind, Target=mount["target"], ReadOnly=bool(mount.get("readonly")))
        if mount.get("source"):
            entry["Source"] = mount["source"]
        if kind == "volume" and (mount.get("volume_driver") or mount.get("volume_options") or mount.get("volume_labels") or mount.get("no_copy")):
            entry["VolumeOptions"] = dict(NoCopy=bool(mount.get("no_copy")), Labels=dict(mount.get("volume_labels") or {}))
            if mount.get("volume_driver") or mount.get("volume_options"):
                entry["VolumeOptions"]["DriverConfig"] = dict(Name=mount.get("volume_driver") or "local", Options=dict(mount.get("volume_options") or {}))
        if kind == "bind" and mount.get("propagation"):
            entry["BindOptions"] = dict(Propagation=mount["propagation"])
        if kind == "tmpfs" and (mount.get("tmpfs_size") is not None or mount.get("tmpfs_mode") is not None):
            entry["TmpfsOptions"] = {}
            if mount.get("tmpfs_size") is not None:
                entry["TmpfsOptions"]["SizeBytes"] = parse_size(mount["tmpfs_size"], where + ".tmpfs_size")
            if mount.get("tmpfs_mode") is not None:
                entry["TmpfsOptions"]["Mode"] = _mode(mount["tmpfs_mode"], where + ".tmpfs_mode")
        out.append(entry)
    return out


def _mode(value, option):
    if isinstance(value, int):
        return value
    try:
        return int(str(value), 8)
    except ValueError:
        raise InvalidInput("%s: '%s' is not a file mode; use octal as a string, e.g. '0440'." % (option, value)) from None


def _refs(kind):
    """Secret / config references; ``source`` was resolved to (id, name) beforehand (resolved_id/resolved_name)."""
    key = "Secret" if kind == "secrets" else "Config"

    def build(value, option):
        out = []
        for item in value:
            target = item.get("target") or item["source"]
            if kind == "configs" and not target.startswith("/"):
                target = "/" + target
            out.append({
                key + "ID": item.get("resolved_id"),
                key + "Name": item.get("resolved_name") or item["source"],
                "File": dict(Name=target, UID=str(item.get("uid") if item.get("uid") is not None else 0),
                             GID=str(item.get("gid") if item.get("gid") is not None else 0),
                             Mode=_mode(item["mode"], option) if item.get("mode") is not None else 0o444),
            })
        return out

    return build


def _ulimits(value, option):
    return sorted(({"Name": u["name"], "Soft": u["soft"], "Hard": u.get("hard", u["soft"])} for u in value), key=lambda u: u["Name"])


def _generic(value, option):
    out = []
    for item in value:
        if isinstance(item.get("value"), int) and not isinstance(item.get("value"), bool):
            out.append({"DiscreteResourceSpec": {"Kind": item["kind"], "Value": item["value"]}})
        else:
            out.append({"NamedResourceSpec": {"Kind": item["kind"], "Value": str(item["value"])}})
    return out


def _preferences(value, option):
    return [{"Spread": {"SpreadDescriptor": p["spread"] if isinstance(p, dict) else str(p)}} for p in value]


def _networks(value, option):
    """Networks were resolved to IDs beforehand (resolved_id)."""
    out = []
    for item in value:
        entry = dict(Target=item["resolved_id"])
        if item.get("aliases"):
            entry["Aliases"] = list(item["aliases"])
        if item.get("driver_opts"):
            entry["DriverOpts"] = dict((str(k), str(v)) for k, v in item["driver_opts"].items())
        out.append(entry)
    return out


def _sorted_dicts(items):
    return sorted(items or [], key=lambda d: repr(sorted(d.items())) if isinstance(d, dict) else repr(d))


def _canon_mounts(items):
    out = []
    for m in items or []:
        m = dict(m)
        m.setdefault("Type", "volume")
        m["ReadOnly"] = bool(m.get("ReadOnly"))
        for key in ("VolumeOptions", "BindOptions", "TmpfsOptions"):
            # The engine leaves out what is false or empty inside the options (NoCopy: false, Labels: {}).
            if isinstance(m.get(key), dict):
                m[key] = dict((k, v) for k, v in m[key].items() if v not in (None, False, {}, [], ""))
        for key in ("VolumeOptions", "BindOptions", "TmpfsOptions", "Source", "Consistency"):
            if not m.get(key):
                m.pop(key, None)
        out.append(m)
    return _sorted_dicts(out)


def _canon_refs(items):
    out = []
    for r in items or []:
        r = copy.deepcopy(r)
        f = r.get("File") or {}
        r["File"] = dict(Name=f.get("Name"), UID=str(f.get("UID") or "0"), GID=str(f.get("GID") or "0"), Mode=f.get("Mode", 0o444))
        out.append(r)
    return sorted(out, key=lambda r: r["File"]["Name"] or "")


def _canon_ports(items):
    out = []
    for p in items or []:
        p = dict(p)
        p.setdefault("Protocol", "tcp")
        p.setdefault("PublishMode", "ingress")
        out.append(p)
    return _sorted_dicts(out)


def _canon_networks(items):
    out = []
    for n in items or []:
        entry = dict(Target=n.get("Target"))
        if n.get("Aliases"):
            entry["Aliases"] = sorted(n["Aliases"])
        if n.get("DriverOpts"):
            entry["DriverOpts"] = dict(n["DriverOpts"])
        out.append(entry)
    return sorted(out, key=lambda n: n["Target"] or "")


def _canon_mode(mode):
    for name, key in MODES.items():
        if key in (mode or {}):
            return name
    return "replicated"


class Kind:
    """One conversion kind: user -> API, API -> comparable, comparable -> user; the Ansible type it takes."""

    __slots__ = ("to_api", "canon", "to_user", "type", "elements")

    def __init__(self, to_api, canon, to_user=None, type="raw", elements=None):
        self.to_api = to_api
        self.canon = canon
        self.to_user = to_user or (lambda value: value)
        self.type = type
        self.elements = elements


def _dict_to_api(value, option):
    # A label or option given as `key: ~` has the empty value, as the docker CLI's `--label key` does.
    return dict((str(k), "" if v is None else str(v)) for k, v in value.items())


VERSIONED_RE = re.compile(r"^(?P<logical>.+)\.v(?P<version>[0-9]+)$")


def _readable_refs(kind):
    """Secret or config references as the options say them: the logical name with the version beside it."""
    key = "SecretName" if kind == "secrets" else "ConfigName"

    def to_user(value):
        out = []
        for ref in value:
            name = ref.get(key) or ""
            match = VERSIONED_RE.match(name)
            out.append(dict(source=match.group("logical") if match else name, version=int(match.group("version")) if match else None,
                            target=ref["File"]["Name"], uid=_number(ref["File"]["UID"]), gid=_number(ref["File"]["GID"]),
                            mode="%04o" % ref["File"]["Mode"]))
        return out

    return to_user


def _number(text):
    return int(text) if str(text).isdigit() else text


def _readable_ports(value):
    out = []
    for port in value:
        entry = dict(target=port.get("TargetPort"), published=port.get("PublishedPort"), protocol=port.get("Protocol"),
                     mode=port.get("PublishMode"))
        if port.get("Name"):
            entry["name"] = port["Name"]
        out.append(entry)
    return out


def _readable_mounts(value):
    out = []
    for mount in value:
        entry = dict(type=mount.get("Type"), source=mount.get("Source"), target=mount.get("Target"), readonly=bool(mount.get("ReadOnly")))
        volume = mount.get("VolumeOptions") or {}
        if volume.get("NoCopy"):
            entry["no_copy"] = True
        if volume.get("Labels"):
            entry["volume_labels"] = dict(volume["Labels"])
        if volume.get("DriverConfig"):
            entry["volume_driver"] = volume["DriverConfig"].get("Name")
            entry["volume_options"] = dict(volume["DriverConfig"].get("Options") or {})
        if (mount.get("BindOptions") or {}).get("Propagation"):
            entry["propagation"] = mount["BindOptions"]["Propagation"]
        tmpfs = mount.get("TmpfsOptions") or {}
        if tmpfs.get("SizeBytes") is not None:
            entry["tmpfs_size"] = tmpfs["SizeBytes"]
        if tmpfs.get("Mode") is not None:
            entry["tmpfs_mode"] = "%04o" % tmpfs["Mode"]
        out.append(entry)
    return out


def _readable_generic(value):
    out = []
    for item in value:
        for key in ("DiscreteResourceSpec", "NamedResourceSpec"):
            if key in item:
                out.append(dict(kind=item[key].get("Kind"), value=item[key].get("Value")))
    return out


KINDS = {
    "value": Kind(lambda v, o: v, lambda v: v if v != "" else None, type="str"),
    "image": Kind(lambda v, o: v, lambda v: v, type="str"),
    "int": Kind(lambda v, o: int(v), lambda v: int(v) if v is not None else None, type="int"),
    "float": Kind(lambda v, o: float(v), lambda v: float(v) if v is not None else None, type="float"),
    "bool": Kind(lambda v, o: bool(v), lambda v: bool(v) if v is not None else None, type="bool"),
    "duration": Kind(parse_duration, lambda v: int(v) if v is not None else None, format_duration, type="str"),
    "dict": Kind(_dict_to_api, lambda v: dict(v or {}), type="dict"),
    "list": Kind(lambda v, o: [str(x) for x in v], lambda v: list(v or []), type="list", elements="str"),
    "set": Kind(lambda v, o: sorted(str(x) for x in v), lambda v: sorted(v or []), type="list", elements="str"),
    "argv": Kind(_argv, lambda v: list(v or [])),
    "caps": Kind(_caps, _caps, type="list", elements="str"),
    "env": Kind(_env, lambda v: sorted(v or [])),
    "cpus": Kind(_cpus, lambda v: int(v or 0), lambda v: v / 10.0 ** 9, type="float"),
    "bytes": Kind(parse_size, lambda v: int(v or 0), type="str"),
    "hosts": Kind(_hosts, lambda v: sorted(v or [])),
    "healthtest": Kind(_healthtest, lambda v: list(v or [])),
    "ports": Kind(_ports, _canon_ports, _readable_ports, type="list", elements="dict"),
    "mounts": Kind(_mounts, _canon_mounts, _readable_mounts, type="list", elements="dict"),
    "secrets": Kind(_refs("secrets"), _canon_refs, _readable_refs("secrets"), type="list", elements="dict"),
    "configs": Kind(_refs("configs"), _canon_refs, _readable_refs("configs"), type="list", elements="dict"),
    "ulimits": Kind(_ulimits, lambda v: sorted(v or [], key=lambda u: u.get("Name")),
                    lambda v: [dict(name=u.get("Name"), soft=u.get("Soft"), hard=u.get("Hard")) for u in v], type="list", elements="dict"),
    "generic": Kind(_generic, _sorted_dicts, _readable_generic, type="list", elements="dict"),
    "preferences": Kind(_preferences, lambda v: list(v or []), lambda v: [dict(spread=(p.get("Spread") or {}).get("SpreadDescriptor")) for p in v],
                        type="list", elements="dict"),
    "networks": Kind(_networks, _canon_networks, type="list", elements="dict"),
    "mode": Kind(lambda v, o: {MODES[v]: {}}, _canon_mode, type="str"),
    # A network's options: compared in the user's units by the network table itself (it projects the
    # engine's value onto what is declared), so these kinds only carry the Ansible type.
    "encrypted": Kind(lambda v, o: bool(v), lambda v: v, type="bool"),
    "options": Kind(lambda v, o: v, lambda v: v, type="dict"),
    "ipam": Kind(lambda v, o: v, lambda v: v, type="dict"),
}

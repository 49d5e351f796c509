# Copyright: Beekeeper developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to this collection: swarm_service's options as one table over the Engine API's ServiceSpec.

Each row is Opt(option, path, kind, default, min_api): ``option`` is the module option (dotted for
sub-options: ``update_config.delay``), ``path`` where it lives in the ServiceSpec, ``kind`` how a
user's value becomes the API's (``to_api``) and how an API value is made comparable (``canon``),
``default`` the engine's own default, ``min_api`` the first Engine API that has the field.

The same table builds the spec to send, normalises the spec the engine returns, compares the two
(only real differences count: order of constraints, env or mounts, defaults the engine leaves out)
and names the Engine API an option needs. Pure functions: no engine calls here.
"""

from __future__ import annotations

import copy
import re
import shlex

from ansible_collections.beekeeper.swarm.plugins.module_utils._errors import InvalidInput
from ansible_collections.beekeeper.swarm.plugins.module_utils._spec import format_duration, get_path, parse_duration, set_path

CS = ("TaskTemplate", "ContainerSpec")
TT = ("TaskTemplate",)
MODES = {"replicated": "Replicated", "global": "Global", "replicated-job": "ReplicatedJob", "global-job": "GlobalJob"}
SIZE_UNITS = {"": 1, "b": 1, "k": 1024, "kb": 1024, "m": 1024 ** 2, "mb": 1024 ** 2, "g": 1024 ** 3, "gb": 1024 ** 3, "t": 1024 ** 4, "tb": 1024 ** 4}
# Docker's reference grammar, simplified: [host[:port]/]path[:tag][@digest], lowercase path components.
_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|[-]*)[a-z0-9]+)*"
_HOST = r"(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?/)"
IMAGE_RE = re.compile(r"^%s?%s(?:/%s)*(?::[\w][\w.-]{0,127})?(?:@sha256:[0-9a-f]{64})?$" % (_HOST, _COMPONENT, _COMPONENT))
NAME_RE = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9_.-]*$")


class Opt:
    __slots__ = ("option", "path", "kind", "default", "min_api")

    def __init__(self, option, path, kind="value", default=None, min_api=None):
        self.option = option
        self.path = tuple(path)
        self.kind = kind
        self.default = default
        self.min_api = min_api


def _u(*path):
    return CS + path


OPTIONS = (
    Opt("image", _u("Image"), "image"),
    Opt("entrypoint", _u("Command"), "argv"),
    Opt("command", _u("Args"), "argv"),
    Opt("env", _u("Env"), "env"),
    Opt("labels", ("Labels",), "dict"),
    Opt("container_labels", _u("Labels"), "dict"),
    Opt("hostname", _u("Hostname")),
    Opt("user", _u("User")),
    Opt("groups", _u("Groups"), "set"),
    Opt("workdir", _u("Dir")),
    Opt("tty", _u("TTY"), "bool", False),
    Opt("read_only", _u("ReadOnly"), "bool", False),
    Opt("init", _u("Init"), "bool", False),
    Opt("stop_signal", _u("StopSignal")),
    Opt("stop_grace_period", _u("StopGracePeriod"), "duration", "10s"),
    Opt("hosts", _u("Hosts"), "hosts"),
    Opt("dns.nameservers", _u("DNSConfig", "Nameservers"), "list"),
    Opt("dns.search", _u("DNSConfig", "Search"), "list"),
    Opt("dns.options", _u("DNSConfig", "Options"), "list"),
    Opt("healthcheck.test", _u("Healthcheck", "Test"), "healthtest"),
    Opt("healthcheck.interval", _u("Healthcheck", "Interval"), "duration"),
    Opt("healthcheck.timeout", _u("Healthcheck", "Timeout"), "duration"),
    Opt("healthcheck.retries", _u("Healthcheck", "Retries"), "int"),
    Opt("healthcheck.start_period", _u("Healthcheck", "StartPeriod"), "duration"),
    Opt("healthcheck.start_interval", _u("Healthcheck", "StartInterval"), "duration", min_api="1.44"),
    Opt("mounts", _u("Mounts"), "mounts"),
    Opt("secrets", _u("Secrets"), "secrets"),
    Opt("configs", _u("Configs"), "configs"),
    Opt("ulimits", _u("Ulimits"), "ulimits", min_api="1.41"),
    Opt("cap_add", _u("CapabilityAdd"), "caps", min_api="1.41"),
    Opt("cap_drop", _u("CapabilityDrop"), "caps", min_api="1.41"),
    Opt("sysctls", _u("Sysctls"), "dict", min_api="1.40"),
    Opt("oom_score_adj", _u("OomScoreAdj"), "int", 0, min_api="1.46"),
    Opt("limits.cpus", TT + ("Resources", "Limits", "NanoCPUs"), "cpus", 0),
    Opt("limits.memory", TT + ("Resources", "Limits", "MemoryBytes"), "bytes", 0),
    Opt("limits.pids", TT + ("Resources", "Limits", "Pids"), "int", 0, min_api="1.41"),
    Opt("reservations.cpus", TT + ("Resources", "Reservations", "NanoCPUs"), "cpus", 0),
    Opt("reservations.memory", TT + ("Resources", "Reservations", "MemoryBytes"), "bytes", 0),
    Opt("reservations.generic_resources", TT + ("Resources", "Reservations", "GenericResources"), "generic"),
    Opt("restart_policy.condition", TT + ("RestartPolicy", "Condition"), "value", "any"),
    Opt("restart_policy.delay", TT + ("RestartPolicy", "Delay"), "duration", "5s"),
    Opt("restart_policy.max_attempts", TT + ("RestartPolicy", "MaxAttempts"), "int", 0),
    Opt("restart_policy.window", TT + ("RestartPolicy", "Window"), "duration", "0s"),
    Opt("placement.constraints", TT + ("Placement", "Constraints"), "set"),
    Opt("placement.preferences", TT + ("Placement", "Preferences"), "preferences"),
    Opt("placement.max_replicas", TT + ("Placement", "MaxReplicas"), "int", 0, min_api="1.40"),
    Opt("networks", TT + ("Networks",), "networks"),
    Opt("logging.driver", TT + ("LogDriver", "Name")),
    Opt("logging.options", TT + ("LogDriver", "Options"), "dict"),
    Opt("mode", ("Mode",), "mode", "replicated"),
    Opt("replicas", ("Mode", "Replicated", "Replicas"), "int"),
    Opt("max_concurrent", ("Mode", "ReplicatedJob", "MaxConcurrent"), "int"),
    Opt("total_completions", ("Mode", "ReplicatedJob", "TotalCompletions"), "int"),
    Opt("update_config.parallelism", ("UpdateConfig", "Parallelism"), "int", 1),
    Opt("update_config.delay", ("UpdateConfig", "Delay"), "duration", "0s"),
    Opt("update_config.failure_action", ("UpdateConfig", "FailureAction"), "value", "pause"),
    Opt("update_config.monitor", ("UpdateConfig", "Monitor"), "duration", "5s"),
    Opt("update_config.max_failure_ratio", ("UpdateConfig", "MaxFailureRatio"), "float", 0.0),
    Opt("update_config.order", ("UpdateConfig", "Order"), "value", "stop-first"),
    Opt("rollback_config.parallelism", ("RollbackConfig", "Parallelism"), "int", 1),
    Opt("rollback_config.delay", ("RollbackConfig", "Delay"), "duration", "0s"),
    Opt("rollback_config.failure_action", ("RollbackConfig", "FailureAction"), "value", "pause"),
    Opt("rollback_config.monitor", ("RollbackConfig", "Monitor"), "duration", "5s"),
    Opt("rollback_config.max_failure_ratio", ("RollbackConfig", "MaxFailureRatio"), "float", 0.0),
    Opt("rollback_config.order", ("RollbackConfig", "Order"), "value", "stop-first"),
    Opt("endpoint_mode", ("EndpointSpec", "Mode"), "value", "vip"),
    Opt("ports", ("EndpointSpec", "Ports"), "ports"),
    Opt("force_update", TT + ("ForceUpdate",), "int", 0),
)
BY_OPTION = dict((o.option, o) for o in OPTIONS)


# -- reading the module's parameters --------------------------------------------------------


def param(params, option):
    """The value of a dotted option ('update_config.delay') in the module's parameters, or None."""
    return get_path(params, option.split("."))


def used_options(params):
    return [o for o in OPTIONS if param(params, o.option) is not None]


# -- kinds: user value -> API value ----------------------------------------------------------


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


TO_API = {
    "value": lambda v, o: v,
    "image": lambda v, o: v,
    "int": lambda v, o: int(v),
    "float": lambda v, o: float(v),
    "bool": lambda v, o: bool(v),
    "duration": parse_duration,
    "dict": lambda v, o: dict((str(k), "" if x is None else str(x)) for k, x in v.items()),
    "list": lambda v, o: [str(x) for x in v],
    "set": lambda v, o: sorted(str(x) for x in v),
    "argv": _argv,
    "caps": _caps,
    "env": _env,
    "cpus": _cpus,
    "bytes": parse_size,
    "hosts": _hosts,
    "healthtest": _healthtest,
    "ports": _ports,
    "mounts": _mounts,
    "secrets": _refs("secrets"),
    "configs": _refs("configs"),
    "ulimits": _ulimits,
    "generic": _generic,
    "preferences": _preferences,
    "networks": _networks,
    "mode": lambda v, o: {MODES[v]: {}},
}


# -- kinds: API value -> comparable value ----------------------------------------------------


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


CANON = {
    "value": lambda v: v if v != "" else None,
    "image": lambda v: v,
    "int": lambda v: int(v) if v is not None else None,
    "float": lambda v: float(v) if v is not None else None,
    "bool": lambda v: bool(v) if v is not None else None,
    "duration": lambda v: int(v) if v is not None else None,
    "dict": lambda v: dict(v or {}),
    "list": lambda v: list(v or []),
    "set": lambda v: sorted(v or []),
    "argv": lambda v: list(v or []),
    "caps": _caps,
    "env": lambda v: sorted(v or []),
    "cpus": lambda v: int(v or 0),
    "bytes": lambda v: int(v or 0),
    "hosts": lambda v: sorted(v or []),
    "healthtest": lambda v: list(v or []),
    "ports": _canon_ports,
    "mounts": _canon_mounts,
    "secrets": _canon_refs,
    "configs": _canon_refs,
    "ulimits": lambda v: sorted(v or [], key=lambda u: u.get("Name")),
    "generic": _sorted_dicts,
    "preferences": lambda v: list(v or []),
    "networks": _canon_networks,
    "mode": _canon_mode,
}


# -- validation, build, canonical view, compare ---------------------------------------------


def validate(params):
    """Checks that need no engine: raise InvalidInput naming the option and the fix."""
    name = params.get("name") or ""
    if not NAME_RE.match(name) or len(name) > 63:
        raise InvalidInput("name: '%s' is not a valid service name; use letters, digits, '-', '_' and '.', starting with a letter "
                           "or digit, 63 characters at most." % name)
    image = params.get("image")
    if image is not None and not IMAGE_RE.match(image):
        raise InvalidInput("image: '%s' is not a valid image reference; use [registry/]name[:tag][@sha256:digest] with a "
                           "lowercase name, e.g. registry.example.com/team/app:1.2." % image)
    mode = params.get("mode") or "replicated"
    if params.get("replicas") is not None and mode != "replicated":
        raise InvalidInput("replicas: only replicated services have a replica count, and mode is %s; remove replicas or use "
                           "mode: replicated." % mode)
    if params.get("replicas") is not None and params["replicas"] < 0:
        raise InvalidInput("replicas: %s is negative; use 0 or more." % params["replicas"])
    for key in ("max_concurrent", "total_completions"):
        if params.get(key) is not None and mode != "replicated-job":
            raise InvalidInput("%s: only replicated jobs have it, and mode is %s; remove it or use mode: replicated-job." % (key, mode))
    if params.get("placement") and params["placement"].get("max_replicas") and mode != "replicated":
        raise InvalidInput("placement.max_replicas: only replicated services have it; remove it or use mode: replicated.")
    for port in params.get("ports") or []:
        if port.get("mode") == "host" and params.get("endpoint_mode") == "dnsrr":
            continue
        if port.get("mode", "ingress") == "ingress" and params.get("endpoint_mode") == "dnsrr":
            raise InvalidInput("ports: ingress-mode ports need endpoint_mode vip (the routing mesh); use mode: host on the port, or "
                               "endpoint_mode: vip.")
    for i, item in enumerate(params.get("networks") or []):
        if not item.get("name"):
            raise InvalidInput("networks[%d].name: missing; name the network (or its ID)." % i)


def build(params):
    """The ServiceSpec for the parameters (references already resolved): only declared options and the
    mode's own keys; the engine's defaults fill the rest, and canonical() fills the same defaults."""
    spec = {"Name": params["name"], "TaskTemplate": {"ContainerSpec": {}}}
    mode = params.get("mode") or "replicated"
    spec["Mode"] = {MODES[mode]: {}}
    if mode == "replicated":
        spec["Mode"]["Replicated"]["Replicas"] = 1 if params.get("replicas") is None else params["replicas"]
    if mode == "replicated-job":
        job = spec["Mode"]["ReplicatedJob"]
        job["MaxConcurrent"] = params.get("max_concurrent") or 1
        job["TotalCompletions"] = params.get("total_completions") or job["MaxConcurrent"]
    for opt in OPTIONS:
        if opt.kind == "mode" or opt.path[0] == "Mode" or opt.option == "force_update":
            continue
        value = param(params, opt.option)
        if value is None:
            continue
        set_path(spec, opt.path, TO_API[opt.kind](value, opt.option))
    return spec


def _default(opt):
    if opt.default is None:
        return None
    return TO_API[opt.kind](opt.default, opt.option)


def canonical(spec):
    """{option: comparable value} of a ServiceSpec, the engine's defaults filled in."""
    out = {}
    mode = _canon_mode((spec or {}).get("Mode"))
    for opt in OPTIONS:
        value = get_path(spec or {}, opt.path)
        if value is None:
            value = _default(opt)
        out[opt.option] = CANON[opt.kind](value)
    if mode == "replicated" and out["replicas"] is None:
        out["replicas"] = 1
    if mode == "replicated-job":
        out["max_concurrent"] = out["max_concurrent"] or 1
        out["total_completions"] = out["total_completions"] or out["max_concurrent"]
    return out


def strip_digest(image):
    return image.split("@", 1)[0] if image else image


def compare(wanted, current, keep_replicas=False, force_update=False):
    """Options whose canonical values differ: [(option, before, after)].

    An image given without a digest matches a running image pinned to a digest of that tag
    (the engine or a deploy tool pinned it; the tag is what was declared).
    """
    changes = []
    for opt in OPTIONS:
        before, after = current.get(opt.option), wanted.get(opt.option)
        if opt.option == "force_update":
            continue
        if opt.option == "replicas" and keep_replicas:
            continue
        if opt.option == "image" and after and "@" not in after:
            before = strip_digest(before)
        if before != after:
            changes.append((opt.option, before, after))
    if force_update:
        changes.append(("force_update", current.get("force_update"), (current.get("force_update") or 0) + 1))
    return changes


def readable(option, value, names=None):
    """A comparable value in user terms, for diffs and results."""
    opt = BY_OPTION[option]
    if value is None:
        return None
    if opt.kind == "duration":
        return format_duration(value)
    if opt.kind == "cpus":
        return value / 10.0 ** 9
    if opt.kind == "networks":
        return [dict(dict((k, v) for k, v in n.items() if k != "Target"), name=(names or {}).get(n["Target"], n["Target"])) for n in value]
    if opt.kind in ("secrets", "configs"):
        key = "SecretName" if opt.kind == "secrets" else "ConfigName"
        return [dict(source=r.get(key), target=r["File"]["Name"], uid=r["File"]["UID"], gid=r["File"]["GID"],
                     mode="%04o" % r["File"]["Mode"]) for r in value]
    return value


def view(canon, names=None):
    """The whole canonical spec in user terms, as nested dicts (update_config: {delay: ...})."""
    out = {}
    for opt in OPTIONS:
        if opt.option in ("max_concurrent", "total_completions") and canon.get("mode") != "replicated-job":
            continue
        if opt.option == "replicas" and canon.get("mode") != "replicated":
            continue
        set_path(out, opt.option.split("."), readable(opt.option, canon.get(opt.option), names))
    return out


def apply_changes(current_spec, wanted_spec, changes):
    """The spec to send for an update: the wanted spec, keeping what is deliberately unmanaged
    (the replica count with keep_replicas) from the current spec."""
    spec = copy.deepcopy(wanted_spec)
    changed = dict((option, after) for option, _before, after in changes)
    if "replicas" not in changed and "Replicated" in (spec.get("Mode") or {}):
        current_replicas = get_path(current_spec, ("Mode", "Replicated", "Replicas"))
        if current_replicas is not None:
            spec["Mode"]["Replicated"]["Replicas"] = current_replicas
    # ForceUpdate is a counter: keep the engine's, step it only to force a restart.
    spec["TaskTemplate"]["ForceUpdate"] = changed.get("force_update", get_path(current_spec, TT + ("ForceUpdate",)) or 0)
    return spec


def healthcheck_warning(params):
    """Warn when update_config.monitor is shorter than the time a new task needs to report healthy."""
    health = params.get("healthcheck") or {}
    if not health or health.get("test") is None:
        return None
    interval = parse_duration(health.get("interval") or "30s", "healthcheck.interval")
    retries = health.get("retries") if health.get("retries") is not None else 3
    start = parse_duration(health.get("start_period") or "0s", "healthcheck.start_period")
    monitor = parse_duration(param(params, "update_config.monitor") or "5s", "update_config.monitor")
    needed = start + interval * retries
    if monitor < needed:
        return ("update_config.monitor (%s) is shorter than healthcheck start_period + interval x retries (%s): an update can pass "
                "its monitor window before a failing task is reported unhealthy, so failure_action never triggers "
                "(moby/moby#24854). Set update_config.monitor to %s or more."
                % (format_duration(monitor), format_duration(needed), format_duration(needed)))
    return None

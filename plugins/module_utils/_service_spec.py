# Copyright: Beekeeper developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to this collection: swarm_service's options as one table over the Engine API's ServiceSpec.

Each row is a :class:`_table.Field`: the module option (dotted for sub-options: ``update_config.delay``),
where it lives in the ServiceSpec, its conversion kind (_kinds), the engine's own default, the first
Engine API that has it, its argument spec, and the attributes that make a field special (the ForceUpdate
counter, the fields of one mode, the image compared without its digest, the replica count left to
day-2 scaling with keep_replicas).

The same table gives the module its argument spec, builds the spec to send, normalises the spec the
engine returns, compares the two (only real differences count: order of constraints, env or mounts,
defaults the engine leaves out) and names the Engine API an option needs. Pure functions: no engine
calls here.
"""

from __future__ import annotations

import copy
import re

from ansible_collections.beekeeper.swarm.plugins.module_utils import _table
from ansible_collections.beekeeper.swarm.plugins.module_utils._args import connection_argument_spec, wait_args
from ansible_collections.beekeeper.swarm.plugins.module_utils._errors import InvalidInput
from ansible_collections.beekeeper.swarm.plugins.module_utils._kinds import INT64_MAX, MODES, format_duration, get_path, parse_duration
from ansible_collections.beekeeper.swarm.plugins.module_utils._table import Field

CONTAINER = ("TaskTemplate", "ContainerSpec")
TASK = ("TaskTemplate",)
# Docker's reference grammar, simplified: [host[:port]/]path[:tag][@digest], lowercase path components.
_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|[-]*)[a-z0-9]+)*"
_HOST = r"(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?/)"
IMAGE_RE = re.compile(r"^%s?%s(?:/%s)*(?::[\w][\w.-]{0,127})?(?:@sha256:[0-9a-f]{64})?\Z" % (_HOST, _COMPONENT, _COMPONENT))
NAME_RE = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9_.-]*\Z")
ROLLOUT_ORDERS = ["stop-first", "start-first"]


def container(*path):
    return CONTAINER + path


def strip_digest(image):
    return image.split("@", 1)[0] if image else image


def same_image(before, after):
    """A tag given without a digest matches a running image pinned to a digest of that tag (the engine or a
    deploy tool pinned it; the tag is what was declared)."""
    if after and "@" not in after:
        before = strip_digest(before)
    return before == after


def _refs_spec():
    return dict(no_log=False, options=dict(  # references to secrets or configs by name, never their data
        source=dict(type="str", required=True),
        target=dict(type="str"),
        uid=dict(type="int"),
        gid=dict(type="int"),
        mode=dict(type="raw"),  # an octal string or a YAML octal number: checked by the kind
    ))


def _rollout(prefix, path, actions):
    return (
        Field(prefix + ".parallelism", (path, "Parallelism"), "count", 1),
        Field(prefix + ".delay", (path, "Delay"), "duration", "0s"),
        Field(prefix + ".failure_action", (path, "FailureAction"), "value", "pause", choices=actions),
        Field(prefix + ".monitor", (path, "Monitor"), "duration", "5s"),
        Field(prefix + ".max_failure_ratio", (path, "MaxFailureRatio"), "ratio", 0.0),
        Field(prefix + ".order", (path, "Order"), "value", "stop-first", choices=ROLLOUT_ORDERS),
    )


OPTIONS = (
    Field("image", container("Image"), "image", same=same_image),
    Field("entrypoint", container("Command"), "argv"),
    Field("command", container("Args"), "argv"),
    Field("env", container("Env"), "env"),
    Field("labels", ("Labels",), "labels"),
    Field("container_labels", container("Labels"), "labels"),
    Field("hostname", container("Hostname")),
    Field("user", container("User"), "word"),
    Field("groups", container("Groups"), "wordset"),
    Field("workdir", container("Dir"), "abspath"),
    Field("tty", container("TTY"), "bool", False),
    Field("stdin_open", container("OpenStdin"), "bool", False),
    Field("read_only", container("ReadOnly"), "bool", False),
    Field("init", container("Init"), "bool", False),
    Field("stop_signal", container("StopSignal"), "signal"),
    Field("stop_grace_period", container("StopGracePeriod"), "duration", "10s"),
    Field("hosts", container("Hosts"), "hosts"),
    Field("dns.nameservers", container("DNSConfig", "Nameservers"), "ips"),
    Field("dns.search", container("DNSConfig", "Search"), "words"),
    Field("dns.options", container("DNSConfig", "Options"), "words"),
    Field("healthcheck.test", container("Healthcheck", "Test"), "healthtest"),
    Field("healthcheck.interval", container("Healthcheck", "Interval"), "probe_duration"),
    Field("healthcheck.timeout", container("Healthcheck", "Timeout"), "probe_duration"),
    Field("healthcheck.retries", container("Healthcheck", "Retries"), "count"),
    Field("healthcheck.start_period", container("Healthcheck", "StartPeriod"), "probe_duration"),
    Field("healthcheck.start_interval", container("Healthcheck", "StartInterval"), "probe_duration", min_api="1.44"),
    Field("mounts", container("Mounts"), "mounts", options=dict(
        type=dict(type="str", choices=["volume", "bind", "tmpfs"], default="volume"),
        source=dict(type="str"),
        target=dict(type="str", required=True),
        readonly=dict(type="bool", default=False),
        propagation=dict(type="str", choices=["private", "rprivate", "shared", "rshared", "slave", "rslave"]),
        no_copy=dict(type="bool", default=False),
        volume_driver=dict(type="str"),
        volume_options=dict(type="dict"),
        volume_labels=dict(type="dict"),
        tmpfs_size=dict(type="str"),
        tmpfs_mode=dict(type="raw"),  # an octal string or a YAML octal number: checked by the kind
    )),
    Field("secrets", container("Secrets"), "secrets", **_refs_spec()),
    Field("configs", container("Configs"), "configs", **_refs_spec()),
    Field("ulimits", container("Ulimits"), "ulimits", min_api="1.41", options=dict(
        name=dict(type="str", required=True), soft=dict(type="int", required=True), hard=dict(type="int"))),
    Field("cap_add", container("CapabilityAdd"), "caps", min_api="1.41"),
    Field("cap_drop", container("CapabilityDrop"), "caps", min_api="1.41"),
    Field("sysctls", container("Sysctls"), "sysctls", min_api="1.40"),
    Field("oom_score_adj", container("OomScoreAdj"), "oom_score", 0, min_api="1.46"),
    Field("limits.cpus", TASK + ("Resources", "Limits", "NanoCPUs"), "cpus", 0),
    Field("limits.memory", TASK + ("Resources", "Limits", "MemoryBytes"), "memory_limit", 0),
    Field("limits.pids", TASK + ("Resources", "Limits", "Pids"), "count", 0, min_api="1.41"),
    Field("reservations.cpus", TASK + ("Resources", "Reservations", "NanoCPUs"), "cpus", 0),
    Field("reservations.memory", TASK + ("Resources", "Reservations", "MemoryBytes"), "bytes", 0),
    Field("reservations.generic_resources", TASK + ("Resources", "Reservations", "GenericResources"), "generic", options=dict(
        kind=dict(type="str", required=True),
        value=dict(type="raw", required=True))),  # a count (int) or a name (str): checked by the kind
    Field("restart_policy.condition", TASK + ("RestartPolicy", "Condition"), "value", "any", choices=["none", "on-failure", "any"]),
    Field("restart_policy.delay", TASK + ("RestartPolicy", "Delay"), "duration", "5s"),
    Field("restart_policy.max_attempts", TASK + ("RestartPolicy", "MaxAttempts"), "count", 0),
    Field("restart_policy.window", TASK + ("RestartPolicy", "Window"), "duration", "0s"),
    Field("placement.constraints", TASK + ("Placement", "Constraints"), "constraints"),
    Field("placement.preferences", TASK + ("Placement", "Preferences"), "preferences", options=dict(
        spread=dict(type="str", required=True))),
    Field("placement.max_replicas", TASK + ("Placement", "MaxReplicas"), "count", 0, min_api="1.40"),
    Field("networks", TASK + ("Networks",), "networks", options=dict(
        name=dict(type="str", required=True), aliases=dict(type="list", elements="str"), driver_opts=dict(type="dict"))),
    Field("logging.driver", TASK + ("LogDriver", "Name"), "word"),
    Field("logging.options", TASK + ("LogDriver", "Options"), "dict"),
    # replicated-job and global-job are Engine API 1.41, the collection's floor.
    Field("mode", ("Mode",), "mode", "replicated", choices=list(MODES), arg_default="replicated"),
    Field("replicas", ("Mode", "Replicated", "Replicas"), "count", mode="replicated", unmanaged_by="keep_replicas"),
    Field("max_concurrent", ("Mode", "ReplicatedJob", "MaxConcurrent"), "count", mode="replicated-job"),
    Field("total_completions", ("Mode", "ReplicatedJob", "TotalCompletions"), "count", mode="replicated-job"),
) + _rollout("update_config", "UpdateConfig", ["continue", "pause", "rollback"]) + _rollout("rollback_config", "RollbackConfig", ["continue", "pause"]) + (
    Field("endpoint_mode", ("EndpointSpec", "Mode"), "value", "vip", choices=["vip", "dnsrr"], arg_default="vip"),
    Field("ports", ("EndpointSpec", "Ports"), "ports", options=dict(
        target=dict(type="int", required=True),
        published=dict(type="int"),
        protocol=dict(type="str", choices=["tcp", "udp", "sctp"], default="tcp"),
        mode=dict(type="str", choices=["ingress", "host"], default="ingress"),
        name=dict(type="str"),
    )),
    # A counter: the engine's value is kept, and stepped by one to force the tasks to restart.
    Field("force_update", TASK + ("ForceUpdate",), "int", 0, counter=True, type="bool", arg_default=False),
)
BY_OPTION = _table.by_option(OPTIONS)

# The module's options that are not ServiceSpec fields: how to apply, not what to run.
MODULE_OPTIONS = dict(
    name=dict(type="str", required=True),
    state=dict(type="str", choices=["present", "absent"], default="present"),
    rollback=dict(type="bool", default=False),
    resolve_image=dict(type="bool", default=False),
    with_registry_auth=dict(type="bool", default=False),
    args=dict(type="list", elements="str"),
    env_files=dict(type="list", elements="path"),
    keep_replicas=dict(type="bool", default=False),
    on_failure=dict(type="str", choices=["rollback", "keep"], default="rollback"),
)


def argument_spec():
    """swarm_service's whole argument spec: the module's own options, the table's, connection and wait."""
    return connection_argument_spec(**MODULE_OPTIONS, **_table.argument_spec(OPTIONS), **wait_args())


def param(params, option):
    """The value of a dotted option ('update_config.delay') in the module's parameters, or None."""
    return _table.param(params, option)


# -- validation, build, canonical view, compare ---------------------------------------------


def validate(params):
    """Every check that needs no engine: the cross-field rules here, then every declared option through its kind
    (the spec is built with each reference standing for itself). Raise InvalidInput naming the option and the fix."""
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
    build(placeholders(params))
    _validate_logging(param(params, "logging.driver"), param(params, "logging.options"))


def placeholders(params):
    """The parameters with every reference resolved to itself, so the spec builds without an engine."""
    p = dict(params)
    p["networks"] = [dict(item, resolved_id=item.get("resolved_id") or item.get("name")) for item in params.get("networks") or []]
    for key in ("secrets", "configs"):
        p[key] = [dict(item, resolved_id=item.get("resolved_id") or item.get("source"), resolved_name=item.get("resolved_name") or item.get("source"))
                  for item in params.get(key) or []]
    return p


# Log drivers whose options the engine checks only when a task starts (the service is written by then):
# their option keys (moby's ValidateLogOpt), checked here instead.
LOG_OPTIONS = {
    "json-file": ("max-file", "max-size", "compress", "labels", "labels-regex", "env", "env-regex", "tag"),
    "local": ("max-file", "max-size", "compress"),
}
# go-units' FromHumanSize / RAMInBytes: a number, an optional space, k/m/g/t/p, an optional i and b.
_LOG_SIZE_RE = re.compile(r"([0-9]+(?:\.[0-9]+)?) ?([kKmMgGtTpP]?)[iI]?[bB]?\Z")
_GO_BOOLS = ("1", "t", "T", "TRUE", "true", "True", "0", "f", "F", "FALSE", "false", "False")


def _validate_logging(driver, options):
    # Without a driver the engine's default applies: json-file unless the daemon is configured otherwise.
    driver = driver or "json-file"
    if driver not in LOG_OPTIONS or not options:
        return
    for key, value in options.items():
        where = "logging.options.%s" % key
        if key not in LOG_OPTIONS[driver]:
            raise InvalidInput("%s: not an option of the %s log driver; use %s." % (where, driver, ", ".join(LOG_OPTIONS[driver])))
        text = str(value)
        if key == "max-size":
            match = _LOG_SIZE_RE.match(text)
            power = "kmgtp".find(match.group(2).lower()) + 1 if match and match.group(2) else 0
            if not match or float(match.group(1)) <= 0:
                raise InvalidInput("%s: '%s' is not a size the %s driver takes; use a positive number with k, m or g, e.g. 10m."
                                   % (where, text[:40], driver))
            if float(match.group(1)) * 1024 ** power > INT64_MAX:
                raise InvalidInput("%s: '%s' is too large; the engine takes sizes up to 8388607t (int64 bytes), e.g. 10m." % (where, text[:40]))
        if key == "max-file" and (isinstance(value, bool) or not re.match(r"[0-9]{1,18}\Z", text) or int(text) < 1):
            raise InvalidInput("%s: '%s' is not a number of files; use a whole number of 1 or more, e.g. 3." % (where, text[:40]))
        if key == "compress" and text not in _GO_BOOLS:
            raise InvalidInput("%s: '%s' is not a boolean; write true or false." % (where, text[:40]))


def build(params):
    """The ServiceSpec for the parameters (references already resolved): only declared options and the
    mode's own keys; the engine's defaults fill the rest, and canonical() fills the same defaults."""
    spec = {"Name": params["name"], "TaskTemplate": {"ContainerSpec": {}}}
    mode = params.get("mode") or "replicated"
    spec["Mode"] = {MODES[mode]: {}}
    counts = dict((key, _table.to_api(BY_OPTION[key], params.get(key))) for key in ("replicas", "max_concurrent", "total_completions"))
    if mode == "replicated":
        spec["Mode"]["Replicated"]["Replicas"] = 1 if counts["replicas"] is None else counts["replicas"]
    if mode == "replicated-job":
        job = spec["Mode"]["ReplicatedJob"]
        job["MaxConcurrent"] = counts["max_concurrent"] or 1
        job["TotalCompletions"] = counts["total_completions"] or job["MaxConcurrent"]
    spec = _table.build(params, [f for f in OPTIONS if f.path[0] != "Mode"], base=spec)
    for key in ("UpdateConfig", "RollbackConfig"):
        # Parallelism has no omitempty in the engine's types: a config sent without it is stored as 0 (all
        # tasks at once), not the default 1 that a config left out means. Send the default, as the CLI does.
        if key in spec:
            spec[key].setdefault("Parallelism", 1)
    return spec


def canonical(spec):
    """{option: comparable value} of a ServiceSpec, the engine's defaults filled in."""
    out = _table.canonical(spec, OPTIONS)
    mode = out["mode"]
    if mode == "replicated" and out["replicas"] is None:
        out["replicas"] = 1
    if mode == "replicated-job":
        out["max_concurrent"] = out["max_concurrent"] or 1
        out["total_completions"] = out["total_completions"] or out["max_concurrent"]
    return out


def compare(wanted, current, keep_replicas=False, force_update=False):
    """What differs between two canonical specs: a Changes list in the user's units (the ForceUpdate
    counter is stepped with ``force_update``; the replica count is left alone with ``keep_replicas``)."""
    changes = _table.compare(wanted, current, OPTIONS, params=dict(keep_replicas=keep_replicas), init_only=None)
    if force_update:
        changes.add("force_update", current.get("force_update"), (current.get("force_update") or 0) + 1,
                    path=BY_OPTION["force_update"].path)
    return changes


def readable(field, value, names=None):
    """A comparable value in user terms where the value alone does not say it: networks by name."""
    if value is None or field.kind != "networks":
        return _table.NOT_SET
    return [dict(dict((k, v) for k, v in n.items() if k != "Target"), name=(names or {}).get(n["Target"], n["Target"])) for n in value]


def view(canon, names=None):
    """The whole canonical spec in user terms, as nested dicts (update_config: {delay: ...})."""
    return _table.view(canon, OPTIONS, mode=canon.get("mode"), readable=lambda f, v: readable(f, v, names))


def changed_paths(changes):
    """The ServiceSpec paths a Changes list touches (what decides whether the tasks roll)."""
    return [c.path or BY_OPTION[c.option].path for c in changes]


def apply_changes(current_spec, wanted_spec, changes):
    """The spec to send for an update: the wanted spec, keeping what is deliberately unmanaged
    (the replica count with keep_replicas) from the current spec."""
    spec = copy.deepcopy(wanted_spec)
    changed = dict((c.option, c.after) for c in changes)
    if "replicas" not in changed and "Replicated" in (spec.get("Mode") or {}):
        current_replicas = get_path(current_spec, ("Mode", "Replicated", "Replicas"))
        if current_replicas is not None:
            spec["Mode"]["Replicated"]["Replicas"] = current_replicas
    # ForceUpdate is a counter: keep the engine's, step it only to force a restart.
    spec["TaskTemplate"]["ForceUpdate"] = changed.get("force_update", get_path(current_spec, TASK + ("ForceUpdate",)) or 0)
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

"""Malformed task arguments for every beekeeper.swarm module, generated from the modules' own argument specs and field tables.

Shared by the property test (tests/unit/plugins/modules/test_malformed_input.py, in process, no engine) and the lab sweep
(tests/integration/sweep/test_sweep.py, through ansible-runner on a real cluster), so both keep covering options added later:
every option of every module - sub-options and list elements included - gets values that are wrong for its Ansible type,
its choices and its conversion kind (duration, bytes, cpus, env, ports, mounts...), put into a valid minimal task of the
module. ``cases(module)`` is the fixed, deterministic list; ``strategy(module)`` draws more of the same families with
hypothesis; ``sample(module, n)`` is a fixed-seed subset for the lab.

Every value here is meant to be refused before the module connects to an engine. Inputs that turn out to be valid are
listed in ACCEPTED, each with its reason: the property test lets them through, the lab sweep does not send them.
"""

from __future__ import annotations

import copy
import importlib
import random
import re
from dataclasses import dataclass, field
from unittest import mock

PACKAGE = "ansible_collections.beekeeper.swarm.plugins"
MODULES = ("swarm_service", "swarm_network", "swarm_init", "swarm_join", "swarm_node", "swarm_secret", "swarm_config",
           "swarm_wait", "swarm_info")

# Secret values the tasks carry: no message, result or output may contain them.
SECRET_MARKER = "sweep-secret-marker-5f1c0e"
JOIN_TOKEN = "SWMTKN-1-" + ("sweeptokenmarker" * 4)[:50] + "-" + ("sweepkeymarker" * 2)[:25]
UNLOCK_KEY = "SWMKEY-1-sweepunlockmarker"
SECRETS = (SECRET_MARKER, JOIN_TOKEN, UNLOCK_KEY)

# An engine address where no engine is: a task that gets as far as connecting had its input accepted.
NOWHERE = "unix:///nonexistent/docker.sock"
TCP_NOWHERE = "tcp://127.0.0.1:9"

HUGE = int("9" * 400)

# A valid minimal task per module, the malformed value is put into it (the lab passes its own, naming real objects).
BASE = {
    "swarm_service": dict(name="sweep-svc", image="beekeeper-lab/busybox:latest"),
    "swarm_network": dict(name="sweep-net"),
    "swarm_init": {},
    "swarm_join": dict(remote_addrs=["10.88.82.2:2377"], join_token=JOIN_TOKEN, role="manager"),
    "swarm_node": dict(node="sweep-node"),
    "swarm_secret": dict(name="sweep_secret", data=SECRET_MARKER),
    "swarm_config": dict(name="sweep_config", data="sweep-config-data"),
    "swarm_wait": {},
    "swarm_info": {},
}

# A valid item of each list-of-mappings option (by dotted option), where the required sub-options alone do not make one.
VALID_ITEMS = {
    "mounts": dict(type="volume", target="/data"),
    "ports": dict(target=80, mode="host"),
    "secrets": dict(source="sweep_secret"),
    "configs": dict(source="sweep_config"),
    "ulimits": dict(name="nofile", soft=1024, hard=1024),
    "reservations.generic_resources": dict(kind="gpu", value=1),
    "placement.preferences": dict(spread="node.labels.zone"),
    "networks": dict(name="sweep-net"),
    "ipam.config": dict(subnet="10.99.0.0/24"),
}

# Options whose value is free content (any text is valid): only wrong types are generated for them.
FREE_TEXT = {"data", "healthcheck.test", "entrypoint", "command", "args", "unlock_key"}


# Values the Ansible type alone says are wrong; by type (and, for lists, elements).
BY_TYPE = {
    "str": [["sweep-a", "sweep-b"], {"sweep": 1}, "", " ", "x\n", "a\x00b"],
    "path": [["a"], {"a": 1}, "", "a\x00b"],
    "int": ["abc", 1.5, -1, 2 ** 63, 2 ** 64, HUGE, "1.4\u00b2", [1], {"a": 1}],
    "float": ["abc", "nan", "inf", float("inf"), 1e300, -1.0, "1.4\u00b2", [1]],
    "bool": ["maybe", 2, [True], {"a": 1}],
    # Empty lists, mappings and strings are valid "none" for most raw options (env: {}, command: []); not generated.
    "raw": [True, "a\x00b"],
    "list:str": [{"a": 1}, [""], [" "], ["x\n"], ["a\x00b"], [{"a": 1}], [["a"]], [None]],
    "list:path": [{"a": 1}, [""], ["a\x00b"]],
    "list:dict": ["x", {"a": 1}, 5, [5], ["x"], [{"sweep_unknown": 1}]],
    "dict:options": ["x", 5, [1], {"sweep_unknown": 1}],
    "dict": [5, "x", ["a"], {"": "v"}, {"key with space": "v"}, {"k\n": "v"}, {"k": {"x": 1}}, {"k": ["x"]}, {"k": "a\x00b"}],
}

# Values the conversion kind of a field table says are wrong.
BY_KIND = {
    "duration": ["10XB", "-1s", "9" * 400 + "s", "9" * 400, 2 ** 63, 1e300, float("inf"), "nan", "1.4\u00b2s", "5s\n", "", " "],
    "bytes": ["10XB", "-1", "9" * 400, 2 ** 64, "1e300", "inf", "nan", "1.4\u00b2", "1G\n", ""],
    "cpus": ["inf", "nan", float("inf"), 1e300, 1e-10, -1, "abc", "1.4\u00b2"],
    "caps": [["NOT_A_CAP"], [""], ["CAP_"], ["cap with space"]],
    "env": [42, "x", ["NOEQUALS"], ["=v"], {"": "v"}, {"A B": "v"}, {"K": {"x": 1}}, {"K": "a\x00b"}],
    "hosts": ["1.2.3.4 myhost", 5, {"myhost": "not-an-ip"}, ["nonsense"], {"": "1.2.3.4"}, {"my host": "1.2.3.4"}],
    "argv": ["", 5, {"a": 1}, "'unclosed"],
    "healthtest": [5, {"a": 1}, ""],
    "mode": ["bogus", "Replicated"],
    "set": [[""], ["x\n"]],
    "list": [[""], ["x\n"]],
}

# Values only the option's meaning makes wrong (what the issue found), by dotted option.
BY_OPTION = {
    "name": ["a b", "-x", "x" * 64],
    "image": ["Busybox:latest", "a b", "busybox:latest\n"],
    "stop_signal": ["SIGFOO", "0", "-1"],
    "workdir": ["relative/dir"],
    "user": ["a b"],
    "hostname": ["bad host!"],
    "groups": [["a b"]],
    "sysctls": [{"net.core.somaxconn": 1024}, {"net.core.somaxconn": True}],
    "logging.options": [{"max-size": "10XB"}, {"max-size": 5}],
    "logging.driver": ["a b"],
    "placement.constraints": [["node.role=="], ["bogus"], ["node.role==manager\n"]],
    "placement.preferences": [[{}], [{"spread": ""}]],
    "reservations.generic_resources[].value": [-1, 2 ** 64, "", [1]],
    "mounts[].target": ["relative/path", "/data\x00"],
    "mounts[].source": ["a\x00b"],
    "mounts[].tmpfs_size": ["10XB", "9" * 400, -1],
    "mounts[].tmpfs_mode": ["999", "abc", -1, 2 ** 64],
    "secrets[].mode": ["999", "abc", -1, 2 ** 64],
    "configs[].mode": ["999", "abc", -1, 2 ** 64],
    "secrets[].uid": [-1, 2 ** 64],
    "configs[].gid": [-1, 2 ** 64],
    "ports[].target": [0, 70000],
    "ports[].published": [0, 70000],
    "ulimits[].soft": [-2, 2 ** 64],
    "networks[].aliases": [["a b"]],
    "update_config.max_failure_ratio": [2.0],
    "ipam.config[].subnet": ["10.0.0.0/33", "abc", "10.0.0.1/24"],
    "ipam.config[].gateway": ["not-an-ip", "10.0.0.1\n"],
    "ipam.config[].aux_addresses": [{"host": "not-an-ip"}],
    "driver": ["a b"],
    "advertise_addr": ["10.0.0.1:\u00b2", "10.0.0.1:-1", "10.0.0.1:99999", "tcp://[::1"],
    "listen_addr": ["10.0.0.1:\u00b2", "10.0.0.1:-1", "10.0.0.1:99999"],
    "data_path_addr": ["10.0.0.1:\u00b2", "10.0.0.1:1"],
    "remote_addrs": [["10.0.0.1:\u00b2"], ["10.0.0.1:-1"], ["10.0.0.1:99999"], ["tcp://[::1"]],
    "default_addr_pool": [["10.0.0.0/33"], ["10.0.0.1"]],
    "data_path_port": [80, 70000],
    "subnet_size": [0, 40],
    "node": ["a b"],
    "labels_to_remove": [["key with space"]],
    "services": [["a b"]],
    "keep": [-1],
    "docker_host": ["tcp://[::1", "ftp://x", "tcp://host:0", "unix://", "tcp://"],
    "api_version": ["abc", "1", "1.4\u00b2", "1.41\n", "2.0.1"],
    "timeout": [0, 10 ** 7],
    "wait_timeout": [-1, 10 ** 7],
    "join_token": ["SWMTKN-1-short"],
}

# The TLS options are checked only where TLS applies: their cases go to a TCP address, with tls on.
TLS_OPTIONS = ("tls", "validate_certs", "ca_path", "client_cert", "client_key")
TLS_BASE = dict(docker_host=TCP_NOWHERE, tls=True)

# Combinations: a value is wrong only with another option (by module, "*" for all): (option named, args added).
COMBOS = [
    ("*", "client_cert", dict(docker_host=TCP_NOWHERE, tls=True, client_cert="/nonexistent/cert.pem", client_key="/nonexistent/key.pem")),
    ("*", "client_key", dict(docker_host=TCP_NOWHERE, tls=True, client_cert="/etc/hostname")),
    ("*", "ca_path", dict(docker_host=TCP_NOWHERE, tls=True, validate_certs=True, ca_path="/nonexistent/ca.pem")),
    ("swarm_secret", "src", dict(data=None, src="/nonexistent/a\x00b", remote_src=True)),
    ("swarm_config", "src", dict(data=None, src="/nonexistent/a\x00b", remote_src=True)),
    ("swarm_secret", "src", dict(data=None, src=5, remote_src=True)),
    ("swarm_secret", "data", dict(data="not base64!", data_is_b64=True)),
    ("swarm_service", "ports", dict(ports=[dict(target=80)], endpoint_mode="dnsrr")),
    ("swarm_service", "replicas", dict(mode="global", replicas=2)),
    ("swarm_service", "mounts[0].source", dict(mounts=[dict(type="bind", target="/data")])),
    ("swarm_network", "encrypted", dict(encrypted=True, driver="bridge", scope="local")),
    ("swarm_network", "ipam.config[0].gateway", dict(ipam=dict(config=[dict(subnet="10.99.0.0/24", gateway="10.98.0.1")]))),
    ("swarm_init", "subnet_size", dict(subnet_size=24)),
    ("swarm_node", "labels_to_remove", dict(labels=dict(zone="a"), labels_to_remove=["zone"])),
    ("swarm_wait", "labels", dict(services=["x"], labels=dict(a="b"))),
]


# Inputs the generator produces that are valid after all, explained: the tests
# classify them instead of reporting them: (module or "*", option, repr(value)) -> why.
ACCEPTED = {
    # The engine's own meaning of -1 for a ulimit is "unlimited" (docker run --ulimit nofile=-1).
    ("swarm_service", "ulimits[0].soft", "-1"): "-1 is the engine's 'unlimited' for a ulimit",
    ("swarm_service", "ulimits[0].hard", "-1"): "-1 is the engine's 'unlimited' for a ulimit",
    # OomScoreAdj is -1000..1000; a negative value makes the kernel less likely to kill the task.
    ("swarm_service", "oom_score_adj", "-1"): "oom_score_adj takes -1000 to 1000",
    # PIDs limit: the container's PidsLimit takes 0 or -1 for unlimited.
    ("swarm_service", "limits.pids", "-1"): "-1 is unlimited, as 0",
    # A number is one argument, as YAML gives it: command: 5 runs the entrypoint with the argument "5".
    ("swarm_service", "command", "5"): "a number is one argument",
    # An empty string is how a templated option says "not set" (DOCKER_HOST looked up from an environment without it):
    # the default socket, and TLS without that file (a CA or a client certificate is optional with tls: true).
    ("*", "docker_host", "''"): "'' is the default socket, as an unset DOCKER_HOST",
    ("*", "ca_path", "''"): "'' is no CA file: the system's CAs",
    ("*", "client_cert", "''"): "'' is no client certificate",
    ("*", "client_key", "''"): "'' is no client key",
    # '' for an optional name or address is a template's "not set": the module leaves the option out, and the engine
    # takes its default (an advertise address it picks, the default drivers, a secret's target named after it...).
    ("*", "api_version", "''"): "'' is auto",
    ("swarm_init", "advertise_addr", "''"): "'' lets the engine pick the address",
    ("swarm_init", "listen_addr", "''"): "'' is the default 0.0.0.0:2377",
    ("swarm_init", "data_path_addr", "''"): "'' is the advertise address",
    ("swarm_join", "advertise_addr", "''"): "'' lets the engine pick the address",
    ("swarm_join", "listen_addr", "''"): "'' is the default 0.0.0.0:2377",
    ("swarm_join", "data_path_addr", "''"): "'' is the advertise address",
    ("swarm_network", "driver", "''"): "'' is the default overlay driver",
    ("swarm_network", "ipam.driver", "''"): "'' is the default IPAM driver",
    ("swarm_service", "hostname", "''"): "'' is the container's own hostname",
    ("swarm_service", "user", "''"): "'' is the image's user",
    ("swarm_service", "logging.driver", "''"): "'' is the engine's default log driver",
    ("swarm_service", "mounts[0].source", "''"): "'' is an anonymous volume",
    ("swarm_service", "mounts[0].volume_driver", "''"): "'' is the local volume driver",
    ("swarm_service", "mounts[0].tmpfs_size", "''"): "'' is no size, left out",
    ("swarm_service", "ports[0].name", "''"): "'' is an unnamed port",
    ("swarm_service", "secrets[0].target", "''"): "'' is the secret's name as the file name",
    ("swarm_service", "configs[0].target", "''"): "'' is the config's name as the file name",
    # A hostname may be a Go template, which has spaces ({{ .Node.Hostname }}); the engine checks what it renders
    # when a task starts, and a service whose tasks cannot start is removed or rolled back (on_failure).
    ("swarm_service", "hostname", "'bad host!'"): "a hostname may be a template; checked by the engine at task start",
    # Values that are valid after all: 5 bytes, a sysctl given as a number, "never remove task history" (the Engine
    # API's negative TaskHistoryRetentionLimit), a number as the one argument of an entrypoint, and an empty
    # healthcheck test (the image's own healthcheck).
    ("swarm_service", "logging.options", "{'max-size': 5}"): "5 bytes is a size",
    ("swarm_service", "sysctls", "{'net.core.somaxconn': 1024}"): "sysctl values are text; a number is sent as one",
    ("swarm_init", "task_history_limit", "-1"): "a negative limit keeps every task (Engine API)",
    ("swarm_service", "entrypoint", "5"): "a number is one argument",
    ("swarm_service", "entrypoint", "1e+300"): "a number is one argument",
    ("swarm_service", "command", "1e+300"): "a number is one argument",
    ("swarm_service", "healthcheck.test", "[]"): "an empty test is the image's own healthcheck",
}


def accepted(case):
    """Whether the case is in ACCEPTED: a generated value that is valid after all."""
    return (case.module, case.option, repr(case.value)) in ACCEPTED or ("*", case.option, repr(case.value)) in ACCEPTED


@dataclass
class Case:
    """One malformed task: the module, the option it is wrong in (indexed path), the value and the whole task."""

    module: str
    option: str
    value: object
    args: dict = field(repr=False)

    @property
    def top(self):
        return self.option.split(".")[0].split("[")[0]

    @property
    def key(self):
        return (self.module, self.option, repr(self.value))

    def __str__(self):
        return "%s %s=%r" % (self.module, self.option, self.value)


def names_option(msg, case):
    """Whether a message names the case's option: its indexed path, its dotted path, or its top-level name as a word."""
    dotted = re.sub(r"\[\d+\]", "", case.option)
    if case.option in msg or dotted in msg:
        return True
    return re.search(r"(?<![A-Za-z0-9_])%s(?![A-Za-z0-9_])" % re.escape(case.top), msg) is not None


class _Captured(Exception):
    pass


def _module(name):
    return importlib.import_module("%s.modules.%s" % (PACKAGE, name))


def argument_spec(name):
    """The module's argument spec, as its main() builds it (captured where main() makes the SwarmModule)."""
    from ansible_collections.beekeeper.swarm.plugins.module_utils import _module as module_base

    def capture(self, argument_spec=None, **kwargs):
        raise _Captured(argument_spec)

    with mock.patch.object(module_base.SwarmModule, "__init__", capture):
        try:
            _module(name).main()
        except _Captured as exc:
            return exc.args[0]
    raise AssertionError("%s: main() did not make a SwarmModule" % name)


def field_kinds(name):
    """{dotted option: kind} from the module's field tables (_table.Field rows), where it has them."""
    utils = PACKAGE + ".module_utils."
    tables = {
        "swarm_service": [("_service_spec", "OPTIONS")],
        "swarm_network": [("_network_spec", "TABLE")],
        "swarm_init": [("_init", "SWARM_SETTINGS"), ("_init", "INIT_REQUEST")],
    }
    kinds = {}
    for mod, attr in tables.get(name, ()):
        for f in getattr(importlib.import_module(utils + mod), attr, ()):
            kinds[f.option] = f.kind
    return kinds


def walk(spec, prefix="", steps=()):
    """(display path, generic path, steps, entry) for every option, sub-option and list-element sub-option."""
    for key, entry in spec.items():
        path = prefix + key
        yield path, path, steps + (key,), entry
        sub = entry.get("options")
        if not sub:
            continue
        if entry.get("type") == "list":
            for p, g, s, e in walk(sub, path + "[0].", steps + (key, 0)):
                yield p, g.replace(path + "[0].", path + "[].", 1), s, e
        else:
            yield from walk(sub, path + ".", steps + (key,))


def valid_item(dotted, options):
    """A valid element of a list-of-mappings option."""
    if dotted in VALID_ITEMS:
        return copy.deepcopy(VALID_ITEMS[dotted])
    item = {}
    for key, entry in (options or {}).items():
        if entry.get("required"):
            item[key] = dict(str="x", int=1, float=1.0, bool=False, list=[], dict={}, path="/x").get(entry.get("type", "str"), "1")
    return item


def place(base, spec, steps, value):
    """A copy of ``base`` with ``value`` at ``steps`` (keys, and 0 for the first item of a list of mappings)."""
    args = copy.deepcopy(base)
    if steps[0] in TLS_OPTIONS:
        args.update(TLS_BASE)
    holder, entries, dotted = args, spec, ""
    for i, step in enumerate(steps[:-1]):
        if step == 0:
            continue
        entry = entries[step]
        dotted = step if not dotted else dotted + "." + step
        nxt = steps[i + 1]
        if nxt == 0:
            items = holder.get(step) if isinstance(holder.get(step), list) and holder.get(step) else [valid_item(dotted, entry.get("options"))]
            holder[step] = items
            holder, entries = items[0], entry["options"]
        else:
            if not isinstance(holder.get(step), dict):
                holder[step] = {}
            holder, entries = holder[step], entry["options"]
    holder[steps[-1]] = value
    return args


def _dedupe(values):
    seen, out = set(), []
    for v in values:
        key = (type(v).__name__, repr(v))
        if key not in seen:
            seen.add(key)
            out.append(v)
    return out


def values_for(path, generic, entry, kind):
    """The malformed values of one option, from its type, choices, kind and meaning."""
    typ = entry.get("type", "str")
    dotted = generic.replace("[]", "")
    if typ == "list":
        typ_key = "list:" + ("dict" if entry.get("elements") == "dict" else entry.get("elements") or "str")
    elif typ == "dict":
        typ_key = "dict:options" if entry.get("options") else "dict"
    else:
        typ_key = typ
    values = list(BY_TYPE.get(typ_key, BY_TYPE["raw"]))
    if typ_key == "list:dict":
        values += [[{}]] if any(e.get("required") for e in (entry.get("options") or {}).values()) else []
    if generic in FREE_TEXT or dotted in FREE_TEXT:
        values = [v for v in values if not isinstance(v, str)]
    if entry.get("choices"):
        first = str(entry["choices"][0])
        values += ["bogus", first.upper() if first.upper() != first else first + "x", first + "\n"]
    if kind:
        values += BY_KIND.get(kind, [])
    values += BY_OPTION.get(generic, []) + BY_OPTION.get(path, [])
    return _dedupe(values)


def options(name):
    """(display path, generic path, steps, entry, kind) of every option of a module."""
    spec = argument_spec(name)
    kinds = field_kinds(name)
    out = []
    for path, generic, steps, entry in walk(spec):
        kind = kinds.get(generic.replace("[]", "")) if "[" not in generic else None
        out.append((path, generic, steps, entry, kind))
    return spec, out


def cases(name, base=None):
    """Every fixed malformed task of a module, in a stable order."""
    base = BASE[name] if base is None else base
    spec, opts = options(name)
    out = []
    for path, generic, steps, entry, kind in opts:
        for value in values_for(path, generic, entry, kind):
            out.append(Case(name, path, value, place(base, spec, steps, value)))
    for module, option, extra in COMBOS:
        if module not in ("*", name):
            continue
        args = copy.deepcopy(base)
        for k, v in extra.items():
            if v is None:
                args.pop(k, None)
            else:
                args[k] = v
        out.append(Case(name, option, extra.get(re.split(r"[.\[]", option, maxsplit=1)[0]), args))
    return out


def sample(name, n, seed=9, base=None):
    """A fixed-seed subset of ``cases`` for the lab: every option once where possible, then random others."""
    every = [c for c in cases(name, base) if not accepted(c)]
    rng = random.Random("%s-%d" % (name, seed))
    by_option = {}
    for case in every:
        by_option.setdefault(case.option, []).append(case)
    picked = [rng.choice(group) for _option, group in sorted(by_option.items())]
    rng.shuffle(picked)
    picked = picked[:n]
    rest = [c for c in every if c not in picked]
    picked += rng.sample(rest, min(len(rest), n - len(picked)))
    return picked


# -- hypothesis ------------------------------------------------------------------------------


def strategy(name, base=None):
    """A hypothesis strategy of Cases of a module: an option, and a value drawn from a family that is wrong for it."""
    from hypothesis import strategies as st

    base = BASE[name] if base is None else base
    spec, opts = options(name)
    qxz = st.text(alphabet="qxz", min_size=1, max_size=6)
    nul = st.text(max_size=6).map(lambda s: s + "\x00" + s)
    huge_int = st.integers(min_value=2 ** 63, max_value=2 ** 80) | st.integers(max_value=-(2 ** 63) - 1, min_value=-(2 ** 80))
    fraction = st.floats(min_value=0.01, max_value=1e6).filter(lambda f: f != int(f))

    def family(generic, entry, kind):
        typ = entry.get("type", "str")
        choices = []
        if kind == "duration":
            choices += [st.tuples(st.integers(1, 999), st.sampled_from(["XB", "q", "sec", "hours", "mn"])).map(lambda t: "%d%s" % t),
                        st.integers(min_value=2 ** 63 // 10 ** 9 + 1, max_value=10 ** 30).map(lambda n: "%ds" % n),
                        st.integers(max_value=-1, min_value=-(10 ** 6)).map(lambda n: "%ds" % n)]
        elif kind == "bytes":
            choices += [st.tuples(st.integers(1, 999), st.sampled_from(["XB", "Q", "KiBi", "Z"])).map(lambda t: "%d%s" % t),
                        st.integers(min_value=2 ** 63, max_value=2 ** 80), st.integers(max_value=-1, min_value=-(10 ** 6))]
        elif kind == "cpus":
            choices += [st.floats(min_value=1e-15, max_value=1e-10), st.floats(min_value=1e10, max_value=1e300),
                        st.floats(max_value=-1e-3, min_value=-1e6)]
        elif typ == "int":
            choices += [huge_int, fraction, huge_int.map(str)]
        elif typ == "float":
            choices += [st.sampled_from(["nan", "inf", "-inf"]), st.floats(min_value=1e300)]
        elif typ == "bool":
            choices += [qxz, st.integers(min_value=2)]
        elif typ in ("str", "path"):
            choices += [st.lists(st.integers(), min_size=1, max_size=3)]
            if generic not in FREE_TEXT:
                choices += [nul]
            if entry.get("choices"):
                choices += [qxz]
        elif typ == "list":
            if entry.get("elements") == "dict":
                choices += [st.integers(), qxz]
            else:
                choices += [st.lists(nul, min_size=1, max_size=3)]
        elif typ == "dict":
            choices += [st.integers(), st.lists(st.integers(), min_size=1, max_size=2)]
            if not entry.get("options"):
                choices += [st.dictionaries(st.text(alphabet=" \t\n!@#$%", min_size=1, max_size=4), st.just("v"), min_size=1, max_size=2)]
        else:
            choices += [st.sampled_from([True, 1e300, [], {}])]
        return st.one_of(choices)

    def build(item):
        (path, generic, steps, entry, kind), value = item
        return Case(name, path, value, place(base, spec, steps, value))

    return st.sampled_from(opts).flatmap(lambda o: family(o[1], o[3], o[4]).map(lambda v: (o, v))).map(build)

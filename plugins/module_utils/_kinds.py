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
import difflib
import ipaddress
import math
import re
import shlex
from fractions import Fraction

from ansible_collections.beekeeper.swarm.plugins.module_utils._errors import InvalidInput
from ansible_collections.beekeeper.swarm.plugins.module_utils._validate import type_name, validate_labels, validate_option_keys, validate_word

MODES = {"replicated": "Replicated", "global": "Global", "replicated-job": "ReplicatedJob", "global-job": "GlobalJob"}
SIZE_UNITS = {"": 1, "b": 1, "k": 1024, "kb": 1024, "m": 1024 ** 2, "mb": 1024 ** 2, "g": 1024 ** 3, "gb": 1024 ** 3, "t": 1024 ** 4, "tb": 1024 ** 4}

# The Engine API's numbers are Go int64 / uint64 (durations in nanoseconds, sizes in bytes, NanoCPUs):
# every value has to fit int64 (the API documents them as int64; uint64 fields take the same range).
INT64_MAX = 2 ** 63 - 1
INT64_MIN = -(2 ** 63)
UINT32_MAX = 2 ** 32 - 1
NS = {"ns": 1, "us": 10**3, "µs": 10**3, "ms": 10**6, "s": 10**9, "m": 60 * 10**9, "h": 3600 * 10**9, "d": 86400 * 10**9}
_DURATION_PART = re.compile(r"([0-9]+(?:\.[0-9]+)?)(ns|us|µs|ms|s|m|h|d)")
_NUMBER_RE = re.compile(r"[0-9]+(?:\.[0-9]+)?\Z")
_SIZE_RE = re.compile(r"([0-9]+(?:\.[0-9]+)?) *([a-zA-Z]*)\Z")
NOT_A_DURATION = "%s: '%s' is not a duration; use a number with a unit (ns, us, ms, s, m, h, d), e.g. 5s, 1m30s, 100ms, 2160h."
TOO_LONG = "%s: %s is too long; the engine takes durations up to 2562047h (about 292 years), e.g. 720h."
# The engine's smallest health check interval, timeout and start period (swarmkit's minimumDuration).
MIN_PROBE_NS = 10 ** 6
# The smallest memory limit the engine starts a container with (Docker Engine 25+: 6MB; 4MB before).
MIN_MEMORY_LIMIT = 6 * 1024 ** 2

# Linux capabilities as the engine knows them (moby's caps.GetAllCapabilities), CAP_CHOWN (0) to CAP_CHECKPOINT_RESTORE (40).
CAPABILITIES = (
    "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL", "CAP_SETGID", "CAP_SETUID",
    "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW",
    "CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE", "CAP_SYS_PACCT",
    "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE", "CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD",
    "CAP_LEASE", "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG",
    "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE",
)
# Signal names as moby's signal.ParseSignal takes them (SignalMap on Linux), without the SIG prefix.
SIGNALS = frozenset((
    "ABRT", "ALRM", "BUS", "CHLD", "CLD", "CONT", "FPE", "HUP", "ILL", "INT", "IO", "IOT", "KILL", "PIPE", "POLL", "PROF", "PWR",
    "QUIT", "SEGV", "STKFLT", "STOP", "SYS", "TERM", "TRAP", "TSTP", "TTIN", "TTOU", "URG", "USR1", "USR2", "VTALRM", "WINCH",
    "XCPU", "XFSZ", "RTMIN", "RTMAX",
) + tuple("RTMIN+%d" % n for n in range(1, 16)) + tuple("RTMAX-%d" % n for n in range(1, 15)))
# Resource limit names the engine maps to setrlimit (go-units' ulimitNameMapping).
ULIMITS = ("core", "cpu", "data", "fsize", "locks", "memlock", "msgqueue", "nice", "nofile", "nproc", "rss", "rtprio", "rttime",
           "sigpending", "stack")
# Sysctls a container can set in its own namespaces (runc's validateSysctl): these IPC ones, fs.mqueue.*, net.*, kernel.domainname.
SYSCTLS = ("kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem", "kernel.shmall", "kernel.shmmax", "kernel.shmmni",
           "kernel.shm_rmid_forced", "kernel.domainname")
SYSCTL_PREFIXES = ("net.", "fs.mqueue.")
_SYSCTL_RE = re.compile(r"[a-z0-9_]+(?:\.[a-zA-Z0-9_@:+-]+)+\Z")
# Placement constraints as swarmkit parses them (manager/constraint): KEY OP VALUE.
CONSTRAINT_KEYS = ("node.id", "node.hostname", "node.ip", "node.role", "node.platform.os", "node.platform.arch")
LABEL_PREFIXES = ("node.labels.", "engine.labels.")
_CONSTRAINT_KEY_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]+\Z")
_CONSTRAINT_VALUE_RE = re.compile(r"[A-Za-z0-9:_\s.*()?+\[\]\\^$|/-]+\Z")
_HOSTNAME_RE = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_.-]{0,251}[A-Za-z0-9_])?\Z")


def _shown(value, limit=40):
    """A value as a message shows it: a 400-digit number is not echoed whole."""
    text = str(value)
    return text if len(text) <= limit else text[:limit - 3] + "..."


def _nested(value):
    return isinstance(value, (dict, list, tuple, set))


def _did_you_mean(word, choices):
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.75)
    return " (did you mean %s?)" % close[0] if close else ""


def _duration_ns(total, shown, option):
    if total > INT64_MAX:
        raise InvalidInput(TOO_LONG % (option, shown))
    return int(total)


def parse_duration(value, option):
    """'1m30s' / '100ms' / 90 (seconds) -> nanoseconds, at most int64. Raise InvalidInput naming the option."""
    if isinstance(value, bool):
        raise InvalidInput("%s: %r is not a duration; use a number with a unit, e.g. 5s, 1m30s, 100ms, 2160h." % (option, value))
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        raise InvalidInput("%s: %s is not a duration; use a number with a unit, e.g. 5s, 1m30s, 100ms, 2160h." % (option, value))
    if isinstance(value, (int, float)):
        if value < 0:
            raise InvalidInput("%s: %s is negative; durations are 0 or more, e.g. 5s." % (option, _shown(value)))
        return _duration_ns(int(Fraction(repr(value)) * 10**9) if isinstance(value, float) else value * 10**9, _shown(value), option)
    # Only spaces are trimmed: a value ending in a newline is not a duration (no `$` anchors here).
    text = str(value).strip(" ")
    if text.startswith("-"):
        raise InvalidInput("%s: '%s' is negative; durations are 0 or more, e.g. 5s." % (option, _shown(text)))
    if _NUMBER_RE.match(text):
        return _duration_ns(int(Fraction(text) * 10**9), "'%s'" % _shown(text), option)
    pos, total = 0, 0
    for match in _DURATION_PART.finditer(text):
        if match.start() != pos:
            break
        total += Fraction(match.group(1)) * NS[match.group(2)]
        pos = match.end()
    if not text or pos != len(text):
        raise InvalidInput(NOT_A_DURATION % (option, _shown(text)))
    return _duration_ns(int(total), "'%s'" % _shown(text), option)


def _probe_duration(value, option):
    """A health check duration: 0 (the engine's default) or 1ms or more, as the engine requires."""
    ns = parse_duration(value, option)
    if 0 < ns < MIN_PROBE_NS:
        raise InvalidInput("%s: '%s' is shorter than the engine's minimum of 1ms; use 1ms or more, e.g. 5s." % (option, _shown(value)))
    return ns


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
    """Bytes, or a number with a unit (K, M, G, T, binary) -> bytes, at most int64."""
    if isinstance(value, bool):
        raise InvalidInput("%s: %r is not a size; use bytes or a number with a unit, e.g. 512M, 1G." % (option, value))
    if isinstance(value, int):
        if value < 0:
            raise InvalidInput("%s: %s is negative; use bytes or a number with a unit, e.g. 512M, 1G." % (option, _shown(value)))
        size, shown = value, _shown(value)
    else:
        text = str(value).strip(" ")
        match = _SIZE_RE.match(text)
        if not match or match.group(2).lower() not in SIZE_UNITS:
            raise InvalidInput("%s: '%s' is not a size; use bytes or a number with a unit (K, M, G, T), e.g. 512M, 1G." % (option, _shown(value)))
        size, shown = int(Fraction(match.group(1)) * SIZE_UNITS[match.group(2).lower()]), "'%s'" % _shown(text)
    if size > INT64_MAX:
        raise InvalidInput("%s: %s is too large; the engine takes sizes up to 8388607T (int64 bytes), e.g. 512M, 1G." % (option, shown))
    return size


def _memory_limit(value, option):
    size = parse_size(value, option)
    if 0 < size < MIN_MEMORY_LIMIT:
        raise InvalidInput("%s: '%s' is below the engine's minimum memory limit of 6M; use 6M or more, e.g. 512M, or 0 for no limit."
                           % (option, _shown(value)))
    return size


def _int(low, high):
    """A whole number from low to high (the Engine API field's range)."""

    def to_api(value, option):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, str) and re.match(r"[+-]?[0-9]{1,40}\Z", value.strip(" ")):
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            raise InvalidInput("%s: '%s' is not a whole number; use e.g. %d." % (option, _shown(value), max(low, 0) + 1))
        if value < 0 <= low:
            raise InvalidInput("%s: %s is negative; use 0 or more." % (option, _shown(value)))
        if not low <= value <= high:
            raise InvalidInput("%s: %s is out of range; use a whole number from %d to %d." % (option, _shown(value), low, high))
        return value

    return to_api


def _float(value, option):
    if isinstance(value, bool):
        raise InvalidInput("%s: %r is not a number; use e.g. 0.5." % (option, value))
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InvalidInput("%s: '%s' is not a number; use e.g. 0.5." % (option, _shown(value))) from None
    if math.isnan(number) or math.isinf(number):
        raise InvalidInput("%s: %s is not a finite number; use e.g. 0.5." % (option, value))
    return number


def _ratio(value, option):
    ratio = float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None
    if ratio is None or math.isnan(ratio) or not 0 <= ratio <= 1:
        raise InvalidInput("%s: %s is not a fraction from 0 to 1; use e.g. 0.2 (a fifth of the tasks), or 0 to allow none."
                           % (option, _shown(value)))
    return ratio


def _argv(value, option):
    if isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            if item is None or _nested(item):
                raise InvalidInput("%s[%d]: %s is a %s, not a string; give each argument as a string, e.g. [sleep, '10']."
                                   % (option, i, _shown(item), type_name(item)))
        out = [str(v) for v in value]
        if out and not out[0].strip():
            raise InvalidInput("%s[0]: empty; the first item is the program to run, e.g. [sleep, '10'] (leave %s out for the "
                               "image's default)." % (option, option))
        return out
    if value is None or isinstance(value, (bool, dict)):
        raise InvalidInput("%s: %s is a %s; give a list or a string, e.g. [sleep, '10'] or 'sleep 10'." % (option, _shown(value), type_name(value)))
    text = str(value)
    if not text.strip():
        raise InvalidInput("%s: empty; give the command as a list or a string, e.g. 'sleep 10', or leave %s out for the image's "
                           "default." % (option, option))
    try:
        return shlex.split(text)
    except ValueError as exc:
        raise InvalidInput("%s: cannot split '%s' into arguments (%s); give a list instead." % (option, _shown(value), exc)) from exc


class BareName(str):
    """An environment entry without a value, sent as written (``KEY``): what a Compose file's ``KEY`` with no value
    becomes in the docker CLI's spec. Only code builds these (swarm_stack's conversion), never a task's option."""


def _env_name(name, option):
    if not name or "=" in name or any(c.isspace() for c in name) or "\x00" in name:
        raise InvalidInput("%s: '%s' is not a variable name; a name is not empty and has no '=' or spaces, e.g. LOG_LEVEL."
                           % (option, _shown(name)))


def _env(value, option):
    if isinstance(value, dict):
        out = []
        for key, val in value.items():
            _env_name(str(key), option)
            if _nested(val):
                raise InvalidInput("%s.%s: %s is a %s, not a string; give the value as a string, e.g. %s: 'text'."
                                   % (option, key, _shown(val), type_name(val), key))
            out.append("%s=%s" % (key, "" if val is None else val))
        return sorted(out)
    if not isinstance(value, (list, tuple)):
        example = value if isinstance(value, str) and "=" in value else "LOG_LEVEL=debug"
        raise InvalidInput("%s: %s is a %s; give a mapping (e.g. LOG_LEVEL: debug) or a list of KEY=VALUE strings (e.g. "
                           "['%s'])." % (option, _shown(repr(value)), type_name(value), _shown(example)))
    out = []
    for i, item in enumerate(value):
        where = "%s[%d]" % (option, i)
        if not isinstance(item, str):
            raise InvalidInput("%s: %s is a %s; write KEY=VALUE as a string, e.g. 'LOG_LEVEL=debug'." % (where, _shown(item), type_name(item)))
        if "=" not in item and not isinstance(item, BareName):
            raise InvalidInput("%s: '%s' has no '='; write KEY=VALUE, or give env as a mapping." % (where, _shown(item)))
        _env_name(item.split("=", 1)[0], where)
        out.append(item)
    return sorted(out)


def _cpus(value, option):
    if isinstance(value, bool):
        raise InvalidInput("%s: %r is not a number of CPUs; use e.g. 0.5 or 2." % (option, value))
    try:
        cpus = float(value)
    except (TypeError, ValueError):
        raise InvalidInput("%s: '%s' is not a number of CPUs; use e.g. 0.5 or 2." % (option, _shown(value))) from None
    if math.isnan(cpus):
        raise InvalidInput("%s: '%s' is not a number of CPUs; use e.g. 0.5 or 2." % (option, value))
    if cpus < 0:
        raise InvalidInput("%s: %s is negative; use a number of CPUs such as 0.5." % (option, _shown(value)))
    if math.isinf(cpus) or cpus * 10 ** 9 > INT64_MAX:
        raise InvalidInput("%s: %s is too many CPUs; the engine takes up to 9223372036 (int64 NanoCPUs), e.g. 0.5 or 2."
                           % (option, _shown(value)))
    nanos = int(round(cpus * 10 ** 9))
    if cpus > 0 and nanos == 0:
        raise InvalidInput("%s: %s is less than one NanoCPU, which the engine takes as 0 (no limit); use 0.000000001 or more, "
                           "e.g. 0.5, or 0 for none." % (option, _shown(value)))
    return nanos


def _canon_caps(value):
    """Capabilities as the docker CLI sends them: upper case with the CAP_ prefix (ALL stays ALL)."""
    out = []
    for cap in value or []:
        cap = str(cap).upper()
        out.append(cap if cap == "ALL" or cap.startswith("CAP_") else "CAP_" + cap)
    return sorted(out)


def _caps(value, option):
    for i, cap in enumerate(value or []):
        where = "%s[%d]" % (option, i)
        text = "" if cap is None else str(cap)
        if not text.strip():
            raise InvalidInput("%s: empty; name a capability, e.g. NET_ADMIN (or ALL)." % where)
        name = text.upper()
        name = name if name == "ALL" or name.startswith("CAP_") else "CAP_" + name
        if name != "ALL" and name not in CAPABILITIES:
            raise InvalidInput("%s: '%s' is not a Linux capability the engine knows%s; use one such as NET_ADMIN, SYS_PTRACE or ALL "
                               "(with or without CAP_)." % (where, _shown(text), _did_you_mean(name, CAPABILITIES)))
    return _canon_caps(value)


def _signal(value, option):
    """A stop signal as the engine parses it (moby's signal.ParseSignal): a number, or a name with or without SIG."""
    text = str(value)
    if re.match(r"[0-9]+\Z", text) and 1 <= int(text) <= 64:
        return text
    name = text.upper()
    name = name[3:] if name.startswith("SIG") else name
    if name not in SIGNALS:
        raise InvalidInput("%s: '%s' is not a signal the engine knows%s; use a name or number such as SIGTERM, SIGINT, SIGQUIT, "
                           "SIGRTMIN+3 or 15." % (option, _shown(text), _did_you_mean("SIG" + name, ["SIG" + s for s in SIGNALS])))
    return text


def _is_absolute(path):
    # Linux paths, Windows drive paths and pipes; a Go template ({{.Task.Slot}}) is the engine's to expand.
    return path.startswith(("/", "\\\\", "{{")) or re.match(r"[A-Za-z]:[\\/]", path) is not None


def _abspath(value, option, example="/app"):
    text = "" if value is None else str(value)
    if not _is_absolute(text):
        raise InvalidInput("%s: '%s' is not an absolute path; the engine needs one, e.g. %s." % (option, _shown(text), example))
    return text


def _ip(value, option, example="10.0.0.5"):
    try:
        ipaddress.ip_address(str(value))
    except ValueError:
        raise InvalidInput("%s: '%s' is not an IP address; write e.g. %s." % (option, _shown(value), example)) from None
    return str(value)


def _hostname(value, option):
    text = str(value)
    if not _HOSTNAME_RE.match(text):
        raise InvalidInput("%s: '%s' is not a hostname; use letters, digits, '-', '_' and '.', e.g. db.internal." % (option, _shown(text)))
    return text


def _ips(value, option):
    return [_ip(v, "%s[%d]" % (option, i), "8.8.8.8") for i, v in enumerate(value)]


def _hosts(value, option):
    if isinstance(value, dict):
        out = []
        for host, ip in value.items():
            _hostname(host, option)
            _ip(ip, "%s.%s" % (option, host))
            out.append("%s %s" % (ip, host))
        return sorted(out)
    if isinstance(value, str):
        raise InvalidInput("%s: '%s' is a string; give a mapping of hostname to IP (e.g. myhost: 1.2.3.4) or a list of 'IP HOSTNAME' "
                           "lines (e.g. ['%s'])." % (option, _shown(value), _shown(value) if len(value.split()) > 1 else "1.2.3.4 myhost"))
    if not isinstance(value, (list, tuple)):
        raise InvalidInput("%s: %s is a %s; give a mapping of hostname to IP (e.g. myhost: 1.2.3.4) or a list of 'IP HOSTNAME' lines "
                           "(e.g. ['1.2.3.4 myhost'])." % (option, _shown(value), type_name(value)))
    for i, line in enumerate(value):
        where = "%s[%d]" % (option, i)
        parts = line.split() if isinstance(line, str) else []
        if len(parts) < 2:
            raise InvalidInput("%s: '%s' is not an 'IP HOSTNAME' line; write e.g. '1.2.3.4 myhost'." % (where, _shown(line)))
        _ip(parts[0], where, "'1.2.3.4 myhost'")
        for name in parts[1:]:
            _hostname(name, where)
    return sorted(str(v) for v in value)


def _healthtest(value, option):
    if isinstance(value, str):
        if not value.strip():
            raise InvalidInput("%s: empty; give a shell command, e.g. 'curl -f http://localhost/ || exit 1', or [NONE] to turn the "
                               "image's check off." % option)
        return ["CMD-SHELL", value]
    if not isinstance(value, (list, tuple)):
        raise InvalidInput("%s: %s is a %s; give a command string (run by the shell) or a list (run directly), e.g. "
                           "'curl -f http://localhost/' or [curl, -f, 'http://localhost/']." % (option, _shown(value), type_name(value)))
    for i, item in enumerate(value):
        if item is None or isinstance(item, bool) or _nested(item):
            raise InvalidInput("%s[%d]: %s is a %s, not a string; give each argument as a string." % (option, i, _shown(item), type_name(item)))
    test = [str(v) for v in value]
    if not test:
        return test
    if test[0] == "NONE":
        if len(test) > 1:
            raise InvalidInput("%s: NONE turns the check off and takes nothing after it; write [NONE], or drop NONE." % option)
        return test
    if test[0] not in ("CMD", "CMD-SHELL"):
        test = ["CMD"] + test
    if len(test) < 2 or not test[1].strip():
        raise InvalidInput("%s: %s needs the command after it; write e.g. [%s, 'curl -f http://localhost/']." % (option, test[0], test[0]))
    if test[0] == "CMD-SHELL" and len(test) > 2:
        raise InvalidInput("%s: CMD-SHELL takes one command string; write [CMD-SHELL, '%s'] or use CMD with a list."
                           % (option, " ".join(test[1:])))
    return test


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
                raise InvalidInput("%s.%s: %s is out of range; ports are 1-65535." % (where, key, _shown(number)))
        entry = dict(Protocol=port.get("protocol") or "tcp", TargetPort=target, PublishMode=port.get("mode") or "ingress")
        if port.get("published") is not None:
            entry["PublishedPort"] = port["published"]
        if port.get("name"):
            entry["Name"] = port["name"]
        out.append(entry)
    return out


# Mount sub-options that belong to one type of mount (the engine refuses them on another, or ignores them).
MOUNT_ONLY = dict(volume_driver="volume", volume_options="volume", volume_labels="volume", no_copy="volume", propagation="bind",
                  tmpfs_size="tmpfs", tmpfs_mode="tmpfs")


def _mounts(value, option):
    out = []
    for i, mount in enumerate(value):
        where = "%s[%d]" % (option, i)
        kind = mount.get("type") or "volume"
        if kind == "bind" and not mount.get("source"):
            raise InvalidInput("%s.source: a bind mount needs the path on the node; set source." % where)
        if kind == "tmpfs" and mount.get("source"):
            raise InvalidInput("%s.source: a tmpfs mount has no source; remove it." % where)
        for key, only in MOUNT_ONLY.items():
            if mount.get(key) not in (None, False, "", {}) and kind != only:
                raise InvalidInput("%s.%s: only %s mounts have it, and this mount is a %s mount; remove %s or use type: %s."
                                   % (where, key, only, kind, key, only))
        if mount.get("volume_driver"):
            _word(mount["volume_driver"], where + ".volume_driver", "local")
        entry = dict(Type=kind, Target=_abspath(mount.get("target"), where + ".target", "/data"), ReadOnly=bool(mount.get("readonly")))
        if kind == "bind":
            _abspath(mount["source"], where + ".source", "/srv/data")
        if mount.get("source"):
            entry["Source"] = mount["source"]
        volume_options = _dict_to_api(mount["volume_options"], where + ".volume_options") if mount.get("volume_options") else {}
        volume_labels = _labels(mount["volume_labels"], where + ".volume_labels") if mount.get("volume_labels") else {}
        if kind == "volume" and (mount.get("volume_driver") or volume_options or volume_labels or mount.get("no_copy")):
            entry["VolumeOptions"] = dict(NoCopy=bool(mount.get("no_copy")), Labels=volume_labels)
            if mount.get("volume_driver") or volume_options:
                entry["VolumeOptions"]["DriverConfig"] = dict(Name=mount.get("volume_driver") or "local", Options=volume_options)
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
    """A file mode: an int (a YAML octal number such as 0440 arrives as 288) or an octal string, 0 to 0o7777."""
    if isinstance(value, int) and not isinstance(value, bool):
        mode = value
    elif isinstance(value, str) and re.match(r"(?:0o)?[0-7]{1,5}\Z", value.strip(" ")):
        mode = int(value.strip(" "), 8)
    else:
        raise InvalidInput("%s: '%s' is not a file mode; use octal as a string, e.g. '0440'." % (option, _shown(value)))
    if not 0 <= mode <= 0o7777:
        shown = "'%s'" % _shown(value) if isinstance(value, str) else ("-0o%o" if mode < 0 else "0o%o") % abs(mode)
        raise InvalidInput("%s: %s is out of range; file modes are octal from '0000' to '7777', e.g. '0440'." % (option, shown))
    return mode


def _owner(value, option, what):
    if value is None:
        return "0"
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= UINT32_MAX:
        raise InvalidInput("%s: %s is not a %s; use a number from 0 to %d, e.g. 0 (root)." % (option, _shown(value), what, UINT32_MAX))
    return str(value)


def _refs(kind):
    """Secret / config references; ``source`` was resolved to (id, name) beforehand (resolved_id/resolved_name)."""
    key = "Secret" if kind == "secrets" else "Config"

    def build(value, option):
        out = []
        for i, item in enumerate(value):
            where = "%s[%d]" % (option, i)
            if not str(item.get("source") or "").strip():
                raise InvalidInput("%s.source: empty; name the %s, e.g. source: db_password." % (where, kind[:-1]))
            target = item.get("target") or item["source"]
            # A config's relative target is mounted at /target; a stack keeps it as the CLI sends it (as_written).
            if kind == "configs" and not target.startswith("/") and not item.get("as_written"):
                target = "/" + target
            out.append({
                key + "ID": item.get("resolved_id"),
                key + "Name": item.get("resolved_name") or item["source"],
                "File": dict(Name=target, UID=_owner(item.get("uid"), where + ".uid", "user ID"),
                             GID=_owner(item.get("gid"), where + ".gid", "group ID"),
                             Mode=_mode(item["mode"], where + ".mode") if item.get("mode") is not None else 0o444),
            })
        return out

    return build


def _ulimits(value, option):
    seen = set()
    out = []
    for i, item in enumerate(value):
        where = "%s[%d]" % (option, i)
        name = item.get("name")
        if name not in ULIMITS:
            raise InvalidInput("%s.name: '%s' is not a resource limit the engine knows%s; use one of %s."
                               % (where, _shown(name), _did_you_mean(str(name), ULIMITS), ", ".join(ULIMITS)))
        if name in seen:
            raise InvalidInput("%s.name: %s is given twice; give each limit once." % (where, name))
        seen.add(name)
        limit = _int(-1, INT64_MAX)
        soft = limit(item.get("soft"), where + ".soft")
        hard = limit(item["hard"] if item.get("hard") is not None else soft, where + ".hard")
        if hard != -1 and (soft == -1 or soft > hard):
            raise InvalidInput("%s.soft: %d is above the hard limit %d; use a soft limit up to the hard one (-1 is unlimited)."
                               % (where, soft, hard))
        out.append({"Name": name, "Soft": soft, "Hard": hard})
    return sorted(out, key=lambda u: u["Name"])


def _generic(value, option):
    out = []
    for i, item in enumerate(value):
        where = "%s[%d]" % (option, i)
        kind, number = item.get("kind"), item.get("value")
        if not str(kind or "").strip():
            raise InvalidInput("%s.kind: empty; name the resource kind the nodes advertise, e.g. gpu." % where)
        if isinstance(number, int) and not isinstance(number, bool):
            if number < 0:
                raise InvalidInput("%s.value: %s is negative; a discrete resource is a count of 0 or more, e.g. 2." % (where, _shown(number)))
            if number > INT64_MAX:
                raise InvalidInput("%s.value: %s is out of range; use a count from 0 to %d." % (where, _shown(number), INT64_MAX))
            out.append({"DiscreteResourceSpec": {"Kind": kind, "Value": number}})
        elif isinstance(number, str) and number.strip():
            out.append({"NamedResourceSpec": {"Kind": kind, "Value": number}})
        else:
            raise InvalidInput("%s.value: %s is %s; give a count (a discrete resource, e.g. 2) or a name (a named resource, e.g. "
                               "GPU-8a1f)." % (where, _shown(repr(number)), "empty" if number == "" else "a " + type_name(number)))
    return out


def _preferences(value, option):
    out = []
    for i, pref in enumerate(value):
        where = "%s[%d].spread" % (option, i)
        spread = pref.get("spread") if isinstance(pref, dict) else pref
        if not isinstance(spread, str) or not spread.strip():
            raise InvalidInput("%s: missing; name the node label to spread the tasks over, e.g. spread: node.labels.zone." % where)
        # The scheduler spreads over node.labels.* and engine.labels.*; it takes any other descriptor too (as one
        # group), so only a malformed one is refused here.
        if not _CONSTRAINT_KEY_RE.match(spread):
            raise InvalidInput("%s: '%s' is not a label the scheduler spreads over; use node.labels.KEY or engine.labels.KEY, e.g. "
                               "node.labels.zone." % (where, _shown(spread)))
        out.append({"Spread": {"SpreadDescriptor": spread}})
    return out


def _constraints(value, option):
    for i, item in enumerate(value):
        where = "%s[%d]" % (option, i)
        text = str(item)
        op = "==" if "==" in text else "!=" if "!=" in text else None
        if op is None:
            raise InvalidInput("%s: '%s' has no == or !=; write KEY==VALUE or KEY!=VALUE, e.g. node.role==worker." % (where, _shown(text)))
        key, val = (part.strip() for part in text.split(op, 1))
        if not key:
            raise InvalidInput("%s: '%s' has no key before %s; write e.g. node.role==worker." % (where, _shown(text), op))
        if not val:
            raise InvalidInput("%s: '%s' has no value after %s; write e.g. node.role==worker." % (where, _shown(text), op))
        lower = key.lower()
        known = lower in CONSTRAINT_KEYS or any(lower.startswith(p) and len(lower) > len(p) for p in LABEL_PREFIXES)
        if not _CONSTRAINT_KEY_RE.match(key) or not known:
            raise InvalidInput("%s: '%s' is not a key the scheduler knows%s; use %s, node.labels.KEY or engine.labels.KEY."
                               % (where, _shown(key), _did_you_mean(lower, CONSTRAINT_KEYS), ", ".join(CONSTRAINT_KEYS)))
        if not _CONSTRAINT_VALUE_RE.match(val):
            raise InvalidInput("%s: '%s' is not a value the scheduler takes; use letters, digits, spaces and . - _ : / (or a pattern "
                               "with * ? [ ] ( ) + ^ $ |), e.g. node.labels.zone==eu-1." % (where, _shown(val)))
        if lower == "node.ip" and not _ip_or_network(val):
            raise InvalidInput("%s: '%s' is not an IP address or a CIDR subnet; write e.g. node.ip%s10.0.0.5 or node.ip%s10.0.0.0/24."
                               % (where, _shown(val), op, op))
        if lower == "node.role" and val.lower() not in ("manager", "worker"):
            raise InvalidInput("%s: '%s' is not a node role; write node.role%smanager or node.role%sworker." % (where, _shown(val), op, op))
    return sorted(str(x) for x in value)


def _ip_or_network(text):
    try:
        ipaddress.ip_network(text, strict=False)
    except ValueError:
        return False
    return True


def _word(value, option, example="app"):
    return validate_word(value, option, example)


def _words(value, option):
    out = []
    for i, item in enumerate(value):
        where = "%s[%d]" % (option, i)
        if not str(item).strip():
            raise InvalidInput("%s: empty; give a value, or remove the item." % where)
        out.append(_word(item, where, "example.com"))
    return out


def _networks(value, option):
    """Networks were resolved to IDs beforehand (resolved_id)."""
    out = []
    for i, item in enumerate(value):
        where = "%s[%d]" % (option, i)
        entry = dict(Target=item["resolved_id"])
        for j, alias in enumerate(item.get("aliases") or []):
            if not str(alias).strip():
                raise InvalidInput("%s.aliases[%d]: empty; give a DNS name, e.g. www." % (where, j))
            _word(alias, "%s.aliases[%d]" % (where, j), "www")
        if item.get("aliases"):
            entry["Aliases"] = list(item["aliases"])
        if item.get("driver_opts"):
            entry["DriverOpts"] = _dict_to_api(item["driver_opts"], where + ".driver_opts")
        out.append(entry)
    return out


def _sysctls(value, option):
    out = _dict_to_api(value, option)
    for key, val in value.items():
        name = str(key).replace("/", ".")
        if not _SYSCTL_RE.match(name) or not (name in SYSCTLS or name.startswith(SYSCTL_PREFIXES)):
            raise InvalidInput("%s: '%s' is not a sysctl a task can set in its own namespace; use net.*, fs.mqueue.* or a kernel IPC "
                               "setting (kernel.shmmax, kernel.sem...), e.g. net.core.somaxconn." % (option, _shown(key)))
        if isinstance(val, bool) or not str("" if val is None else val).strip():
            raise InvalidInput("%s.%s: %s is not a sysctl value; give the value the kernel takes as a string or number, e.g. '1'."
                               % (option, key, _shown(repr(val))))
    return out


def _labels(value, option):
    """A label map: keys checked like every label map's, values strings (`key: ~` is the empty value)."""
    if isinstance(value, dict):
        validate_labels(dict((k, "" if v is None else v) for k, v in value.items()), option, strings=True)
    return _dict_to_api(value, option)


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
    """A map of strings (labels, driver options, sysctls): a nested value is refused, not sent as "{'x': 1}"."""
    if not isinstance(value, dict):
        raise InvalidInput("%s: %s is a %s; give a mapping of KEY: VALUE, e.g. {key: 'value'}." % (option, _shown(value), type_name(value)))
    validate_option_keys(value, option, "max-size")
    for key, val in value.items():
        if _nested(val):
            raise InvalidInput("%s.%s: %s is a %s, not a string; give the value as a string, e.g. %s: 'text'."
                               % (option, key, _shown(val), type_name(val), key))
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
    # Whole numbers by the range of their Engine API field: every one fits int64; counts are 0 or more.
    "int": Kind(_int(INT64_MIN, INT64_MAX), lambda v: int(v) if v is not None else None, type="int"),
    "count": Kind(_int(0, INT64_MAX), lambda v: int(v) if v is not None else None, type="int"),
    # swarmkit keeps the Raft ticks as uint32; a tick of 0 would stop the heartbeat.
    "tick": Kind(_int(1, UINT32_MAX), lambda v: int(v) if v is not None else None, type="int"),
    "oom_score": Kind(_int(-1000, 1000), lambda v: int(v) if v is not None else None, type="int"),
    "float": Kind(_float, lambda v: float(v) if v is not None else None, type="float"),
    "ratio": Kind(_ratio, lambda v: float(v) if v is not None else None, type="float"),
    "bool": Kind(lambda v, o: bool(v), lambda v: bool(v) if v is not None else None, type="bool"),
    "duration": Kind(parse_duration, lambda v: int(v) if v is not None else None, format_duration, type="str"),
    "probe_duration": Kind(_probe_duration, lambda v: int(v) if v is not None else None, format_duration, type="str"),
    "dict": Kind(_dict_to_api, lambda v: dict(v or {}), type="dict"),
    "labels": Kind(_labels, lambda v: dict(v or {}), type="dict"),
    "sysctls": Kind(_sysctls, lambda v: dict(v or {}), type="dict"),
    "list": Kind(lambda v, o: [str(x) for x in v], lambda v: list(v or []), type="list", elements="str"),
    # Names without whitespace: a user, a driver; DNS search domains and options; supplementary groups (a set).
    "word": Kind(_word, lambda v: v if v != "" else None, type="str"),
    "words": Kind(_words, lambda v: list(v or []), type="list", elements="str"),
    "wordset": Kind(lambda v, o: sorted(_words(v, o)), lambda v: sorted(v or []), type="list", elements="str"),
    "ips": Kind(_ips, lambda v: list(v or []), type="list", elements="str"),
    "set": Kind(lambda v, o: sorted(str(x) for x in v), lambda v: sorted(v or []), type="list", elements="str"),
    "constraints": Kind(_constraints, lambda v: sorted(v or []), type="list", elements="str"),
    "signal": Kind(_signal, lambda v: v if v != "" else None, type="str"),
    "abspath": Kind(_abspath, lambda v: v if v != "" else None, type="str"),
    "argv": Kind(_argv, lambda v: list(v or [])),
    "caps": Kind(_caps, _canon_caps, type="list", elements="str"),
    "env": Kind(_env, lambda v: sorted(v or [])),
    "cpus": Kind(_cpus, lambda v: int(v or 0), lambda v: v / 10.0 ** 9, type="float"),
    "bytes": Kind(parse_size, lambda v: int(v or 0), type="str"),
    "memory_limit": Kind(_memory_limit, lambda v: int(v or 0), type="str"),
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

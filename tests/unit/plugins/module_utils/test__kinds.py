# Copyright: Beekeeper developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests for _kinds: every kind turns a good value into the Engine API's, and refuses a bad one with one
message that names the option and the fix (issue 9: no traceback, no value the engine finds wrong only later)."""

from __future__ import annotations

import pytest

from ansible_collections.beekeeper.swarm.plugins.module_utils._errors import InvalidInput
from ansible_collections.beekeeper.swarm.plugins.module_utils._kinds import INT64_MAX, KINDS, parse_duration, parse_size

S = 10 ** 9
D400 = "1" * 400

GOOD = [
    ("duration", "1m30s", 90 * S),
    ("duration", "2562047h", 2562047 * 3600 * S),
    ("duration", "9223372036854775807ns", INT64_MAX),
    ("duration", "0.000000001s", 1),
    ("duration", 0.5, S // 2),
    ("duration", 0.1, S // 10),
    ("probe_duration", "1ms", 10 ** 6),
    ("probe_duration", "0s", 0),
    ("bytes", "512M", 512 * 1024 ** 2),
    ("bytes", "1.5G", 3 * 1024 ** 3 // 2),
    ("bytes", "512 M", 512 * 1024 ** 2),
    ("bytes", INT64_MAX, INT64_MAX),
    ("bytes", 0, 0),
    ("memory_limit", "6M", 6 * 1024 ** 2),
    ("memory_limit", 0, 0),
    ("cpus", 0.000000001, 1),
    ("cpus", "0.5", S // 2),
    ("cpus", 2, 2 * S),
    ("cpus", 9223372036, 9223372036 * S),
    ("cpus", 0, 0),
    ("count", 0, 0),
    ("count", INT64_MAX, INT64_MAX),
    ("count", "7", 7),
    ("oom_score", -1000, -1000),
    ("oom_score", 1000, 1000),
    ("ratio", 0, 0.0),
    ("ratio", 1, 1.0),
    ("ratio", 0.25, 0.25),
    ("env", {"B": 2, "A": None}, ["A=", "B=2"]),
    ("env", ["X=1", "Y="], ["X=1", "Y="]),
    ("hosts", {"db": "10.0.0.5", "v6": "::1"}, ["10.0.0.5 db", "::1 v6"]),
    ("hosts", ["10.0.0.5 db db.internal"], ["10.0.0.5 db db.internal"]),
    ("preferences", [{"spread": "node.labels.zone"}, {"spread": "engine.labels.rack"}],
     [{"Spread": {"SpreadDescriptor": "node.labels.zone"}}, {"Spread": {"SpreadDescriptor": "engine.labels.rack"}}]),
    ("labels", {"com.example.zone": "eu", "empty": None}, {"com.example.zone": "eu", "empty": ""}),
    ("dict", {"max-size": "10m", "max-file": 3, "compress": True}, {"max-size": "10m", "max-file": "3", "compress": "True"}),
    ("sysctls", {"net.core.somaxconn": 1024, "kernel.shmmax": "1", "fs.mqueue.msg_max": "10", "net/ipv4/ip_forward": "1"},
     {"net.core.somaxconn": "1024", "kernel.shmmax": "1", "fs.mqueue.msg_max": "10", "net/ipv4/ip_forward": "1"}),
    ("caps", ["net_admin", "CAP_SYS_PTRACE", "CHECKPOINT_RESTORE"], ["CAP_CHECKPOINT_RESTORE", "CAP_NET_ADMIN", "CAP_SYS_PTRACE"]),
    ("caps", ["all"], ["ALL"]),
    ("signal", "SIGTERM", "SIGTERM"),
    ("signal", "term", "term"),
    ("signal", "15", "15"),
    ("signal", "SIGRTMIN+3", "SIGRTMIN+3"),
    ("signal", "SIGRTMAX-1", "SIGRTMAX-1"),
    ("abspath", "/app", "/app"),
    ("abspath", "C:\\app", "C:\\app"),
    ("ips", ["8.8.8.8", "2001:4860:4860::8888"], ["8.8.8.8", "2001:4860:4860::8888"]),
    ("argv", "sh -c 'echo hi'", ["sh", "-c", "echo hi"]),
    ("argv", ["sleep", 10], ["sleep", "10"]),
    ("argv", ["echo", ""], ["echo", ""]),
    ("healthtest", "curl -f http://localhost/", ["CMD-SHELL", "curl -f http://localhost/"]),
    ("healthtest", ["NONE"], ["NONE"]),
    ("healthtest", ["pg_isready", "-U", "app"], ["CMD", "pg_isready", "-U", "app"]),
    ("healthtest", [], []),
    ("constraints", ["node.role == manager", "node.ip!=10.0.0.0/24", "engine.labels.os==linux", "node.platform.arch==x86_64"],
     ["engine.labels.os==linux", "node.ip!=10.0.0.0/24", "node.platform.arch==x86_64", "node.role == manager"]),
    ("constraints", ["node.labels.zone==eu-*", "node.hostname!=worker-1"], ["node.hostname!=worker-1", "node.labels.zone==eu-*"]),
    ("generic", [{"kind": "gpu", "value": 2}, {"kind": "gpu", "value": "GPU-8a1f"}],
     [{"DiscreteResourceSpec": {"Kind": "gpu", "Value": 2}}, {"NamedResourceSpec": {"Kind": "gpu", "Value": "GPU-8a1f"}}]),
    ("ulimits", [{"name": "nofile", "soft": 1024, "hard": -1}, {"name": "core", "soft": -1, "hard": -1}],
     [{"Name": "core", "Soft": -1, "Hard": -1}, {"Name": "nofile", "Soft": 1024, "Hard": -1}]),
    ("mounts", [{"type": "bind", "source": "/srv/data", "target": "/data"}],
     [{"Type": "bind", "Source": "/srv/data", "Target": "/data", "ReadOnly": False}]),
    ("mounts", [{"type": "tmpfs", "target": "/t", "tmpfs_mode": "1777"}],
     [{"Type": "tmpfs", "Target": "/t", "ReadOnly": False, "TmpfsOptions": {"Mode": 0o1777}}]),
    ("secrets", [{"source": "db", "mode": "0440", "uid": 1000, "resolved_id": "i"}],
     [{"SecretID": "i", "SecretName": "db", "File": {"Name": "db", "UID": "1000", "GID": "0", "Mode": 0o440}}]),
    ("configs", [{"source": "app", "mode": 0o400, "resolved_id": "i"}],
     [{"ConfigID": "i", "ConfigName": "app", "File": {"Name": "/app", "UID": "0", "GID": "0", "Mode": 0o400}}]),
]


@pytest.mark.parametrize("kind, value, api", GOOD, ids=["%s-%r" % (k, v) for k, v, _a in GOOD])
def test_a_good_value_becomes_the_api_value(kind, value, api):
    assert KINDS[kind].to_api(value, "opt") == api


BAD = [
    ('duration', 'update_config.delay', D400,
     "update_config.delay: '1111111111111111111111111111111111111...' is too long; the engine takes durations up to "
     '2562047h (about 292 years), e.g. 720h.'),
    ('duration', 'stop_grace_period', D400 + 's',
     "stop_grace_period: '1111111111111111111111111111111111111...' is too long; the engine takes durations up to "
     '2562047h (about 292 years), e.g. 720h.'),
    ('duration', 'healthcheck.interval', 10 ** 400,
     'healthcheck.interval: 1000000000000000000000000000000000000... is too long; the engine takes durations up to '
     '2562047h (about 292 years), e.g. 720h.'),
    ('duration', 'update_config.delay', float('inf'),
     'update_config.delay: inf is not a duration; use a number with a unit, e.g. 5s, 1m30s, 100ms, 2160h.'),
    ('duration', 'update_config.delay', float('nan'),
     'update_config.delay: nan is not a duration; use a number with a unit, e.g. 5s, 1m30s, 100ms, 2160h.'),
    ('duration', 'update_config.delay', '5s\n',
     "update_config.delay: '5s\n' is not a duration; use a number with a unit (ns, us, ms, s, m, h, d), e.g. 5s, "
     '1m30s, 100ms, 2160h.'),
    ('duration', 'update_config.delay', '2562048h',
     "update_config.delay: '2562048h' is too long; the engine takes durations up to 2562047h (about 292 years), "
     'e.g. 720h.'),
    ('duration', 'update_config.delay', 2 ** 63,
     'update_config.delay: 9223372036854775808 is too long; the engine takes durations up to 2562047h (about 292 '
     'years), e.g. 720h.'),
    ('duration', 'update_config.delay', '-1s',
     "update_config.delay: '-1s' is negative; durations are 0 or more, e.g. 5s."),
    ('probe_duration', 'healthcheck.interval', '500us',
     "healthcheck.interval: '500us' is shorter than the engine's minimum of 1ms; use 1ms or more, e.g. 5s."),
    ('bytes', 'limits.memory', D400,
     "limits.memory: '1111111111111111111111111111111111111...' is too large; the engine takes sizes up to 8388607T "
     '(int64 bytes), e.g. 512M, 1G.'),
    ('bytes', 'reservations.memory', 2 ** 63,
     'reservations.memory: 9223372036854775808 is too large; the engine takes sizes up to 8388607T (int64 bytes), '
     'e.g. 512M, 1G.'),
    ('bytes', 'reservations.memory', '10XB',
     "reservations.memory: '10XB' is not a size; use bytes or a number with a unit (K, M, G, T), e.g. 512M, 1G."),
    ('bytes', 'reservations.memory', '512M\n',
     "reservations.memory: '512M\n' is not a size; use bytes or a number with a unit (K, M, G, T), e.g. 512M, 1G."),
    ('bytes', 'reservations.memory', -1,
     'reservations.memory: -1 is negative; use bytes or a number with a unit, e.g. 512M, 1G.'),
    ('memory_limit', 'limits.memory', '1M',
     "limits.memory: '1M' is below the engine's minimum memory limit of 6M; use 6M or more, e.g. 512M, or 0 for no "
     'limit.'),
    ('cpus', 'limits.cpus', float('inf'),
     'limits.cpus: inf is too many CPUs; the engine takes up to 9223372036 (int64 NanoCPUs), e.g. 0.5 or 2.'),
    ('cpus', 'limits.cpus', 'inf',
     'limits.cpus: inf is too many CPUs; the engine takes up to 9223372036 (int64 NanoCPUs), e.g. 0.5 or 2.'),
    ('cpus', 'limits.cpus', float('nan'),
     "limits.cpus: 'nan' is not a number of CPUs; use e.g. 0.5 or 2."),
    ('cpus', 'limits.cpus', 1e300,
     'limits.cpus: 1e+300 is too many CPUs; the engine takes up to 9223372036 (int64 NanoCPUs), e.g. 0.5 or 2.'),
    ('cpus', 'limits.cpus', 1e-10,
     'limits.cpus: 1e-10 is less than one NanoCPU, which the engine takes as 0 (no limit); use 0.000000001 or more, '
     'e.g. 0.5, or 0 for none.'),
    ('cpus', 'reservations.cpus', -0.5,
     'reservations.cpus: -0.5 is negative; use a number of CPUs such as 0.5.'),
    ('cpus', 'reservations.cpus', 'lots',
     "reservations.cpus: 'lots' is not a number of CPUs; use e.g. 0.5 or 2."),
    ('cpus', 'reservations.cpus', True,
     'reservations.cpus: True is not a number of CPUs; use e.g. 0.5 or 2.'),
    ('count', 'replicas', -1,
     'replicas: -1 is negative; use 0 or more.'),
    ('count', 'replicas', 2 ** 63,
     'replicas: 9223372036854775808 is out of range; use a whole number from 0 to 9223372036854775807.'),
    ('count', 'healthcheck.retries', -1,
     'healthcheck.retries: -1 is negative; use 0 or more.'),
    ('count', 'restart_policy.max_attempts', 2 ** 64,
     'restart_policy.max_attempts: 18446744073709551616 is out of range; use a whole number from 0 to '
     '9223372036854775807.'),
    ('count', 'placement.max_replicas', -1,
     'placement.max_replicas: -1 is negative; use 0 or more.'),
    ('count', 'update_config.parallelism', -1,
     'update_config.parallelism: -1 is negative; use 0 or more.'),
    ('count', 'limits.pids', -1,
     'limits.pids: -1 is negative; use 0 or more.'),
    ('count', 'max_concurrent', 'x',
     "max_concurrent: 'x' is not a whole number; use e.g. 1."),
    ('count', 'total_completions', True,
     "total_completions: 'True' is not a whole number; use e.g. 1."),
    ('oom_score', 'oom_score_adj', 1001,
     'oom_score_adj: 1001 is out of range; use a whole number from -1000 to 1000.'),
    ('oom_score', 'oom_score_adj', -1001,
     'oom_score_adj: -1001 is out of range; use a whole number from -1000 to 1000.'),
    ('int', 'task_history_limit', 2 ** 63,
     'task_history_limit: 9223372036854775808 is out of range; use a whole number from -9223372036854775808 to '
     '9223372036854775807.'),
    ('ratio', 'update_config.max_failure_ratio', float('nan'),
     'update_config.max_failure_ratio: nan is not a fraction from 0 to 1; use e.g. 0.2 (a fifth of the tasks), or 0 '
     'to allow none.'),
    ('ratio', 'update_config.max_failure_ratio', 1.5,
     'update_config.max_failure_ratio: 1.5 is not a fraction from 0 to 1; use e.g. 0.2 (a fifth of the tasks), or 0 '
     'to allow none.'),
    ('ratio', 'rollback_config.max_failure_ratio', -0.1,
     'rollback_config.max_failure_ratio: -0.1 is not a fraction from 0 to 1; use e.g. 0.2 (a fifth of the tasks), '
     'or 0 to allow none.'),
    ('float', 'opt', float('inf'),
     'opt: inf is not a finite number; use e.g. 0.5.'),
    ('env', 'env', 42,
     'env: 42 is a number; give a mapping (e.g. LOG_LEVEL: debug) or a list of KEY=VALUE strings (e.g. '
     "['LOG_LEVEL=debug'])."),
    ('env', 'env', 'A=1',
     "env: 'A=1' is a string; give a mapping (e.g. LOG_LEVEL: debug) or a list of KEY=VALUE strings (e.g. ['A=1'])."),
    ('env', 'env', ['NOVALUE'],
     "env[0]: 'NOVALUE' has no '='; write KEY=VALUE, or give env as a mapping."),
    ('env', 'env', ['=x'],
     "env[0]: '' is not a variable name; a name is not empty and has no '=' or spaces, e.g. LOG_LEVEL."),
    ('env', 'env', [{'A': 1}],
     "env[0]: {'A': 1} is a mapping; write KEY=VALUE as a string, e.g. 'LOG_LEVEL=debug'."),
    ('env', 'env', {'A': {'x': 1}},
     "env.A: {'x': 1} is a mapping, not a string; give the value as a string, e.g. A: 'text'."),
    ('env', 'env', {'MY VAR': '1'},
     "env: 'MY VAR' is not a variable name; a name is not empty and has no '=' or spaces, e.g. LOG_LEVEL."),
    ('env', 'env', {'': '1'},
     "env: '' is not a variable name; a name is not empty and has no '=' or spaces, e.g. LOG_LEVEL."),
    ('hosts', 'hosts', 5,
     "hosts: 5 is a number; give a mapping of hostname to IP (e.g. myhost: 1.2.3.4) or a list of 'IP HOSTNAME' "
     "lines (e.g. ['1.2.3.4 myhost'])."),
    ('hosts', 'hosts', '1.2.3.4 myhost',
     "hosts: '1.2.3.4 myhost' is a string; give a mapping of hostname to IP (e.g. myhost: 1.2.3.4) or a list of 'IP "
     "HOSTNAME' lines (e.g. ['1.2.3.4 myhost'])."),
    ('hosts', 'hosts', 'myhost',
     "hosts: 'myhost' is a string; give a mapping of hostname to IP (e.g. myhost: 1.2.3.4) or a list of 'IP "
     "HOSTNAME' lines (e.g. ['1.2.3.4 myhost'])."),
    ('hosts', 'hosts', {'myhost': '1.2.3.999'},
     "hosts.myhost: '1.2.3.999' is not an IP address; write e.g. 10.0.0.5."),
    ('hosts', 'hosts', {'my host': '1.2.3.4'},
     "hosts: 'my host' is not a hostname; use letters, digits, '-', '_' and '.', e.g. db.internal."),
    ('hosts', 'hosts', ['1.2.3.4'],
     "hosts[0]: '1.2.3.4' is not an 'IP HOSTNAME' line; write e.g. '1.2.3.4 myhost'."),
    ('hosts', 'hosts', ['myhost 1.2.3.4'],
     "hosts[0]: 'myhost' is not an IP address; write e.g. '1.2.3.4 myhost'."),
    ('hosts', 'hosts', [5],
     "hosts[0]: '5' is not an 'IP HOSTNAME' line; write e.g. '1.2.3.4 myhost'."),
    ('preferences', 'placement.preferences', [{}],
     'placement.preferences[0].spread: missing; name the node label to spread the tasks over, e.g. spread: '
     'node.labels.zone.'),
    ('preferences', 'placement.preferences', [{'spread': ''}],
     'placement.preferences[0].spread: missing; name the node label to spread the tasks over, e.g. spread: '
     'node.labels.zone.'),
    ('preferences', 'placement.preferences', [{'spread': 'node.labels.my zone'}],
     "placement.preferences[0].spread: 'node.labels.my zone' is not a label the scheduler spreads over; use "
     'node.labels.KEY or engine.labels.KEY, e.g. node.labels.zone.'),
    ('labels', 'labels', {'key with space': 'x'},
     "labels: 'key with space' is not a valid label key; use letters, digits, '.', '-', '_' and '/', starting and "
     'ending with a letter or digit (for example com.example.zone).'),
    ('labels', 'labels', {'': 'x'},
     'labels: a key is empty; every key needs a name.'),
    ('labels', 'labels', {'zone\n': 'x'},
     "labels: 'zone\\n' is not a valid label key; use letters, digits, '.', '-', '_' and '/', starting and ending "
     'with a letter or digit (for example com.example.zone).'),
    ('labels', 'container_labels', {'a': {'x': 1}},
     "container_labels.a: a mapping is not a label value; label values are strings, e.g. container_labels: {a: 'eu-1'}."),
    ('labels', 'container_labels', {'a': ['x']},
     "container_labels.a: a list is not a label value; label values are strings, e.g. container_labels: {a: 'eu-1'}."),
    ('labels', 'labels', {'a': 1},
     "labels.a: 1 is not a string (int); quote it in YAML (for example '1')."),
    ('dict', 'logging.options', {'max-size': {'x': 1}},
     "logging.options.max-size: {'x': 1} is a mapping, not a string; give the value as a string, e.g. max-size: "
     "'text'."),
    ('dict', 'logging.options', 5,
     "logging.options: 5 is a number; give a mapping of KEY: VALUE, e.g. {key: 'value'}."),
    ('sysctls', 'sysctls', {'net.core.somaxconn': {'x': 1}},
     "sysctls.net.core.somaxconn: {'x': 1} is a mapping, not a string; give the value as a string, e.g. "
     "net.core.somaxconn: 'text'."),
    ('sysctls', 'sysctls', {'net.ipv4.ip_forward': True},
     'sysctls.net.ipv4.ip_forward: True is not a sysctl value; give the value the kernel takes as a string or '
     "number, e.g. '1'."),
    ('sysctls', 'sysctls', {'net.ipv4.ip_forward': ''},
     "sysctls.net.ipv4.ip_forward: '' is not a sysctl value; give the value the kernel takes as a string or number, "
     "e.g. '1'."),
    ('sysctls', 'sysctls', {'vm.swappiness': '10'},
     "sysctls: 'vm.swappiness' is not a sysctl a task can set in its own namespace; use net.*, fs.mqueue.* or a "
     'kernel IPC setting (kernel.shmmax, kernel.sem...), e.g. net.core.somaxconn.'),
    ('sysctls', 'sysctls', {'somaxconn': '10'},
     "sysctls: 'somaxconn' is not a sysctl a task can set in its own namespace; use net.*, fs.mqueue.* or a kernel "
     'IPC setting (kernel.shmmax, kernel.sem...), e.g. net.core.somaxconn.'),
    ('caps', 'cap_add', ['NOT_A_CAP'],
     "cap_add[0]: 'NOT_A_CAP' is not a Linux capability the engine knows; use one such as NET_ADMIN, SYS_PTRACE or "
     'ALL (with or without CAP_).'),
    ('caps', 'cap_add', [''],
     'cap_add[0]: empty; name a capability, e.g. NET_ADMIN (or ALL).'),
    ('caps', 'cap_drop', ['NET_ADMN'],
     "cap_drop[0]: 'NET_ADMN' is not a Linux capability the engine knows (did you mean CAP_NET_ADMIN?); use one "
     'such as NET_ADMIN, SYS_PTRACE or ALL (with or without CAP_).'),
    ('caps', 'cap_drop', ['CAP_NET_ADMIN '],
     "cap_drop[0]: 'CAP_NET_ADMIN ' is not a Linux capability the engine knows (did you mean CAP_NET_ADMIN?); use "
     'one such as NET_ADMIN, SYS_PTRACE or ALL (with or without CAP_).'),
    ('signal', 'stop_signal', 'SIGFOO',
     "stop_signal: 'SIGFOO' is not a signal the engine knows; use a name or number such as SIGTERM, SIGINT, "
     'SIGQUIT, SIGRTMIN+3 or 15.'),
    ('signal', 'stop_signal', '0',
     "stop_signal: '0' is not a signal the engine knows; use a name or number such as SIGTERM, SIGINT, SIGQUIT, "
     'SIGRTMIN+3 or 15.'),
    ('signal', 'stop_signal', '65',
     "stop_signal: '65' is not a signal the engine knows; use a name or number such as SIGTERM, SIGINT, SIGQUIT, "
     'SIGRTMIN+3 or 15.'),
    ('signal', 'stop_signal', 'SIGTERM\n',
     "stop_signal: 'SIGTERM\n' is not a signal the engine knows (did you mean SIGTERM?); use a name or number such "
     'as SIGTERM, SIGINT, SIGQUIT, SIGRTMIN+3 or 15.'),
    ('signal', 'stop_signal', 'SIGTREM',
     "stop_signal: 'SIGTREM' is not a signal the engine knows (did you mean SIGTERM?); use a name or number such as "
     'SIGTERM, SIGINT, SIGQUIT, SIGRTMIN+3 or 15.'),
    ('abspath', 'workdir', 'app',
     "workdir: 'app' is not an absolute path; the engine needs one, e.g. /app."),
    ('abspath', 'workdir', '',
     "workdir: '' is not an absolute path; the engine needs one, e.g. /app."),
    ('mounts', 'mounts', [{'target': 'data'}],
     "mounts[0].target: 'data' is not an absolute path; the engine needs one, e.g. /data."),
    ('mounts', 'mounts', [{'type': 'bind', 'source': 'data', 'target': '/d'}],
     "mounts[0].source: 'data' is not an absolute path; the engine needs one, e.g. /srv/data."),
    ('mounts', 'mounts', [{'type': 'bind', 'target': '/d'}],
     'mounts[0].source: a bind mount needs the path on the node; set source.'),
    ('mounts', 'mounts', [{'type': 'tmpfs', 'target': '/t', 'tmpfs_size': D400}],
     "mounts[0].tmpfs_size: '1111111111111111111111111111111111111...' is too large; the engine takes sizes up to "
     '8388607T (int64 bytes), e.g. 512M, 1G.'),
    ('mounts', 'mounts', [{'type': 'tmpfs', 'target': '/t', 'tmpfs_mode': '0999'}],
     "mounts[0].tmpfs_mode: '0999' is not a file mode; use octal as a string, e.g. '0440'."),
    ('mounts', 'mounts', [{'type': 'tmpfs', 'target': '/t', 'tmpfs_mode': 0o17777}],
     "mounts[0].tmpfs_mode: 0o17777 is out of range; file modes are octal from '0000' to '7777', e.g. '0440'."),
    ('mounts', 'mounts', [{'type': 'tmpfs', 'target': '/t', 'tmpfs_mode': True}],
     "mounts[0].tmpfs_mode: 'True' is not a file mode; use octal as a string, e.g. '0440'."),
    ('mounts', 'mounts', [{'target': '/v', 'volume_options': {'o': {'x': 1}}}],
     "mounts[0].volume_options.o: {'x': 1} is a mapping, not a string; give the value as a string, e.g. o: 'text'."),
    ('mounts', 'mounts', [{'target': '/v', 'volume_labels': {'bad key': 'x'}}],
     "mounts[0].volume_labels: 'bad key' is not a valid label key; use letters, digits, '.', '-', '_' and '/', "
     'starting and ending with a letter or digit (for example com.example.zone).'),
    ('networks', 'networks', [{'resolved_id': 'n', 'driver_opts': {'mtu': [1]}}],
     "networks[0].driver_opts.mtu: [1] is a list, not a string; give the value as a string, e.g. mtu: 'text'."),
    ('networks', 'networks', [{'resolved_id': 'n', 'aliases': ['']}],
     'networks[0].aliases[0]: empty; give a DNS name, e.g. www.'),
    ('generic', 'reservations.generic_resources', [{'kind': 'gpu', 'value': -1}],
     'reservations.generic_resources[0].value: -1 is negative; a discrete resource is a count of 0 or more, e.g. 2.'),
    ('generic', 'reservations.generic_resources', [{'kind': 'gpu', 'value': ''}],
     "reservations.generic_resources[0].value: '' is empty; give a count (a discrete resource, e.g. 2) or a name (a "
     'named resource, e.g. GPU-8a1f).'),
    ('generic', 'reservations.generic_resources', [{'kind': 'gpu', 'value': 1.5}],
     'reservations.generic_resources[0].value: 1.5 is a number; give a count (a discrete resource, e.g. 2) or a '
     'name (a named resource, e.g. GPU-8a1f).'),
    ('generic', 'reservations.generic_resources', [{'kind': 'gpu', 'value': True}],
     'reservations.generic_resources[0].value: True is a boolean; give a count (a discrete resource, e.g. 2) or a '
     'name (a named resource, e.g. GPU-8a1f).'),
    ('generic', 'reservations.generic_resources', [{'kind': '', 'value': 1}],
     'reservations.generic_resources[0].kind: empty; name the resource kind the nodes advertise, e.g. gpu.'),
    ('argv', 'command', '',
     "command: empty; give the command as a list or a string, e.g. 'sleep 10', or leave command out for the image's "
     'default.'),
    ('argv', 'entrypoint', '   ',
     "entrypoint: empty; give the command as a list or a string, e.g. 'sleep 10', or leave entrypoint out for the "
     "image's default."),
    ('argv', 'command', [''],
     "command[0]: empty; the first item is the program to run, e.g. [sleep, '10'] (leave command out for the "
     "image's default)."),
    ('argv', 'command', ['sleep', {'a': 1}],
     "command[1]: {'a': 1} is a mapping, not a string; give each argument as a string, e.g. [sleep, '10']."),
    ('argv', 'entrypoint', True,
     "entrypoint: True is a boolean; give a list or a string, e.g. [sleep, '10'] or 'sleep 10'."),
    ('argv', 'command', 'echo "unclosed',
     'command: cannot split \'echo "unclosed\' into arguments (No closing quotation); give a list instead.'),
    ('healthtest', 'healthcheck.test', 5,
     'healthcheck.test: 5 is a number; give a command string (run by the shell) or a list (run directly), e.g. '
     "'curl -f http://localhost/' or [curl, -f, 'http://localhost/']."),
    ('healthtest', 'healthcheck.test', '',
     "healthcheck.test: empty; give a shell command, e.g. 'curl -f http://localhost/ || exit 1', or [NONE] to turn "
     "the image's check off."),
    ('healthtest', 'healthcheck.test', {'cmd': 'x'},
     "healthcheck.test: {'cmd': 'x'} is a mapping; give a command string (run by the shell) or a list (run "
     "directly), e.g. 'curl -f http://localhost/' or [curl, -f, 'http://localhost/']."),
    ('healthtest', 'healthcheck.test', ['CMD'],
     "healthcheck.test: CMD needs the command after it; write e.g. [CMD, 'curl -f http://localhost/']."),
    ('healthtest', 'healthcheck.test', ['NONE', 'x'],
     'healthcheck.test: NONE turns the check off and takes nothing after it; write [NONE], or drop NONE.'),
    ('healthtest', 'healthcheck.test', ['CMD-SHELL', 'a', 'b'],
     "healthcheck.test: CMD-SHELL takes one command string; write [CMD-SHELL, 'a b'] or use CMD with a list."),
    ('healthtest', 'healthcheck.test', ['curl', None],
     'healthcheck.test[1]: None is a null value, not a string; give each argument as a string.'),
    ('ips', 'dns.nameservers', ['dns.google'],
     "dns.nameservers[0]: 'dns.google' is not an IP address; write e.g. 8.8.8.8."),
    ('ips', 'dns.nameservers', ['8.8.8.8', '1.1.1.300'],
     "dns.nameservers[1]: '1.1.1.300' is not an IP address; write e.g. 8.8.8.8."),
    ('secrets', 'secrets', [{'source': 's', 'mode': '0999'}],
     "secrets[0].mode: '0999' is not a file mode; use octal as a string, e.g. '0440'."),
    ('secrets', 'secrets', [{'source': 's', 'mode': 0o10000}],
     "secrets[0].mode: 0o10000 is out of range; file modes are octal from '0000' to '7777', e.g. '0440'."),
    ('secrets', 'secrets', [{'source': 's', 'mode': 4.5}],
     "secrets[0].mode: '4.5' is not a file mode; use octal as a string, e.g. '0440'."),
    ('secrets', 'secrets', [{'source': 's', 'uid': -1}],
     'secrets[0].uid: -1 is not a user ID; use a number from 0 to 4294967295, e.g. 0 (root).'),
    ('configs', 'configs', [{'source': 'c', 'gid': 2 ** 32}],
     'configs[0].gid: 4294967296 is not a group ID; use a number from 0 to 4294967295, e.g. 0 (root).'),
    ('configs', 'configs', [{'source': ''}],
     'configs[0].source: empty; name the config, e.g. source: db_password.'),
    ('ulimits', 'ulimits', [{'name': 'nofiles', 'soft': 1}],
     "ulimits[0].name: 'nofiles' is not a resource limit the engine knows (did you mean nofile?); use one of core, "
     'cpu, data, fsize, locks, memlock, msgqueue, nice, nofile, nproc, rss, rtprio, rttime, sigpending, stack.'),
    ('ulimits', 'ulimits', [{'name': 'nofile', 'soft': 10, 'hard': 5}],
     'ulimits[0].soft: 10 is above the hard limit 5; use a soft limit up to the hard one (-1 is unlimited).'),
    ('ulimits', 'ulimits', [{'name': 'nofile', 'soft': -2}],
     'ulimits[0].soft: -2 is out of range; use a whole number from -1 to 9223372036854775807.'),
    ('ulimits', 'ulimits', [{'name': 'nofile', 'soft': 2 ** 63}],
     'ulimits[0].soft: 9223372036854775808 is out of range; use a whole number from -1 to 9223372036854775807.'),
    ('ulimits', 'ulimits', [{'name': 'nofile', 'soft': 1}, {'name': 'nofile', 'soft': 2}],
     'ulimits[1].name: nofile is given twice; give each limit once.'),
    ('constraints', 'placement.constraints', ['node.role=='],
     "placement.constraints[0]: 'node.role==' has no value after ==; write e.g. node.role==worker."),
    ('constraints', 'placement.constraints', ['==worker'],
     "placement.constraints[0]: '==worker' has no key before ==; write e.g. node.role==worker."),
    ('constraints', 'placement.constraints', ['node.role=worker'],
     "placement.constraints[0]: 'node.role=worker' has no == or !=; write KEY==VALUE or KEY!=VALUE, e.g. "
     'node.role==worker.'),
    ('constraints', 'placement.constraints', ['node.rol==worker'],
     "placement.constraints[0]: 'node.rol' is not a key the scheduler knows (did you mean node.role?); use node.id, "
     'node.hostname, node.ip, node.role, node.platform.os, node.platform.arch, node.labels.KEY or engine.labels.KEY.'),
    ('constraints', 'placement.constraints', ['node.role==boss'],
     "placement.constraints[0]: 'boss' is not a node role; write node.role==manager or node.role==worker."),
    ('constraints', 'placement.constraints', ['node.labels.zone==eu<1'],
     "placement.constraints[0]: 'eu<1' is not a value the scheduler takes; use letters, digits, spaces and . - _ : "
     '/ (or a pattern with * ? [ ] ( ) + ^ $ |), e.g. node.labels.zone==eu-1.'),
    ('constraints', 'placement.constraints', ['node.ip==10.0.0.300'],
     "placement.constraints[0]: '10.0.0.300' is not an IP address or a CIDR subnet; write e.g. node.ip==10.0.0.5 or "
     'node.ip==10.0.0.0/24.'),
    ('constraints', 'placement.constraints', ['node.labels.==x'],
     "placement.constraints[0]: 'node.labels.' is not a key the scheduler knows; use node.id, node.hostname, "
     'node.ip, node.role, node.platform.os, node.platform.arch, node.labels.KEY or engine.labels.KEY.'),
    ('ports', 'ports', [{'target': 0}],
     'ports[0].target: 0 is out of range; ports are 1-65535.'),
    ('ports', 'ports', [{'target': 80, 'published': 70000}],
     'ports[0].published: 70000 is out of range; ports are 1-65535.'),
]


@pytest.mark.parametrize("kind, option, value, message", BAD, ids=["%s-%s-%d" % (c[0], c[1], i) for i, c in enumerate(BAD)])
def test_a_bad_value_is_refused_naming_the_option_and_the_fix(kind, option, value, message):
    with pytest.raises(InvalidInput) as err:
        KINDS[kind].to_api(value, option)
    assert err.value.msg == message


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_kind_takes_its_own_canonical_empty_value(kind):
    # canon reads what the engine returns: it never refuses (an engine may know a capability this list does not).
    KINDS[kind].canon(None)


def test_canon_of_capabilities_does_not_validate():
    assert KINDS["caps"].canon(["CAP_SOMETHING_NEW", "net_admin"]) == ["CAP_NET_ADMIN", "CAP_SOMETHING_NEW"]


@pytest.mark.parametrize("text", ["5s\n", "5s\r", "\n5s"])
def test_a_duration_with_a_newline_is_not_a_duration(text):
    with pytest.raises(InvalidInput):
        parse_duration(text, "opt")


def test_int64_bounds_are_exact():
    assert parse_duration(INT64_MAX / 10 ** 9 // 1, "opt") <= INT64_MAX
    with pytest.raises(InvalidInput):
        parse_duration("9223372036854775808ns", "opt")
    assert parse_size(INT64_MAX, "opt") == INT64_MAX
    with pytest.raises(InvalidInput):
        parse_size(INT64_MAX + 1, "opt")
    assert KINDS["cpus"].to_api(9223372036.854775, "opt") <= INT64_MAX

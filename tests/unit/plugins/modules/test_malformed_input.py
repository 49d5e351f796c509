"""Property test: malformed input to any module fails with one clean message naming the option, before any engine is asked.

Every module's main() runs in process, without an engine (docker_host points at a socket that does not exist), on the
malformed tasks of tests/malformed.py - the fixed list as explicit examples, and more drawn by hypothesis from the same
families. For every task: no exception escapes main() other than the module's fail_json; the task failed; the message names
the option (its indexed path, dotted path or top-level name); it does not start with "Failed to connect" (getting as far as
connecting means validation accepted the value); no secret value of the task appears anywhere in the output.
All findings of a module are collected and reported in one assertion.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import json
import re
import sys
import traceback
from pathlib import Path
from unittest import mock

import docker
import pytest
from ansible.module_utils.testing import patch_module_args
from hypothesis import HealthCheck, Phase, example, given, settings

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))
import malformed  # noqa: E402

# Generated values per module, on top of the fixed list (which runs whole, as explicit examples).
MAX_EXAMPLES = 150

# Inputs the generator produces that are valid after all: (module or "*", option, repr(value)) -> why.
ACCEPTED = {
    # The engine's own meaning of -1 for a ulimit is "unlimited" (docker run --ulimit nofile=-1).
    ("swarm_service", "ulimits[0].soft", "-1"): "-1 is the engine's 'unlimited' for a ulimit",
    ("swarm_service", "ulimits[0].hard", "-1"): "-1 is the engine's 'unlimited' for a ulimit",
    # OomScoreAdj is -1000..1000; a negative value makes the kernel less likely to kill the task.
    ("swarm_service", "oom_score_adj", "-1"): "oom_score_adj takes -1000 to 1000",
    # PIDs limit: the container's PidsLimit takes 0 or -1 for unlimited.
    ("swarm_service", "limits.pids", "-1"): "-1 is unlimited, as 0",
    # A number is one argument, as YAML gives it (command: 5 runs the image's entrypoint with the argument "5").
    ("swarm_service", "command", "5"): "a number is one argument",
    ("swarm_service", "entrypoint", "5"): "a number is one argument",
    # An empty string is how a templated option says "not set" (DOCKER_HOST looked up from an environment without it):
    # the default socket, and TLS without that file (a CA or a client certificate is optional with tls: true).
    ("*", "docker_host", "''"): "'' is the default socket, as an unset DOCKER_HOST",
    ("*", "ca_path", "''"): "'' is no CA file: the system's CAs",
    ("*", "client_cert", "''"): "'' is no client certificate",
    ("*", "client_key", "''"): "'' is no client key",
    # Engine filters take a list of values for one key (label=a, label=b): a list is the documented form.
    ("swarm_info", "nodes_filters", "{'k': ['x']}"): "engine filters take a list of values per key",
    ("swarm_info", "services_filters", "{'k': ['x']}"): "engine filters take a list of values per key",
    ("swarm_info", "tasks_filters", "{'k': ['x']}"): "engine filters take a list of values per key",
}


def _accepted(case):
    return (case.module, case.option, repr(case.value)) in ACCEPTED or ("*", case.option, repr(case.value)) in ACCEPTED


class NoEngine:
    """Stands in for docker.APIClient: a value that gets as far as connecting (docker_host: "" means the default socket,
    where this machine may have an engine) never reaches one."""

    def __init__(self, *args, **kwargs):
        raise docker.errors.DockerException("the property test connects to no engine")


def run_module(case):
    """(result dict or None, exception text or None, stdout) of main() on the case's task, without an engine."""
    args = dict(case.args)
    args.setdefault("docker_host", malformed.NOWHERE)
    module = importlib.import_module("%s.modules.%s" % (malformed.PACKAGE, case.module))
    out = io.StringIO()
    error = None
    with patch_module_args(args), contextlib.redirect_stdout(out), mock.patch("docker.APIClient", NoEngine):
        try:
            module.main()
        except SystemExit:
            pass
        except Exception:  # noqa: BLE001 - any exception that escapes main() is the finding
            error = traceback.format_exc()
    text = out.getvalue()
    try:
        result = json.loads(text) if text.strip() else None
    except ValueError:
        result = None
    return result, error, text


def names_option(msg, case):
    """Whether the message names the option: its indexed path, its dotted path, or its top-level name as a word."""
    dotted = re.sub(r"\[\d+\]", "", case.option)
    if case.option in msg or dotted in msg:
        return True
    return re.search(r"(?<![A-Za-z0-9_])%s(?![A-Za-z0-9_])" % re.escape(case.top), msg) is not None


def problem(case):
    """What is wrong with the module's handling of the case, or None."""
    result, error, text = run_module(case)
    leaked = [s for s in malformed.SECRETS if s in text or (error and s in error)]
    if leaked:
        return "a secret value appears in the output: %s" % text[:300]
    if error:
        return "exception: %s" % error.strip().splitlines()[-1][:300]
    if result is None:
        return "no JSON result on stdout: %r" % text[:300]
    msg = str(result.get("msg", ""))
    if not result.get("failed"):
        return "succeeded: %s" % json.dumps(result, default=str)[:300]
    if "Traceback" in msg or "MODULE FAILURE" in msg:
        return "traceback in the message: %s" % msg[:300]
    # no_log masking can garble the start of the message (a short secret value is masked wherever it occurs).
    if msg.startswith("Failed to connect") or "to connect to the Docker engine" in msg:
        return None if _accepted(case) else "accepted (validation let it through to the engine connection)"
    if not names_option(msg, case):
        return "message does not name %s: %s" % (case.option, msg[:300])
    return None


def _short(value):
    text = repr(value)
    return text if len(text) <= 60 else "%s...(%d characters)" % (text[:40], len(text))


def report(name, findings):
    lines = ["%s: %d malformed inputs not handled cleanly:" % (name, len(findings))]
    for case, what in sorted(findings.values(), key=lambda f: (f[0].option, repr(f[0].value))):
        lines.append("  %s=%s: %s" % (case.option, _short(case.value), what))
    return "\n".join(lines)


@pytest.mark.parametrize("name", malformed.MODULES)
def test_malformed_input_fails_cleanly(name):
    findings = {}
    fixed = malformed.cases(name)
    fixed_keys = set(c.key for c in fixed)

    @settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None,
              phases=(Phase.explicit, Phase.generate), suppress_health_check=list(HealthCheck))
    @given(malformed.strategy(name))
    def sweep(case):
        what = problem(case)
        if what:
            # A drawn value adds a finding only for an option and kind of failure the fixed list has not shown.
            key = case.key if case.key in fixed_keys else (case.option, what.split(":")[0])
            findings.setdefault(key, (case, what))

    for case in fixed:
        sweep = example(case)(sweep)
    sweep()
    assert not findings, report(name, findings)


def test_generator_covers_every_option():
    """Every option of every module, sub-options and list items included, gets malformed values."""
    for name in malformed.MODULES:
        _spec, options = malformed.options(name)
        covered = set(c.option for c in malformed.cases(name))
        missing = [path for path, _g, _s, _e, _k in options if path not in covered]
        assert not missing, "%s: no malformed value for %s" % (name, missing)


def test_generator_is_deterministic():
    for name in malformed.MODULES:
        assert [c.key for c in malformed.sample(name, 30)] == [c.key for c in malformed.sample(name, 30)]

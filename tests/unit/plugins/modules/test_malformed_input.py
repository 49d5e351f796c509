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
        return None if malformed.accepted(case) else "accepted (validation let it through to the engine connection)"
    if not malformed.names_option(msg, case):
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

# Copyright: Beekeeper developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests for _service: the diff a change shows, the checks made before the module connects, and what a
failed wait after a write leaves (on_failure)."""

from __future__ import annotations

import copy
import json
import os

import pytest

from ansible_collections.beekeeper.swarm.plugins.module_utils import _service_spec as spec_table
from ansible_collections.beekeeper.swarm.plugins.module_utils._errors import EngineError, InvalidInput
from ansible_collections.beekeeper.swarm.plugins.module_utils._reconcile import Context, Plan
from ansible_collections.beekeeper.swarm.plugins.module_utils._service import SERVICE, _diff, _read_env_files, service_result, undo_note, undo_step, validate


def test_diff_of_an_update_shows_only_what_changes():
    before = {"image": "web:1", "replicas": 1, "env": ["A=1"]}
    after = {"image": "web:1", "replicas": 5, "env": ["A=1"]}
    assert _diff(before, after) == {"before": {"replicas": 1}, "after": {"replicas": 5}}


def test_diff_shows_an_option_only_one_side_has():
    # replicated -> global: the view of a global service has no replicas.
    before = {"mode": "replicated", "replicas": 3, "image": "web:1"}
    after = {"mode": "global", "image": "web:1"}
    assert _diff(before, after) == {"before": {"mode": "replicated", "replicas": 3}, "after": {"mode": "global", "replicas": None}}


def test_diff_of_a_create_or_remove_is_the_whole_spec():
    spec = {"image": "web:1", "replicas": 1}
    assert _diff({}, spec) == {"before": {}, "after": spec}
    assert _diff(spec, {}) == {"before": spec, "after": {}}


def test_diff_of_nothing_changed_is_empty():
    spec = {"image": "web:1", "replicas": 1}
    assert _diff(spec, dict(spec)) == {"before": {}, "after": {}}


# -- a failed wait after a write: remove again, roll back, or keep (on_failure) ------------------------

OLD = {"Name": "web", "TaskTemplate": {"ContainerSpec": {"Image": "busybox:1"}}, "Mode": {"Replicated": {"Replicas": 1}}}
NEW = {"Name": "web", "TaskTemplate": {"ContainerSpec": {"Image": "busybox:1", "Groups": ["nosuchgroup"]}},
       "Mode": {"Replicated": {"Replicas": 1}}}
PAUSED = {"State": "paused", "Message": "update paused due to failure or early termination of task t2"}
WAIT_FAILED = ("Failed to update service 'web': the engine paused the update (the engine said: update paused due to failure or "
               "early termination of task t2). Task errors: lab-n1: unable to find group nosuchgroup.")


def updated(status=None):
    """A service as the engine returns it after an update that did not converge (paused, unless ``status``)."""
    return {"ID": "s1", "Version": {"Index": 12}, "Spec": copy.deepcopy(NEW), "PreviousSpec": copy.deepcopy(OLD),
            "UpdateStatus": copy.deepcopy(PAUSED if status is None else status)}


@pytest.mark.parametrize("action, keep, service, since, step", [
    ("create", False, None, None, ("remove", None, None)),
    ("create", True, None, None, (None, "kept", None)),
    ("update", False, updated(), None, ("rollback", None, "paused")),
    ("update", True, updated(), None, (None, "kept", "paused")),
    # failure_action: rollback fired: the engine rolls back itself, so it is not rolled back twice (keep or not).
    ("update", False, updated({"State": "rollback_completed", "Message": "rollback completed"}), None,
     (None, "rolled_back_by_engine", "rollback_completed")),
    ("update", True, updated({"State": "rollback_started"}), None, (None, "rolled_back_by_engine", "rollback_started")),
    # The status read before our write is a leftover: it says nothing about this update.
    ("update", False, updated({"State": "rollback_completed"}), {"State": "rollback_completed"}, ("rollback", None, None)),
    ("update", False, None, None, (None, "gone", None)),
], ids=["create", "create-keep", "update", "update-keep", "engine-rolled-back", "engine-rolling-back-keep", "leftover-status", "gone"])
def test_what_a_failed_change_leaves_to_do(action, keep, service, since, step):
    assert undo_step(action, keep, service, since) == step


@pytest.mark.parametrize("outcome, action, state, error, note", [
    ("removed", "create", None, None,
     "Service 'web' was removed again (on_failure: rollback; on_failure: keep leaves a failed new service for inspection)."),
    ("kept", "create", None, None, "Service 'web' was left as it is for inspection (on_failure: keep); state: absent removes it."),
    ("remove_failed", "create", None, "Failed to remove service 'web': manager is down.",
     "Service 'web' could not be removed again (on_failure: rollback): Failed to remove service 'web': manager is down; remove it "
     "with state: absent."),
    ("rolled_back", "update", "paused", None,
     "Service 'web' was rolled back to its previous spec (on_failure: rollback; on_failure: keep leaves a failed update for "
     "inspection)."),
    ("kept", "update", "paused", None,
     "Service 'web' was left as it is for inspection (on_failure: keep), on the new spec with the update paused; rollback: true "
     "returns it to its previous spec."),
    ("rolled_back_by_engine", "update", "rollback_completed", None,
     "Service 'web' was rolled back to its previous spec by the engine (update_config.failure_action: rollback; update "
     "rollback_completed), so it was not rolled back again."),
    ("rollback_failed", "update", "paused", "Failed to roll back service 'web': rpc error: out of sequence",
     "Service 'web' could not be rolled back to its previous spec (on_failure: rollback): Failed to roll back service 'web': rpc "
     "error: out of sequence; roll it back with rollback: true."),
    ("gone", "update", None, None, "Service 'web' no longer exists, so nothing was removed or rolled back."),
])
def test_the_failed_result_says_what_was_done(outcome, action, state, error, note):
    assert undo_note(outcome, "web", action, state, error) == note


def failed_plan(action, on_failure="rollback"):
    data = dict(params=dict(name="web", on_failure=on_failure, wait_timeout=2), id="s1", since=None)
    return Plan("service", "web", action, **data)


@pytest.mark.parametrize("action, reports", [
    ("create", {}),  # the wait could not read the cluster: no verdict on the spec
    ("update", {"api": {}}),  # another service failed (run_many)
    ("update", {"web": {"state": "done"}, "api": {"state": "failed"}}),  # this one converged, another did not (run_many)
    ("rollback", {"web": {}}),  # rollback: true failing is not undone by rolling forward
    ("remove", {"web": {}}),
    (None, {"web": {}}),  # nothing was written: an unchanged service that does not settle
])
def test_nothing_is_undone_without_a_write_of_ours_the_wait_judged(action, reports):
    # No engine: the decision is made before anything is read or written.
    exc = EngineError(WAIT_FAILED, reports=reports)
    assert SERVICE.on_wait_failure(Context(None, check_mode=False), failed_plan(action), exc) is exc


# -- validate: every option through its kind before the module connects ---------------------------------


def params(**kw):
    base = dict(name="web", image="nginx:1.25", state="present", mode="replicated", endpoint_mode="vip")
    base.update(kw)
    return base


@pytest.mark.parametrize("kw, msg", [
    # The examples that created a service (or paused an update) before failing.
    (dict(cap_add=["NOT_A_CAP"]), "cap_add[0]: 'NOT_A_CAP' is not a Linux capability the engine knows; use one such as NET_ADMIN, "
                                  "SYS_PTRACE or ALL (with or without CAP_)."),
    (dict(cap_add=[""]), "cap_add[0]: empty; name a capability, e.g. NET_ADMIN (or ALL)."),
    (dict(stop_signal="SIGFOO"), "stop_signal: 'SIGFOO' is not a signal the engine knows; use a name or number such as SIGTERM, "
                                 "SIGINT, SIGQUIT, SIGRTMIN+3 or 15."),
    (dict(workdir="app"), "workdir: 'app' is not an absolute path; the engine needs one, e.g. /app."),
    (dict(mounts=[{"target": "data"}]), "mounts[0].target: 'data' is not an absolute path; the engine needs one, e.g. /data."),
    (dict(sysctls={"net.core.somaxconn": {"x": 1}}), "sysctls.net.core.somaxconn: {'x': 1} is a mapping, not a string; give the "
                                                     "value as a string, e.g. net.core.somaxconn: 'text'."),
    (dict(reservations={"generic_resources": [{"kind": "gpu", "value": -1}]}),
     "reservations.generic_resources[0].value: -1 is negative; a discrete resource is a count of 0 or more, e.g. 2."),
    (dict(args=[""]), "args: empty; give the arguments to append to the command, e.g. args: ['--verbose'], or leave args out."),
    (dict(args=["", "x"]), "args[0]: empty; the first argument is the program the image's entrypoint runs, e.g. args: [sleep, '10']."),
    (dict(logging={"driver": "json-file", "options": {"max-size": "10XB"}}),
     "logging.options.max-size: '10XB' is not a size the json-file driver takes; use a positive number with k, m or g, e.g. 10m."),
    # Tracebacks before.
    (dict(env=42), "env: 42 is a number; give a mapping (e.g. LOG_LEVEL: debug) or a list of KEY=VALUE strings (e.g. "
                   "['LOG_LEVEL=debug'])."),
    (dict(hosts=5), "hosts: 5 is a number; give a mapping of hostname to IP (e.g. myhost: 1.2.3.4) or a list of 'IP HOSTNAME' "
                    "lines (e.g. ['1.2.3.4 myhost'])."),
    (dict(hosts="1.2.3.4 myhost"), "hosts: '1.2.3.4 myhost' is a string; give a mapping of hostname to IP (e.g. myhost: 1.2.3.4) "
                                   "or a list of 'IP HOSTNAME' lines (e.g. ['1.2.3.4 myhost'])."),
    (dict(placement={"preferences": [{}]}), "placement.preferences[0].spread: missing; name the node label to spread the tasks "
                                            "over, e.g. spread: node.labels.zone."),
    (dict(placement={"constraints": ["node.role=="]}), "placement.constraints[0]: 'node.role==' has no value after ==; write e.g. "
                                                       "node.role==worker."),
    (dict(limits={"cpus": 1e-10}), "limits.cpus: 1e-10 is less than one NanoCPU, which the engine takes as 0 (no limit); use "
                                   "0.000000001 or more, e.g. 0.5, or 0 for none."),
    (dict(limits={"cpus": float("inf")}), "limits.cpus: inf is too many CPUs; the engine takes up to 9223372036 (int64 NanoCPUs), "
                                          "e.g. 0.5 or 2."),
    (dict(update_config={"max_failure_ratio": float("nan")}), "update_config.max_failure_ratio: nan is not a fraction from 0 to 1; "
                                                              "use e.g. 0.2 (a fifth of the tasks), or 0 to allow none."),
    (dict(labels={"key with space": "x"}), "labels: 'key with space' is not a valid label key; use letters, digits, '.', '-', '_' "
                                           "and '/', starting and ending with a letter or digit (for example com.example.zone)."),
    (dict(container_labels={"": "x"}), "container_labels: a key is empty; every key needs a name."),
    (dict(labels={"a": {"x": 1}}), "labels.a: a mapping is not a label value; label values are strings, e.g. labels: {a: 'eu-1'}."),
    (dict(env_files=["/tmp/a\x00b"]), "env_files[0]: '/tmp/a\\x00b' is not a file path (it has a NUL byte); give the path of a file "
                                      "of KEY=VALUE lines, e.g. /etc/app/app.env."),
    (dict(replicas=2 ** 63), "replicas: 9223372036854775808 is out of range; use a whole number from 0 to 9223372036854775807."),
    (dict(mode="replicated-job", total_completions=-1), "total_completions: -1 is negative; use 0 or more."),
    (dict(secrets=[{"source": "db", "mode": "0999"}]), "secrets[0].mode: '0999' is not a file mode; use octal as a string, e.g. '0440'."),
    (dict(networks=[{"name": "front", "driver_opts": {"mtu": [1]}}]),
     "networks[0].driver_opts.mtu: [1] is a list, not a string; give the value as a string, e.g. mtu: 'text'."),
])
def test_validate_refuses_before_any_write(kw, msg):
    with pytest.raises(InvalidInput) as err:
        validate(params(**kw))
    assert err.value.msg == msg


def test_validate_passes_a_full_valid_service_without_an_engine():
    validate(params(
        env={"A": 1}, hosts={"db": "10.0.0.5"}, labels={"a": "b"}, stop_signal="SIGQUIT", workdir="/app", cap_add=["NET_ADMIN"],
        networks=[{"name": "front"}], secrets=[{"source": "db"}], configs=["app.conf"], command="sleep", args=["10"],
        placement={"constraints": ["node.role==worker"], "preferences": [{"spread": "node.labels.zone"}]},
        logging={"driver": "json-file", "options": {"max-size": "10m", "max-file": 3}}, env_files=["/does/not/matter"],
        healthcheck={"test": ["CMD", "true"], "interval": "5s", "retries": 3}, limits={"cpus": 0.5, "memory": "512M"},
        mounts=[{"type": "bind", "source": "/srv", "target": "/srv"}], sysctls={"net.core.somaxconn": 1024},
    ))


@pytest.mark.parametrize("kw", [dict(state="absent"), dict(rollback=True)])
def test_validate_leaves_removal_and_rollback_alone(kw):
    validate(params(stop_signal="SIGFOO", **kw))


@pytest.mark.parametrize("text, msg", [
    ("A=1\nB\n", "env_files[0]: {path} line 2 has no '='; write KEY=VALUE."),
    ("=1\n", "env_files[0]: {path} line 1 has no variable name before '=' (or one with spaces); write KEY=VALUE, e.g. LOG_LEVEL=debug."),
])
def test_env_file_lines_are_checked(tmp_path, text, msg):
    path = tmp_path / "app.env"
    path.write_text(text)
    with pytest.raises(InvalidInput) as err:
        _read_env_files(dict(env_files=[str(path)]))
    assert err.value.msg == msg.format(path=path)


def test_env_wins_over_env_files(tmp_path):
    path = tmp_path / "app.env"
    path.write_text("# comment\nA=1\nB=2\n")
    assert _read_env_files(dict(env_files=[str(path)], env=["B=3"])) == {"A": "1", "B": "3"}


def test_an_env_file_that_is_not_text_is_named(tmp_path):
    path = tmp_path / "app.env"
    path.write_bytes(b"A=\xff\xfe\n")
    with pytest.raises(InvalidInput) as err:
        _read_env_files(dict(env_files=[str(path)]))
    assert err.value.msg.startswith("env_files[0]: '%s' is not a text file (" % path)


FIXTURES = os.path.join(os.path.dirname(__file__), "..", "..", "fixtures", "engine-20.10.24")


def _fixture(name):
    with open(os.path.join(FIXTURES, name)) as f:
        return json.load(f)


def test_the_result_names_the_vips_the_engine_gave():
    # Recorded on the VM lab: web publishes 8081 through the routing mesh, so its VIP is on ingress.
    service = _fixture("service-web-mesh.json")
    ingress = service["Endpoint"]["VirtualIPs"][0]["NetworkID"]
    out = service_result(service, spec_table.canonical(service["Spec"]), {ingress: "ingress"})
    assert out["virtual_ips"] == [{"network": "ingress", "address": "10.0.0.8/24"}]
    assert out["spec"]["endpoint_mode"] == "vip"


def test_a_dnsrr_service_has_no_vips_in_the_result():
    service = _fixture("service-web-updated.json")
    assert "virtual_ips" not in service_result(service, spec_table.canonical(service["Spec"]), {})

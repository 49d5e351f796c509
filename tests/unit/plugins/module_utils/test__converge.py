# Copyright: Beekeeper developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests for _converge: judging one look at a service, and when a wait ends.

The engine's answers are recorded looks (service, tasks, nodes) replayed in order: this tests the
judgement over them, not the engine; the lab tests run the same waits against real swarms.
"""

from __future__ import annotations

import pytest

from ansible_collections.beekeeper.swarm.plugins.module_utils import _converge as C
from ansible_collections.beekeeper.swarm.plugins.module_utils._errors import ConvergenceTimeout, EngineError

V2 = {"ContainerSpec": {"Image": "web:2"}}
V3 = {"ContainerSpec": {"Image": "web:3"}}
NODES = [{"ID": "n%d" % i, "Description": {"Hostname": "lab-n%d" % i}, "Status": {"State": "ready"},
          "Spec": {"Availability": "active", "Role": "worker"}} for i in (1, 2)]


def service(template, replicas=4, state=None):
    svc = {"ID": "s1", "Spec": {"Name": "web", "TaskTemplate": template, "Mode": {"Replicated": {"Replicas": replicas}}}}
    if state:
        svc["UpdateStatus"] = {"State": state, "Message": "update %s" % state}
    return svc


def task(template, state, desired="running", node="n1", err=None, slot=1):
    status = {"State": state, "Timestamp": "2026-11-23T07:00:0%dZ" % slot}
    if err:
        status.update(Err=err, ContainerStatus={"ExitCode": 3 if "exit" in err else 0})
    return {"Spec": template, "DesiredState": desired, "NodeID": node, "Slot": slot, "Status": status}


class Replay:
    """The engine's answers to the wait's reads, one look (service, tasks) after another; the last repeats."""

    def __init__(self, looks):
        self.looks, self.index = looks, -1

    def get(self, path, what, params=None):
        if path.startswith("/services/"):
            self.index = min(self.index + 1, len(self.looks) - 1)
            return self.looks[self.index][0]
        if path == "/tasks":
            return self.looks[self.index][1]
        return NODES

    @staticmethod
    def filters(**kw):
        return kw


def test_replicated_converged_only_when_every_wanted_task_runs_the_current_spec():
    tasks = [task(V2, "running", slot=s) for s in (1, 2, 3)] + [task(V2, "starting", slot=4)]
    done, report = C.assess(service(V2, state="completed"), tasks, NODES)
    assert (done, report["running"], report["wanted"]) == (False, 3, 4)
    tasks[-1] = task(V2, "running", slot=4)
    assert C.assess(service(V2, state="completed"), tasks, NODES)[0] is True


def test_a_task_on_an_older_spec_does_not_count():
    tasks = [task(V2, "running", slot=s) for s in (1, 2, 3)] + [task(V3, "running", slot=4)]
    done, report = C.assess(service(V2, state="completed"), tasks, NODES)
    assert (done, report["running"]) == (False, 3)


def test_a_rolled_back_update_fails_only_once_the_previous_spec_runs_again():
    failed_v3 = [task(V3, "failed", desired="shutdown", err="task: non-zero exit (3)", slot=s) for s in (1, 2)]
    half = failed_v3 + [task(V2, "running", slot=s) for s in (3, 4)] + [task(V2, "starting", slot=s) for s in (1, 2)]
    whole = failed_v3 + [task(V2, "running", slot=s) for s in (1, 2, 3, 4)]
    engine = Replay([(service(V2, state="rollback_completed"), half), (service(V2, state="rollback_completed"), whole)])
    with pytest.raises(EngineError) as exc:
        C.wait_converged(engine, "s1", timeout=30, interval=0.001)
    assert engine.index == 1, "the wait went on until the previous spec ran on every task"
    assert exc.value.msg == (
        "Failed to converge service 'web': the update failed and the engine rolled it back to the previous spec "
        "(the engine said: update rollback_completed); 4/4 tasks run the previous spec again. "
        "Task errors: lab-n1: task: non-zero exit (3).")


def test_a_rolled_back_update_that_does_not_settle_fails_at_the_deadline_saying_so():
    failed_v3 = [task(V3, "failed", desired="shutdown", err="task: non-zero exit (3)", slot=1)]
    half = failed_v3 + [task(V2, "running", slot=s) for s in (2, 3)]
    engine = Replay([(service(V2, state="rollback_completed"), half)])
    with pytest.raises(EngineError) as exc:
        C.wait_converged(engine, "s1", timeout=0.05, interval=0.001)
    assert "; only 2/4 tasks run the previous spec so far. Task errors: lab-n1: task: non-zero exit (3)." in exc.value.msg


def test_a_paused_update_fails_at_once():
    engine = Replay([(service(V3, state="paused"), [task(V3, "failed", desired="shutdown", err="task: non-zero exit (3)")]),
                     (service(V3, state="paused"), [])])
    with pytest.raises(EngineError) as exc:
        C.wait_converged(engine, "s1", timeout=30, interval=0.001)
    assert engine.index == 0
    assert exc.value.msg.startswith("Failed to converge service 'web': the engine paused the update (the engine said: update paused).")


def test_a_timeout_names_the_progress_and_the_engine_errors():
    engine = Replay([(service(V2, replicas=2), [task(V2, "pending", err="no suitable node (scheduling constraints not satisfied on 2 nodes)")])])
    with pytest.raises(ConvergenceTimeout) as exc:
        C.wait_converged(engine, "s1", timeout=0.02, interval=0.001)
    assert exc.value.msg == ("Timed out after 0.02s waiting for service 'web' to converge: 0/2 tasks running on the current spec. "
                             "Task errors: lab-n1: no suitable node (scheduling constraints not satisfied on 2 nodes).")

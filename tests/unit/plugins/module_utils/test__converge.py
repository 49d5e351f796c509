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
    """The engine's answers to the wait's reads, one look (service, tasks) after another; the last repeats.

    A look is what the wait reads each round: the service list, the task list, the node list."""

    def __init__(self, looks):
        self.looks, self.index = looks, -1

    def get(self, path, what, params=None):
        if path == "/services":
            self.index = min(self.index + 1, len(self.looks) - 1)
            return [self.looks[self.index][0]]
        if path == "/tasks":
            return [dict(t, ServiceID="s1") for t in self.looks[self.index][1]]
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


# -- this update, not an earlier one (a host-mode port change returned while the old port answered) -------

PORT_8080 = {"Ports": [{"TargetPort": 80, "PublishedPort": 8080, "PublishMode": "host"}]}


def test_a_rollout_is_judged_by_its_own_update_record_not_by_tasks_that_look_current():
    # A port change leaves the task template as it is: the old task looks current until the engine
    # records and completes the update that replaces it. Our write resets the UpdateStatus (None).
    running = [task(V2, "running", slot=1)]
    one = dict(service(V2, replicas=1), EndpointSpec=PORT_8080)
    looks = [(one, running), (dict(one, UpdateStatus={"State": "updating", "StartedAt": "t1"}), running),
             (dict(one, UpdateStatus={"State": "completed", "StartedAt": "t1"}), running)]
    engine = Replay(looks)
    C.wait_converged(engine, "s1", timeout=30, interval=0.001, rollout=True)
    assert engine.index == 2, "the wait went on until the engine completed this update"


def test_an_earlier_update_s_record_does_not_count_for_this_one():
    earlier = {"State": "completed", "StartedAt": "t0"}
    running = [task(V2, "running", slot=1)]
    looks = [(dict(service(V2, replicas=1), UpdateStatus=earlier), running),
             (dict(service(V2, replicas=1), UpdateStatus={"State": "completed", "StartedAt": "t1"}), running)]
    engine = Replay(looks)
    C.wait_converged(engine, "s1", timeout=30, interval=0.001, rollout=True, since=earlier)
    assert engine.index == 1


def test_a_change_applied_in_place_needs_no_update_record():
    engine = Replay([(service(V2, replicas=1), [task(V2, "running", slot=1)])])
    report = C.wait_converged(engine, "s1", timeout=30, interval=0.001, rollout=False)
    assert (engine.index, report["running"]) == (0, 1)


def test_a_rollout_the_engine_never_starts_times_out_saying_so():
    engine = Replay([(service(V2, replicas=1), [task(V2, "running", slot=1)])])
    with pytest.raises(ConvergenceTimeout) as exc:
        C.wait_converged(engine, "s1", timeout=0.05, interval=0.01, rollout=True)
    assert exc.value.msg == ("Timed out after 0.05s waiting for service 'web' to converge: 1/1 tasks running on the current spec, "
                             "update not started.")


@pytest.mark.parametrize("paths, before, after, expected", [
    ([("TaskTemplate", "ContainerSpec", "Env")], {"Mode": {"Replicated": {"Replicas": 2}}}, None, True),
    ([("EndpointSpec", "Ports")], {"Mode": {"Replicated": {"Replicas": 1}}}, None, True),
    ([("TaskTemplate", "ForceUpdate")], {"Mode": {"Global": {}}}, None, True),
    ([("Mode", "Replicated", "Replicas")], {"Mode": {"Replicated": {"Replicas": 1}}}, {"Mode": {"Replicated": {"Replicas": 3}}}, False),
    ([("Labels",)], {"Mode": {"Replicated": {"Replicas": 1}}}, None, False),
    ([("UpdateConfig", "Delay")], {"Mode": {"Replicated": {"Replicas": 1}}}, None, False),
    ([("TaskTemplate", "Placement", "Constraints")], {"Mode": {"Replicated": {"Replicas": 1}}}, None, False),
    ([("TaskTemplate", "ContainerSpec", "Image")], {"Mode": {"Replicated": {"Replicas": 0}}}, None, False),
    ([("TaskTemplate", "ContainerSpec", "Image")], {"Mode": {"Replicated": {"Replicas": 2}}}, {"Mode": {"Replicated": {"Replicas": 0}}}, False),
    ([("TaskTemplate", "ContainerSpec", "Image")], {"Mode": {"ReplicatedJob": {}}}, None, False),
    ([("TaskTemplate", "ContainerSpec", "Image")], None, {"Mode": {"Replicated": {"Replicas": 1}}}, False),
], ids=["env", "ports", "force-update-global", "scale", "labels", "update-config", "placement", "no-tasks-before",
        "no-tasks-after", "job", "create"])
def test_which_changes_make_the_engine_roll_the_tasks(paths, before, after, expected):
    assert C.rollout_expected(before, after if after is not None else before, paths) is expected


def test_a_placement_change_waits_until_no_task_runs_on_a_node_that_no_longer_matches():
    placed = {"ContainerSpec": {"Image": "web:2"}, "Placement": {"Constraints": ["node.hostname==lab-n2"]}}
    looks = [(service(placed, replicas=1), [task(placed, "running", node="n1")]),
             (service(placed, replicas=1), [task(placed, "shutdown", desired="shutdown", node="n1"), task(placed, "running", node="n2", slot=1)])]
    engine = Replay(looks)
    C.wait_converged(engine, "s1", timeout=30, interval=0.001)
    assert engine.index == 1


# -- many services in one loop --------------------------------------------------------------------------


class Cluster:
    """Many services' looks, one round after another; counts the reads each round makes."""

    def __init__(self, rounds):
        self.rounds, self.index, self.reads = rounds, -1, []

    def get(self, path, what, params=None):
        if path == "/services":
            self.index = min(self.index + 1, len(self.rounds) - 1)
        self.reads.append((self.index, path))
        services, tasks = self.rounds[self.index]
        if path == "/services":
            return services
        if path == "/tasks":
            return tasks
        return NODES

    filters = staticmethod(Replay.filters)


def named(sid, name, template, replicas=1, state=None):
    svc = service(template, replicas, state)
    svc["ID"], svc["Spec"]["Name"] = sid, name
    return svc


def on(sid, template, state="running", slot=1):
    return dict(task(template, state, slot=slot), ServiceID=sid)


def test_many_services_are_waited_for_with_one_read_of_each_list_per_round():
    ids = ["s%d" % i for i in range(20)]
    starting = [named(s, "web%s" % s, V2) for s in ids], [on(s, V2, "starting") for s in ids]
    half = starting[0], [on(s, V2, "running" if int(s[1:]) % 2 else "starting") for s in ids]
    whole = starting[0], [on(s, V2) for s in ids]
    engine = Cluster([starting, half, whole])
    reports = C.wait_services(engine, [C.ServiceWatch(s, name="web%s" % s) for s in ids], timeout=30, interval=0.001)
    assert sorted(reports) == sorted("web%s" % s for s in ids)
    assert all(r["running"] == 1 and r["state"] == "done" for r in reports.values())
    per_round = {}
    for index, path in engine.reads:
        per_round.setdefault(index, []).append(path)
    assert all(sorted(paths) == ["/nodes", "/services", "/tasks"] for paths in per_round.values()), per_round


def test_every_service_that_did_not_converge_is_named_with_its_errors():
    ids = ["s1", "s2", "s3"]
    bad = dict(on("s2", V2, "rejected"), DesiredState="shutdown")
    bad["Status"]["Err"] = "No such image: web:2"
    services = [named("s1", "ok", V2), named("s2", "broken", V2), named("s3", "paused", V3, state="paused")]
    tasks = [on("s1", V2), bad, on("s3", V2)]
    engine = Cluster([(services, tasks)])
    with pytest.raises(EngineError) as exc:
        C.wait_services(engine, [C.ServiceWatch(s) for s in ids], timeout=0.05, interval=0.01)
    assert exc.value.msg == (
        "2 of 3 did not converge: Failed to converge service 'paused': the engine paused the update (the engine said: "
        "update paused). Timed out after 0.05s waiting for service 'broken' to converge: 0/1 tasks running on the current "
        "spec. Task errors: lab-n1: No such image: web:2.")
    assert exc.value.details["reports"]["s1"]["state"] == "done"


def _frames(*chunks):
    """The engine's multiplexed log stream: per frame, the stream (1 stdout, 2 stderr), 3 zero bytes, the length."""
    return b"".join(bytes([stream, 0, 0, 0]) + len(text).to_bytes(4, "big") + text for stream, text in chunks)


def test_log_lines_read_the_multiplexed_stream_and_plain_text():
    from ansible_collections.beekeeper.swarm.plugins.module_utils import _api
    assert _api.log_lines(_frames((1, b"starting\n"), (2, b"boom: no config\r\n"), (1, b"\n"))) == ["starting", "boom: no config"]
    assert _api.log_lines(b"tty line one\r\ntty line two\n") == ["tty line one", "tty line two"]
    assert _api.log_lines(b"") == []


class LoggedReplay(Replay):
    """A Replay whose failed tasks ran containers and kept logs (or whose log reads fail: ``logs=None``)."""

    def __init__(self, looks, logs):
        super().__init__(looks)
        self.logs, self.log_reads = logs, []

    def get_bytes(self, path, what, params=None, timeout=None):
        self.log_reads.append((path, params["tail"]))
        if self.logs is None:
            raise EngineError("Failed to read the logs of task t1: the log driver keeps none")
        return self.logs


def _failed_with_container(template, slot, task_id):
    failed = task(template, "failed", desired="shutdown", err="task: non-zero exit (3)", slot=slot)
    failed["ID"] = task_id
    failed["Status"]["ContainerStatus"]["ContainerID"] = "c" + task_id
    return failed


def test_a_failed_wait_ends_with_the_last_log_lines_of_the_failed_tasks():
    tasks = [_failed_with_container(V3, 1, "t1aaaaaaaaaaaaaa"), task(V2, "running", slot=2), task(V2, "running", slot=3),
             task(V2, "running", slot=4), task(V2, "running", slot=1)]
    engine = LoggedReplay([(service(V2, state="rollback_completed"), tasks)], _frames((2, b"boom: no config\n"), (1, b"bye\n")))
    with pytest.raises(EngineError) as exc:
        C.wait_converged(engine, "s1", timeout=30, interval=0.001)
    assert exc.value.msg.endswith(
        "Task errors: lab-n1: task: non-zero exit (3). Last log lines of web's failed task t1aaaaaaaaaa on lab-n1: boom: no config | bye.")
    assert engine.log_reads == [("/tasks/t1aaaaaaaaaaaaaa/logs", C.LOG_TAIL)]
    assert exc.value.details["converge"]["logs"] == {"t1aaaaaaaaaaaaaa": ["boom: no config", "bye"]}


def test_logs_the_engine_cannot_give_leave_the_message_as_it_was():
    tasks = [_failed_with_container(V3, 1, "t1aaaaaaaaaaaaaa")] + [task(V2, "running", slot=s) for s in (1, 2, 3, 4)]
    engine = LoggedReplay([(service(V2, state="rollback_completed"), tasks)], None)
    with pytest.raises(EngineError) as exc:
        C.wait_converged(engine, "s1", timeout=30, interval=0.001)
    assert exc.value.msg.endswith("Task errors: lab-n1: task: non-zero exit (3).")
    assert "logs" not in exc.value.details["converge"]


def test_a_converged_wait_reads_no_logs():
    tasks = [_failed_with_container(V2, 1, "t1aaaaaaaaaaaaaa")] + [task(V2, "running", slot=s) for s in (1, 2, 3, 4)]
    engine = LoggedReplay([(service(V2, state="completed"), tasks)], _frames((1, b"old\n")))
    C.wait_converged(engine, "s1", timeout=30, interval=0.001)
    assert engine.log_reads == []

# Copyright: Beekeeper developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to this collection: waiting until a service has really converged, and saying why not.

Converged means, for the service's current spec:
  - replicated: the update (if any) completed, and exactly ``replicas`` tasks are meant to run and
    do run, every one of them on the current task spec, on a node that matches the constraints;
  - global: one running task on the current spec on every node that can take it (ready, active,
    matching the placement constraints), and none elsewhere;
  - replicated-job / global-job: the current job iteration has its completions (one per eligible
    node for a global job);
  - when the change makes the engine replace the tasks (``rollout_expected``), the engine's record of
    an update started after the write has completed (a :class:`ServiceWatch` knows the write).
A paused update ends the wait at once with the engine's own words. A task that cannot be placed ("no
suitable node") is pending, not failed - a node may yet join or be labelled - so it waits until the
deadline and the timeout names the engine's reason. An update the engine rolled back fails too, but
only once the previous spec runs again (or the time is up), so that when the task fails the service is
back to what it was.
"""

from __future__ import annotations

from ansible_collections.beekeeper.swarm.plugins.module_utils import _api
from ansible_collections.beekeeper.swarm.plugins.module_utils._errors import ConvergenceTimeout, EngineError
from ansible_collections.beekeeper.swarm.plugins.module_utils._wait import DONE, FAILED, PENDING, wait_all, wait_until

IN_PROGRESS = ("updating", "rollback_started")
# When a wait fails, the last lines of this many failed tasks are read back (docker service logs --tail).
LOGGED_TASKS, LOG_TAIL = 2, 5
GAVE_UP = {
    "paused": "the engine paused the update",
    "rollback_completed": "the update failed and the engine rolled it back to the previous spec",
    "rollback_paused": "the update failed and the engine's rollback is paused",
}
# Task states before "running", in the engine's order; a task past "running" has ended.
STARTING = ("new", "pending", "assigned", "accepted", "preparing", "ready", "starting")
# Where in a ServiceSpec a change makes the engine replace the running tasks (a rolling update with an
# UpdateStatus of its own); anything else (replicas, labels, update_config) is applied in place.
ROLLOUT_PATHS = (("TaskTemplate",), ("EndpointSpec",))
# ...except a placement change, which moves only the tasks on nodes that no longer match.
IN_PLACE_PATHS = (("TaskTemplate", "Placement"),)


def hostnames_of(nodes):
    return dict((n.get("ID"), (n.get("Description") or {}).get("Hostname")) for n in nodes)


def _node_matches(node, constraint):
    """Evaluate one placement constraint ('node.labels.zone==eu', 'node.role!=manager') against a node."""
    for op in ("==", "!="):
        if op in constraint:
            key, value = [part.strip() for part in constraint.split(op, 1)]
            break
    else:
        return True  # the engine refuses malformed constraints; nothing to add here
    spec = node.get("Spec") or {}
    desc = node.get("Description") or {}
    platform = desc.get("Platform") or {}
    lowered = key.lower()
    if lowered == "node.id":
        have = node.get("ID")
    elif lowered == "node.hostname":
        have = desc.get("Hostname")
    elif lowered == "node.role":
        have = spec.get("Role")
    elif lowered == "node.platform.os":
        have = platform.get("OS")
    elif lowered == "node.platform.arch":
        have = platform.get("Architecture")
    elif lowered.startswith("node.labels."):
        have = (spec.get("Labels") or {}).get(key[len("node.labels."):])
    elif lowered.startswith("engine.labels."):
        have = ((desc.get("Engine") or {}).get("Labels") or {}).get(key[len("engine.labels."):])
    else:
        return True
    equal = have is not None and (have == value if not lowered.startswith(("node.role", "node.platform")) else have.lower() == value.lower())
    return equal if op == "==" else not equal


def eligible_nodes(nodes, spec):
    """Nodes a global service (or global job) runs on: ready, active, matching every constraint."""
    constraints = ((spec.get("TaskTemplate") or {}).get("Placement") or {}).get("Constraints") or []
    return [
        n for n in nodes
        if (n.get("Status") or {}).get("State") == "ready"
        and (n.get("Spec") or {}).get("Availability") == "active"
        and all(_node_matches(n, c) for c in constraints)
    ]


def task_summary(task, hostnames):
    """A task as results show it, with what `docker service ps` and `docker ps` show of it."""
    status = task.get("Status") or {}
    return dict(
        id=task.get("ID"),
        container_id=(status.get("ContainerStatus") or {}).get("ContainerID"),
        slot=task.get("Slot"),
        node=hostnames.get(task.get("NodeID"), task.get("NodeID")),
        state=status.get("State"),
        desired_state=task.get("DesiredState"),
        message=status.get("Message"),
        error=status.get("Err"),
        exit_code=(status.get("ContainerStatus") or {}).get("ExitCode"),
    )


def task_errors(tasks, hostnames, limit=5):
    """The engine's own words for what went wrong, newest first, each once: 'it-n2: no suitable node (...)'."""
    seen, errors = set(), []
    for task in sorted(tasks, key=lambda t: (t.get("Status") or {}).get("Timestamp") or "", reverse=True):
        status = task.get("Status") or {}
        err = status.get("Err")
        state = status.get("State")
        if not err and state in ("failed", "rejected"):
            err = "task %s: %s" % (state, status.get("Message") or "")
        if not err:
            continue
        code = (status.get("ContainerStatus") or {}).get("ExitCode")
        text = "%s%s" % (err, " (exit code %s)" % code if code and "exit" not in err else "")
        node = hostnames.get(task.get("NodeID"))
        line = "%s: %s" % (node, text) if node else text
        if line not in seen:
            seen.add(line)
            errors.append(line)
        if len(errors) >= limit:
            break
    return errors


def failed_containers(tasks, hostnames, limit=LOGGED_TASKS):
    """(task ID, node) of the newest failed tasks that ran a container, the ones whose logs say why."""
    ended = [t for t in tasks if (t.get("Status") or {}).get("State") in ("failed", "rejected")
             and ((t.get("Status") or {}).get("ContainerStatus") or {}).get("ContainerID")]
    ended.sort(key=lambda t: (t.get("Status") or {}).get("Timestamp") or "", reverse=True)
    return [(t["ID"], hostnames.get(t.get("NodeID"), t.get("NodeID"))) for t in ended[:limit]]


def failure_logs(engine, ended, tail=LOG_TAIL):
    """{task ID: its last log lines} for failed tasks, where the log driver keeps them (the engine says so
    otherwise, as for `docker service logs`: then the task is left out)."""
    logs = {}
    for task_id, _node in ended:
        try:
            lines = _api.task_logs(engine, task_id, tail)
        except EngineError:
            continue
        if lines:
            logs[task_id] = lines
    return logs


def logs_text(name, ended, logs):
    """' Last log lines of web's failed task 1a2b3c4d5e6f on it-n2: boom | exiting.' for each task with logs."""
    return "".join(" Last log lines of %s's failed task %s on %s: %s." % (name, task_id[:12], node, " | ".join(logs[task_id]))
                   for task_id, node in ended if task_id in logs)


def _bare(value):
    """A spec without empty values and without ``Runtime`` (the service's copy has it, the task's not)."""
    if isinstance(value, dict):
        bare = dict((k, _bare(v)) for k, v in value.items() if k != "Runtime")
        return dict((k, v) for k, v in bare.items() if v not in (None, {}, [], ""))
    if isinstance(value, list):
        return [_bare(v) for v in value]
    return value


def _on_spec(task, service):
    """Whether a task runs the service's current task template (the engine copies it into the task)."""
    return _bare(task.get("Spec")) == _bare((service.get("Spec") or {}).get("TaskTemplate"))


def assess(service, tasks, nodes):
    """(done, report) for one look at a service. ``report`` carries counts, task errors and, when
    the engine gave up (paused or rolled back), ``failed`` with its message."""
    spec = service.get("Spec") or {}
    mode = spec.get("Mode") or {}
    hostnames = hostnames_of(nodes)
    update = service.get("UpdateStatus") or {}
    state = update.get("State")
    current = [t for t in tasks if _on_spec(t, service)]
    report = dict(service=spec.get("Name"), update_state=state, errors=[])
    if "ReplicatedJob" in mode or "GlobalJob" in mode:
        iteration = ((service.get("JobStatus") or {}).get("JobIteration") or {}).get("Index")
        this_run = [t for t in tasks if (t.get("JobIteration") or {}).get("Index") == iteration]
        if "ReplicatedJob" in mode:
            job = mode["ReplicatedJob"] or {}
            wanted = job.get("TotalCompletions") or job.get("MaxConcurrent") or 1
        else:
            wanted = len(eligible_nodes(nodes, spec))
        done = len([t for t in this_run if (t.get("Status") or {}).get("State") == "complete"])
        report.update(kind="job", completed=done, wanted=wanted, errors=task_errors(this_run, hostnames))
        return done >= wanted, report
    wanted_running = [t for t in tasks if t.get("DesiredState") == "running"]
    running = [t for t in current if t.get("DesiredState") == "running" and (t.get("Status") or {}).get("State") == "running"]
    if "Global" in mode:
        eligible = set(n["ID"] for n in eligible_nodes(nodes, spec))
        on_nodes = [t.get("NodeID") for t in running]
        wanted = len(eligible)
        settled = set(on_nodes) == eligible and len(on_nodes) == wanted and len(wanted_running) == wanted
    else:
        wanted = ((mode.get("Replicated") or {}).get("Replicas"))
        wanted = 1 if wanted is None else wanted
        # A placement change moves only the tasks whose node no longer matches, with no update record:
        # until it has, a task on such a node is not where the spec wants it.
        constraints = ((spec.get("TaskTemplate") or {}).get("Placement") or {}).get("Constraints") or []
        by_id = dict((n.get("ID"), n) for n in nodes)
        placed = [t for t in running if t.get("NodeID") not in by_id or all(_node_matches(by_id[t["NodeID"]], c) for c in constraints)]
        settled = len(placed) == wanted and len(wanted_running) == wanted
    errors = task_errors([t for t in current if t.get("DesiredState") == "running"] or tasks, hostnames)
    if not errors and any((t.get("Status") or {}).get("State") == "complete" for t in current):
        # A service's command that ends is not an error to the engine, only a task that never runs.
        errors = ["a task's command exited with code 0 and the restart policy did not restart it; a service's command must keep "
                  "running (use a job mode for a command that ends)"]
    report.update(kind="global" if "Global" in mode else "replicated", running=len(running), wanted=wanted, errors=errors,
                  settled=settled)
    if state in GAVE_UP:
        report["failed"] = GAVE_UP[state]
        # The tasks that failed ran the spec the engine gave up on, not the current one.
        report["errors"] = task_errors([t for t in tasks if not _on_spec(t, service)], hostnames) or report["errors"]
    return settled and state not in IN_PROGRESS and "failed" not in report, report


# -- waiting for services ---------------------------------------------------------------------------


def rollout_expected(before_spec, after_spec, changed_paths):
    """Whether a change to a service makes the engine roll its tasks (and so record an UpdateStatus).

    ``changed_paths``: the ServiceSpec paths that change. Only a service that has tasks before and after
    rolls them; jobs run again by iteration instead, and placement alone moves tasks in place."""
    def has_tasks(spec):
        mode = (spec or {}).get("Mode") or {}
        if "Global" in mode:
            return True
        if "Replicated" in mode or not mode:
            replicas = (mode.get("Replicated") or {}).get("Replicas")
            return replicas is None or replicas > 0
        return False

    touches = any(tuple(path[:len(prefix)]) == prefix for path in changed_paths for prefix in ROLLOUT_PATHS
                  if not any(tuple(path[:len(p)]) == p for p in IN_PLACE_PATHS))
    return bool(touches and before_spec is not None and has_tasks(before_spec) and has_tasks(after_spec))


class ServiceWatch:
    """What one service must reach after a change of ours, judged over looks at the cluster.

    ``since`` is the service's UpdateStatus read just before our write: a status equal to it is a
    leftover of an earlier update and says nothing about this one. With ``rollout`` (the change makes
    the engine replace the tasks) the service is converged only once the engine has recorded an update
    after our write and completed it; until then its tasks may still run the old endpoint or spec
    although they look current. With ``expect_rollback`` (a rollback asked for) a completed rollback
    is success. ``verb`` is what the failure message says was done ("update", "create"...).
    """

    def __init__(self, service_id, name=None, since=None, rollout=False, expect_rollback=False, verb="converge"):
        self.service_id = service_id
        self.name = name or service_id
        self.since = since or None
        self.rollout = rollout
        self.expect_rollback = expect_rollback
        self.verb = verb
        self.messages = []  # what the engine said of the update while we watched, in order
        self.last_look = ([], {})  # (tasks, hostnames) last judged: the failed ones' logs explain a failure

    def judge(self, look):
        service = look["services"].get(self.service_id)
        if service is None:
            return FAILED, dict(service=self.name, message="Failed to wait for service '%s': it was removed while waiting." % self.name)
        status = service.get("UpdateStatus")
        fresh = status if status and status != self.since else None
        service = dict(service, UpdateStatus=fresh)
        if self.expect_rollback and (fresh or {}).get("State") == "rollback_completed":
            service["UpdateStatus"] = dict(fresh, State="completed")
        tasks = look["tasks"].get(self.service_id, [])
        done, report = assess(service, tasks, look["nodes"])
        if (fresh or {}).get("Message") and fresh["Message"] not in self.messages:
            self.messages.append(fresh["Message"])
        hostnames = look["hostnames"]
        self.last_look = (tasks, hostnames)
        report["tasks"] = [task_summary(t, hostnames) for t in sorted(tasks, key=lambda t: (t.get("Slot") or 0, t.get("NodeID") or ""))
                           if t.get("DesiredState") in ("running", "complete") or (t.get("Status") or {}).get("State") in STARTING]
        settled = report.pop("settled", False)
        if self.rollout and fresh is None and tasks and report["kind"] != "job":
            done = False
            report["update_state"] = "not started"
        name = report["service"] or self.name
        report["what"] = "service '%s' to converge" % name
        report["progress"] = "%s%s.%s" % (
            "%s/%s completed" % (report["completed"], report["wanted"]) if report["kind"] == "job"
            else "%s/%s tasks running on the current spec" % (report["running"], report["wanted"]),
            ", update %s" % report["update_state"] if report["update_state"] else "",
            " Task errors: %s." % "; ".join(report["errors"]) if report["errors"] else "")
        if done:
            return DONE, report
        if report.get("failed"):
            report["message"] = "Failed to %s service '%s': %s%s%s.%s" % (
                self.verb, name, report["failed"], " (the engine said: %s)" % "; ".join(self.messages) if self.messages else "",
                _after_rollback(report, settled),
                " Task errors: %s." % "; ".join(report["errors"]) if report["errors"] else "")
            # After a rollback the engine completed, fail only once the previous spec runs again, so the
            # service is back to what it served; until then (or the deadline) the message says how far.
            if report["update_state"] != "rollback_completed" or settled:
                return FAILED, report
        return PENDING, report


def look_at_services(engine, service_ids):
    """One look for many services: one service list, one task list and one node list."""
    ids = sorted(service_ids)
    services = dict((s["ID"], s) for s in _api.list_services(engine, id=ids) if s.get("ID") in service_ids) if ids else {}
    tasks = {}
    for task in _api.list_tasks(engine, service=ids) if ids else []:
        tasks.setdefault(task.get("ServiceID"), []).append(task)
    nodes = _api.list_nodes(engine)
    return dict(services=services, tasks=tasks, nodes=nodes, hostnames=hostnames_of(nodes))


def wait_services(engine, watches, timeout, interval=None):
    """Wait until every watched service has converged, in one loop over one look per round.

    Returns {service name: report}; raises EngineError or ConvergenceTimeout naming every service that
    did not converge with its task errors (``details['reports']``, by service name)."""
    by_id = dict((w.service_id, w) for w in watches)
    try:
        reports = wait_all(lambda _clock: look_at_services(engine, set(by_id)),
                           dict((w.service_id, w.judge) for w in watches), timeout, interval)
    except (EngineError, ConvergenceTimeout) as exc:
        reports = exc.details.get("reports") or {}
        named = dict((by_id[sid].name, r) for sid, r in reports.items())
        said = ""
        for sid, watch in sorted(by_id.items(), key=lambda item: item[1].name):
            if (reports.get(sid) or {}).get("state") in (None, DONE):
                continue
            ended = failed_containers(*watch.last_look)
            logs = failure_logs(engine, ended)
            if logs:
                reports[sid]["logs"] = logs
                said += logs_text(reports[sid].get("service") or watch.name, ended, logs)
        raise type(exc)(exc.msg + said, reports=named) from None
    return dict((by_id[sid].name, report) for sid, report in reports.items())


def wait_converged(engine, service_id, timeout, interval=None, expect_rollback=False, since=None, rollout=False,
                   verb="converge", name=None):
    """Wait until one service has converged; return the last report with the tasks' summary.

    Raise EngineError when the engine paused or rolled back the update, ConvergenceTimeout (with the
    engine's task errors) when the time runs out; ``details['converge']`` has the report."""
    watch = ServiceWatch(service_id, name=name, since=since, rollout=rollout, expect_rollback=expect_rollback, verb=verb)
    try:
        reports = wait_services(engine, [watch], timeout, interval)
    except (EngineError, ConvergenceTimeout) as exc:
        report = next(iter((exc.details.get("reports") or {}).values()), {})
        raise type(exc)(exc.msg, converge=_public(report)) from None
    return _public(next(iter(reports.values())))


def _public(report):
    return dict((k, v) for k, v in report.items() if k not in ("what", "progress", "message", "state"))


def _after_rollback(report, settled):
    """How far the previous spec is back, said after a rollback the engine completed."""
    if report["update_state"] != "rollback_completed":
        return ""
    if settled:
        return "; %s/%s tasks run the previous spec again" % (report["running"], report["wanted"])
    return "; only %s/%s tasks run the previous spec so far" % (report["running"], report["wanted"])


def wait_removed(engine, services, timeout, interval=None):
    """After services are removed: wait until none of their tasks is left, and no container of theirs on
    the engine this module talks to.

    ``services``: {service ID: name}. The IDs no longer work as task filters once the services are
    gone, so each round reads the task list once and picks theirs. The engine deletes a task once its
    container has stopped and the node's agent removes the container after that: the container is
    visible only to that node's engine, so only this node's containers can be waited for here (an
    agent elsewhere removes its stopped containers moments later, unseen by any manager)."""
    def check():
        left = [t for t in _api.list_tasks(engine) if t.get("ServiceID") in services]
        if left:
            return False, dict(tasks_left=len(left), containers_left=None)
        # Label filters are ANDed: ask for every task container, then pick the removed services' own.
        containers = _api.list_containers(engine, "list the containers of removed services", label="com.docker.swarm.service.id")
        mine = [c for c in containers if (c.get("Labels") or {}).get("com.docker.swarm.service.id") in services]
        return not mine, dict(tasks_left=0, containers_left=len(mine))

    names = ", ".join("'%s'" % n for n in sorted(services.values()))
    try:
        return wait_until(check, timeout, interval=interval)
    except ConvergenceTimeout as exc:
        report = exc.details.get("report") or {}
        what = ("%d of their containers on this node to be removed" % report["containers_left"] if report.get("tasks_left") == 0
                else "the tasks of removed service %s to stop" % names)
        raise ConvergenceTimeout("Timed out after %ss waiting for %s." % (timeout, what)) from exc

# Copyright: Beekeeper developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to this collection: waiting until a service has really converged, and saying why not.

Converged means, for the service's current spec:
  - replicated: the update (if any) completed, and exactly ``replicas`` tasks are meant to run and
    do run, every one of them on the current task spec;
  - global: one running task on the current spec on every node that can take it (ready, active,
    matching the placement constraints), and none elsewhere;
  - replicated-job / global-job: the current job iteration has its completions (one per eligible
    node for a global job).
A paused update or a task that cannot be placed ends the wait early with the engine's own words. An
update the engine rolled back fails too, but only once the previous spec runs again (or the time is up),
so that when the task fails the service is back to what it was.
"""

from __future__ import annotations

import time

from ansible_collections.beekeeper.swarm.plugins.module_utils._errors import ConvergenceTimeout, EngineError, NotFound

IN_PROGRESS = ("updating", "rollback_started")
GAVE_UP = {
    "paused": "the engine paused the update",
    "rollback_completed": "the update failed and the engine rolled it back to the previous spec",
    "rollback_paused": "the update failed and the engine's rollback is paused",
}
# Task states before "running", in the engine's order; a task past "running" has ended.
STARTING = ("new", "pending", "assigned", "accepted", "preparing", "ready", "starting")
ENDED = ("complete", "shutdown", "failed", "rejected", "remove", "orphaned")


def pauses(interval=None, first=0.2, factor=1.5, longest=1.0):
    """Seconds to sleep between looks: a fixed ``interval``, or short at first and growing, since most
    changes converge within seconds and a long one needs no fine-grained polling."""
    pause = interval or first
    while True:
        yield pause
        if not interval:
            pause = min(pause * factor, longest)


def read_service(engine, service_id):
    return engine.get("/services/%s" % service_id, "inspect service '%s'" % service_id)


def read_tasks(engine, service_id):
    return engine.get("/tasks", "list the tasks of service '%s'" % service_id, params=engine.filters(service=service_id)) or []


def read_nodes(engine):
    return engine.get("/nodes", "list nodes") or []


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
    status = task.get("Status") or {}
    return dict(
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
        settled = len(running) == wanted and len(wanted_running) == wanted
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


def wait_converged(engine, service_id, timeout, interval=None, expect_rollback=False, since=None):
    """Wait until the service has converged; return the last report with the tasks' summary.

    ``since`` is the service's UpdateStatus before the change: an identical status is a leftover of
    an earlier update and says nothing about this one. With ``expect_rollback`` (a rollback asked
    for), a completed rollback is success. Raise EngineError when the engine paused or rolled back
    the update, ConvergenceTimeout (with the engine's task errors) when the time runs out.
    """
    deadline = time.monotonic() + timeout
    stale = since or None
    pause = pauses(interval)
    messages = []  # what the engine said of the update while we watched, in order
    while True:
        try:
            service = read_service(engine, service_id)
        except NotFound:
            raise EngineError("Failed to wait for service '%s': it was removed while waiting." % service_id) from None
        if stale and service.get("UpdateStatus") == stale:
            service = dict(service, UpdateStatus=None)
        else:
            stale = None
        tasks = read_tasks(engine, service_id)
        nodes = read_nodes(engine)
        if expect_rollback and (service.get("UpdateStatus") or {}).get("State") == "rollback_completed":
            service = dict(service, UpdateStatus=dict(service["UpdateStatus"], State="completed"))
        done, report = assess(service, tasks, nodes)
        name = report["service"]
        message = (service.get("UpdateStatus") or {}).get("Message")
        if message and message not in messages:
            messages.append(message)
        hostnames = hostnames_of(nodes)
        report["tasks"] = [task_summary(t, hostnames) for t in sorted(tasks, key=lambda t: (t.get("Slot") or 0, t.get("NodeID") or ""))
                           if t.get("DesiredState") in ("running", "complete") or (t.get("Status") or {}).get("State") in STARTING]
        settled = report.pop("settled", False)
        if done:
            return report
        out_of_time = time.monotonic() >= deadline
        if report.get("failed") and (report["update_state"] != "rollback_completed" or settled or out_of_time):
            raise EngineError(
                "Failed to converge service '%s': %s%s%s.%s" % (
                    name, report["failed"], " (the engine said: %s)" % "; ".join(messages) if messages else "",
                    _after_rollback(report, settled),
                    " Task errors: %s." % "; ".join(report["errors"]) if report["errors"] else ""),
                converge=report,
            )
        if out_of_time:
            progress = ("%s/%s completed" % (report["completed"], report["wanted"]) if report["kind"] == "job"
                        else "%s/%s tasks running on the current spec" % (report["running"], report["wanted"]))
            raise ConvergenceTimeout(
                "Timed out after %ss waiting for service '%s' to converge: %s%s.%s" % (
                    timeout, name, progress,
                    ", update %s" % report["update_state"] if report["update_state"] else "",
                    " Task errors: %s." % "; ".join(report["errors"]) if report["errors"] else ""),
                converge=report,
            )
        time.sleep(next(pause))


def _after_rollback(report, settled):
    """How far the previous spec is back, said after a rollback the engine completed."""
    if report["update_state"] != "rollback_completed":
        return ""
    if settled:
        return "; %s/%s tasks run the previous spec again" % (report["running"], report["wanted"])
    return "; only %s/%s tasks run the previous spec so far" % (report["running"], report["wanted"])


def wait_removed(engine, service_id, name, timeout, interval=None):
    """After a service is removed: wait until its tasks are gone (their containers stopped)."""
    deadline = time.monotonic() + timeout
    pause = pauses(interval)

    def left():
        # The service is gone, so its ID no longer works as a filter: read the tasks and pick its own.
        return [t for t in engine.get("/tasks", "list tasks") or [] if t.get("ServiceID") == service_id]

    while left():
        if time.monotonic() >= deadline:
            raise ConvergenceTimeout("Timed out after %ss waiting for the tasks of removed service '%s' to stop." % (timeout, name))
        time.sleep(next(pause))

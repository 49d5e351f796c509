# Copyright: Beekeeper developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to this collection: swarm_node - role, availability, labels, removal, drain that waits."""

from __future__ import annotations

from ansible_collections.beekeeper.swarm.plugins.module_utils import _api
from ansible_collections.beekeeper.swarm.plugins.module_utils._errors import (
    ConvergenceTimeout,
    EngineError,
    InvalidInput,
    Refused,
)
from ansible_collections.beekeeper.swarm.plugins.module_utils._quorum import guard_manager_loss, guard_manager_maintenance, quorum
from ansible_collections.beekeeper.swarm.plugins.module_utils._validate import desired_labels, validate_labels
from ansible_collections.beekeeper.swarm.plugins.module_utils._views import node_view, require_node, resolve
from ansible_collections.beekeeper.swarm.plugins.module_utils._wait import wait_until

MANAGED = ("role", "availability", "labels")


def list_nodes(engine):
    return [node_view(n) for n in _api.list_nodes(engine)]


def validate(params):
    validate_labels(params.get("labels"))
    for key in params.get("labels_to_remove") or []:
        if key in (params.get("labels") or {}):
            raise InvalidInput("labels_to_remove: '%s' is also in labels; keep it in one of the two." % key)


def _desired(view, params):
    want = dict(role=view["role"], availability=view["availability"], labels=view["labels"])
    if params.get("role"):
        want["role"] = params["role"]
    if params.get("availability"):
        want["availability"] = params["availability"]
    if params.get("labels") is not None or params.get("labels_to_remove") or params.get("labels_state") == "replace":
        want["labels"] = desired_labels(view["labels"], params.get("labels"), params.get("labels_state"), params.get("labels_to_remove"))
    return want


def manage(engine, params, check_mode):
    validate(params)
    views = list_nodes(engine)
    if params["state"] == "absent":
        return _remove(engine, params, views, check_mode)
    view, warnings = require_node(views, params["node"])
    before = dict((k, view[k]) for k in MANAGED)
    after = _desired(view, params)
    changed = [k for k in MANAGED if before[k] != after[k]]
    result = dict(changed=bool(changed), warnings=warnings, diff=dict(before=before, after=after))
    if not changed:
        result["node"] = view
        return result
    q = quorum(views)
    if before["role"] == "manager" and after["role"] == "worker":
        guard_manager_loss(q, view, "demote", params.get("force"))
    draining = before["availability"] != "drain" and after["availability"] == "drain"
    tasks_here = []
    if draining:
        if view["reachability"] is not None and after["role"] == "manager":
            guard_manager_maintenance(q, view, params.get("force"))
        tasks_here = _running_tasks(engine, node=view["id"])
        _guard_capacity(engine, views, view, tasks_here, params.get("force"))
    if check_mode:
        result["node"] = dict(view, **after)
        return result
    _update(engine, view["id"], after)
    if draining and params.get("wait"):
        result["drain"] = wait_drained(engine, view, tasks_here, params["wait_timeout"])
    if "role" in changed and params.get("wait"):
        _wait_role(engine, view["id"], after["role"], params["wait_timeout"])
    view, _warnings = resolve(list_nodes(engine), view["id"])
    result["node"] = view
    return result


def _update(engine, node_id, after):
    def change(spec):
        spec.update(Role=after["role"], Availability=after["availability"], Labels=after["labels"])

    _api.update_node(engine, node_id, change)


def _remove(engine, params, views, check_mode):
    view, warnings = resolve(views, params["node"])
    if view is None:
        return dict(changed=False, warnings=warnings, diff=dict(before={}, after={}))
    result = dict(changed=True, warnings=warnings, actions=[], diff=dict(before=dict((k, view[k]) for k in MANAGED), after={}))
    if view["state"] != "down" and not params.get("force"):
        raise Refused(
            "Refusing to remove node %s: it is %s, still part of the swarm. Make it leave first "
            "(beekeeper.swarm.swarm_join state: absent on that node), or set force: true." % (view["hostname"], view["state"])
        )
    if view["reachability"] is not None:
        guard_manager_loss(quorum(views), view, "remove", params.get("force"))
        result["actions"].append("demote")
    result["actions"].append("remove")
    if check_mode:
        return result
    if view["reachability"] is not None:
        _update(engine, view["id"], dict(view, role="worker"))
        _wait_role(engine, view["id"], "worker", params["wait_timeout"])
    _api.remove_node(engine, view["id"], view["hostname"], bool(params.get("force")))
    return result


def _wait_role(engine, node_id, role, timeout):
    def check():
        view = node_view(_api.inspect_node(engine, node_id))
        if role == "manager":
            return view["reachability"] == "reachable", view
        return view["reachability"] is None, view

    try:
        return wait_until(check, timeout, "make the node a %s" % role)
    except ConvergenceTimeout as exc:
        raise ConvergenceTimeout("%s: the engine accepted the role change, but the node is not yet a %s Raft member." % (exc.msg, role)) from exc


def _running_tasks(engine, **filters):
    tasks = _api.list_tasks(engine, desired_state="running", **filters)
    return [t for t in tasks if (t.get("Status") or {}).get("State") in ("running", "starting", "preparing", "assigned", "accepted", "ready", "pending", "new")]


def _guard_capacity(engine, views, view, tasks_here, force):
    if force or not tasks_here:
        return
    others = [v for v in views if v["id"] != view["id"] and v["availability"] == "active" and v["state"] == "ready"]
    if others:
        return
    services = sorted(set(t["ServiceID"] for t in tasks_here))
    raise Refused(
        "Refusing to drain %s: no other node is active and ready, so its %d task(s) of %d service(s) would have nowhere "
        "to run. Activate or add a node first, or set force: true." % (view["hostname"], len(tasks_here), len(services))
    )


def wait_drained(engine, view, tasks_before, timeout):
    """Wait until the node runs no task and every replicated service it ran is back to its count."""
    service_ids = sorted(set(t["ServiceID"] for t in tasks_before))
    services = {}
    for sid in service_ids:
        try:
            services[sid] = _api.inspect_service(engine, sid)
        except EngineError:
            continue

    def check():
        left = [t for t in _api.list_tasks(engine, node=view["id"]) if (t.get("Status") or {}).get("State") == "running"]
        pending = []
        for sid, svc in services.items():
            replicas = ((svc.get("Spec") or {}).get("Mode") or {}).get("Replicated", {}).get("Replicas")
            if replicas is None:
                continue  # global: the drained node's task just stops
            tasks = _api.list_tasks(engine, service=sid, desired_state="running")
            running = [t for t in tasks if (t.get("Status") or {}).get("State") == "running"]
            if len(running) < replicas:
                errors = sorted(set((t.get("Status") or {}).get("Err") or (t.get("Status") or {}).get("Message") or ""
                                    for t in tasks if (t.get("Status") or {}).get("State") != "running") - set([""]))
                pending.append(dict(service=svc["Spec"]["Name"], running=len(running), desired=replicas, errors=errors))
        report = dict(node=view["hostname"], tasks_left=len(left), services=[s["Spec"]["Name"] for s in services.values()],
                      not_rescheduled=pending)
        return not left and not pending, report

    try:
        return wait_until(check, timeout, "drain %s" % view["hostname"])
    except ConvergenceTimeout as exc:
        report = exc.details.get("report") or {}
        lines = ["%s (%d/%d running%s)" % (p["service"], p["running"], p["desired"], ": " + "; ".join(p["errors"]) if p["errors"] else "")
                 for p in report.get("not_rescheduled", [])]
        raise ConvergenceTimeout(
            "Drained %s, but after %ss %d task(s) still run there and these services were not rescheduled: %s."
            % (view["hostname"], timeout, report.get("tasks_left", 0), ", ".join(lines) or "none"),
            drain=report,
        ) from exc

# Copyright: Beekeeper developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to this collection: swarm_node - role, availability, labels, removal, drain that waits."""

from __future__ import annotations

from ansible_collections.beekeeper.swarm.plugins.module_utils import _api
from ansible_collections.beekeeper.swarm.plugins.module_utils._changes import Changes
from ansible_collections.beekeeper.swarm.plugins.module_utils._errors import (
    ConvergenceTimeout,
    EngineError,
    InvalidInput,
    Refused,
)
from ansible_collections.beekeeper.swarm.plugins.module_utils._quorum import guard_manager_loss, guard_manager_maintenance, quorum
from ansible_collections.beekeeper.swarm.plugins.module_utils._reconcile import Plan, Resource, run_one
from ansible_collections.beekeeper.swarm.plugins.module_utils._validate import SPACE_RE, desired_labels, shown, validate_labels
from ansible_collections.beekeeper.swarm.plugins.module_utils._views import node_view, require_node, resolve
from ansible_collections.beekeeper.swarm.plugins.module_utils._wait import wait_until

MANAGED = ("role", "availability", "labels")


def list_nodes(engine):
    return [node_view(n) for n in _api.list_nodes(engine)]


def validate(params):
    """Every check swarm_node can make before it connects. Label values may be numbers or booleans (they are
    stored as text, as the docker CLI does), never a mapping or a list."""
    node = params.get("node")
    if node is not None and (not node.strip() or SPACE_RE.search(node)):
        raise InvalidInput("node: %s is not a node; give its hostname or ID, e.g. node: worker-1." % shown(node))
    validate_labels(params.get("labels"))
    for index, key in enumerate(params.get("labels_to_remove") or []):
        if not str(key).strip():
            raise InvalidInput("labels_to_remove[%d]: a key is empty; give the label key to remove, e.g. com.example.zone." % index)
        validate_labels({key: ""}, "labels_to_remove[%d]" % index)
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


def _update(engine, node_id, after):
    def change(spec):
        spec.update(Role=after["role"], Availability=after["availability"], Labels=after["labels"])

    _api.update_node(engine, node_id, change)


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


class NodeResource(Resource):
    """One node of the swarm: its role, availability and labels, or its removal."""

    kind = "node"

    def describe(self, ctx, params):
        validate(params)
        return list_nodes(ctx.engine)

    def plan(self, ctx, params, current):
        views = current
        if params["state"] == "absent":
            return self._plan_remove(ctx, params, views)
        view, warnings = require_node(views, params["node"])
        ctx.warnings.extend(warnings)
        before = dict((k, view[k]) for k in MANAGED)
        after = _desired(view, params)
        changes = Changes.between(before, after)
        if not changes:
            return Plan("node", params["node"], None, changes, dict(before=before, after=after), params=params, view=view)
        q = quorum(views)
        if before["role"] == "manager" and after["role"] == "worker":
            guard_manager_loss(q, view, "demote", params.get("force"))
        draining = before["availability"] != "drain" and after["availability"] == "drain"
        tasks_here = []
        if draining:
            if view["reachability"] is not None and after["role"] == "manager":
                guard_manager_maintenance(q, view, params.get("force"))
            tasks_here = _running_tasks(ctx.engine, node=view["id"])
            _guard_capacity(ctx.engine, views, view, tasks_here, params.get("force"))
        return Plan("node", params["node"], "update", changes, dict(before=before, after=after), params=params, view=view,
                    after=after, draining=draining, tasks_here=tasks_here)

    def _plan_remove(self, ctx, params, views):
        view, warnings = resolve(views, params["node"])
        ctx.warnings.extend(warnings)
        if view is None:
            return Plan("node", params["node"], None, params=params, removed=True, actions=[])
        if view["state"] != "down" and not params.get("force"):
            raise Refused(
                "Refusing to remove node %s: it is %s, still part of the swarm. Make it leave first "
                "(beekeeper.swarm.swarm_join state: absent on that node), or set force: true." % (view["hostname"], view["state"])
            )
        actions = []
        if view["reachability"] is not None:
            guard_manager_loss(quorum(views), view, "remove", params.get("force"))
            actions.append("demote")
        actions.append("remove")
        before = dict((k, view[k]) for k in MANAGED)
        return Plan("node", params["node"], "remove", Changes.between(before, {}), dict(before=before, after={}), params=params,
                    view=view, removed=True, actions=actions)

    def apply(self, ctx, plan):
        # A node's waits (its tasks moved away, its Raft membership) come one after the other, so they run here.
        data, params = plan.data, plan.data["params"]
        view = data["view"]
        if plan.action == "remove":
            if view["reachability"] is not None:
                _update(ctx.engine, view["id"], dict(view, role="worker"))
                _wait_role(ctx.engine, view["id"], "worker", params["wait_timeout"])
            _api.remove_node(ctx.engine, view["id"], view["hostname"], bool(params.get("force")))
            return []
        _update(ctx.engine, view["id"], data["after"])
        if data["draining"] and params.get("wait"):
            data["drain"] = wait_drained(ctx.engine, view, data["tasks_here"], params["wait_timeout"])
        if "role" in plan.changes.options() and params.get("wait"):
            _wait_role(ctx.engine, view["id"], data["after"]["role"], params["wait_timeout"])
        return []

    def result(self, ctx, plan, reports):
        data = plan.data
        if data.get("removed"):
            return dict(changed=plan.changed, actions=data["actions"], diff=plan.diff)
        result = dict(changed=plan.changed, diff=plan.diff)
        if not plan.changed:
            result["node"] = data["view"]
        elif ctx.check_mode:
            result["node"] = dict(data["view"], **data["after"])
        else:
            if data.get("drain") is not None:
                result["drain"] = data["drain"]
            result["node"], _warnings = resolve(list_nodes(ctx.engine), data["view"]["id"])
        return result


NODE = NodeResource()


def manage(engine, params, check_mode):
    """swarm_node: one node through the reconcile steps."""
    return run_one(NODE, engine, params, check_mode)

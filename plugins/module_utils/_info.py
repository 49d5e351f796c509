# Copyright: Beekeeper developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to this collection: swarm_info - the cluster, its nodes, services, tasks and health."""

from __future__ import annotations

import socket

from ansible_collections.beekeeper.swarm.plugins.module_utils import _api
from ansible_collections.beekeeper.swarm.plugins.module_utils._errors import InvalidInput, QuorumLost
from ansible_collections.beekeeper.swarm.plugins.module_utils._init import swarm_result
from ansible_collections.beekeeper.swarm.plugins.module_utils._membership import local_state
from ansible_collections.beekeeper.swarm.plugins.module_utils._quorum import majority
from ansible_collections.beekeeper.swarm.plugins.module_utils._stack_convert import NAMESPACE as STACK_LABEL
from ansible_collections.beekeeper.swarm.plugins.module_utils._validate import shown, split_addr
from ansible_collections.beekeeper.swarm.plugins.module_utils._views import health, node_view, service_view, task_view

# UpdateStatus states of a service that does not run what was last asked of it: an update still in progress,
# paused, or rolled back (the engine put the previous spec back, so the last deploy did not take).
UNSETTLED = ("updating", "paused", "rollback_started", "rollback_paused", "rollback_completed")


def _probe(addr, timeout=2.0):
    host, port = split_addr(addr)
    try:
        sock = socket.create_connection((host, port), timeout)
        sock.close()
        return True
    except OSError:
        return False


def _without_leader(info_swarm, exc):
    """Health when the swarm has no leader: the managers this node knows, probed on their swarm port."""
    managers = info_swarm.get("RemoteManagers") or []
    reachable = sum(1 for m in managers if _probe(m.get("Addr")))
    total = len(managers)
    return dict(
        status="quorum_lost",
        quorum=False,
        managers_total=total,
        managers_reachable=reachable,
        majority_needed=majority(total),
        failures_tolerated=0,
        leader=None,
        source="probe",
        error=exc.msg,
    )


# The filters each list takes (the Engine API's GET /nodes, /services and /tasks).
FILTERS = dict(
    nodes_filters=("id", "label", "membership", "name", "node.label", "role"),
    services_filters=("id", "label", "mode", "name"),
    tasks_filters=("desired-state", "id", "label", "name", "node", "service"),
)


def validate(params):
    """The filter options' shape: each key a filter name, each value a string or a list of strings (the engine's
    filters are lists of text; a mapping would reach it as JSON and fail there)."""
    stack = params.get("stack")
    if stack is not None and (not stack.strip() or "=" in stack or stack != stack.strip()):
        raise InvalidInput("stack: %s is not a stack name; give the name it was deployed with, e.g. stack: shop." % shown(stack))
    if stack is not None and "service" in (params.get("tasks_filters") or {}):
        raise InvalidInput("tasks_filters.service: with stack, the tasks are the stack's services' tasks; remove the service "
                           "filter, or filter by name instead.")
    for option in FILTERS:
        for key, value in (params.get(option) or {}).items():
            if not str(key).strip():
                raise InvalidInput("%s: a filter name is empty; e.g. %s: {label: com.example.zone=eu-1}." % (option, option))
            if str(key) not in FILTERS[option]:
                raise InvalidInput("%s: %s is not a filter the engine knows here; use one of %s, e.g. %s: {label: com.example.zone=eu-1}."
                                   % (option, shown(key), ", ".join(FILTERS[option]), option))
            values = value if isinstance(value, list) else [value]
            if any(isinstance(v, (dict, list)) or v is None for v in values):
                raise InvalidInput("%s.%s: give a string or a list of strings, e.g. %s: {%s: value}."
                                   % (option, key, option, key))


def _with_stack(params):
    """The services filters with the stack's namespace label added (a label list ANDs its values)."""
    filters = dict(params.get("services_filters") or {})
    labels = filters.get("label")
    labels = [] if labels is None else labels if isinstance(labels, list) else [labels]
    filters["label"] = labels + ["%s=%s" % (STACK_LABEL, params["stack"])]
    return filters


def stack_summary(name, services, not_converged):
    """One stack's convergence: every service with its running and desired tasks and update state; converged when
    each runs its desired tasks and its last update neither is in progress nor was rolled back."""
    short = set(s["name"] for s in not_converged)
    unsettled = [s["name"] for s in services if s["update_state"] in UNSETTLED]
    return dict(
        name=name,
        exists=bool(services),
        converged=bool(services) and not short and not unsettled,
        services=[dict(name=s["name"], image=s["image"], mode=s["mode"], running=s["running_tasks"], desired=s["desired_tasks"],
                       update_state=s["update_state"]) for s in sorted(services, key=lambda s: s["name"])],
        services_not_converged=sorted(short | set(unsettled)),
    )


def gather(engine, params):
    validate(params)
    info_swarm, role = local_state(engine)
    result = dict(
        changed=False,
        local_node=dict(
            id=info_swarm.get("NodeID") or None,
            state=info_swarm.get("LocalNodeState"),
            role=role,
            address=info_swarm.get("NodeAddr") or None,
            error=info_swarm.get("Error") or None,
            managers=[m.get("Addr") for m in info_swarm.get("RemoteManagers") or []],
        ),
        in_swarm=role is not None,
        is_manager=role == "manager",
    )
    if role != "manager":
        return result
    try:
        cluster = _api.inspect_swarm(engine)
        nodes = [node_view(n) for n in _api.list_nodes(engine, **(params.get("nodes_filters") or {}))]
    except QuorumLost as exc:
        result["health"] = _without_leader(info_swarm, exc)
        return result
    # `swarm`, as swarm_init returns it (join_tokens, unlock_key...); `cluster` is the same dict, kept for
    # playbooks written before the key was shared.
    result["swarm"] = result["cluster"] = swarm_result(engine, cluster, info_swarm, params.get("include_secrets"))
    result["nodes"] = nodes
    hostnames = dict((n["id"], n["hostname"]) for n in nodes)
    stack = params.get("stack")
    services_filters = _with_stack(params) if stack else params.get("services_filters") or {}
    services = [service_view(s) for s in _api.list_services(engine, status=True, **services_filters)]
    task_errors = {}
    for svc in services:
        if svc["running_tasks"] is not None and svc["desired_tasks"] is not None and svc["running_tasks"] < svc["desired_tasks"]:
            tasks = _api.list_tasks(engine, service=svc["id"], desired_state="running")
            task_errors[svc["id"]] = sorted(set(
                "%s: %s" % (hostnames.get(t.get("NodeID"), "unassigned"), (t.get("Status") or {}).get("Err") or (t.get("Status") or {}).get("Message"))
                for t in tasks if (t.get("Status") or {}).get("State") != "running"
            ))
    all_nodes = nodes if not params.get("nodes_filters") else [node_view(n) for n in _api.list_nodes(engine)]
    result["health"] = dict(health(all_nodes, services, task_errors), source="raft")
    if stack:
        result["stack"] = stack_summary(stack, services, result["health"]["services_not_converged"])
    if params.get("services"):
        result["services"] = services
    if params.get("tasks"):
        tasks_filters = dict(params.get("tasks_filters") or {})
        if stack:
            # tasks carry no stack label of their own: the stack's tasks are its services' tasks
            tasks_filters["service"] = [s["id"] for s in services]
        tasks = _api.list_tasks(engine, **tasks_filters) if not stack or services else []
        result["tasks"] = [task_view(t, hostnames) for t in tasks]
    return result

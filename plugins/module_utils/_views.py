# Copyright: Beekeeper developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to this collection: Engine API objects as the flat views modules return, node identity, health (pure).

Nothing here talks to an engine: these functions take Engine API objects and return plain data, so
they are unit-tested on their own (and an inventory plugin can use them as they are).
"""

from __future__ import annotations

from ansible_collections.beekeeper.swarm.plugins.module_utils._errors import InvalidInput, NotFound
from ansible_collections.beekeeper.swarm.plugins.module_utils._quorum import quorum


def node_view(node):
    """An Engine API Node -> the flat view modules return (and the lab prints)."""
    spec = node.get("Spec") or {}
    desc = node.get("Description") or {}
    status = node.get("Status") or {}
    manager = node.get("ManagerStatus")
    return dict(
        id=node.get("ID"),
        hostname=desc.get("Hostname"),
        role=spec.get("Role"),
        availability=spec.get("Availability"),
        state=status.get("State"),
        message=status.get("Message") or None,
        address=status.get("Addr"),
        leader=bool(manager and manager.get("Leader")),
        reachability=manager.get("Reachability") if manager else None,
        manager_address=manager.get("Addr") if manager else None,
        engine_version=(desc.get("Engine") or {}).get("EngineVersion"),
        labels=dict(spec.get("Labels") or {}),
        engine_labels=dict((desc.get("Engine") or {}).get("Labels") or {}),
        platform=desc.get("Platform") or {},
        version=(node.get("Version") or {}).get("Index"),
        created_at=node.get("CreatedAt"),
    )


def resolve(views, name):
    """Find a node by ID, hostname or unique ID prefix. Returns (view, warnings); None if absent.

    A re-joined host leaves a Down twin with the same hostname: the one that is not down wins and
    the twins are reported. Two live nodes with one hostname is ambiguous: an error lists the IDs.
    """
    exact = [v for v in views if v["id"] == name]
    if exact:
        return exact[0], []
    named = [v for v in views if v["hostname"] == name]
    if len(named) == 1:
        return named[0], []
    if len(named) > 1:
        live = [v for v in named if v["state"] != "down"]
        listing = ", ".join("%s (%s)" % (v["id"], v["state"]) for v in named)
        if len(live) == 1:
            return live[0], [
                "Hostname '%s' is shared by %d nodes: %s. Using the %s one, %s; remove the down twin(s) "
                "by node ID with beekeeper.swarm.swarm_node state: absent." % (name, len(named), listing, live[0]["state"], live[0]["id"])
            ]
        raise InvalidInput(
            "node: '%s' names %d nodes (%s); give the node ID instead of the hostname." % (name, len(named), listing)
        )
    prefixed = [v for v in views if len(name) >= 4 and v["id"].startswith(name)]
    if len(prefixed) == 1:
        return prefixed[0], []
    return None, []


def require_node(views, name):
    view, warnings = resolve(views, name)
    if view is None:
        raise NotFound(
            "Failed to find node '%s': no node of this swarm has that ID or hostname (nodes: %s)."
            % (name, ", ".join(sorted(v["hostname"] or v["id"] for v in views)))
        )
    return view, warnings


def service_view(service):
    spec = service.get("Spec") or {}
    status = service.get("ServiceStatus") or {}
    mode = spec.get("Mode") or {}
    return dict(
        id=service.get("ID"),
        name=spec.get("Name"),
        image=((spec.get("TaskTemplate") or {}).get("ContainerSpec") or {}).get("Image"),
        mode=next(iter(mode), None),
        replicas=(mode.get("Replicated") or {}).get("Replicas"),
        running_tasks=status.get("RunningTasks"),
        desired_tasks=status.get("DesiredTasks"),
        update_state=(service.get("UpdateStatus") or {}).get("State"),
        labels=dict(spec.get("Labels") or {}),
        ports=[dict(published=p.get("PublishedPort"), target=p.get("TargetPort"), protocol=p.get("Protocol") or "tcp",
                    mode=p.get("PublishMode") or "ingress") for p in (spec.get("EndpointSpec") or {}).get("Ports") or []],
    )


def task_view(task, hostnames=None):
    status = task.get("Status") or {}
    return dict(
        id=task.get("ID"),
        service_id=task.get("ServiceID"),
        slot=task.get("Slot"),
        node_id=task.get("NodeID"),
        node=(hostnames or {}).get(task.get("NodeID")),
        desired_state=task.get("DesiredState"),
        state=status.get("State"),
        message=status.get("Message"),
        error=status.get("Err"),
        timestamp=status.get("Timestamp"),
    )


def health(views, services=None, task_errors=None):
    """The health summary swarm_info returns."""
    q = quorum(views)
    not_converged = []
    for s in services or []:
        if s["desired_tasks"] is not None and s["running_tasks"] is not None and s["running_tasks"] < s["desired_tasks"]:
            not_converged.append(
                dict(name=s["name"], running=s["running_tasks"], desired=s["desired_tasks"],
                     errors=(task_errors or {}).get(s["id"], []))
            )
    down = sorted(v["hostname"] for v in views if v["state"] != "ready")
    status = "healthy"
    if not q["quorum"]:
        status = "quorum_lost"
    elif down or not_converged or q["managers_reachable"] < q["managers_total"]:
        status = "degraded"
    q.update(status=status, nodes_total=len(views), nodes_down=down, services_not_converged=not_converged)
    return q

# Copyright: Beekeeper developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to this collection: pure cluster logic - node views, identity, quorum math, health.

Nothing here talks to an engine: these functions take Engine API objects and return plain
data, so they are unit-tested on their own.
"""

from __future__ import annotations

import re

from ansible_collections.beekeeper.swarm.plugins.module_utils._errors import InvalidInput, NotFound, Refused

TOKEN_RE = re.compile(r"^SWMTKN-1-[0-9a-z]{50}-[0-9a-z]{25}$")
LABEL_KEY_RE = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9._/-]{0,253}[A-Za-z0-9])?$")
SWARM_PORT = 2377


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


def majority(total):
    return total // 2 + 1 if total else 0


def quorum(views):
    """Raft numbers from node views: who is a manager now (has ManagerStatus), who is reachable."""
    managers = [v for v in views if v["reachability"] is not None]
    total = len(managers)
    reachable = sum(1 for v in managers if v["reachability"] == "reachable")
    need = majority(total)
    leader = next((v["hostname"] for v in managers if v["leader"]), None)
    return dict(
        managers_total=total,
        managers_reachable=reachable,
        majority_needed=need,
        quorum=bool(total) and reachable >= need,
        failures_tolerated=max(0, reachable - need),
        leader=leader,
    )


def _numbers(q):
    return "%d manager%s, %d reachable" % (q["managers_total"], "" if q["managers_total"] == 1 else "s", q["managers_reachable"])


def guard_manager_loss(q, view, verb, force):
    """Refuse to take a manager out of the Raft group (demote, remove) when that loses quorum."""
    if view["reachability"] is None or force:
        return
    if q["managers_total"] <= 1:
        raise Refused(
            "Refusing to %s %s: it is the last manager, and the swarm cannot run without one. "
            "Promote another node first, or set force: true." % (verb, view["hostname"])
        )
    total = q["managers_total"] - 1
    reachable = q["managers_reachable"] - (1 if view["reachability"] == "reachable" else 0)
    need = majority(total)
    if reachable < need:
        raise Refused(
            "Refusing to %s %s: %s; %s %s leaves %d of %d needed. Bring the unreachable managers back, "
            "or set force: true." % (verb, view["hostname"], _numbers(q), _ing(verb), view["hostname"], reachable, need)
        )


def guard_manager_maintenance(q, view, force):
    """Draining a manager is the prelude to taking it down; refuse when that would lose quorum.

    A single manager has no fault tolerance to protect, and draining it is the usual way to keep
    workloads off the control plane, so it is allowed.
    """
    if view["reachability"] != "reachable" or force or q["managers_total"] <= 1:
        return
    reachable = q["managers_reachable"] - 1
    if reachable < q["majority_needed"]:
        raise Refused(
            "Refusing to drain manager %s: %s; when it goes down for maintenance that leaves %d of %d "
            "needed. Restore the other managers first, or set force: true."
            % (view["hostname"], _numbers(q), reachable, q["majority_needed"])
        )


def _ing(verb):
    return {"demote": "demoting", "remove": "removing", "leave": "leaving with"}.get(verb, verb + "ing")


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


def validate_labels(labels, option="labels"):
    """Label keys: letters, digits, '.', '-', '_', '/', starting and ending with a letter or digit."""
    for key in labels or {}:
        if not LABEL_KEY_RE.match(str(key)):
            raise InvalidInput(
                "%s: '%s' is not a valid label key; use letters, digits, '.', '-', '_' and '/', starting and "
                "ending with a letter or digit (for example com.example.zone)." % (option, key)
            )


def validate_token(token):
    if token is not None and not TOKEN_RE.match(token):
        raise InvalidInput(
            "join_token: this is not a swarm join token (expected SWMTKN-1-<50 characters>-<25 characters>, "
            "as swarm_init or swarm_info return with include_secrets: true)."
        )


def split_addr(addr, default_port=SWARM_PORT):
    """'10.0.0.1' -> ('10.0.0.1', 2377); '[fe80::1]:2377' -> ('fe80::1', 2377)."""
    addr = str(addr).strip()
    if addr.startswith("["):
        host, _sep, rest = addr[1:].partition("]")
        port = rest.lstrip(":")
    elif addr.count(":") == 1:
        host, port = addr.split(":")
    else:
        host, port = addr, ""
    if port and not port.isdigit():
        raise InvalidInput("remote_addrs: '%s' has a port that is not a number; use HOST or HOST:PORT." % addr)
    return host, int(port) if port else default_port


def desired_labels(current, labels, labels_state, labels_to_remove):
    """The labels a node should end with: merge or replace, then remove."""
    result = dict(current or {}) if labels_state == "merge" else {}
    for key, value in (labels or {}).items():
        result[str(key)] = "" if value is None else str(value)
    for key in labels_to_remove or []:
        result.pop(str(key), None)
    return result


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

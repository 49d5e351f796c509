# Copyright: Beekeeper developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests for _views: node identity, node views and health."""

from __future__ import annotations

import pytest
from views import managers, node

from ansible_collections.beekeeper.swarm.plugins.module_utils import _quorum, _views
from ansible_collections.beekeeper.swarm.plugins.module_utils._errors import InvalidInput, NotFound

NODES = [
    node("x1y2z3a4b5", "node-a"),
    node("x1y2aaaaaa", "node-b"),
    node("q9w8e7r6t5", "node-c"),
    node("downtwin01", "node-d", state="down"),
    node("livetwin02", "node-d"),
    node("abcd111111", "abcd"),
    node("abcd222222", "node-e"),
]


RESOLVE = [
    ("by ID", "q9w8e7r6t5", "q9w8e7r6t5"),
    ("by hostname", "node-b", "x1y2aaaaaa"),
    ("by unique ID prefix", "q9w8", "q9w8e7r6t5"),
    ("a prefix shorter than 4 is not used", "q9w", None),
    ("an ambiguous prefix finds nothing", "x1y2", None),
    ("a hostname wins over an ID prefix", "abcd", "abcd111111"),
    ("the live twin of a re-joined host", "node-d", "livetwin02"),
    ("nothing", "node-z", None),
]


@pytest.mark.parametrize("name, expected", [c[1:] for c in RESOLVE], ids=[c[0] for c in RESOLVE])
def test_resolve(name, expected):
    view, _warnings = _views.resolve(NODES, name)
    assert (view["id"] if view else None) == expected


def test_resolve_reports_twins():
    _view, warnings = _views.resolve(NODES, "node-d")
    assert warnings == [
        "Hostname 'node-d' is shared by 2 nodes: downtwin01 (down), livetwin02 (ready). Using the ready one, livetwin02; "
        "remove the down twin(s) by node ID with beekeeper.swarm.swarm_node state: absent."
    ]
    assert _views.resolve(NODES, "node-a")[1] == []


@pytest.mark.parametrize("views, message", [
    ([node("aaaa1111", "dup"), node("bbbb2222", "dup")],
     "node: 'dup' names 2 nodes (aaaa1111 (ready), bbbb2222 (ready)); give the node ID instead of the hostname."),
    ([node("aaaa1111", "dup", state="down"), node("bbbb2222", "dup", state="down")],
     "node: 'dup' names 2 nodes (aaaa1111 (down), bbbb2222 (down)); give the node ID instead of the hostname."),
], ids=["two live nodes", "two down nodes"])
def test_resolve_ambiguous_hostname(views, message):
    with pytest.raises(InvalidInput) as err:
        _views.resolve(views, "dup")
    assert err.value.msg == message


def test_require_node():
    assert _views.require_node(NODES, "node-c")[0]["id"] == "q9w8e7r6t5"
    with pytest.raises(NotFound) as err:
        _views.require_node(NODES[:3], "node-z")
    assert err.value.msg == (
        "Failed to find node 'node-z': no node of this swarm has that ID or hostname (nodes: node-a, node-b, node-c)."
    )


def test_node_view():
    api_node = {
        "ID": "n1",
        "Version": {"Index": 42},
        "Spec": {"Role": "manager", "Availability": "drain", "Labels": {"zone": "a"}},
        "Description": {
            "Hostname": "node-a",
            "Platform": {"Architecture": "x86_64", "OS": "linux"},
            "Engine": {"EngineVersion": "20.10.24", "Labels": {"disk": "ssd"}},
        },
        "Status": {"State": "ready", "Message": "", "Addr": "10.88.0.11"},
        "ManagerStatus": {"Leader": True, "Reachability": "reachable", "Addr": "10.88.0.11:2377"},
    }
    assert _views.node_view(api_node) == dict(
        id="n1", hostname="node-a", role="manager", availability="drain", state="ready", message=None,
        address="10.88.0.11", leader=True, reachability="reachable", manager_address="10.88.0.11:2377",
        engine_version="20.10.24", labels={"zone": "a"}, engine_labels={"disk": "ssd"},
        platform={"Architecture": "x86_64", "OS": "linux"}, version=42, created_at=None,
    )
    worker = _views.node_view({"ID": "n2", "Spec": {"Role": "worker"}})
    assert (worker["leader"], worker["reachability"], worker["manager_address"], worker["labels"]) == (False, None, None, {})


# -- health ------------------------------------------------------------------------------------

def service(name, running, desired, service_id=None):
    return dict(id=service_id or name, name=name, running_tasks=running, desired_tasks=desired)


HEALTH = [
    ("all well", managers(3, 3) + [node("w1", "worker-1")], [service("web", 2, 2)], "healthy", [], []),
    ("a worker down", managers(3, 3) + [node("w1", "worker-1", state="down")], [], "degraded", ["worker-1"], []),
    ("a manager unreachable, quorum kept", managers(3, 2), [], "degraded", ["node-c"], []),
    ("quorum lost", managers(3, 1), [], "quorum_lost", ["node-b", "node-c"], []),
    ("a service short of tasks", managers(1, 1), [service("web", 1, 3), service("api", 2, 2), service("job", None, None)],
     "degraded", [], [dict(name="web", running=1, desired=3, errors=["node-a: no suitable node"])]),
    ("no managers", [node("w1", "worker-1")], [], "quorum_lost", [], []),
]


@pytest.mark.parametrize("views, services, status, down, not_converged", [c[1:] for c in HEALTH], ids=[c[0] for c in HEALTH])
def test_health(views, services, status, down, not_converged):
    health = _views.health(views, services, task_errors={"web": ["node-a: no suitable node"]})
    assert health["status"] == status
    assert health["nodes_down"] == down
    assert health["nodes_total"] == len(views)
    assert health["services_not_converged"] == not_converged
    quorum = _quorum.quorum(views)
    assert dict((k, health[k]) for k in quorum) == quorum


def test_health_without_services():
    health = _views.health(managers(1, 1))
    assert (health["status"], health["services_not_converged"]) == ("healthy", [])

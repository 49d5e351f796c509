# Copyright: Beekeeper developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests for _cluster: quorum math and guards, node identity, labels, tokens, addresses, health."""

from __future__ import annotations

import pytest

from ansible_collections.beekeeper.swarm.plugins.module_utils import _cluster
from ansible_collections.beekeeper.swarm.plugins.module_utils._errors import InvalidInput, NotFound, Refused


def node(node_id, hostname, role="worker", state="ready", reachability=None, leader=False, availability="active", labels=None):
    """A node view as node_view() makes it (only the keys the logic reads)."""
    return dict(id=node_id, hostname=hostname, role=role, state=state, availability=availability,
                reachability=reachability, leader=leader, labels=labels or {})


def manager(node_id, hostname, reachability="reachable", leader=False, state="ready"):
    return node(node_id, hostname, role="manager", state=state, reachability=reachability, leader=leader)


def managers(total, reachable):
    """node-a ... as managers, the first ``reachable`` of them reachable; node-a leads when reachable."""
    return [
        manager("id%d" % i, "node-%s" % "abcdefg"[i], reachability="reachable" if i < reachable else "unreachable",
                leader=(i == 0 and reachable > 0), state="ready" if i < reachable else "down")
        for i in range(total)
    ]


# -- quorum ------------------------------------------------------------------------------------

@pytest.mark.parametrize("total, need", [(0, 0), (1, 1), (2, 2), (3, 2), (4, 3), (5, 3), (6, 4), (7, 4)])
def test_majority(total, need):
    assert _cluster.majority(total) == need


QUORUM = [
    # total, reachable -> quorum, failures tolerated
    (1, 1, True, 0),
    (2, 2, True, 0),
    (2, 1, False, 0),
    (3, 3, True, 1),
    (3, 2, True, 0),
    (3, 1, False, 0),
    (5, 5, True, 2),
    (5, 3, True, 0),
    (5, 2, False, 0),
    (7, 7, True, 3),
]


@pytest.mark.parametrize("total, reachable, has_quorum, tolerated", QUORUM)
def test_quorum(total, reachable, has_quorum, tolerated):
    views = managers(total, reachable) + [node("w1", "worker-1"), node("w2", "worker-2", state="down")]
    assert _cluster.quorum(views) == dict(
        managers_total=total,
        managers_reachable=reachable,
        majority_needed=total // 2 + 1,
        quorum=has_quorum,
        failures_tolerated=tolerated,
        leader="node-a" if reachable else None,
    )


def test_quorum_without_managers():
    q = _cluster.quorum([node("w1", "worker-1")])
    assert (q["managers_total"], q["quorum"], q["majority_needed"], q["leader"]) == (0, False, 0, None)


# -- guards ------------------------------------------------------------------------------------

GUARD_LOSS = [
    # (id, managers total, reachable, target index, verb, force, message or None)
    ("demote with 3 of 3 reachable", 3, 3, 1, "demote", False, None),
    ("demote that loses quorum", 3, 2, 1, "demote", False,
     "Refusing to demote node-b: 3 managers, 2 reachable; demoting node-b leaves 1 of 2 needed. "
     "Bring the unreachable managers back, or set force: true."),
    ("remove that loses quorum", 3, 2, 0, "remove", False,
     "Refusing to remove node-a: 3 managers, 2 reachable; removing node-a leaves 1 of 2 needed. "
     "Bring the unreachable managers back, or set force: true."),
    ("2 managers: losing one leaves 1 of 1 needed", 2, 2, 1, "leave", False, None),
    ("removing an unreachable manager keeps quorum", 3, 2, 2, "remove", False, None),
    ("5 managers, 3 reachable: demote one", 5, 3, 0, "demote", False,
     "Refusing to demote node-a: 5 managers, 3 reachable; demoting node-a leaves 2 of 3 needed. "
     "Bring the unreachable managers back, or set force: true."),
    ("5 managers, 4 reachable: demote one", 5, 4, 0, "demote", False, None),
    ("force overrides", 3, 2, 1, "demote", True, None),
    ("the last manager", 1, 1, 0, "demote", False,
     "Refusing to demote node-a: it is the last manager, and the swarm cannot run without one. "
     "Promote another node first, or set force: true."),
    ("the last manager, removed", 1, 1, 0, "remove", False,
     "Refusing to remove node-a: it is the last manager, and the swarm cannot run without one. "
     "Promote another node first, or set force: true."),
    ("the last manager, forced", 1, 1, 0, "demote", True, None),
]


@pytest.mark.parametrize("total, reachable, target, verb, force, message", [c[1:] for c in GUARD_LOSS], ids=[c[0] for c in GUARD_LOSS])
def test_guard_manager_loss(total, reachable, target, verb, force, message):
    views = managers(total, reachable)
    q = _cluster.quorum(views)
    if message is None:
        _cluster.guard_manager_loss(q, views[target], verb, force)
    else:
        with pytest.raises(Refused) as err:
            _cluster.guard_manager_loss(q, views[target], verb, force)
        assert err.value.msg == message


def test_guard_manager_loss_ignores_workers():
    views = managers(1, 1) + [node("w1", "worker-1")]
    _cluster.guard_manager_loss(_cluster.quorum(views), views[1], "remove", False)


def test_guard_manager_loss_leave_wording():
    views = managers(3, 2)
    with pytest.raises(Refused) as err:
        _cluster.guard_manager_loss(_cluster.quorum(views), views[0], "leave", False)
    assert "; leaving with node-a leaves 1 of 2 needed." in err.value.msg


GUARD_MAINTENANCE = [
    ("3 of 3 reachable: one may go down", 3, 3, 0, False, None),
    ("5 of 5 reachable", 5, 5, 4, False, None),
    ("3 managers, 2 reachable", 3, 2, 0, False,
     "Refusing to drain manager node-a: 3 managers, 2 reachable; when it goes down for maintenance that leaves 1 of 2 "
     "needed. Restore the other managers first, or set force: true."),
    ("5 managers, 3 reachable", 5, 3, 1, False,
     "Refusing to drain manager node-b: 5 managers, 3 reachable; when it goes down for maintenance that leaves 2 of 3 "
     "needed. Restore the other managers first, or set force: true."),
    ("force overrides", 3, 2, 0, True, None),
    ("an unreachable manager is already down", 3, 2, 2, False, None),
    ("a single manager may be drained (keeps workloads off it)", 1, 1, 0, False, None),
]


@pytest.mark.parametrize("total, reachable, target, force, message", [c[1:] for c in GUARD_MAINTENANCE],
                         ids=[c[0] for c in GUARD_MAINTENANCE])
def test_guard_manager_maintenance(total, reachable, target, force, message):
    views = managers(total, reachable)
    q = _cluster.quorum(views)
    if message is None:
        _cluster.guard_manager_maintenance(q, views[target], force)
    else:
        with pytest.raises(Refused) as err:
            _cluster.guard_manager_maintenance(q, views[target], force)
        assert err.value.msg == message


# -- node identity -----------------------------------------------------------------------------

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
    view, _warnings = _cluster.resolve(NODES, name)
    assert (view["id"] if view else None) == expected


def test_resolve_reports_twins():
    _view, warnings = _cluster.resolve(NODES, "node-d")
    assert warnings == [
        "Hostname 'node-d' is shared by 2 nodes: downtwin01 (down), livetwin02 (ready). Using the ready one, livetwin02; "
        "remove the down twin(s) by node ID with beekeeper.swarm.swarm_node state: absent."
    ]
    assert _cluster.resolve(NODES, "node-a")[1] == []


@pytest.mark.parametrize("views, message", [
    ([node("aaaa1111", "dup"), node("bbbb2222", "dup")],
     "node: 'dup' names 2 nodes (aaaa1111 (ready), bbbb2222 (ready)); give the node ID instead of the hostname."),
    ([node("aaaa1111", "dup", state="down"), node("bbbb2222", "dup", state="down")],
     "node: 'dup' names 2 nodes (aaaa1111 (down), bbbb2222 (down)); give the node ID instead of the hostname."),
], ids=["two live nodes", "two down nodes"])
def test_resolve_ambiguous_hostname(views, message):
    with pytest.raises(InvalidInput) as err:
        _cluster.resolve(views, "dup")
    assert err.value.msg == message


def test_require_node():
    assert _cluster.require_node(NODES, "node-c")[0]["id"] == "q9w8e7r6t5"
    with pytest.raises(NotFound) as err:
        _cluster.require_node(NODES[:3], "node-z")
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
    assert _cluster.node_view(api_node) == dict(
        id="n1", hostname="node-a", role="manager", availability="drain", state="ready", message=None,
        address="10.88.0.11", leader=True, reachability="reachable", manager_address="10.88.0.11:2377",
        engine_version="20.10.24", labels={"zone": "a"}, engine_labels={"disk": "ssd"},
        platform={"Architecture": "x86_64", "OS": "linux"}, version=42, created_at=None,
    )
    worker = _cluster.node_view({"ID": "n2", "Spec": {"Role": "worker"}})
    assert (worker["leader"], worker["reachability"], worker["manager_address"], worker["labels"]) == (False, None, None, {})


# -- labels, tokens, addresses -----------------------------------------------------------------

LABEL_MESSAGE = ("%s: '%s' is not a valid label key; use letters, digits, '.', '-', '_' and '/', starting and ending "
                 "with a letter or digit (for example com.example.zone).")


@pytest.mark.parametrize("key", ["zone", "a", "Z9", "com.example.zone", "tier/db", "a-b_c.d", "1"])
def test_validate_labels_accepts(key):
    _cluster.validate_labels({key: "x"})


@pytest.mark.parametrize("key", ["-zone", "zone-", ".a", "a/", "", "has space", "zoné", "a=b", "x" * 256])
def test_validate_labels_refuses(key):
    with pytest.raises(InvalidInput) as err:
        _cluster.validate_labels({"ok": "1", key: "x"}, option="node labels")
    assert err.value.msg == LABEL_MESSAGE % ("node labels", key)


def test_validate_labels_accepts_nothing():
    _cluster.validate_labels(None)
    _cluster.validate_labels({})


TOKEN = "SWMTKN-1-" + "0123456789abcdefghijklmnopqrstuvwxyz0123456789abcd" + "-" + "abcdefghijklmnopqrstuvwxy"
TOKEN_MESSAGE = ("join_token: this is not a swarm join token (expected SWMTKN-1-<50 characters>-<25 characters>, "
                 "as swarm_init or swarm_info return with include_secrets: true).")


@pytest.mark.parametrize("token", [TOKEN, None])
def test_validate_token_accepts(token):
    _cluster.validate_token(token)


@pytest.mark.parametrize("token", [
    "", "SWMTKN-1-short-short", TOKEN.upper(), TOKEN.replace("SWMTKN-1", "SWMTKN-2"), TOKEN + "z", TOKEN[:-1],
    " " + TOKEN, TOKEN.replace("-", "_"),
])
def test_validate_token_refuses(token):
    with pytest.raises(InvalidInput) as err:
        _cluster.validate_token(token)
    assert err.value.msg == TOKEN_MESSAGE


SPLIT = [
    ("10.0.0.1", ("10.0.0.1", 2377)),
    ("10.0.0.1:2378", ("10.0.0.1", 2378)),
    ("manager-1", ("manager-1", 2377)),
    ("manager-1:4000", ("manager-1", 4000)),
    (" 10.0.0.1:2377 ", ("10.0.0.1", 2377)),
    ("[fe80::1]:2377", ("fe80::1", 2377)),
    ("[2001:db8::10]:2400", ("2001:db8::10", 2400)),
    ("[fe80::1]", ("fe80::1", 2377)),
    ("fe80::1", ("fe80::1", 2377)),
    ("2001:db8::10", ("2001:db8::10", 2377)),
    ("10.0.0.1:", ("10.0.0.1", 2377)),
]


@pytest.mark.parametrize("addr, expected", SPLIT, ids=[a for a, _e in SPLIT])
def test_split_addr(addr, expected):
    assert _cluster.split_addr(addr) == expected


def test_split_addr_default_port():
    assert _cluster.split_addr("10.0.0.1", default_port=4789) == ("10.0.0.1", 4789)


@pytest.mark.parametrize("addr", ["manager-1:abc", "[fe80::1]:x", "[fe80::1]junk", "10.0.0.1:-1"])
def test_split_addr_refuses(addr):
    with pytest.raises(InvalidInput) as err:
        _cluster.split_addr(addr)
    assert err.value.msg == "remote_addrs: '%s' has a port that is not a number; use HOST or HOST:PORT." % addr


DESIRED_LABELS = [
    ("merge adds and updates", {"a": "1", "b": "2"}, {"b": "3", "c": "4"}, "merge", None, {"a": "1", "b": "3", "c": "4"}),
    ("merge with nothing keeps", {"a": "1"}, None, "merge", None, {"a": "1"}),
    ("replace makes exactly", {"a": "1", "b": "2"}, {"b": "3"}, "replace", None, {"b": "3"}),
    ("replace with nothing empties", {"a": "1"}, None, "replace", None, {}),
    ("remove after merge", {"a": "1", "b": "2"}, {"c": "3"}, "merge", ["a", "missing"], {"b": "2", "c": "3"}),
    ("remove after replace", {"a": "1"}, {"b": "2", "c": "3"}, "replace", ["c"], {"b": "2"}),
    ("values and keys become strings, None is empty", {}, {"n": 1, "t": True, "e": None, 5: "x"}, "merge", None,
     {"n": "1", "t": "True", "e": "", "5": "x"}),
    ("no current labels", None, {"a": "1"}, "merge", None, {"a": "1"}),
]


@pytest.mark.parametrize("current, labels, labels_state, remove, expected", [c[1:] for c in DESIRED_LABELS],
                         ids=[c[0] for c in DESIRED_LABELS])
def test_desired_labels(current, labels, labels_state, remove, expected):
    before = dict(current or {})
    assert _cluster.desired_labels(current, labels, labels_state, remove) == expected
    assert (current or {}) == before, "the current labels must not change"


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
    health = _cluster.health(views, services, task_errors={"web": ["node-a: no suitable node"]})
    assert health["status"] == status
    assert health["nodes_down"] == down
    assert health["nodes_total"] == len(views)
    assert health["services_not_converged"] == not_converged
    quorum = _cluster.quorum(views)
    assert dict((k, health[k]) for k in quorum) == quorum


def test_health_without_services():
    health = _cluster.health(managers(1, 1))
    assert (health["status"], health["services_not_converged"]) == ("healthy", [])

# Copyright: Beekeeper developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests for _quorum: quorum math and guards."""

from __future__ import annotations

import pytest
from views import managers, node

from ansible_collections.beekeeper.swarm.plugins.module_utils import _quorum
from ansible_collections.beekeeper.swarm.plugins.module_utils._errors import Refused


@pytest.mark.parametrize("total, need", [(0, 0), (1, 1), (2, 2), (3, 2), (4, 3), (5, 3), (6, 4), (7, 4)])
def test_majority(total, need):
    assert _quorum.majority(total) == need


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
    assert _quorum.quorum(views) == dict(
        managers_total=total,
        managers_reachable=reachable,
        majority_needed=total // 2 + 1,
        quorum=has_quorum,
        failures_tolerated=tolerated,
        leader="node-a" if reachable else None,
    )


def test_quorum_without_managers():
    q = _quorum.quorum([node("w1", "worker-1")])
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
    q = _quorum.quorum(views)
    if message is None:
        _quorum.guard_manager_loss(q, views[target], verb, force)
    else:
        with pytest.raises(Refused) as err:
            _quorum.guard_manager_loss(q, views[target], verb, force)
        assert err.value.msg == message


def test_guard_manager_loss_ignores_workers():
    views = managers(1, 1) + [node("w1", "worker-1")]
    _quorum.guard_manager_loss(_quorum.quorum(views), views[1], "remove", False)


def test_guard_manager_loss_leave_wording():
    views = managers(3, 2)
    with pytest.raises(Refused) as err:
        _quorum.guard_manager_loss(_quorum.quorum(views), views[0], "leave", False)
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
    q = _quorum.quorum(views)
    if message is None:
        _quorum.guard_manager_maintenance(q, views[target], force)
    else:
        with pytest.raises(Refused) as err:
            _quorum.guard_manager_maintenance(q, views[target], force)
        assert err.value.msg == message

# Copyright: Beekeeper developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Node views as _views.node_view() makes them, for the tests of the pure cluster logic."""

from __future__ import annotations


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

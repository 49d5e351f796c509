# Copyright: Beekeeper developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to this collection: Raft quorum math and the guards that keep it (pure).

A swarm keeps working while a majority of its managers is reachable. These functions take node views
(_views.node_view) and refuse, with the numbers, a change that would leave fewer than that.
"""

from __future__ import annotations

from ansible_collections.beekeeper.swarm.plugins.module_utils._errors import Refused


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

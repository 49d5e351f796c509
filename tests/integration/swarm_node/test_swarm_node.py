"""beekeeper.swarm.swarm_node: labels, guards and bad input, promote/demote, drain with a real service, removal."""

from __future__ import annotations

from conftest import MANAGER, WORKERS, docker_exec


def test_labels(target, cluster):
    """Merge, update, replace and remove labels: four steps each, diffs show exactly the labels."""
    run = target("swarm_node", "labels")
    merge = run.four_steps("Merge labels")
    assert merge["check"]["diff"]["after"]["labels"] == {"zone": "eu-1a", "disk": "ssd"}
    assert run.four_steps("Update one label, keep the others")["apply"]["node"]["labels"] == {"zone": "eu-1b", "disk": "ssd"}
    assert run.four_steps("Replace labels")["apply"]["node"]["labels"] == {"rack": "r1"}
    assert run.four_steps("Remove a label")["apply"]["node"]["labels"] == {}
    run.ok("Assert the labels")
    assert not run.changed("Clear the labels")


def test_bad_input_and_guards(target, cluster):
    """Invalid label key, add-and-remove, unknown node, last manager, live node: exact messages, nothing changes."""
    run = target("swarm_node", "bad_input")
    assert run.failed("Fails: label key starting with a dash")["msg"] == (
        "labels: '-zone' is not a valid label key; use letters, digits, '.', '-', '_' and '/', starting and "
        "ending with a letter or digit (for example com.example.zone).")
    assert run.failed("Fails: the same label to add and to remove")["msg"] == (
        "labels_to_remove: 'zone' is also in labels; keep it in one of the two.")
    assert run.failed("Fails: a node that is not in the swarm")["msg"] == (
        "Failed to find node 'it-n9': no node of this swarm has that ID or hostname (nodes: %s)." % ", ".join((MANAGER,) + WORKERS))
    assert run.failed("Fails: demote the last manager | check")["msg"] == (
        "Refusing to demote %s: it is the last manager, and the swarm cannot run without one. "
        "Promote another node first, or set force: true." % MANAGER)
    assert run.failed("Fails: remove a node that is up")["msg"] == (
        "Refusing to remove node %s: it is ready, still part of the swarm. Make it leave first "
        "(beekeeper.swarm.swarm_join state: absent on that node), or set force: true." % WORKERS[0])
    run.ok("Assert nothing changed")


def test_promote_and_demote(target, cluster):
    """A worker is promoted (a reachable Raft member) and demoted again, four steps each."""
    run = target("swarm_node", "role")
    promote = run.four_steps("Promote")
    assert promote["apply"]["node"]["reachability"] == "reachable"
    demote = run.four_steps("Demote")
    assert demote["apply"]["node"]["reachability"] is None
    run.ok("Assert the roles")
    assert not run.changed("Make the node a worker again")


def test_drain_with_a_service(target, cluster):
    """Drain waits until the node runs nothing and all replicas run elsewhere, and reports it; then active again."""
    run = target("swarm_node", "drain")
    drain = run.four_steps("Drain the node")
    assert drain["apply"]["drain"] == {"node": WORKERS[0], "tasks_left": 0, "services": ["it-drain"], "not_rescheduled": []}
    after = run.ok("Read where the tasks run after the drain")["stdout_lines"]
    assert len(after) == 4 and not [line for line in after if line.startswith(WORKERS[0] + " ")], after
    assert all(" Running " in line for line in after), after
    run.ok("Assert the drain")
    assert run.four_steps("Activate the node")["apply"]["node"]["availability"] == "active"
    run.ok("Assert the node is active")
    assert docker_exec(MANAGER, "docker", "service", "ls", "-q") == ""


def test_remove_down_node(target, cluster):
    """A node whose engine stopped shows down, is removed (four steps), and joins again as a new node."""
    run = target("swarm_node", "remove_down")
    assert run.ok("Wait until the manager sees the node down")["health"]["nodes_down"] == [WORKERS[1]]
    removal = run.four_steps("Remove the down node")
    assert removal["check"]["actions"] == ["remove"]
    run.ok("Assert the removal")
    rejoin = run.ok("Join the removed node again")
    assert rejoin["actions"] == ["join as worker"]
    run.ok("Assert the node is back with a new ID")

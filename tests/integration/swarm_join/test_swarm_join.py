"""beekeeper.swarm.swarm_join: leave and join, the guards, bad input, and a failed join leaving no trace."""

from __future__ import annotations

from conftest import MANAGER, SPARE, WORKERS, docker_exec


def test_leave_and_join(target, cluster):
    """Workers leave (four steps), the manager forgets them, they join again (four steps); tokens stay hidden."""
    run = target("swarm_join", "membership")
    for host in WORKERS:
        leave = run.four_steps("Leave the swarm", host=host)
        assert leave["check"]["diff"] == {"before": {"role": "worker"}, "after": {"role": None}}
        assert leave["apply again"]["actions"] == []
        assert run.ok("Forget the node that left", host=host)["actions"] == ["remove"]
        join = run.four_steps("Join as a worker", host=host)
        assert join["check"]["actions"] == ["join as worker"]
        assert join["check"]["diff"] == {"before": {"role": None}, "after": {"role": "worker"}}
        assert join["apply"]["role"] == "worker" and join["apply"]["node_id"]
        assert join["apply again"]["node_id"] == join["apply"]["node_id"]
        assert run.ok("Read the node after the check", host=host)["local_node"]["state"] == "inactive"
        run.ok("Assert the leave", host=host)
        run.ok("Assert the join", host=host)
        assert not run.changed("Rejoin the cluster", host=host)
    token = docker_exec(MANAGER, "docker", "swarm", "join-token", "-q", "worker")
    assert token.startswith("SWMTKN-1-") and run.stdout.count(token) == 0


def test_bad_input_and_failed_join(target, cluster, lab):
    """Malformed, missing, stale and foreign tokens, bad port, refused and silent managers: exact messages with the fix.

    After the silent manager the engine itself leaves the node 'pending'; the module must leave it 'inactive'.
    """
    run = target("swarm_join", "bad_input")
    closed = lab["nodes"][WORKERS[0]]
    assert run.failed("Fails: join with a malformed token")["msg"] == (
        "join_token: this is not a swarm join token (expected SWMTKN-1-<50 characters>-<25 characters>, "
        "as swarm_init or swarm_info return with include_secrets: true).")
    assert run.failed("Fails: join without a token")["msg"] == (
        "join_token: required with state: present; give the managers' addresses and the join token.")
    assert run.failed("Fails: join with a bad port")["msg"] == (
        "remote_addrs[0]: '%s:twentythree' has the port 'twentythree'; a port is a number from 1 to 65535, e.g. %s:2377."
        % (lab["nodes"][MANAGER], lab["nodes"][MANAGER]))
    msg = run.failed("Fails: join a manager that does not answer")["msg"]
    assert msg.startswith("Failed to join swarm at %s: " % closed), msg
    assert ("No manager answered at %s: check remote_addrs and that 2377/tcp is open on the managers. "
            "The node was returned to a clean, swarm-less state." % closed) in msg, msg
    assert msg.count("..") == 0, msg
    token_fix = ("The join_token was refused (stale, or of another swarm): take a current token from a manager of "
                 "this swarm (swarm_info include_secrets: true). The node was returned to a clean, swarm-less state.")
    assert run.failed("Fails: join with a token whose secret is wrong")["msg"] == (
        "Failed to join swarm at %s: rpc error: code = InvalidArgument desc = A valid join token is necessary to "
        "join this cluster. %s" % (lab["nodes"][MANAGER], token_fix))
    msg = run.failed("Fails: join with the token of another swarm")["msg"]
    assert msg.startswith("Failed to join swarm at %s: remote CA does not match fingerprint. Expected: " % lab["nodes"][MANAGER])
    assert msg.endswith(". " + token_fix), msg
    msg = run.failed("Fails: join a manager that never answers")["msg"]
    assert msg.startswith("Failed to join swarm at %s: Timeout was reached before node joined. " % closed), msg
    assert msg.endswith("No manager answered at %s: check remote_addrs and that 2377/tcp is open on the managers. "
                        "The node was returned to a clean, swarm-less state." % closed), msg
    # The engine leaves a node 'pending' after that timeout; the module made it leave.
    assert run.ok("Read the node after the failed join")["local_node"]["state"] == "inactive"
    for task in ("Assert the unreachable message", "Assert the other-swarm token message", "Assert the timeout message",
                 "Assert the node is clean, not pending"):
        run.ok(task)
    assert run.changed("Open 2377/tcp on the worker again") and run.changed("Make the spare node leave its swarm")
    assert run.changed("Rejoin the cluster")
    assert docker_exec(WORKERS[1], "docker", "info", "-f", "{{.Swarm.LocalNodeState}}") == "active"


def test_guards(target, cluster, lab):
    """The last manager does not leave, a worker does not silently become a manager, another swarm needs force."""
    run = target("swarm_join", "refusals")
    for step in ("check", "apply"):
        assert run.failed("Fails: the last manager leaves | %s" % step)["msg"] == (
            "Refusing to leave: this node is the last manager, and leaving ends the swarm. "
            "Set force: true to do it anyway.")
    assert run.failed("Fails: join the same swarm with another role")["msg"] == (
        "Failed to join swarm: this node is already in this swarm as a worker, not a manager. Change its role with "
        "beekeeper.swarm.swarm_node (role: manager) against a manager, or set force: true to leave and rejoin.")
    assert run.failed("Fails: join while in another swarm")["msg"] == (
        "Failed to join swarm: this node is already in another swarm (managers %s:2377), not the one at %s. "
        "Set force: true to leave it and join this one." % (lab["nodes"][SPARE], lab["nodes"][MANAGER]))
    move = run.four_steps("Move to the test cluster")
    assert move["check"]["actions"] == ["leave the current swarm", "join as worker"]
    run.ok("Assert the move")
    assert run.changed("Leave any swarm") and run.changed("Forget the spare in the test cluster")
    assert docker_exec(SPARE, "docker", "info", "-f", "{{.Swarm.LocalNodeState}}") == "inactive"

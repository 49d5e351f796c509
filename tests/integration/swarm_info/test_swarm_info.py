"""beekeeper.swarm.swarm_info on the formed cluster: nodes, health, unconverged services, ssh://."""

from __future__ import annotations

import subprocess

from conftest import MANAGER, SPARE, WORKERS, labnodes


def test_health_of_formed_cluster(target, cluster):
    """3 ready nodes, one leader, 1 manager needing a majority of 1; a worker and a swarm-less node see themselves."""
    run = target("swarm_info", "health")
    info = run.ok("Read the cluster")
    assert info["changed"] is False
    health = info["health"]
    assert (health["status"], health["managers_total"], health["majority_needed"], health["leader"]) == ("healthy", 1, 1, MANAGER)
    assert sorted(n["hostname"] for n in info["nodes"] if n["state"] == "ready") == sorted((MANAGER,) + WORKERS)
    assert [n["hostname"] for n in info["nodes"] if n["leader"]] == [MANAGER]
    assert run.ok("Read from a worker and from the spare", host=WORKERS[0])["local_node"]["role"] == "worker"
    assert run.ok("Read from a worker and from the spare", host=SPARE)["in_swarm"] is False
    for task in ("Assert three ready nodes, one leader, one manager, healthy", "Assert the filter and a health that still counts every node"):
        run.ok(task)


def test_services_not_converged(target, cluster):
    """A service no node can run is listed under health.services_not_converged with the scheduler's error."""
    run = target("swarm_info", "not_converged")
    info = run.ok("Wait until the scheduler reports why")
    (svc,) = info["health"]["services_not_converged"]
    assert svc["name"] == "it-nowhere" and (svc["running"], svc["desired"]) == (0, 2)
    assert any("no suitable node" in e for e in svc["errors"]), svc
    run.ok("Assert the service is reported with the engine's error")
    run.ok("Remove the service")


def test_ssh_docker_host(target, cluster, lab, tmp_path):
    """docker_host: ssh://root@MANAGER-ADDRESS from the controller through paramiko, using the HOME given (its .ssh/config
    and known_hosts); without the host key it fails with a message naming the fix, not a traceback."""
    address = lab["nodes"][MANAGER]
    home = tmp_path / "home"
    ssh = home / ".ssh"
    ssh.mkdir(parents=True, mode=0o700)
    (ssh / "config").write_text(
        "Host %s\n  IdentityFile %s\n  User root\n" % (address, labnodes.ssh_key())
    )
    keys = subprocess.run(["ssh-keyscan", "-T", "10", address], check=True, capture_output=True, text=True).stdout
    assert address in keys
    (ssh / "known_hosts").write_text(keys)
    run = target("swarm_info", "ssh", envvars={"HOME": str(home)})
    info = run.ok("Read the cluster through ssh://root@MANAGER")
    assert info["local_node"]["address"] == address
    assert info["health"]["leader"] == MANAGER
    run.ok("Assert it is the manager's cluster")

    # The same with no known_hosts entry: paramiko's RejectPolicy refuses, so the HOME above was the one used.
    (ssh / "known_hosts").write_text("")
    task = "Read the cluster through ssh://root@MANAGER"
    run = target("swarm_info", "ssh", envvars={"HOME": str(home)}, expect_status="failed", expect_failed=(task,))
    msg = run.failed(task)["msg"]
    assert msg == (
        "Failed to connect to the Docker engine at 'ssh://root@%s': Server '%s' not found in known_hosts. Check that "
        "the engine runs there and that docker_host is right; over ssh://, that known_hosts has the host's key and "
        "the SSH key is in ~/.ssh/config or an agent." % (address, address)), msg


def test_stack_filter(target, cluster):
    """stack: NAME reads only that stack's services and tasks (not a plain service beside it) and says whether it
    converged: not while one of its services cannot be placed, yes once that service is pruned; an unknown stack
    exists: false."""
    run = target("swarm_info", "stack")
    stuck = run.ok("Read the stack until the scheduler has placed what it can")
    assert stuck["stack"]["services_not_converged"] == ["it-info_stuck"], stuck["stack"]
    assert "it-outside" not in [s["name"] for s in stuck["services"]]
    service_ids = {s["id"] for s in stuck["services"]}
    assert stuck["tasks"] and {t["service_id"] for t in stuck["tasks"]} <= service_ids
    converged = run.ok("Read the converged stack")
    assert converged["stack"]["converged"] is True, converged["stack"]
    (web,) = converged["stack"]["services"]
    assert (web["name"], web["running"], web["desired"], web["mode"]) == ("it-info_web", 2, 2, "Replicated")
    assert run.ok("Read a stack that is not there")["stack"] == dict(
        name="it-none", exists=False, converged=False, services=[], services_not_converged=[])
    run.ok("Assert only the stack is read, and its convergence")
    run.ok("Remove the stack")

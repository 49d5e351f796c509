"""beekeeper.swarm.swarm_network on the lab: create and keep, refused and forced recreate with a service and a
container on the network, traffic between two workers, internal, delete, bad input, the ingress network."""

from __future__ import annotations

import time

from conftest import MANAGER, docker_exec


def _no_user_networks():
    """Only the ingress overlay is left (a deleted network's local copy goes once its last task has stopped)."""
    deadline = time.monotonic() + 30
    while True:
        names = docker_exec(MANAGER, "docker", "network", "ls", "--filter", "driver=overlay", "--format", "{{.Name}}")
        if names.split() == ["ingress"] or time.monotonic() > deadline:
            break
        time.sleep(1)
    assert names.split() == ["ingress"], names


def test_create_and_forced_recreate(target, cluster):
    """Create an attachable encrypted overlay (four steps); a label change is refused while service and container
    use it; with force the module detaches, recreates and reattaches, says so, and the service's task runs on it."""
    run = target("swarm_network", "recreate")
    create = run.four_steps("Create an attachable encrypted overlay")
    assert create["check"]["actions"] == ["create network"]
    assert create["apply"]["network"]["ipam"]["config"] == [
        {"subnet": "10.10.0.0/24", "gateway": "10.10.0.1", "ip_range": None, "aux_addresses": {}}]
    assert create["apply again"]["actions"] == []
    run.ok("Assert the network")
    refused = ("Refusing to recreate network 'bk_net' to change labels: service bk-net-web and container bk-net-box use it, and "
               "the engine cannot change a network in place. Set force: true to detach, recreate the network and reattach "
               "(tasks restart), or detach them yourself first.")
    assert run.failed("Fails: change a label while a service uses the network | check")["msg"] == refused
    assert run.failed("Fails: change a label while a service uses the network | apply")["msg"] == refused
    force = run.four_steps("Force the label change")
    actions = ["detach service bk-net-web", "detach container bk-net-box", "recreate network",
               "reattach service bk-net-web", "reattach container bk-net-box"]
    assert force["check"]["actions"] == actions
    assert force["apply"]["actions"] == actions
    assert force["apply"]["diff"]["before"]["labels"] == {"com.example.team": "payments"}
    assert force["apply"]["diff"]["after"]["labels"] == {"com.example.team": "billing"}
    run.ok("Assert the forced recreate")
    _no_user_networks()


def test_traffic_between_workers(target, cluster):
    """A client task on one worker fetches a page from an httpd task on the other by service name."""
    run = target("swarm_network", "traffic")
    run.four_steps("Create the traffic network")
    page = run.ok("Fetch the page from the server by service name")["stdout"]
    assert "hello-from-the-overlay" in page
    run.ok("Assert the traffic")
    _no_user_networks()


def test_internal(target, cluster):
    """An internal network with a driver option, then made normal again (a recreate, four steps each)."""
    run = target("swarm_network", "internal")
    run.four_steps("Create an internal network")
    normal = run.four_steps("Make it a normal network")
    assert normal["apply"]["actions"] == ["recreate network"]
    assert normal["apply"]["diff"]["before"]["internal"] is True
    assert normal["apply"]["diff"]["after"]["internal"] is False
    run.ok("Assert the internal network")
    _no_user_networks()


def test_absent(target, cluster):
    """Deleting is refused while a service uses the network; works after the service is removed; with force it
    detaches the service first."""
    run = target("swarm_network", "absent")
    refused = ("Refusing to delete network 'bk_net_gone': service bk-net-user uses it. Detach them first, or set "
               "force: true to detach them and delete the network.")
    assert run.failed("Fails: delete a network a service uses | check")["msg"] == refused
    assert run.failed("Fails: delete a network a service uses | apply")["msg"] == refused
    delete = run.four_steps("Delete the network")
    assert delete["apply"]["actions"] == ["delete network"]
    forced = run.four_steps("Delete the network with force")
    assert forced["apply"]["actions"] == ["detach service bk-net-user", "delete network"]
    run.ok("Assert the deletes")
    _no_user_networks()


def test_bad_input(target, cluster):
    """Exact messages naming the field and the fix; nothing is created."""
    run = target("swarm_network", "bad_input")
    assert run.failed("Fails: a subnet that is not a CIDR")["msg"] == (
        "ipam.config[0].subnet: '10.10.0.0/33' is not a valid subnet; use CIDR notation, for example 10.10.0.0/24.")
    assert run.failed("Fails: a gateway outside the subnet")["msg"] == (
        "ipam.config[0].gateway: 10.9.0.1 is not inside subnet 10.10.0.0/24; pick an address in the subnet or leave gateway out.")
    assert run.failed("Fails: encrypted with the bridge driver")["msg"] == (
        "encrypted: only overlay networks can be encrypted (driver is bridge); use driver: overlay or leave encrypted out.")
    assert run.failed("Fails: a name with a dot")["msg"] == (
        "name: 'bk.net' is not a valid network name; use letters and digits, with '-' or '_' between them (for example app_backend).")
    assert run.failed("Fails: a label value that is a number")["msg"] == (
        "labels.tier: 3 is not a string (int); quote it in YAML (for example '3').")
    run.ok("Assert nothing was created")


def test_ingress(target, cluster):
    """The ingress network: refused (even with force) while a service publishes in ingress mode; then its subnet
    is customised (four steps) and put back."""
    run = target("swarm_network", "ingress")
    assert run.failed("Fails: customise ingress while a service publishes in ingress mode")["msg"] == (
        "Refusing to recreate ingress network 'ingress' to change ipam: service bk-net-published publishes ports in ingress "
        "mode, and the swarm changes its ingress network only while no service does (force cannot detach them). Remove those "
        "ports or publish them with mode: host, then run again.")
    assert run.failed("Fails: name the ingress network without ingress")["msg"] == (
        "Refusing to recreate ingress network 'ingress' as a plain network: set ingress: true to customise it, or delete "
        "it first (state: absent) if the swarm should have no ingress network.")
    ingress = run.four_steps("Customise the ingress subnet")
    assert ingress["apply"]["actions"] == ["recreate network"]
    assert ingress["apply"]["network"]["ipam"]["config"][0]["subnet"] == "10.11.0.0/16"
    run.ok("Assert the ingress network")
    assert run.changed("Put the ingress network back as it was")
    subnet = docker_exec(MANAGER, "docker", "network", "inspect", "ingress", "--format", "{{(index .IPAM.Config 0).Subnet}}")
    assert subnet == "10.0.0.0/24"

"""beekeeper.swarm.swarm_service on the lab: the tutorials' service scenarios, four steps each, and bad input."""

from __future__ import annotations

import ipaddress
import json
import time

import pytest
from conftest import MANAGER, SUBNET, WORKERS, docker_exec

from beekeeper_lab.registry import ensure_registry


def _nodes(tasks):
    return sorted(t["node"] for t in tasks if t["desired_state"] == "running" and t["state"] == "running")


def test_scale_self_heal_rollback_remove(target, cluster):
    """Acceptance 1: demo scaled 1 -> 5 and converged; a killed task container is replaced and the module
    reports no change; keep_replicas leaves day-2 scaling alone; rollback by hand; removal waits for the tasks."""
    run = target("swarm_service", "scale")
    create = run.four_steps("Create demo with one replica")
    assert create["check"]["diff"]["before"] == {}
    assert create["check"]["diff"]["after"]["replicas"] == 1
    assert create["apply"]["service"]["running"] == 1 and create["apply"]["service"]["wanted"] == 1
    assert run.failed("Fails: roll back a service that was never updated")["msg"] == (
        "rollback: service 'demo' has no previous spec to return to (it was never updated); nothing to roll back to.")
    five = run.four_steps("Scale demo to five")
    assert five["check"]["changes"] == ["replicas"]
    assert five["check"]["diff"] == {"before": {"replicas": 1}, "after": {"replicas": 5}}, "the diff is exactly the change"
    assert five["apply again"]["diff"] == {"before": {}, "after": {}}
    assert (five["apply"]["service"]["running"], five["apply"]["service"]["wanted"]) == (5, 5)
    assert len(_nodes(five["apply"]["tasks"])) == 5
    healed = run.ok("Demo after a task container was killed")
    assert healed["changed"] is False
    assert (healed["service"]["running"], healed["service"]["wanted"]) == (5, 5)
    states = run.ok("Count the running tasks with the docker CLI")["stdout_lines"]
    assert len(states) == 5 and all(s.startswith("Running") for s in states), states
    keep = run.ok("Leave the replica count to day-2 scaling | apply")
    assert keep["changed"] is False and keep["service"]["spec"]["replicas"] == 5
    assert run.ok("Leave the replica count to day-2 scaling | check")["changed"] is False
    rollback = run.four_steps("Roll back to the previous spec")
    assert (rollback["check"]["diff"]["before"]["replicas"], rollback["check"]["diff"]["after"]["replicas"]) == (5, 1)
    assert rollback["apply"]["service"]["running"] == 1
    assert rollback["apply"]["service"]["update_state"] == "rollback_completed"
    removal = run.four_steps("Remove demo")
    assert removal["check"]["diff"]["after"] == {}
    assert docker_exec(MANAGER, "docker", "service", "ls", "-q") == ""


def test_global_and_job(target, cluster):
    """Acceptance 2: a global service runs exactly one task per active node and none on a drained node; the node
    returning gets its task. A replicated job waits for its completions and does not run again unchanged."""
    run = target("swarm_service", "global")
    agent = run.four_steps("Run an agent on every node")
    assert _nodes(agent["apply"]["tasks"]) == [MANAGER, WORKERS[1]]
    assert (agent["apply"]["service"]["running"], agent["apply"]["service"]["wanted"]) == (2, 2)
    rows = run.ok("Read where the agent runs with the docker CLI")["stdout_lines"]
    assert sorted(r.split()[0] for r in rows) == [MANAGER, WORKERS[1]], rows
    back = run.ok("The agent after the worker came back")
    assert back["changed"] is False
    assert _nodes(back["tasks"]) == sorted([MANAGER] + list(WORKERS))
    job = run.four_steps("Run a job twice")
    assert job["check"]["diff"]["after"]["mode"] == "replicated-job"
    assert (job["apply"]["service"]["running"], job["apply"]["service"]["wanted"]) == (2, 2)
    assert [t["state"] for t in job["apply"]["tasks"]] == ["complete", "complete"]


def test_rolling_update_and_failed_update(target, cluster):
    """Acceptance 4: 4 replicas updated 2 at a time, 5 s apart, start-first, while a client on the overlay
    network (dnsrr) counts failed requests: none fail and every task ends on v2. A v3 that exits at once
    with failure_action rollback fails the task with the rollback reported, and v2 is served again."""
    run = target("swarm_service", "rolling")
    v2 = run.four_steps("Roll out v2")
    assert v2["check"]["changes"] == ["env"]
    assert v2["check"]["diff"] == {"before": {"env": ["VERSION=v1"]}, "after": {"env": ["VERSION=v2"]}}
    assert (v2["apply"]["service"]["running"], v2["apply"]["service"]["wanted"]) == (4, 4)
    assert v2["apply"]["service"]["update_state"] == "completed"
    before = int(run.ok("Wait until the client has served requests")["stdout"].split()[0])
    lines = run.ok("Read the client's requests")["stdout_lines"]
    during = lines[before:]
    failures = [line for line in lines if not line.startswith("ok ")]
    assert not failures, "failed requests: %d of %d: %s" % (len(failures), len(lines), failures[:10])
    assert "ok v1" in during and "ok v2" in during and during[-1] == "ok v2", during[-20:]
    served = sorted(line for r in run.ok("Read what every web task serves")["results"] for line in r["stdout_lines"])
    assert served == ["v2"] * 4, served
    failed = run.failed("Fails: roll out a v3 that exits at once")
    assert failed["msg"].startswith(
        "Failed to update service 'web': the update failed and the engine rolled it back to the previous spec"), failed["msg"]
    assert "; 4/4 tasks run the previous spec again. Task errors: " in failed["msg"], failed["msg"]
    assert "non-zero exit (3)" in failed["msg"], failed["msg"]
    # What the failed tasks printed, as `docker service logs --tail` shows it.
    assert "Last log lines of web's failed task " in failed["msg"] and ": v3 is broken." in failed["msg"], failed["msg"]
    assert all(lines == ["v3 is broken"] for lines in failed["reports"]["web"]["logs"].values()), failed["reports"]
    served = sorted(line for r in run.ok("Read what every web task serves after the rollback")["results"] for line in r["stdout_lines"])
    assert served == ["v2"] * 4, served
    again = run.ok("The v2 spec after the rollback")
    assert again["changed"] is False and (again["service"]["running"], again["service"]["wanted"]) == (4, 4)


def test_host_port_moved(target, cluster):
    """Acceptance 5: a host-mode published port changed: the old port closes, the new one answers."""
    run = target("swarm_service", "ports")
    first = run.four_steps("Publish 18080 in host mode")
    assert first["apply"]["service"]["spec"]["ports"] == [{"target": 8080, "published": 18080, "protocol": "tcp", "mode": "host"}]
    moved = run.four_steps("Move the port to 18081")
    assert moved["check"]["changes"] == ["ports"]
    assert moved["check"]["diff"]["after"]["ports"][0]["published"] == 18081
    run.ok("Port 18081 answers on the worker")
    run.ok("Port 18080 is closed on the worker")


def test_constraint_follows_label(target, cluster):
    """Acceptance 6: tasks land only on nodes with the label; moving the label moves them."""
    run = target("swarm_service", "constraint")
    db = run.four_steps("Run three tasks on db nodes")
    assert _nodes(db["apply"]["tasks"]) == [WORKERS[0]] * 3
    rows = run.ok("Wait until every db task runs on the second worker")["stdout_lines"]
    assert len(rows) == 3 and all(r.startswith(WORKERS[1] + " Running") for r in rows), rows
    after = run.ok("The db service after the label moved")
    assert after["changed"] is False and _nodes(after["tasks"]) == [WORKERS[1]] * 3


def test_bad_input(target, cluster):
    """Bad input fails with messages naming the option and the fix, and nothing is created."""
    run = target("swarm_service", "bad_input")
    messages = {
        "an invalid image reference": (
            "image: 'Busybox:latest!' is not a valid image reference; use [registry/]name[:tag][@sha256:digest] with a lowercase "
            "name, e.g. registry.example.com/team/app:1.2."),
        "an unknown network": (
            "networks[0].name: network 'no-such-net' does not exist; create it first (beekeeper.swarm.swarm_network, an overlay "
            "network)."),
        "an unknown secret": (
            "secrets[0].source: secret 'no_such_secret' does not exist (no secret of that name or logical name); create it first "
            "with beekeeper.swarm.swarm_secret."),
        "replicas with global mode": (
            "replicas: only replicated services have a replica count, and mode is global; remove replicas or use mode: replicated."),
        "a malformed duration": (
            "update_config.delay: '5x' is not a duration; use a number with a unit (ns, us, ms, s, m, h, d), e.g. 5s, 1m30s, "
            "100ms, 2160h."),
        "a negative duration": "stop_grace_period: '-5' is negative; durations are 0 or more, e.g. 5s.",
        "a port out of range": "ports[0].published: 70000 is out of range; ports are 1-65535.",
        "an option newer than the engine": "Engine API 1.41 is too old for oom_score_adj (needs 1.46).",
    }
    for what, msg in messages.items():
        assert run.failed("Fails: " + what)["msg"] == msg
    ahead = run.ok("Check mode with a network and a secret an earlier task of the run would create")
    assert ahead["changed"] is True
    assert ahead["warnings"] == [
        "network 'not-yet-net' does not exist yet; check mode assumes an earlier task of this run creates it (a real run fails "
        "here if none does).",
        "secret 'not_yet_secret' does not exist yet; check mode assumes an earlier task of this run creates it (a real run fails "
        "here if none does)."]
    run.ok("Nothing was created")


def test_convergence_failures_carry_task_errors(target, cluster):
    """A healthcheck slower than the monitor warns; a service no node can take and an image no node has time out
    with the engine's own task errors."""
    run = target("swarm_service", "errors")
    warnings = run.warnings("A healthcheck slower than the update monitor | check")
    assert any(w.startswith("update_config.monitor (5s) is shorter than healthcheck start_period + interval x retries (30s)")
               for w in warnings), warnings
    nowhere = run.failed("Fails: a service no node can take")["msg"]
    assert nowhere.startswith("Timed out after 15s waiting for service 'nowhere' to converge: 0/1 tasks running on the current spec. "
                              "Task errors: no suitable node (scheduling constraints not satisfied on 3 nodes"), nowhere
    noimage = run.failed("Fails: an image no node has")["msg"]
    assert noimage.startswith("Timed out after 15s waiting for service 'noimage' to converge: 0/1 tasks running on the current spec. "
                              "Task errors: "), noimage
    assert "No such image: beekeeper-lab/no-such-image:1" in noimage, noimage


@pytest.fixture(scope="module")
def lab_registry(lab):
    """The lab registry on the host, and every node of the test cluster trusting it (plain HTTP)."""
    ensure_registry()
    gateway = "%s:5000" % next(ipaddress.ip_network(SUBNET).hosts())
    conf = json.dumps({"insecure-registries": [gateway]})
    for node in (MANAGER,) + WORKERS:
        if docker_exec(node, "cat", "/etc/docker/daemon.json", check=False) != conf:
            docker_exec(node, "sh", "-c", "mkdir -p /etc/docker && echo '%s' > /etc/docker/daemon.json && systemctl restart docker" % conf)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        rows = docker_exec(MANAGER, "docker", "node", "ls", "--format", "{{.Status}}", check=False).split()
        if rows and all(r == "Ready" for r in rows):
            break
        time.sleep(2)
    return gateway


def test_digest_follows_the_tag(target, cluster, lab_registry):
    """resolve_image pins the tag to its digest on the registry; an unchanged tag is no change; a moved tag updates
    the service to the new digest, and the tasks run the new image."""
    run = target("swarm_service", "digest", extravars={"lab_registry": lab_registry})
    first = run.ok("Push the first image to the tag")["stdout"].split("@")[1]
    pinned = run.four_steps("Run the tag pinned to its digest")
    assert pinned["apply"]["service"]["spec"]["image"] == "%s/bk/busybox:stable@%s" % (lab_registry, first)
    moved = run.ok("Move the tag to a new image")["stdout"].split("@")[1]
    assert moved != first
    follow = run.four_steps("Follow the moved tag")
    assert follow["check"]["changes"] == ["image"]
    assert follow["apply"]["service"]["spec"]["image"] == "%s/bk/busybox:stable@%s" % (lab_registry, moved)
    assert (follow["apply"]["service"]["running"], follow["apply"]["service"]["wanted"]) == (2, 2)
    seen = [line for r in run.ok("The tasks run the new image")["results"] for line in r["stdout_lines"]]
    assert seen == ["moved", "moved"], seen


def test_whole_spec_runs_as_declared(target, cluster):
    """Most of the ServiceSpec at once, four steps: the task containers run exactly what was declared, and one
    nested change (limits.memory) is the only change."""
    run = target("swarm_service", "full")
    full = run.four_steps("Run the whole spec")
    assert (full["apply"]["service"]["running"], full["apply"]["service"]["wanted"]) == (2, 2)
    assert sorted(t["node"] for t in full["apply"]["tasks"]) == sorted(WORKERS)
    out = run.ok("Inspect a task container")["stdout"]
    inspect = json.loads(out[:out.rindex("]") + 1])[0]
    facts = dict(line.split("=", 1) for line in out[out.rindex("]") + 1:].split() if "=" in line)
    host = inspect["HostConfig"]
    assert inspect["Config"]["Entrypoint"] == ["sh", "-c"]
    assert "FROM_FILE=yes" in inspect["Config"]["Env"] and "GREETING=hello" in inspect["Config"]["Env"]
    assert inspect["Config"]["Labels"]["com.example.role"] == "demo"
    assert inspect["Config"]["StopSignal"] == "SIGINT"
    assert inspect["Config"]["Healthcheck"] == {"Test": ["CMD-SHELL", "test -f /tmp/greeting"], "Interval": 2 * 10 ** 9,
                                                "Timeout": 2 * 10 ** 9, "StartPeriod": 10 ** 9, "Retries": 2}
    assert inspect["State"]["Health"]["Status"] == "healthy"
    assert host["Init"] is True and host["ReadonlyRootfs"] is True
    assert host["CapAdd"] == ["CAP_SYS_PTRACE"] and host["CapDrop"] == ["CAP_NET_RAW"]
    assert host["Sysctls"] == {"net.ipv4.ip_local_port_range": "20000 30000"}
    assert host["Ulimits"] == [{"Name": "nofile", "Soft": 1024, "Hard": 2048}]
    assert host["Memory"] == 64 * 1024 ** 2 and host["NanoCpus"] == 500000000 and host["PidsLimit"] == 100
    assert host["Dns"] == ["10.1.2.53"] and host["DnsSearch"] == ["example.internal"] and host["DnsOptions"] == ["ndots:2"]
    assert host["LogConfig"] == {"Type": "json-file", "Config": {"max-size": "1m"}}
    assert host["GroupAdd"] == ["2000"]
    assert sorted(m["Type"] for m in inspect["Mounts"]) == ["bind", "tmpfs", "volume"]
    assert facts["id"] == "1000:1000" and facts["pwd"] == "/tmp" and facts["greeting"] == "hello" and facts["from_file"] == "yes"
    assert facts["nofile"] == "1024" and facts["node"] == WORKERS[0] and facts["rootfs"] == "readonly"
    assert facts["hostname"] in ("full-1", "full-2") and "10.1.2.3" in out
    memory = run.four_steps("Change the memory limit")
    assert memory["check"]["changes"] == ["limits"]
    assert memory["check"]["diff"]["before"]["limits"]["memory"] == 64 * 1024 ** 2
    assert memory["check"]["diff"]["after"]["limits"]["memory"] == 96 * 1024 ** 2
    forced_check = run.ok("Restart every task with force_update | check")
    forced = run.ok("Restart every task with force_update | apply")
    assert forced_check["changed"] and forced["changed"] and forced["changes"] == ["force_update"]
    assert forced["service"]["spec"]["force_update"] == memory["apply"]["service"]["spec"]["force_update"] + 1
    assert (forced["service"]["running"], forced["service"]["wanted"]) == (2, 2)


def test_on_failure_leaves_what_the_user_chose(target, cluster):
    """What only the engine finds after a write: a new service with an image no node has is removed again; with
    on_failure: keep a new one is left. An update with a group the image lacks is rolled back to exactly the spec it
    had, whose tasks run again; with on_failure: keep it is left on the new spec, its update paused."""
    run = target("swarm_service", "on_failure")
    new = run.failed("Fails: create a service with an image no node has")
    assert new["msg"].startswith("Timed out after 10s waiting for service 'of-new' to converge: 0/1 tasks running on the current "
                                 "spec. Task errors: "), new["msg"]
    assert "No such image: beekeeper-lab/no-such-image:1" in new["msg"], new["msg"]
    assert new["msg"].endswith(" Service 'of-new' was removed again (on_failure: rollback; on_failure: keep leaves a failed new "
                               "service for inspection)."), new["msg"]
    assert "of-new" not in run.ok("The services after the failed create")["stdout_lines"]
    kept = run.failed("Fails: create a service with a group the image does not have, kept")
    assert "nosuchgroup" in kept["msg"] and kept["after_failure"] == "kept", kept["msg"]
    assert kept["msg"].endswith(" Service 'of-kept' was left as it is for inspection (on_failure: keep); state: absent removes "
                                "it."), kept["msg"]
    assert "of-kept" in run.ok("The services after the kept create")["stdout_lines"]
    run.four_steps("Run of-web")
    before = json.loads(run.ok("Read of-web's spec before the failed update")["stdout"])
    update = run.failed("Fails: update of-web with a group the image does not have")
    assert update["msg"].startswith("Failed to update service 'of-web': the engine paused the update"), update["msg"]
    assert "Task errors: " in update["msg"] and "nosuchgroup" in update["msg"], update["msg"]
    assert update["msg"].endswith(" Service 'of-web' was rolled back to its previous spec (on_failure: rollback; on_failure: keep "
                                  "leaves a failed update for inspection)."), update["msg"]
    assert json.loads(run.ok("Read of-web's spec after the rollback")["stdout"]) == before
    again = run.ok("Of-web after the rollback")
    assert again["changed"] is False and (again["service"]["running"], again["service"]["wanted"]) == (2, 2)
    assert again["service"]["update_state"] == "rollback_completed"
    left = run.failed("Fails: update of-web with a group the image does not have, kept")
    assert left["after_failure"] == "kept" and "nosuchgroup" in left["msg"], left["msg"]
    assert left["msg"].endswith(" Service 'of-web' was left as it is for inspection (on_failure: keep), on the new spec with the "
                                "update paused; rollback: true returns it to its previous spec."), left["msg"]
    assert run.ok("Read of-web after the kept update")["stdout"] == '["nosuchgroup"] paused'

"""beekeeper.swarm.swarm_wait on the lab: swarm_service `wait: false` in a loop, then one wait; services that cannot
converge; missing services, bad input and check mode. The playbooks are beside this file."""

from __future__ import annotations

import pytest
from conftest import MANAGER, docker_exec

NAMES = ["wait-a", "wait-b", "wait-c", "wait-d"]


@pytest.fixture
def wait_run(target, cluster):
    """Run a scenario (<name>.yml beside this file); afterwards (pass or fail) remove what it created."""
    def run(name, **kw):
        return target("swarm_wait", name, **kw)

    yield run
    target("swarm_wait", "cleanup")
    assert docker_exec(MANAGER, "docker", "service", "ls", "-q") == ""


def _converged(report, names, wanted=2, update_state=None):
    assert report["changed"] is False and report["converged"] is True, report
    assert [s["name"] for s in report["services"]] == names, report["services"]
    for s in report["services"]:
        assert s["converged"] is True and (s["running"], s["wanted"]) == (wanted, wanted), s
        assert s["update_state"] == update_state and s["errors"] == [] and s["kind"] == "replicated", s
        running = [t for t in s["tasks"] if t["desired_state"] == "running" and t["state"] == "running"]
        assert len(running) == wanted, s["tasks"]


def test_loop_then_one_wait(wait_run):
    """Four services created and then updated with `wait: false` in a loop: one swarm_wait returns when every one runs
    all its replicas on the new spec (read with the docker CLI right after it, and again from the host); by name, by
    label, by key only, every service; a label that matches nothing warns; check mode looks once and does not wait."""
    run = wait_run("loop")
    assert all(r["changed"] for r in run.ok("Create four services without waiting")["results"])
    created = run.ok("Wait for the four by name")
    _converged(created, NAMES)
    assert sorted(run.ok("Read the services with the docker CLI right after the wait")["stdout_lines"]) == [
        "%s 2/2" % n for n in NAMES]

    look = run.ok("Look once in check mode while they update")
    assert look["changed"] is False and look["converged"] is False, look
    assert [s["name"] for s in look["services"]] == NAMES
    assert [s for s in look["services"] if not s["converged"]], look["services"]  # seconds into the updates: some are not done

    updated = run.ok("Wait for the four by label")
    _converged(updated, NAMES, update_state="completed")
    rows = run.ok("Read the running tasks with the docker CLI right after the wait")["stdout_lines"]
    assert sorted(r.split(".")[0] + " " + r.split()[1] for r in rows) == sorted(["%s Running" % n for n in NAMES] * 2), rows

    # From the host, through the node's engine: every replica runs, on the updated spec.
    assert sorted(docker_exec(MANAGER, "docker", "service", "ls", "--format", "{{.Name}} {{.Replicas}}").splitlines()) == [
        "%s 2/2" % n for n in NAMES]
    for name in NAMES:
        tasks = docker_exec(MANAGER, "docker", "service", "ps", name, "--filter", "desired-state=running",
                            "--format", "{{.CurrentState}}").splitlines()
        assert len(tasks) == 2 and all(t.startswith("Running") for t in tasks), (name, tasks)
        env = docker_exec(MANAGER, "docker", "service", "inspect", name, "--format", "{{json .Spec.TaskTemplate.ContainerSpec.Env}}")
        assert env == '["REV=2"]', (name, env)

    _converged(run.ok("Wait for the back tier by label"), ["wait-c", "wait-d"], update_state="completed")
    _converged(run.ok("Wait for services that have the key, whatever its value"), NAMES, update_state="completed")
    _converged(run.ok("Wait for every service in the swarm"), NAMES, update_state="completed")
    _converged(run.ok("Wait by name, by short ID and by full ID, the same service thrice"), ["wait-a"], update_state="completed")
    nothing = run.ok("A label that matches no service")
    assert (nothing["converged"], nothing["services"]) == (True, [])
    assert nothing["warnings"] == ["No service matches labels com.example.nothing; nothing to wait for."]


def test_services_that_cannot_converge(wait_run):
    """Five services created in a loop, two of which cannot converge (no node matches the constraint; an image no node
    has): the wait fails at its timeout naming both with the engine's task errors, and reports the three others
    converged."""
    run = wait_run("failure")
    failed = run.failed("Fails: wait for five services, two of which cannot converge")
    msg = failed["msg"]
    assert msg.startswith("2 of 5 did not converge: "), msg
    assert ("Timed out after 20s waiting for service 'wait-nowhere' to converge: 0/1 tasks running on the current spec. "
            "Task errors: no suitable node (scheduling constraints not satisfied on 3 nodes") in msg, msg
    assert "Timed out after 20s waiting for service 'wait-noimage' to converge: 0/1 tasks running on the current spec. " in msg, msg
    assert "No such image: beekeeper-lab/no-such-image:1" in msg, msg
    assert "wait-ok" not in msg, msg
    assert failed["converged"] is False
    by_name = dict((s["name"], s) for s in failed["services"])
    assert list(by_name) == ["wait-ok-1", "wait-nowhere", "wait-ok-2", "wait-noimage", "wait-ok-3"]
    for name in ("wait-ok-1", "wait-ok-2", "wait-ok-3"):
        assert by_name[name]["converged"] is True and (by_name[name]["running"], by_name[name]["wanted"]) == (1, 1), by_name[name]
    for name in ("wait-nowhere", "wait-noimage"):
        assert by_name[name]["converged"] is False and by_name[name]["running"] == 0 and by_name[name]["errors"], by_name[name]
    assert by_name["wait-nowhere"]["errors"][0].startswith("no suitable node"), by_name["wait-nowhere"]
    assert any("No such image" in e for e in by_name["wait-noimage"]["errors"]), by_name["wait-noimage"]
    _converged(run.ok("A wait of 0 s looks once, and the services that can run have converged by now"),
               ["wait-ok-1", "wait-ok-2", "wait-ok-3"], wanted=1)


def test_missing_services_and_bad_input(wait_run):
    """A named service that does not exist fails before waiting, naming each; bad options name the fix; in check mode
    a service an earlier task only predicted is a warning and is skipped."""
    run = wait_run("bad_input")
    messages = {
        "a service that does not exist": (
            "Failed to wait for service 'wait-nosuch': no such service; create it first (beekeeper.swarm.swarm_service) or fix "
            "the name."),
        "two services that do not exist": (
            "Failed to wait for services 'wait-nosuch', 'wait-gone': no such service; create them first "
            "(beekeeper.swarm.swarm_service) or fix the name."),
        "a label value that is not a string": (
            "labels: the value of 'tier' is not a string (int); label values are strings, so quote it (tier: \"1\"), or use null "
            "to match the key only."),
        "services and labels together": "parameters are mutually exclusive: services|labels",
    }
    for what, msg in messages.items():
        assert run.failed("Fails: " + what)["msg"] == msg
    ahead = run.ok("Check mode with a service an earlier task only predicted")
    assert ahead["changed"] is False and ahead["converged"] is True
    assert [s["name"] for s in ahead["services"]] == ["wait-here"] and ahead["services"][0]["converged"] is True
    assert ahead["warnings"] == [
        "service 'wait-ahead' does not exist yet; check mode assumes an earlier task of this run creates it (a real run fails "
        "here if none does)."]
    only = run.ok("Check mode with only a predicted service")
    assert (only["converged"], only["services"]) == (True, [])
    assert len(only["warnings"]) == 1 and only["warnings"][0].startswith("service 'wait-ahead' does not exist yet"), only["warnings"]
    assert run.ok("Nothing was created")["stdout_lines"] == ["wait-here"]

"""The malformed-input sweep on the lab: a few dozen malformed tasks per module, from tests/malformed.py (fixed seed),
through ansible-runner on the manager - updates of existing objects (made by setup.yml), creations, and check-mode runs.

Asserted, with every finding collected into one message: each task failed cleanly (failed, the message names the option,
no MODULE FAILURE or traceback, not a connection failure - that means validation let it through), no secret value appears
in any output, and the cluster is the same before and after: `docker service/secret/config/network/node ls` (IDs, names,
labels), every service's Spec and Version.Index, the swarm's spec.
"""

from __future__ import annotations

import difflib
import json
import sys
import time
from pathlib import Path

import yaml
from conftest import MANAGER, WORKERS, TargetRunner, docker_exec

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
import malformed  # noqa: E402

SEED = 9
# Malformed tasks per module (swarm_service: updates of the existing service, and creations of a new one).
# About 0.8 s a task on the lab: some 200 tasks keep the sweep near 3 minutes.
PER_MODULE = 16
SERVICE_UPDATES, SERVICE_CREATES = 32, 8
CHECK_MODE = 3

SNAPSHOT = r"""
set -e
echo "services:"; docker service ls --format '{{.ID}} {{.Name}}'
for id in $(docker service ls -q); do docker service inspect --format '{{.ID}} {{.Version.Index}} {{json .Spec}}' "$id"; done
for kind in secret config; do
  echo "$kind:"
  for id in $(docker $kind ls -q); do docker $kind inspect --format '{{.ID}} {{.Spec.Name}} {{.Version.Index}} {{json .Spec.Labels}}' "$id"; done
done
echo "networks:"
for id in $(docker network ls -q); do docker network inspect --format '{{.ID}} {{.Name}} {{.Driver}} {{.Scope}} {{json .Labels}}' "$id"; done
echo "nodes:"; docker node inspect --format '{{.ID}} {{.Description.Hostname}} {{json .Spec}}' $(docker node ls -q)
echo "swarm:"; docker info --format '{{json .Swarm.Cluster.Spec}}'
"""


def snapshot():
    # A network's labels read null until a task on this node instantiates it, {} after: the same labels.
    return "\n".join(line[:-4] + "{}" if line.endswith(" null") else line for line in docker_exec(MANAGER, "sh", "-c", SNAPSHOT).splitlines())


def lab_bases(lab):
    """The valid minimal task of each module on the lab: naming the objects setup.yml made, as they are."""
    manager_addr = lab["nodes"][MANAGER]
    service = dict(name="sweep-svc", image="beekeeper-lab/busybox:latest", command=["sleep", "86400"], endpoint_mode="dnsrr",
                   labels={"sweep": "yes"}, networks=[dict(name="sweep-net")], secrets=[dict(source="sweep_secret")],
                   configs=[dict(source="sweep_config", target="/etc/sweep.conf")], wait=False)
    return {
        "swarm_service": service,
        "swarm_service:create": dict(name="sweep-new", image="beekeeper-lab/busybox:latest", command=["sleep", "86400"],
                                     endpoint_mode="dnsrr", wait=False),
        "swarm_network": dict(name="sweep-net"),
        "swarm_init": dict(advertise_addr=manager_addr),
        "swarm_join": dict(remote_addrs=["%s:2377" % manager_addr], join_token=malformed.JOIN_TOKEN, role="manager"),
        "swarm_node": dict(node=WORKERS[0], labels=dict(zone="sweep")),
        "swarm_secret": dict(name="sweep_secret", data=malformed.SECRET_MARKER),
        "swarm_config": dict(name="sweep_config", data="sweep-config-data"),
        "swarm_wait": dict(services=["sweep-svc"], wait_timeout=30),
        "swarm_info": {},
    }


def sweep_cases(lab):
    """{task name: case} of the sweep play, and of the check-mode play."""
    bases = lab_bases(lab)
    run, check = [], []
    for name in malformed.MODULES:
        if name == "swarm_service":
            run += malformed.sample(name, SERVICE_UPDATES, SEED, bases[name])
            run += malformed.sample(name, SERVICE_CREATES, SEED + 1, bases["swarm_service:create"])
        else:
            run += malformed.sample(name, PER_MODULE, SEED, bases[name])
        check += malformed.sample(name, CHECK_MODE, SEED + 2, bases[name])
    return dict(("Sweep %03d" % i, c) for i, c in enumerate(run)), dict(("Sweep check %03d" % i, c) for i, c in enumerate(check))


# The secret values reach the tasks as variables: ansible-core shows the playbook lines around a failed task, and a
# value written there would show up in the output although no module printed it.
SECRET_VARS = dict(("sweep_secret_%d" % i, value) for i, value in enumerate(malformed.SECRETS))


def _templated(value):
    if isinstance(value, dict):
        return dict((k, _templated(v)) for k, v in value.items())
    if isinstance(value, list):
        return [_templated(v) for v in value]
    for var, secret in SECRET_VARS.items():
        if value == secret:
            return "{{ %s }}" % var
    return value


def _tasks(cases):
    return [{"name": task, "beekeeper.swarm." + case.module: _templated(case.args), "ignore_errors": True}
            for task, case in cases.items()]


def render(path, run, check):
    plays = [
        dict(name="Malformed tasks", hosts="swarm_managers", gather_facts=False, tasks=_tasks(run)),
        dict(name="Malformed tasks in check mode", hosts="swarm_managers", gather_facts=False, check_mode=True, tasks=_tasks(check)),
    ]
    (path / "sweep").mkdir(parents=True)
    (path / "sweep" / "sweep.yml").write_text(yaml.safe_dump(plays, sort_keys=False, allow_unicode=True, width=1000))


def finding(case, event):
    """What is wrong with the result of one malformed task, or None."""
    if event is None:
        return "did not run"
    res = event["event_data"].get("res") or {}
    msg = str(res.get("msg", ""))
    if event["event"] != "runner_on_failed":
        return "succeeded (changed=%s): %s" % (res.get("changed"), json.dumps(res, default=str)[:300])
    # ansible-core 2.19+ reports an exception that escaped the module as "Task failed: Module failed: ..."; every
    # result carries an "exception" key, "(traceback unavailable)" unless there was one.
    trace = str(res.get("exception") or "") + str(res.get("module_stderr") or "")
    if msg.startswith("Task failed") or "MODULE FAILURE" in msg or "Traceback (most recent call last)" in trace:
        return "crashed: %s" % msg[:300]
    if "to connect to the Docker engine" in msg:
        return "accepted (validation let it through to the engine connection)"
    # Engine errors and the guards that read the cluster come after connecting: validation accepted the value.
    if msg.startswith(("Failed to ", "Refusing ")):
        return "accepted by validation, failed after connecting: %s" % msg[:300]
    if not malformed.names_option(msg, case):
        return "message does not name %s: %s" % (case.option, msg[:300])
    return None


def test_malformed_tasks_fail_cleanly_and_change_nothing(lab, target, cluster, tmp_path):
    run_cases, check_cases = sweep_cases(lab)
    render(tmp_path, run_cases, check_cases)
    sweep = TargetRunner(tmp_path / "runner", lab["inventory"], target.envvars, root=tmp_path)
    extravars = dict(marker=malformed.SECRET_MARKER, worker=WORKERS[0])
    findings = []
    try:
        target("sweep", "setup", extravars=extravars)
        before = snapshot()
        started = time.monotonic()
        run = sweep("sweep", "sweep", extravars=SECRET_VARS, expect_failed=list(run_cases) + list(check_cases))
        took = time.monotonic() - started
        after = snapshot()
    finally:
        target("sweep", "teardown")
    events = dict((e["event_data"].get("task"), e) for e in run.results)
    for task, case in list(run_cases.items()) + list(check_cases.items()):
        what = finding(case, events.get(task))
        if what:
            mode = " (check mode)" if "check" in task else ""
            findings.append("%s%s %s=%s: %s" % (case.module, mode, case.option, repr(case.value)[:60], what))
    text = run.stdout + json.dumps(run.events, default=str)
    findings += ["a secret value appears in the output: %s" % s[:12] for s in malformed.SECRETS if s in text]
    if before != after:
        diff = difflib.unified_diff(before.splitlines(), after.splitlines(), "before", "after", n=0, lineterm="")
        findings.append("the cluster changed:\n" + "\n".join("  " + line[:400] for line in diff))
    total = len(run_cases) + len(check_cases)
    print("sweep: %d malformed tasks in %.0fs, %d findings" % (total, took, len(findings)))
    assert not findings, "%d of %d malformed tasks on the lab were not handled cleanly:\n%s" % (
        len(findings), total, "\n".join(findings))

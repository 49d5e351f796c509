"""The roles on their own labs, through the modules' harness (conftest.TargetRunner): each role's converge runs
four times (check, apply, apply again, check again, with --diff), and TargetRunner.four_steps asserts per task
that every host changed in the first two runs and no task on any host in the last two; then the role's own proofs.
The playbooks sit beside this file, one directory per role.

  swarm_preflight/: 3 bare bookworm nodes - modules, sysctls, advertise address, negatives (duplicate hostnames,
                    live-restore, an interface without an address, strict), a drifted sysctl put back.
  swarm_firewall/:  3 engine nodes + 1 outsider - iptables, nftables and ufw; Docker's chains untouched;
                    2377 open inside, closed to the outsider; drift by hand found and put back.
  swarm_engine/:    4 bare bookworm nodes (3 managers) - docker.io install, docker-ce repository in
                    check mode, live-restore refused, one rolling restart per node, managers one at a time,
                    daemon.json and a stopped engine drifted by hand and put back.

Each test starts its own lab and removes it, so the three can run side by side (pytest -n 3).
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import yaml
from conftest import RUNNER_ENV, TargetRunner, labnodes

HERE = Path(__file__).resolve().parent

LABS = {
    # role: (lab, subnet, nodes, managers, bare)
    "swarm_preflight": ("pf", "10.88.30.0/24", 3, 1, True),
    "swarm_firewall": ("fw", "10.88.31.0/24", 4, 1, False),
    "swarm_engine": ("eng", "10.88.40.0/24", 4, 3, True),
}


def _outsider(inventory: Path, host: str) -> None:
    """Move one node out of the swarm groups into swarm_outsiders (a lab host outside the cluster)."""
    data = yaml.safe_load(inventory.read_text())
    groups = data["all"]["children"]["swarm"]["children"]
    hostvars = groups["swarm_workers"]["hosts"].pop(host)
    data["all"]["children"]["swarm_outsiders"] = {"hosts": {host: hostvars}}
    inventory.write_text(yaml.safe_dump(data, sort_keys=False))


@contextlib.contextmanager
def _lab(role, tmp_path):
    """The role's lab and a TargetRunner for the playbooks beside this file; the lab is removed afterwards."""
    lab, subnet, count, managers, bare = LABS[role]
    inventory = tmp_path / "hosts.yml"
    members = labnodes.up(lab, nodes=count, managers=managers, subnet=subnet, engine=not bare, inventory=inventory)
    try:
        if role == "swarm_firewall":
            _outsider(inventory, f"{lab}-n{count}")
        yield TargetRunner(tmp_path / "runner", inventory, RUNNER_ENV, root=HERE), [m.name for m in members]
    finally:
        labnodes.down(lab)


def test_preflight(tmp_path):
    """Four steps on bare nodes; the files and facts; bad input refused with the exact messages (negative.yml's
    rescues); a kernel parameter drifted on one host is reported by check mode, left, and put back by apply."""
    role = "swarm_preflight"
    with _lab(role, tmp_path) as (target, hosts):
        target.four_steps(role, "converge")
        target(role, "verify")
        refusals = {
            "Refuse duplicate hostnames across the play": hosts[:2],
            "Refuse daemon.json settings that break swarm mode": hosts[:1],
            "Check that the advertise interface has an address": hosts[:1],
        }
        if not os.path.exists("/proc/net/ip_vs"):  # one kernel for the controller and the node containers
            refusals["Fail on the findings (swarm_preflight_strict)"] = hosts[:1]
        negative = target(role, "negative", expect_failed=tuple(refusals))
        for task, must_fail in refusals.items():
            failed = negative.failed_hosts(task)
            assert set(must_fail) <= set(failed), "%s failed on %s, expected %s" % (task, failed, must_fail)

        broken = target(role, "drift", envvars={"DRIFT_PHASE": "break"})
        drifted = list(broken.changed_tasks())
        assert drifted == [hosts[-1]], drifted
        last = drifted[0]
        target(role, "converge", cmdline="--check --diff --limit " + last).assert_changed(True)
        target(role, "drift", envvars={"DRIFT_PHASE": "expect-off"})
        target(role, "converge", cmdline="--diff --limit " + last).assert_changed(True)
        target(role, "drift", envvars={"DRIFT_PHASE": "expect-on"})


def test_firewall(tmp_path):
    """For each backend (BEEKEEPER_FW_BACKENDS, default iptables, nftables and ufw; firewalld works too): prepare,
    four steps, the rules and Docker's chains, 2377 open inside and closed to the outsider, then state absent.
    For iptables and nftables, drift by hand on one node (the INPUT jump or the table removed, the rules file
    edited, the boot unit disabled): check mode reports it, apply puts it back, the next run changes nothing."""
    role = "swarm_firewall"
    backends = os.environ.get("BEEKEEPER_FW_BACKENDS", "iptables nftables ufw").split()
    with _lab(role, tmp_path) as (target, hosts):
        for backend in backends:
            env = {"FW_BACKEND": backend}
            target(role, "prepare", envvars=env)
            target.four_steps(role, "converge", envvars=env)
            target(role, "verify", envvars=env)
            if backend in ("iptables", "nftables"):
                target(role, "drift", envvars=env)
                drifted = target(role, "converge", cmdline="--check --diff", envvars=env).changed_tasks()
                assert [h for h, tasks in drifted.items() if tasks] == hosts[:1], drifted
                print("%s drift, check mode: %s" % (backend, drifted[hosts[0]]))
                target(role, "converge", cmdline="--diff --limit " + hosts[0], envvars=env).assert_changed(True)
                target(role, "converge", cmdline="--diff", envvars=env).assert_changed(False)
                target(role, "verify", envvars=env)
            target(role, "cleanup", envvars=env)


def test_engine(tmp_path):
    """The docker-ce source in check mode; four steps on bare nodes; the engine and SDK; live-restore refused on every
    node; on a swarm, a daemon.json change restarts each engine once, one node at a time, and the new settings
    then converge unchanged."""
    role = "swarm_engine"
    max_size = "-e @%s" % (HERE / role / "vars" / "max_size.yml")
    with _lab(role, tmp_path) as (target, hosts):
        target(role, "docker_ce_check", cmdline="--check --diff")
        target.four_steps(role, "apply")
        target(role, "verify", cmdline="--diff")
        refused = "Assert daemon.json does not ask for live-restore"
        assert target(role, "live_restore", cmdline="--diff", expect_failed=(refused,)).failed_hosts(refused) == sorted(hosts)
        try:
            target(role, "swarm", cmdline="--diff")
            restart = target(role, "restart_test", cmdline="--diff", timeout=900)
            restart.assert_changed(True)
            order = restart.ok("Assert the restarts did not overlap (managers and workers one at a time)")["msg"]
            assert order.startswith("Restarts one at a time"), order
            print(order)
            target(role, "apply", cmdline="--diff " + max_size).assert_changed(False)
            target(role, "apply", cmdline="--check --diff " + max_size).assert_changed(False)
            target(role, "verify", cmdline="--diff", extravars={"role_engine_max_size": "20m"})
            # Drift by hand on the last node: daemon.json rewritten and the engine stopped. The role's one read
            # sees both: apply writes the file back and starts the engine, the next check changes nothing.
            target(role, "drift")
            target(role, "apply", cmdline="--diff --limit %s %s" % (hosts[-1], max_size)).assert_changed(True)
            target(role, "apply", cmdline="--check --diff " + max_size).assert_changed(False)
            target(role, "verify", cmdline="--diff", extravars={"role_engine_max_size": "20m"})
        finally:
            try:
                target(role, "cleanup")
            except AssertionError as e:  # as before: a failed cleanup is reported, the lab goes anyway
                print("cleanup failed: %s" % e)

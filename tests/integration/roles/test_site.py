"""playbooks/site.yml on bare hosts (no engine), through the harness's ansible-runner (tests/integration/conftest.py).

  test_site_check_bare        lab ck (10.88.71.0/24): 3 bare bookworm nodes, 1 manager, a stack in swarm_stacks.
                              `--check --diff` twice: exit 0, each host told what it would become, the stack
                              reported as what the new swarm would get, and nothing changed on any node
                              (packages, every entry and file checksum under /etc, firewall rules); the second
                              check run says and predicts the same as the first.
  test_site_cluster_settings  lab cs (10.88.72.0/24): 2 bare nodes. A misspelt key of swarm_cluster_settings fails
                              in site.yml's first play, naming the key, and nothing changed; then site.yml with four
                              settings forms the swarm (probing its ports), each arrives in the SwarmSpec, and a second run changes
                              nothing and skips the probe.

Each test starts its own lab and removes it (they run beside test_roles.py's labs with pytest -n).
"""

from __future__ import annotations

import difflib
import json
from pathlib import Path

import pytest
from conftest import RUNNER_ENV, TargetRunner, docker_exec, labnodes

pytestmark = pytest.mark.lab

# What a node looks like, for "changed nothing": installed packages; every entry under /etc (type, mode,
# owner, link target) and every regular file's checksum; the firewall rules of whichever tool the node has.
# Nothing under /etc is left out: /etc/mtab is a symlink (listed by its target, /proc/self/mounts, never by
# content), and /etc/resolv.conf, /etc/hostname and /etc/hosts, which Docker bind-mounts into the node, are
# written by the host engine only when the container starts, so they stay put during a test. Rule counters
# and iptables-save's dated comment lines are left out: they change with traffic and time, not with rules.
SNAPSHOT = r"""
set -e
echo '## packages'
dpkg-query -W -f '${Package} ${Version} ${db:Status-Abbrev}\n' | sort
echo '## /etc entries'
find /etc -xdev -printf '%y %m %u:%g %p -> %l\n' | sort
echo '## /etc checksums'
find /etc -xdev -type f -print0 | sort -z | xargs -0 sha256sum
echo '## firewall'
for save in iptables-save ip6tables-save; do
  if command -v "$save" >/dev/null; then echo "# $save"; "$save" | grep -v '^#' | sed -E 's/\[[0-9]+:[0-9]+\]//'; fi
done
if command -v nft >/dev/null; then echo '# nft'; nft list ruleset; fi
"""

HERE = Path(__file__).resolve().parent
SITE = dict(target="site", playbook="site")
PREDICTION = "Say what each host would become (check mode, before every engine answers)"
ENGINE_PREDICTION = "Predict the install without python3-apt"
STACKS_PREDICTION = "Report the stacks a swarm not formed yet would get"
# A stack in the inventory: on bare hosts, check mode says it would be deployed once the swarm exists.
STACKS = dict(swarm_stacks=[dict(name="shop", definition=dict(services=dict(web=dict(image="beekeeper-lab/busybox"))))])
SETTINGS_VALIDATION = "Validate swarm_cluster_settings"
PROBE, PROBE_SKIPPED = "Probe the other nodes", "Report the skipped probe"


def snapshot(node: str) -> str:
    proc = labnodes.docker_exec(node, "sh", "-c", SNAPSHOT)
    return proc.stdout.decode()


def assert_unchanged(before: dict, nodes, when: str) -> None:
    for node in nodes:
        after = snapshot(node)
        if after != before[node]:
            diff = "\n".join(difflib.unified_diff(before[node].splitlines(), after.splitlines(), "before", "after", lineterm="", n=1))
            pytest.fail("%s changed %s:\n%s" % (when, node, diff[:6000]))


def changed(run) -> list[tuple[str, str]]:
    return sorted((e["event_data"]["host"], e["event_data"]["task"]) for e in run.results
                  if (e["event_data"].get("res") or {}).get("changed"))


def bare_lab(name, subnet, count, tmp_path):
    inventory = tmp_path / "hosts.yml"
    members = labnodes.up(name, nodes=count, managers=1, subnet=subnet, engine=False, inventory=inventory)
    runner = TargetRunner(tmp_path / "runner", inventory, dict(RUNNER_ENV), root=HERE)
    return runner, dict((m.name, m.address) for m in members)


def test_site_check_bare(tmp_path):
    try:
        runner, nodes = bare_lab("ck", "10.88.71.0/24", 3, tmp_path)
        manager, workers = "ck-n1", ("ck-n2", "ck-n3")
        before = dict((node, snapshot(node)) for node in nodes)
        runs = []
        for attempt in ("first", "second"):
            run = runner(**SITE, cmdline="--check --diff", extravars=STACKS)
            assert run.rc == 0, run.stdout[-3000:]
            assert run.ok(STACKS_PREDICTION, manager)["msg"] == "Check mode: no swarm on %s yet; would deploy shop." % manager
            predicted = dict((node, run.ok(PREDICTION, node)["msg"]) for node in nodes)
            assert "would create the swarm, advertising %s, as its first manager" % nodes[manager] in predicted[manager], predicted
            for worker in workers:
                assert "would join the swarm of %s as a worker" % manager in predicted[worker], predicted
            for node in nodes:
                assert "its engine does not answer yet" in predicted[node], predicted
                assert "would install docker.io, python3-docker" in run.ok(ENGINE_PREDICTION, node)["msg"]
            stdout = " ".join(run.stdout.split())  # the callback wraps long messages
            for line in ("would create the swarm, advertising %s, as its first manager" % nodes[manager],
                         "would join the swarm of %s as a worker" % manager, "would install docker.io, python3-docker"):
                assert line in stdout, "the output does not say %r" % line
            assert_unchanged(before, nodes, "site.yml --check --diff (%s run)" % attempt)
            runs.append((predicted, changed(run)))
        assert runs[1] == runs[0], "the second check run differs from the first:\n%s\n%s" % runs
        print("predicted: " + " | ".join(runs[0][0].values()))
    finally:
        labnodes.down("ck")


def test_site_cluster_settings(tmp_path):
    settings = dict(log_entries_for_slow_followers=700, election_tick=12, heartbeat_tick=2, task_history_limit=7)
    try:
        runner, nodes = bare_lab("cs", "10.88.72.0/24", 2, tmp_path)
        manager, worker = "cs-n1", "cs-n2"

        # A misspelt key stops site.yml in its first play, before any role touches a host.
        before = dict((node, snapshot(node)) for node in nodes)
        bad = runner(**SITE, extravars=dict(swarm_cluster_settings=dict(election_tik=12, heartbeat_tick=2)),
                     expect_status="failed", expect_failed=(SETTINGS_VALIDATION,))
        for node in nodes:
            errors = bad.failed(SETTINGS_VALIDATION, node)["argument_errors"]
            assert any(e.startswith("swarm_cluster_settings.election_tik.") for e in errors), errors
        assert "Gathering Facts" not in bad.task_names(), bad.task_names()
        assert changed(bad) == []
        assert_unchanged(before, nodes, "site.yml with a misspelt setting")

        # Every setting arrives in the SwarmSpec (election_tick and heartbeat_tick exist only at creation).
        formed = runner(**SITE, extravars=dict(swarm_cluster_settings=settings))
        assert formed.ok(PROBE, worker)["rc"] == 0, "bare hosts are probed"
        spec = json.loads(docker_exec(manager, "docker", "info", "--format", "{{json .Swarm.Cluster.Spec}}"))
        got = dict(log_entries_for_slow_followers=spec["Raft"]["LogEntriesForSlowFollowers"],
                   election_tick=spec["Raft"]["ElectionTick"], heartbeat_tick=spec["Raft"]["HeartbeatTick"],
                   task_history_limit=spec["Orchestration"]["TaskHistoryRetentionLimit"])
        assert got == settings, spec
        assert docker_exec(worker, "docker", "info", "--format", "{{.Swarm.LocalNodeState}}") == "active"

        again = runner(**SITE, extravars=dict(swarm_cluster_settings=settings))
        assert changed(again) == [], "the second run changed: %s" % changed(again)
        # A formed swarm is not probed again (swarm_preflight_probe: auto), and says so.
        for node in nodes:
            assert again.event(PROBE, node)["event"] == "runner_on_skipped"
            assert "Not probed" in again.ok(PROBE_SKIPPED, node)["msg"]
        print("SwarmSpec: %s" % json.dumps(got))
    finally:
        labnodes.down("cs")

"""Integration tests on the real lab: four node containers, each with its own engine.

Lab LAB (BEEKEEPER_IT_LAB, default ``it``; subnet BEEKEEPER_IT_SUBNET, default 10.88.10.0/24):
  LAB-n1  manager of the test cluster           (group swarm_managers)
  LAB-n2  worker                                (group swarm_workers)
  LAB-n3  worker                                (group swarm_workers)
  LAB-n4  spare engine, in no swarm between tests (group spare; swarm_init creates swarms on it)

Each module has a directory here: its driver test_<module>.py and one playbook per capability beside it
(swarm_service/scale.yml, swarm_service/rolling.yml, ...). A test runs one playbook through ansible-runner
(the engine AWX uses), ``target("swarm_service", "scale")``, and asserts on its events: per-task ``changed``
flags, diffs, return values, warnings and failure messages. Tasks follow two naming rules the helper
relies on:
  - a change runs four times, as "<what> | check", "<what> | apply", "<what> | apply again",
    "<what> | check again"; ``PlaybookRun.four_steps(what)`` asserts changed True, True, False, False;
  - a task that must fail is named "Fails: ..." and sits in a block whose rescue lets the play go on;
    every run checks that exactly those tasks failed (and each really failed), and the driver asserts
    the message.

Set BEEKEEPER_IT_KEEP=1 to keep the lab after the session (for debugging).
"""

from __future__ import annotations

import ipaddress
import json
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
# Another lab name and subnet (BEEKEEPER_IT_LAB / BEEKEEPER_IT_SUBNET) lets test directories run side by side:
# `make workloads` runs the workload modules' directories on lab `wl` while `make integration` runs the membership
# modules' directories on `it`. Under pytest-xdist each worker N has a lab of its own, LAB + N on the subnet N
# places up (wl0 on 10.88.60.0/24, wl1 on 10.88.61.0/24): the workloads lane spends most of its time waiting on the
# engines (convergence, update delays), so two labs side by side cut it from 1024 s to 606 s here.
LAB = os.environ.get("BEEKEEPER_IT_LAB", "it")
SUBNET = os.environ.get("BEEKEEPER_IT_SUBNET", "10.88.10.0/24")
_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
if _WORKER.startswith("gw"):
    LAB += _WORKER[2:]
    _net = ipaddress.ip_network(SUBNET)
    SUBNET = str(ipaddress.ip_network((_net.network_address + _net.num_addresses * int(_WORKER[2:]), _net.prefixlen)))
NODES = 4
MANAGER, WORKERS, SPARE = LAB + "-n1", (LAB + "-n2", LAB + "-n3"), LAB + "-n4"

try:
    from beekeeper_lab import nodes as labnodes
except ImportError:  # running from a checkout without `pip install -e .`
    sys.path.insert(0, str(ROOT / "lab"))
    from beekeeper_lab import nodes as labnodes

import ansible_runner  # noqa: E402

# Run as `.venv/bin/pytest` (not through make), PATH lacks the venv's bin, where ansible-runner finds ansible-playbook.
_BIN = os.path.dirname(sys.executable)
if _BIN not in os.environ.get("PATH", "").split(os.pathsep):
    os.environ["PATH"] = _BIN + os.pathsep + os.environ.get("PATH", "")

STEPS = ("check", "apply", "apply again", "check again")
# The environment of every ansible-runner run.
RUNNER_ENV = {
    "ANSIBLE_CONFIG": str(ROOT / "ansible.cfg"),
    "ANSIBLE_FORCE_COLOR": "0",
    "ANSIBLE_NOCOLOR": "1",
    "ANSIBLE_HOST_KEY_CHECKING": "False",
    # Each node's module runs with the node's own python3-docker against its local engine.
    "ANSIBLE_PYTHON_INTERPRETER": "auto_silent",
}
FOUR_STEPS_CHANGED = (True, True, False, False)
RESULT_EVENTS = ("runner_on_ok", "runner_on_failed", "runner_on_skipped", "runner_on_unreachable")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if HERE in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.lab)


# -- ansible-runner events ---------------------------------------------------------------


@dataclass
class PlaybookRun:
    """One ansible-runner run: its status, events and full stdout."""

    name: str
    status: str
    rc: int
    events: list
    stdout: str
    results: list = field(default_factory=list)

    def __post_init__(self):
        self.results = [e for e in self.events if e.get("event") in RESULT_EVENTS]

    def _find(self, task, host=None):
        found = [e for e in self.results
                 if e["event_data"].get("task") == task and (host is None or e["event_data"].get("host") == host)]
        assert found, "task %r%s did not run in %s; tasks that ran: %s" % (
            task, "" if host is None else " on " + host, self.name, self.task_names())
        return found

    def task_names(self):
        return sorted(set(e["event_data"].get("task") for e in self.results))

    def event(self, task, host=None):
        found = self._find(task, host)
        assert len(found) == 1, "task %r ran %d times (hosts %s); name the host" % (
            task, len(found), [e["event_data"].get("host") for e in found])
        return found[0]

    def ok(self, task, host=None):
        """The result of a task that must have succeeded."""
        event = self.event(task, host)
        assert event["event"] == "runner_on_ok", "%r: %s %s" % (task, event["event"], event["event_data"].get("res"))
        return event["event_data"]["res"]

    def failed(self, task, host=None):
        """The result of a task that must have failed."""
        event = self.event(task, host)
        assert event["event"] == "runner_on_failed", "%r should have failed: %s %s" % (
            task, event["event"], event["event_data"].get("res"))
        return event["event_data"]["res"]

    def changed(self, task, host=None):
        return bool(self.ok(task, host).get("changed"))

    def warnings(self, task, host=None):
        return list(self.ok(task, host).get("warnings") or [])

    def changed_tasks(self):
        """{host: [tasks that reported a change]} for every host that ran a task (the recap's changed=, named)."""
        out = {}
        for e in self.results:
            data = e["event_data"]
            tasks = out.setdefault(data.get("host"), [])
            if e["event"] == "runner_on_ok" and (data.get("res") or {}).get("changed"):
                tasks.append(data.get("task"))
        return out

    def assert_changed(self, expected):
        """A whole run as one step: every host changed (expected True), or no task on any host did (False)."""
        changed = self.changed_tasks()
        if expected:
            quiet = sorted(host for host, tasks in changed.items() if not tasks)
            assert not quiet, "%s: no change on %s" % (self.name, quiet)
        else:
            noisy = dict((host, tasks) for host, tasks in changed.items() if tasks)
            assert not noisy, "%s: changed, expected no change: %s" % (self.name, noisy)

    def failed_hosts(self, task):
        """The hosts on which a task failed."""
        return sorted(e["event_data"]["host"] for e in self._find(task) if e["event"] == "runner_on_failed")

    def four_steps(self, what, host=None, changed=FOUR_STEPS_CHANGED):
        """Assert the check / apply / apply again / check again steps of one change; return their results."""
        results = {}
        for step, expected in zip(STEPS, changed, strict=False):
            task = "%s | %s" % (what, step)
            res = self.ok(task, host)
            assert bool(res.get("changed")) is expected, "%r: changed=%s, expected %s: %s" % (
                task, res.get("changed"), expected, res)
            results[step] = res
        return results


class TargetRunner:
    """Runs the playbooks under ``root`` (this directory unless told) against one inventory, one run per call."""

    def __init__(self, base, inventory, envvars, root=HERE):
        self.base = base
        self.inventory = inventory
        self.envvars = envvars
        self.root = root
        self.count = 0

    def __call__(self, target, playbook, verbosity=0, envvars=None, extravars=None, cmdline=None,
                 expect_status="successful", expect_failed=(), timeout=600):
        """Run <root>/<target>/<playbook>.yml; check the failures were the expected ones.

        ``cmdline`` adds ansible-playbook options (``--check --diff``, ``--limit HOST``, ``-e @FILE``).
        Failures are expected from tasks named "Fails: ...", and from those in ``expect_failed``
        (tasks of a role the playbook rescues, or a run whose play must stop, with ``expect_status="failed"``).
        """
        self.count += 1
        data_dir = self.base / ("%02d-%s-%s" % (self.count, target.replace("/", "-"), playbook))
        data_dir.mkdir(parents=True)
        env = dict(self.envvars)
        env.update(envvars or {})
        runner = ansible_runner.run(
            private_data_dir=str(data_dir),
            playbook=str(self.root / target / (playbook + ".yml")),
            inventory=str(self.inventory),
            envvars=env,
            extravars=extravars or {},
            verbosity=verbosity or None,
            cmdline=cmdline,
            quiet=True,
            timeout=timeout,
        )
        stdout = runner.stdout.read()
        run = PlaybookRun("%s/%s%s" % (target, playbook, " " + cmdline if cmdline else ""), runner.status, runner.rc, list(runner.events), stdout)
        tail = "\n".join(stdout.splitlines()[-60:])
        assert run.status == expect_status, "%s: status %s rc %s\n%s" % (run.name, run.status, run.rc, tail)
        assert run.results, "%s ran no task (no host matched?)\n%s" % (run.name, tail)
        assert not [e for e in run.results if e["event"] == "runner_on_unreachable"], tail
        failed = sorted(set(e["event_data"]["task"] for e in run.results if e["event"] == "runner_on_failed"))
        unexpected = [t for t in failed if not t.startswith("Fails: ") and t not in expect_failed]
        assert not unexpected, "%s: unexpected failures %s\n%s" % (
            run.name, [(e["event_data"]["task"], e["event_data"].get("res", {}).get("msg"))
                       for e in run.results if e["event"] == "runner_on_failed" and e["event_data"]["task"] in unexpected],
            tail)
        for e in run.results:
            task = e["event_data"].get("task") or ""
            assert not (task.startswith("Fails: ") and e["event"] == "runner_on_ok"), (
                "%s: %r should have failed but succeeded: %s" % (run.name, task, e["event_data"].get("res")))
        return run

    def four_steps(self, target, playbook, cmdline=None, changed=FOUR_STEPS_CHANGED, **kwargs):
        """A whole playbook (a role's converge) as one change: check, apply, apply again, check again, with --diff.

        PlaybookRun.four_steps for playbooks whose tasks are not named by step: per task, every host reports a
        change in the first two runs and no task on any host in the last two (``changed``; None: not asserted).
        Returns the runs by step.
        """
        runs = {}
        for step, expected in zip(STEPS, changed, strict=True):
            options = " ".join(o for o in ("--check" if step.startswith("check") else "", "--diff", cmdline) if o)
            run = self(target, playbook, cmdline=options, **kwargs)
            if expected is not None:
                run.assert_changed(expected)
            runs[step] = run
        return runs


# -- the lab -------------------------------------------------------------------------------


def docker_exec(node, *cmd, check=True):
    proc = labnodes.docker_exec(node, *cmd, check=check)
    return proc.stdout.decode().strip()


def write_inventory(members, path):
    """The lab's inventory with our groups: swarm_managers it-n1, swarm_workers it-n2/it-n3, spare it-n4."""
    data = labnodes.inventory_data(members)
    address = dict((m.name, m.address) for m in members)

    def hosts(*names):
        return {"hosts": dict((name, {"ansible_host": address[name]}) for name in names)}

    data["all"]["children"] = {
        "swarm": {"children": {"swarm_managers": hosts(MANAGER), "swarm_workers": hosts(*WORKERS)}},
        "spare": hosts(SPARE),
    }
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


@pytest.fixture(scope="session")
def lab(tmp_path_factory):
    """Lab `it`: four nodes, their inventory; removed at the end of the session."""
    inventory = tmp_path_factory.mktemp("inventory") / "hosts.yml"
    members = labnodes.up(LAB, nodes=NODES, managers=1, subnet=SUBNET, inventory=inventory)
    write_inventory(members, inventory)
    yield dict(inventory=inventory, nodes=dict((m.name, m.address) for m in members))
    if not os.environ.get("BEEKEEPER_IT_KEEP"):
        labnodes.down(LAB)


@pytest.fixture(scope="session")
def target(lab, tmp_path_factory):
    return TargetRunner(tmp_path_factory.mktemp("runner"), lab["inventory"], dict(RUNNER_ENV))


def _node_rows():
    rows = docker_exec(MANAGER, "docker", "node", "ls", "--format",
                       "{{.Hostname}}|{{.Status}}|{{.Availability}}|{{.ManagerStatus}}", check=False)
    return sorted(tuple(line.split("|")) for line in rows.splitlines() if line)


def _formed():
    """it-n1 the only manager and leader, it-n2/it-n3 ready active workers, nothing else; no services, secrets, configs or
    overlay networks but ingress; it-n4 in no swarm."""
    want = [(MANAGER, "Ready", "Active", "Leader")] + [(w, "Ready", "Active", "") for w in WORKERS]
    if _node_rows() != want:
        return False
    for kind in ("service", "secret", "config"):
        if docker_exec(MANAGER, "docker", kind, "ls", "-q", check=False):
            return False
    overlays = docker_exec(MANAGER, "docker", "network", "ls", "--filter", "driver=overlay", "--format", "{{.Name}}", check=False)
    if [name for name in overlays.split() if name != "ingress"]:
        return False
    labels = docker_exec(MANAGER, "sh", "-c", "docker node inspect -f '{{json .Spec.Labels}}' $(docker node ls -q)", check=False)
    if any(line not in ("{}", "null") for line in labels.splitlines()):
        return False
    return docker_exec(SPARE, "docker", "info", "-f", "{{.Swarm.LocalNodeState}}", check=False) == "inactive"


@pytest.fixture
def cluster(target):
    """The formed test cluster at the start of a test: forms or repairs it with setup/cluster.yml.

    Targets restore what they change in `always:`, so this normally only looks (a few docker commands).
    """
    if not _formed():
        for node in (MANAGER,) + WORKERS + (SPARE,):
            if docker_exec(node, "systemctl", "is-active", "docker.service", check=False) != "active":
                labnodes.engine(node, "start")
        target("setup", "cluster")
        deadline = time.monotonic() + 60
        while not _formed() and time.monotonic() < deadline:
            time.sleep(2)
        assert _formed(), "the test cluster did not form: %s" % json.dumps(_node_rows())
    return dict(manager=MANAGER, workers=WORKERS, spare=SPARE)

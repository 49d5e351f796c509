"""Side-by-side benchmark: beekeeper.swarm.swarm_service against community.docker.docker_swarm_service.

Four sides: beekeeper (swarm_service in a plain loop), beekeeper-async (the same tasks with `async` + `poll: 0`,
then an ansible.builtin.async_status loop), beekeeper-wait (the same tasks with `wait: false`, then one
beekeeper.swarm.swarm_wait over the services) and community.
One run, one lab, the same workload for every side, alternated phase by phase (the side that goes first
rotates every repetition) so the machine's load falls on all alike. Per size, repetition and side:

  create  N services (busybox, 2 replicas, dnsrr, one env var)      - one task, a loop
  rerun   the same, unchanged                                        - both must report changed=0
  update  an env var                                                 - state of each service when its item returned
  check   a further change in check mode with diff                   - what each shows, service untouched?
  remove  all N                                                      - containers left when each item returned

Times come from a callback (bench/callback_plugins/bench_probe.py) that stamps the measured task's start and
each item's result, and at that instant reads the service from the engines; a poller reads the services
every POLL seconds until they have converged, so "time to a converged cluster" is measured the same way for
a tool that waits (beekeeper) and one that returns when the API accepted the change (community.docker).
For beekeeper-async the measured span runs from the start of the launching loop to the last result of the
async_status loop, and "at return" is read at each async_status result; for beekeeper-wait, from the start of
the loop to the result of swarm_wait, and "at return" is read for every service at that result.

Run by `make bench` (see bench/README.md); environment: BENCH_SERVICES (a list of sizes, "6"; e.g. "6 20"),
BENCH_REPEAT (3), BENCH_SIDES (all four; e.g. "beekeeper-wait community"), BENCH_PHASES (all five; create and
remove are always run), BENCH_KEEP=1 keeps the lab, BENCH_LAB (bn), BENCH_SUBNET (10.88.63.0/24).
"""

from __future__ import annotations

import argparse
import configparser
import datetime
import glob
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import yaml

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))
import _engine  # noqa: E402

PHASES = ("create", "rerun", "update", "check", "remove")
SIDES = ("beekeeper", "beekeeper-async", "beekeeper-wait", "community")
SETTLING = ("create", "update", "remove")  # phases after which the cluster has work left to do
POLL = 0.2
SETTLE_TIMEOUT = 300
REPLICAS = 2


def log(msg):
    print("[bench %s] %s" % (time.strftime("%H:%M:%S"), msg), flush=True)


def sh(*cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw).stdout.strip()


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


class Side:
    """One tool as measured. ``collect``: its tasks run with `async` + `poll: 0` and the results come from the
    next task, "<task> | collect" (ansible.builtin.async_status), which the measured span includes. ``wait``: its
    loop does not wait, and the next task, "<task> | wait" (one swarm_wait for all the services), does; the span
    includes it, the loop's items say what changed, and the cluster is read for every service at the wait's result.
    Removal has no such task (swarm_wait waits for services that exist; the loop waits itself)."""

    def __init__(self, name, short, venv, config, module, collect=False, wait=False):
        self.name, self.short, self.venv, self.config, self.module = name, short, Path(venv), Path(config), module
        self.collect, self.wait = collect, wait

    def items_task(self, task):
        """The task whose loop items are the module's results (changed, diff)."""
        return task + " | collect" if self.collect else task

    def return_task(self, task, phase):
        """The task whose end ends the measured span, and at whose results the cluster is read."""
        if self.wait and phase != "remove":
            return task + " | wait"
        return self.items_task(task)

    def names(self, count):
        return ["bench-%s-%02d" % (self.short, i) for i in range(1, count + 1)]

    def python(self, code):
        return sh(str(self.venv / "bin" / "python"), "-c", code)


def community_config(workdir):
    """The project's ansible.cfg settings (SSH, forks, pipelining...) without its collections path and inventory,
    so the community side finds only the community.docker bundled with bench/.venv's `ansible`."""
    cfg = configparser.ConfigParser(interpolation=None)
    cfg.read(ROOT / "ansible.cfg")
    empty = workdir / "collections"
    empty.mkdir()
    cfg["defaults"]["collections_path"] = str(empty)
    cfg["defaults"].pop("inventory", None)
    path = workdir / "community.cfg"
    with open(path, "w", encoding="utf-8") as f:
        cfg.write(f)
    return path


class Poller(threading.Thread):
    """Reads every service of a phase until each has converged (remove: gone), recording when it first was."""

    def __init__(self, engines, names, phase, marker):
        super().__init__(daemon=True)  # one look at all the services per round (_engine.probe_many)
        self.engines, self.names, self.phase, self.marker = engines, names, phase, marker
        self.done, self.tasks_done = {}, {}
        self.deadline = None  # set when the playbook has ended
        self.stop = threading.Event()

    def run(self):
        while not self.stop.is_set():
            left = [n for n in self.names if n not in self.done]
            states = _engine.probe_many(self.engines, left, self.phase, self.marker)
            now = time.time()
            for name in left:
                state = states[name]
                if self.phase == "remove":
                    if state["gone"]:
                        self.done[name] = now
                    continue
                if state.get("tasks_converged"):
                    self.tasks_done.setdefault(name, now)
                if state.get("converged"):
                    self.done[name] = now
            if len(self.done) == len(self.names) or (self.deadline and time.time() > self.deadline):
                return
            time.sleep(POLL)


class Bench:
    def __init__(self, args):
        self.args = args
        self.work = Path(tempfile.mkdtemp(prefix="beekeeper-bench."))
        self.inventory = BENCH / ".lab-hosts.yml"
        self.sides = {
            "beekeeper": Side("beekeeper", "bk", ROOT / ".venv", ROOT / "ansible.cfg", "beekeeper.swarm.swarm_service"),
            "beekeeper-async": Side("beekeeper-async", "bka", ROOT / ".venv", ROOT / "ansible.cfg", "beekeeper.swarm.swarm_service",
                                    collect=True),
            "beekeeper-wait": Side("beekeeper-wait", "bkw", ROOT / ".venv", ROOT / "ansible.cfg",
                                   "beekeeper.swarm.swarm_service + swarm_wait", wait=True),
            "community": Side("community", "cd", BENCH / ".venv", community_config(self.work), "community.docker.docker_swarm_service"),
        }
        self.all_sides = self.sides  # the lab is formed and the facts are read with the beekeeper side's venv
        self.sides = dict((name, side) for name, side in self.sides.items() if name in args.sides)
        self.runs = []  # one dict per (rep, phase, side)
        self.notes = []
        self.runs_of_playbooks = 0

    # -- lab ---------------------------------------------------------------------------------

    def bk_lab(self, *cmd):
        subprocess.run([str(ROOT / ".venv" / "bin" / "bk-lab"), *cmd], check=True, cwd=ROOT)

    def lab_up(self):
        a = self.args
        log("lab %s: %d nodes (1 manager) on %s" % (a.lab, 3, a.subnet))
        self.bk_lab("engine")
        self.bk_lab("up", a.lab, "--nodes", "3", "--managers", "1", "--subnet", a.subnet, "--inventory", str(self.inventory))
        log("forming the swarm (bench/playbooks/swarm.yml)")
        self.ansible(self.all_sides["beekeeper"], "swarm.yml", {}, self.work / "swarm.log")
        inv = yaml.safe_load(self.inventory.read_text())
        groups = inv["all"]["children"]["swarm"]["children"]
        self.nodes = list(groups["swarm_managers"]["hosts"]) + list(groups["swarm_workers"]["hosts"])
        self.engines = [_engine.NodeEngine(n) for n in self.nodes]

    # -- one ansible-playbook run ----------------------------------------------------------------

    def ansible(self, side, playbook, extra, logfile, probe_env=None):
        env = dict(os.environ)
        env.pop("VIRTUAL_ENV", None)
        env.update(ANSIBLE_CONFIG=str(side.config), ANSIBLE_FORCE_COLOR="0", ANSIBLE_NOCOLOR="1",
                   PATH=str(side.venv / "bin") + os.pathsep + env.get("PATH", ""))
        if probe_env:
            env.update(ANSIBLE_CALLBACK_PLUGINS=str(BENCH / "callback_plugins"), ANSIBLE_CALLBACKS_ENABLED="bench_probe",
                       **probe_env)
        cmd = [str(side.venv / "bin" / "ansible-playbook"), "-i", str(self.inventory), str(BENCH / "playbooks" / playbook),
               "-e", json.dumps(extra)]
        t0 = time.time()
        with open(logfile, "w", encoding="utf-8") as out:
            rc = subprocess.run(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, check=False).returncode
        t1 = time.time()
        if rc != 0:
            tail = Path(logfile).read_text(encoding="utf-8").splitlines()[-40:]
            raise RuntimeError("%s %s failed (rc %d), log %s:\n%s" % (side.name, playbook, rc, logfile, "\n".join(tail)))
        return t0, t1

    # -- one phase of one side -----------------------------------------------------------------

    def phase(self, size, rep, phase, side, order):
        names = side.names(size)
        rev = {"create": "a", "rerun": "a", "update": "b", "check": "c"}.get(phase, "")
        rev = "r%d%s" % (rep + 1, rev)
        marker = "BENCH_REV=" + rev if phase != "remove" else ""
        before = {n: _engine.service_state(self.engines[0], n) for n in names} if phase == "check" else None
        poller = Poller(self.engines, names, phase, marker) if phase in SETTLING else None
        stem = "n%d-r%d-%s-%s" % (size, rep + 1, phase, side.short)
        events_file = self.work / (stem + ".jsonl")
        task = "Measured | services absent" if phase == "remove" else "Measured | services present"
        # A return task that is not the loop (swarm_wait) answers for every service at once: the callback reads them all there.
        once = side.return_task(task, phase) if side.return_task(task, phase) != side.items_task(task) else ""
        probe_env = dict(BENCH_PROBE_OUT=str(events_file), BENCH_PHASE=phase, BENCH_MARKER=marker, BENCH_NODES=",".join(self.nodes),
                         BENCH_WAIT_TASK=once, BENCH_SERVICE_NAMES=",".join(names))
        extra = dict(bench_side=side.name, bench_phase=phase, bench_rev=rev, bench_services=names)
        if poller:
            poller.start()
        t0, t1 = self.ansible(side, "phase.yml", extra, self.work / (stem + ".log"), probe_env)
        self.runs_of_playbooks += 1
        if poller:
            poller.deadline = time.time() + SETTLE_TIMEOUT
            poller.join()

        events = [json.loads(line) for line in events_file.read_text().splitlines()]
        start = next(e["t"] for e in events if e["event"] == "task_start" and e["task"] == task)
        end = next(e["t"] for e in events if e["event"] == "task_end" and e["task"] == side.return_task(task, phase))
        items = [e for e in events if e["event"] == "item" and e["task"] == side.items_task(task)]
        returns = [e for e in events if e["event"] == "item" and e["task"] == side.return_task(task, phase)]
        for what in (items, returns):
            failed = [e for e in what if e["status"] != "ok"]
            if failed or len(what) != len(names):
                raise RuntimeError("%s %s: %d results for %d services, failures: %s" % (
                    side.name, phase, len(what), len(names), [(e["item"], e.get("msg")) for e in failed]))
        run = dict(size=size, rep=rep + 1, phase=phase, side=side.name, order=order, wall=t1 - t0, task=end - start,
                   changed=sum(e["changed"] for e in items), services=len(names),
                   probe_ms=max((e.get("probe_ms", 0) for e in items), default=0))
        if poller:
            at_return, converged_t, tasks_t = {}, [], []
            for e in returns:
                p, name = e["probe"], e["item"]
                at_return[name] = p
                ok = p["gone"] if phase == "remove" else p["converged"]
                done = poller.done.get(name)
                converged_t.append(e["t"] if ok else done)
                if phase != "remove":
                    tasks_ok = p["tasks_converged"]
                    tasks_t.append(e["t"] if tasks_ok else poller.tasks_done.get(name, done))
            run["settled"] = None if None in converged_t else max([end] + converged_t) - start
            # Where the time went: the loop's end, and the poller's first look at which every service had converged
            # (0.2 s rounds; the poller keeps reading while a tool waits, so this is the engine's time for every side).
            run["loop"] = next(e["t"] for e in events if e["event"] == "task_end" and e["task"] == side.items_task(task)) - start
            seen = [poller.done.get(n) for n in names]
            run["engine_done"] = None if None in seen else max(seen) - start
            if phase != "remove":
                run["tasks_settled"] = None if None in tasks_t else max([end] + tasks_t) - start
                run["at_return_tasks"] = sum(p["tasks_converged"] for p in at_return.values())
                run["at_return_converged"] = sum(p["converged"] for p in at_return.values())
                run["at_return_running"] = sum(p["running_new"] for p in at_return.values())
            else:
                run["at_return_gone"] = sum(p["gone"] for p in at_return.values())
                run["at_return_left"] = sum(p["containers_left"] for p in at_return.values())
            if run["settled"] is None:
                self.notes.append("%s %s of %d services in run %d: not converged %d s after the play ended" % (
                    side.name, phase, size, rep + 1, SETTLE_TIMEOUT))
        if phase == "check":
            after = {n: _engine.service_state(self.engines[0], n) for n in names}
            run["untouched"] = sum(before[n]["version"] == after[n]["version"] for n in names)
            run["diff"] = items[0].get("diff")
            run["changes"] = items[0].get("changes")
            run["msg"] = items[0].get("msg")
        self.runs.append(run)
        log("n=%d run %d %-6s %-15s task %6.2f s  settled %s  changed %d/%d%s" % (
            size, rep + 1, phase, side.name, run["task"], "%6.2f s" % run["settled"] if run.get("settled") is not None else "     -",
            run["changed"], len(names), self.at_return_text(run)))

    @staticmethod
    def at_return_text(run):
        if "at_return_converged" in run:
            return "  at return: %d tasks-converged, %d update-completed" % (run["at_return_tasks"], run["at_return_converged"])
        if "at_return_gone" in run:
            return "  at return: %d gone (%d containers left)" % (run["at_return_gone"], run["at_return_left"])
        return ""

    @staticmethod
    def describe_check(run):
        """What a check-mode result showed: message, `changes`, and the diff (its size, and the fields it differs in)."""
        parts = ["changed in %d/%d items" % (run["changed"], run["services"])]
        if run.get("msg"):
            parts.append("msg `%s`" % run["msg"])
        if run.get("changes") is not None:
            parts.append("`changes: %s`" % json.dumps(run["changes"]))
        diff = run.get("diff")
        if not isinstance(diff, dict) or not isinstance(diff.get("before"), dict) or not isinstance(diff.get("after"), dict):
            parts.append("diff: %s" % json.dumps(diff))
        else:
            before, after = diff["before"], diff["after"]
            fields = sorted(set(before) | set(after))
            differing = ["`%s`: `%s` -> `%s`" % (k, json.dumps(before.get(k)), json.dumps(after.get(k))) for k in fields if before.get(k) != after.get(k)]
            parts.append("diff before/after with %d field(s) each (%s), differing in %s" % (
                len(fields), "the whole normalised spec" if len(fields) > 3 else "only what changes", ", ".join(differing) or "nothing"))
        return "; ".join(parts)

    def spec_parity(self):
        """The ServiceSpec each side created for the same declaration, compared field by field with community's (name excepted)."""

        def flat(value, path=""):
            if isinstance(value, dict):
                out = {}
                for k, v in value.items():
                    out.update(flat(v, path + "." + k))
                return out
            return {path: value}

        specs = {s.name: flat(self.engines[0].get("/services/" + s.names(1)[0])["Spec"]) for s in self.sides.values()}
        if "community" not in specs:
            return "not checked (no community side)"
        b = specs["community"]
        found = []
        for name, a in specs.items():
            if name == "community":
                continue
            diffs = ["%s: %r vs %r" % (k, a.get(k), b.get(k)) for k in sorted(set(a) | set(b)) if k != ".Name" and a.get(k) != b.get(k)]
            found.append("%s: %s" % (name, "identical apart from the name" if not diffs else "differs: " + "; ".join(diffs)))
        return "ServiceSpec compared with community's: " + "; ".join(found)

    # -- facts -------------------------------------------------------------------------------------

    def facts(self):
        bk, cd = self.all_sides["beekeeper"], self.all_sides["community"]
        mem = next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal"))
        version = self.engines[0].get("/version")
        galaxy = yaml.safe_load((ROOT / "galaxy.yml").read_text())
        manifest = glob.glob(str(cd.venv / "lib" / "python*" / "site-packages" / "ansible_collections" / "community" / "docker" / "MANIFEST.json"))
        cd_version = json.loads(Path(manifest[0]).read_text(encoding="utf-8"))["collection_info"]["version"] if manifest else "?"
        node_py = sh("docker", "exec", self.nodes[0], "python3", "-c", "import sys, docker; print(sys.version.split()[0], docker.__version__)").split()
        core = "import ansible, sys; print(ansible.__version__, sys.version.split()[0])"
        bk_core, bk_py = bk.python(core).split()
        cd_core, cd_py = cd.python(core).split()
        cd_ansible = cd.python("import importlib.metadata as m; print(m.version('ansible'))")
        return [
            ("date", datetime.datetime.now().strftime("%Y-%m-%d %H:%M")),
            ("machine", "%d cores, %.1f GiB, %s %s, load %s before the run" % (
                os.cpu_count(), int(mem) / 1048576, platform.system(), platform.release(), self.load_before)),
            ("host engine", sh("docker", "version", "--format", "{{.Server.Version}}")),
            ("lab", "%s: %d nodes (%s manager; %s workers), Debian bookworm node containers; other labs running: %s" % (
                self.args.lab, len(self.nodes), self.nodes[0], ", ".join(self.nodes[1:]), self.other_labs or "none")),
            ("node engine", "Docker Engine %s (API %s), python3 %s, Docker SDK for Python %s (python3-docker) - both modules run there" % (
                version["Version"], version["ApiVersion"], node_py[0], node_py[1])),
            ("beekeeper side", "beekeeper.swarm %s from this checkout, ansible-core %s, Python %s (.venv, ansible.cfg)" % (
                galaxy["version"], bk_core, bk_py)),
            ("community side", "community.docker %s (PyPI `ansible` %s), ansible-core %s, Python %s (bench/.venv, a copy of "
             "ansible.cfg without this collection)" % (cd_version, cd_ansible, cd_core, cd_py)),
            ("workload", "%s services `beekeeper-lab/busybox:latest`, 2 replicas, `endpoint_mode: dnsrr`, Args "
             "`sh -c \"trap 'exit 0' TERM; sleep 86400 & wait\"`, env `BENCH_REV`, engine defaults otherwise "
             "(update: parallelism 1, stop-first, monitor 5 s)" % " and ".join(str(n) for n in self.args.services)),
            ("beekeeper-async side", "the beekeeper side's tasks with `async: 600` + `poll: 0`, collected by an "
             "`ansible.builtin.async_status` loop (`until: finished`, `retries: 1200`, `delay: 0.5`), in every phase"),
            ("beekeeper-wait side", "the beekeeper side's tasks with `wait: false`, then one `beekeeper.swarm.swarm_wait` "
             "over the services (`services:` their names), in every phase but remove (swarm_service's own waiting loop, "
             "as the beekeeper side)"),
            ("sides and phases", "%s; %s" % (", ".join(self.sides), ", ".join(self.args.phases))),
            ("repetitions", "%d per size, each phase run by the %d sides one after the other, the side that goes first rotating "
             "every repetition (%s)" % (self.args.repeat, len(self.sides), ", ".join(self.sides))),
            ("spec parity", getattr(self, "parity", "not checked")),
        ]

    # -- report ------------------------------------------------------------------------------------

    def pick(self, phase, side, key, size=None):
        return [r.get(key) for r in self.runs if r["phase"] == phase and r["side"] == side and (size is None or r["size"] == size)]

    def report(self, facts, elapsed):
        def sec(v):
            return "-" if v is None else "%.2f" % v

        def ratio(a, b):
            return "-" if a is None or b in (None, 0) else "%.2f" % (a / b)

        def frac(values, total):
            got = sum(v for v in values if v is not None)
            return "%d/%d (%d%%)" % (got, total, round(100.0 * got / total)) if total else "-"

        def row(*cells):
            return "| " + " | ".join(cells) + " |"

        sides = list(self.sides)
        ours = [s for s in sides if s != "community"] if "community" in sides else []
        phases = [p for p in PHASES if p in self.args.phases]
        reps = len({r["rep"] for r in self.runs})
        lines = ["# swarm_service benchmark: beekeeper.swarm vs community.docker", ""]
        lines += ["Generated by `make bench` (bench/services.py) in %.0f s. Times are medians of %d repetitions, in seconds; "
                  "ratios = %s (below 1: ours faster)." % (elapsed, reps, " and ".join("%s / community" % s for s in ours) or "none"), ""]
        lines += ["| fact | value |", "| --- | --- |"] + ["| %s | %s |" % f for f in facts] + [""]
        if ours:
            lines += ["## Until converged, every size", "",
                      row("services", "phase", *["%s until converged" % s for s in sides], *["%s / community" % s for s in ours]),
                      row("---:", "---", *["---:"] * (len(sides) + len(ours)))]
            for size in self.args.services:
                for phase in [p for p in phases if p in SETTLING]:
                    settled = {s: median(self.pick(phase, s, "settled", size)) for s in sides}
                    lines.append(row(str(size), phase, *[sec(settled[s]) for s in sides],
                                     *[ratio(settled[s], settled["community"]) for s in ours]))
            lines.append("")
        for size in self.args.services:
            lines += self.report_size(size, sides, ours, phases, reps, sec, ratio, frac, row)
        lines += ["## Raw runs", "", "| services | run | phase | tool | went | wall | task | until converged | changed | at return |",
                  "| ---: | ---: | --- | --- | --- | ---: | ---: | ---: | ---: | --- |"]
        for r in self.runs:
            lines.append("| %d | %d | %s | %s | %s | %s | %s | %s | %d/%d | %s |" % (
                r["size"], r["rep"], r["phase"], r["side"], r["order"], sec(r["wall"]), sec(r["task"]), sec(r.get("settled")),
                r["changed"], r["services"], self.at_return_text(r).replace("  at return: ", "")))
        if self.notes:
            lines += ["", "## Notes", ""] + ["- " + note for note in self.notes]
        return "\n".join(lines) + "\n"

    def report_size(self, n, sides, ours, phases, reps, sec, ratio, frac, row):
        pick = self.pick
        lines = ["## %d services" % n, ""]
        lines += ["### Time", "",
                  row("phase", *["%s task" % s for s in sides], *["%s / community" % s for s in ours],
                      *["%s until converged" % s for s in sides], *["%s / community" % s for s in ours]),
                  row("---", *["---:"] * (2 * len(sides) + 2 * len(ours)))]
        for phase in phases:
            task = {s: median(pick(phase, s, "task", n)) for s in sides}
            settled = {s: median(pick(phase, s, "settled", n)) for s in sides}
            label = {"rerun": "rerun unchanged", "update": "update (env)", "check": "check mode + diff",
                     "remove": "remove (until no container left)"}.get(phase, phase)
            lines.append(row(label, *[sec(task[s]) for s in sides], *[ratio(task[s], task["community"]) for s in ours],
                             *[sec(settled[s]) for s in sides], *[ratio(settled[s], settled["community"]) for s in ours]))
            if phase == "update":
                settled = {s: median(pick(phase, s, "tasks_settled", n)) for s in sides}
                lines.append(row("update, tasks only (monitor window not awaited)", *[""] * (len(sides) + len(ours)),
                                 *[sec(settled[s]) for s in sides], *[ratio(settled[s], settled["community"]) for s in ours]))
        lines += ["",
                  "- *task*: the module task (a loop over the %d services) from its start to its last result, as stamped by "
                  "a callback; ansible-playbook start-up is excluded (it is in the raw table's *wall*). For *beekeeper-async*: "
                  "from the start of the launching loop (`async` + `poll: 0`) to the last result of the "
                  "`ansible.builtin.async_status` loop that collects the jobs (`until: finished`, `delay: 0.5`), i.e. "
                  "until the play can go on to its next task. For *beekeeper-wait*: from the start of the loop (`wait: false`) "
                  "to the result of the `swarm_wait` task after it (remove: the loop, which waits itself)." % n,
                  "- *until converged*: from the same start until the task had returned **and** every service had converged: "
                  "%d tasks running with the new spec (task spec carries the new `BENCH_REV`), none running with an old one, "
                  "and the engine's update `completed` (which it declares only after the 5 s monitor window); for remove, "
                  "the service gone and no container of it left on any node. Read from the engines every %.1f s after "
                  "the play started (one look at all the services per round), and at the instant each item's result reached "
                  "the controller." % (REPLICAS, POLL),
                  "- The *tasks only* row stops the clock when the tasks run the new spec, without the monitor window: "
                  "the most favourable reading for a tool that does not wait.", ""]
        if "beekeeper-wait" in sides:
            lines += self.report_where(n, sides, phases, sec, row)
        total = n * reps
        lines += ["### The cluster when the module returned", "",
                  "Counted over all %d repetitions x %d services, read at the instant each item's result reached the "
                  "controller - for beekeeper-async, each item of the async_status loop; for beekeeper-wait, every service at "
                  "the instant swarm_wait's result did, from one look (slowest probe: %.0f ms)." % (
                      reps, n, max([r["probe_ms"] for r in self.runs if r["size"] == n] or [0])), "",
                  row("phase", "what", *sides), row("---", "---", *["---"] * len(sides))]
        rows = [("create", "services with %d/%d tasks running" % (REPLICAS, REPLICAS), "at_return_tasks"),
                ("update", "services with %d/%d tasks on the new spec, none on the old" % (REPLICAS, REPLICAS), "at_return_tasks"),
                ("update", "... and the engine's update completed (converged)", "at_return_converged"),
                ("remove", "services gone with no container left", "at_return_gone")]
        for phase, what, key in rows:
            if phase in phases:
                lines.append(row(phase, what, *[frac(pick(phase, s, key, n), total) for s in sides]))
        for phase, what in (("update", "tasks on the new spec, summed"), ("remove", "containers still there, summed")):
            key = "at_return_running" if phase == "update" else "at_return_left"
            if phase in phases:
                lines.append(row(phase, what, *["%d" % sum(pick(phase, s, key, n)) for s in sides]))
        if "rerun" in phases:
            lines.append(row("rerun", "items reporting changed (must be 0)", *[frac(pick("rerun", s, "changed", n), total) for s in sides]))
        if "check" in phases:
            lines.append(row("check", "items reporting changed (a change is pending)",
                             *[frac(pick("check", s, "changed", n), total) for s in sides]))
            lines.append(row("check", "services left untouched (same spec version)",
                             *[frac(pick("check", s, "untouched", n), total) for s in sides]))
            lines += ["", "### Check mode with diff: what each shows (first item, first repetition)"]
        lines.append("")
        for side in sides:
            run = next((r for r in self.runs if r["phase"] == "check" and r["side"] == side and r["size"] == n), None)
            if run:
                lines += ["%s (%s): %s" % (side, self.sides[side].module, self.describe_check(run)), ""]
        return lines

    def report_where(self, n, sides, phases, sec, row):
        """Where the time of the settling phases goes: the loop, the engine, and the wait after the engine was done."""
        shown = [s for s in ("beekeeper-wait", "community") if s in sides]
        lines = ["### Where the time goes (%s)" % " vs ".join(shown), "",
                 row("phase", *["%s %s" % (s, what) for s in shown for what in ("loop", "engine done", "returned", "until converged")],
                     "beekeeper-wait returned after the engine was done"),
                 row("---", *["---:"] * (4 * len(shown) + 1))]
        for phase in [p for p in phases if p in ("create", "update")]:
            cells = []
            for side in shown:
                cells += [sec(median(self.pick(phase, side, key, n))) for key in ("loop", "engine_done", "task", "settled")]
            lag = [r["task"] - r["engine_done"] for r in self.runs if r["phase"] == phase and r["side"] == "beekeeper-wait"
                   and r["size"] == n and r.get("engine_done") is not None]
            cells.append(sec(median(lag)))
            lines.append(row(phase, *cells))
        lines += ["", "- *loop*: the swarm_service / docker_swarm_service loop (for beekeeper-wait, `wait: false`); *engine done*: "
                  "the poller's first round (every %.1f s) at which every service had converged, from the loop's start; "
                  "*returned*: the measured task's end (beekeeper-wait: swarm_wait's result). The last column is the wait's own "
                  "cost once the engine is done: its polling pause, its last look, the module's return and the poller's "
                  "%.1f s rounds." % (POLL, POLL), ""]
        return lines

    # -- the run -------------------------------------------------------------------------------------

    def run(self):
        started = time.time()
        self.load_before = "%.2f" % os.getloadavg()[0]
        self.other_labs = ", ".join(sorted({c.rsplit("-n", 1)[0] for c in sh("docker", "ps", "--format", "{{.Names}}").split()
                                            if "-n" in c and not c.startswith(self.args.lab + "-n")}))
        self.lab_up()
        for side in self.sides.values():  # warm-up, not measured: SSH master connection, caches
            self.ansible(side, "phase.yml", dict(bench_side=side.name, bench_phase="rerun", bench_rev="warm", bench_services=[]),
                         self.work / ("warmup-%s.log" % side.short))
        order = list(self.sides.values())
        went = ("first", "second", "third", "fourth", "fifth")
        for size in self.args.services:
            for rep in range(self.args.repeat):
                shift = rep % len(order)  # the side that goes first rotates: each goes first, second, third... in turn
                turn = order[shift:] + order[:shift]
                for phase in [p for p in PHASES if p in self.args.phases]:
                    for i, side in enumerate(turn):
                        self.phase(size, rep, phase, side, went[i])
                    if phase == "create" and rep == 0 and size == self.args.services[0]:
                        self.parity = self.spec_parity()
        facts = self.facts()
        text = self.report(facts, time.time() - started)
        out = BENCH / "results" / ("services-%s.md" % datetime.date.today().isoformat())
        out.parent.mkdir(exist_ok=True)
        out.write_text(text, encoding="utf-8")
        print(text)
        log("written to %s (logs in %s)" % (out.relative_to(ROOT), self.work))
        bad = [r for r in self.runs if r["phase"] == "rerun" and r["changed"]]
        if bad:
            log("IDEMPOTENCY: %s reported changes on an unchanged rerun" % sorted({r["side"] for r in bad}))
            return 1
        return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, nargs="+", default=[int(n) for n in os.environ.get("BENCH_SERVICES", "6").split()],
                        help="sizes, each a whole run of the phases")
    parser.add_argument("--repeat", type=int, default=int(os.environ.get("BENCH_REPEAT", 3)))
    parser.add_argument("--sides", nargs="+", choices=SIDES, default=os.environ.get("BENCH_SIDES", " ".join(SIDES)).split())
    parser.add_argument("--phases", nargs="+", choices=PHASES, default=os.environ.get("BENCH_PHASES", " ".join(PHASES)).split())
    parser.add_argument("--lab", default=os.environ.get("BENCH_LAB", "bn"))
    parser.add_argument("--subnet", default=os.environ.get("BENCH_SUBNET", "10.88.63.0/24"))
    parser.add_argument("--keep", action="store_true", default=os.environ.get("BENCH_KEEP") == "1", help="keep the lab")
    args = parser.parse_args()
    bad = [x for x in args.sides if x not in SIDES] + [x for x in args.phases if x not in PHASES]
    if bad:
        parser.error("unknown side or phase %s (sides: %s; phases: %s)" % (", ".join(bad), " ".join(SIDES), " ".join(PHASES)))
    args.phases = [p for p in PHASES if p in args.phases or p in ("create", "remove")]  # every repetition starts clean
    if not (BENCH / ".venv" / "bin" / "ansible-playbook").exists():
        sys.exit("bench/.venv is missing: run `make bench` (it installs bench/requirements.txt there)")
    bench = Bench(args)
    try:
        return bench.run()
    finally:
        if args.keep:
            log("lab %s kept (BENCH_KEEP=1); remove it with: .venv/bin/bk-lab down %s" % (args.lab, args.lab))
        else:
            log("removing lab %s" % args.lab)
            bench.bk_lab("down", args.lab)
            bench.inventory.unlink(missing_ok=True)


if __name__ == "__main__":
    sys.exit(main())

"""Side-by-side benchmark of stacks: beekeeper.swarm.swarm_stack, community.docker.docker_stack, the docker CLI, and the
engine's own floor, in one run on one lab.

  beekeeper  ansible-playbook bench/playbooks/stack.yml: swarm_stack (the file on the controller; it waits)
  community  ansible-playbook bench/playbooks/stack-community.yml: community.docker.docker_stack with detach: false
             (the file on the manager; `docker stack deploy --detach=false` under it)
  cli        `docker stack deploy --detach=false -c FILE` run in the manager node
  floor      the same objects by raw Engine API calls from the host (the network, then each service with the spec
             the beekeeper side created, stack label renamed), polled until every task runs the new spec

Every side deploys its own copy of one stack (BENCH_STACK_SERVICES services, default 10, of the lab's busybox image,
1 replica, dnsrr, one overlay network, an env var BENCH_REV) under its own stack name, in phases:

  deploy     first deploy, until every service runs (a side that returns earlier is polled until then)
  unchanged  the same file again: wall time, and objects written (a service or network whose Version.Index moved)
  update     one service's env changed: objects written, time until it runs the new spec
  remove     the stack removed

The lab is trixie (Engine and CLI 26.1, whose `docker stack deploy --detach=false` waits); its manager has python3-yaml
and python3-jsondiff for docker_stack. The side that goes first rotates every repetition. Times are process walls
(`ansible-playbook`, `docker exec`), so they include what a user waits for. Environment: BENCH_STACK_SERVICES (10),
BENCH_REPEAT (3), BENCH_KEEP=1 keeps the lab, BENCH_LAB (bs), BENCH_SUBNET (10.88.64.0/24).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

import yaml

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))
import _engine  # noqa: E402

SIDES = ("beekeeper", "community", "cli", "floor")
STACKS = {"beekeeper": "bk", "community": "cd", "cli": "cli", "floor": "api"}
PHASES = ("deploy", "unchanged", "update", "remove")
SETTLE_TIMEOUT = 300
POLL = 0.1
LABEL = "com.docker.stack.namespace"


def log(msg):
    print("[bench %s] %s" % (time.strftime("%H:%M:%S"), msg), flush=True)


def sh(*cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw).stdout.strip()


def compose(services, rev, changed=None):
    """The stack's file: ``services`` busybox services on one network; ``changed`` (a service name) gets ``rev`` alone."""
    body = {"version": "3.8", "networks": {"net": {"driver": "overlay"}}, "services": {}}
    for i in range(1, services + 1):
        name = "s%02d" % i
        body["services"][name] = {
            "image": "beekeeper-lab/busybox:latest",
            "command": ["sh", "-c", "trap 'exit 0' TERM; sleep 86400 & wait"],
            "environment": {"BENCH_REV": rev if changed in (None, name) else "base"},
            "networks": ["net"],
            "deploy": {"replicas": 1, "endpoint_mode": "dnsrr"},
        }
    return body


class Engine(_engine.NodeEngine):
    """The manager's engine with the writes the floor side makes (the bench's probes only read)."""

    def call(self, method, path, body=None, **query):
        if query:
            path += "?" + urllib.parse.urlencode(query)
        conn = _engine._UnixHTTPConnection(self.socket, timeout=60)
        try:
            conn.request(method, _engine.API + path, body=None if body is None else json.dumps(body),
                         headers={"Content-Type": "application/json"})
            resp = conn.getresponse()
            data = resp.read()
        finally:
            conn.close()
        if resp.status >= 300:
            raise RuntimeError("%s %s: %s %s" % (method, path, resp.status, data[:300]))
        return json.loads(data) if data else None


class Bench:
    def __init__(self, args):
        self.args = args
        self.work = Path(tempfile.mkdtemp(prefix="beekeeper-bench-stacks."))
        self.inventory = BENCH / ".lab-stacks.yml"
        self.runs = []
        self.floor_network = None

    # -- lab -------------------------------------------------------------------------------------

    def lab_up(self):
        a = self.args
        bk_lab = str(ROOT / ".venv" / "bin" / "bk-lab")
        log("lab %s: 3 trixie nodes (1 manager) on %s" % (a.lab, a.subnet))
        subprocess.run([bk_lab, "up", a.lab, "--nodes", "3", "--managers", "1", "--subnet", a.subnet, "--release", "trixie",
                        "--inventory", str(self.inventory)], check=True, cwd=ROOT)
        self.ansible("beekeeper", "swarm.yml", {}, self.work / "swarm.log")
        inv = yaml.safe_load(self.inventory.read_text())
        groups = inv["all"]["children"]["swarm"]["children"]
        self.nodes = list(groups["swarm_managers"]["hosts"]) + list(groups["swarm_workers"]["hosts"])
        self.manager = Engine(self.nodes[0])
        log("docker_stack's requirements on %s (python3-yaml, python3-jsondiff)" % self.nodes[0])
        sh("docker", "exec", self.nodes[0], "sh", "-c", "apt-get update -qq && DEBIAN_FRONTEND=noninteractive "
           "apt-get install -y -qq --no-install-recommends python3-yaml python3-jsondiff >/dev/null")

    # -- the sides -------------------------------------------------------------------------------

    def ansible(self, side, playbook, extra, logfile):
        venv = ROOT / ".venv" if side == "beekeeper" else BENCH / ".venv"
        env = dict(os.environ)
        env.pop("VIRTUAL_ENV", None)
        env.update(ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"), ANSIBLE_FORCE_COLOR="0", ANSIBLE_NOCOLOR="1",
                   PATH=str(venv / "bin") + os.pathsep + env.get("PATH", ""))
        if side == "community":  # only the community.docker that bench/.venv's `ansible` bundles
            env["ANSIBLE_COLLECTIONS_PATH"] = str(self.work / "no-collections")
        cmd = [str(venv / "bin" / "ansible-playbook"), "-i", str(self.inventory), str(BENCH / "playbooks" / playbook),
               "-e", json.dumps(extra)]
        with open(logfile, "w", encoding="utf-8") as out:
            rc = subprocess.run(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, check=False).returncode
        if rc != 0:
            tail = Path(logfile).read_text(encoding="utf-8").splitlines()[-30:]
            raise RuntimeError("%s %s failed (rc %d), log %s:\n%s" % (side, playbook, rc, logfile, "\n".join(tail)))

    def run_side(self, side, phase, path, stem):
        stack = STACKS[side]
        state = "absent" if phase == "remove" else "present"
        if side == "beekeeper":
            self.ansible(side, "stack.yml", dict(bench_stack=stack, bench_file=str(path), bench_state=state), self.work / (stem + ".log"))
        elif side == "community":
            remote = "/var/tmp/%s.yml" % stem  # /tmp is a tmpfs in the node: docker cp cannot reach it
            sh("docker", "cp", str(path), "%s:%s" % (self.nodes[0], remote))
            self.ansible(side, "stack-community.yml", dict(bench_stack=stack, bench_file=remote, bench_state=state), self.work / (stem + ".log"))
        elif side == "cli":
            remote = "/var/tmp/%s.yml" % stem  # /tmp is a tmpfs in the node: docker cp cannot reach it
            sh("docker", "cp", str(path), "%s:%s" % (self.nodes[0], remote))
            cmd = ["docker", "stack", "rm", stack] if phase == "remove" else ["docker", "stack", "deploy", "--detach=false", "-q", "-c", remote, stack]
            sh("docker", "exec", self.nodes[0], *cmd)
        else:
            self.floor(phase, path)

    def floor(self, phase, path):
        """The objects the beekeeper side made for this file, by raw API calls: what any tool must at least do."""
        engine, stack = self.manager, STACKS["floor"]
        if phase == "remove":
            for svc in engine.get("/services", filters={"label": {"%s=%s" % (LABEL, stack): True}}) or []:
                engine.call("DELETE", "/services/" + svc["ID"])
            for net in engine.get("/networks", filters={"label": {"%s=%s" % (LABEL, stack): True}}) or []:
                engine.call("DELETE", "/networks/" + net["Id"])
            return
        specs = self.reference_specs()
        if phase == "deploy":
            net = engine.call("POST", "/networks/create", dict(self.floor_network, Name=stack + "_net"))
            self.floor_net = net["Id"]
        current = dict((s["Spec"]["Name"].split("_", 1)[1], s)
                       for s in engine.get("/services", filters={"label": {"%s=%s" % (LABEL, stack): True}}) or [])
        for name, spec in specs.items():
            spec = json.loads(json.dumps(spec).replace('"bk_', '"%s_' % stack).replace('"bk"', '"%s"' % stack))
            for attachment in spec["TaskTemplate"].get("Networks") or []:
                attachment["Target"] = self.floor_net
            if name not in current:
                engine.call("POST", "/services/create", spec)
            elif phase == "update" and json.dumps(current[name]["Spec"]["TaskTemplate"]["ContainerSpec"].get("Env")) != json.dumps(
                    spec["TaskTemplate"]["ContainerSpec"].get("Env")):
                engine.call("POST", "/services/%s/update" % current[name]["ID"], spec, version=current[name]["Version"]["Index"])
            # unchanged: the floor of an unchanged deploy is one list call and no write

    def reference_specs(self):
        """The ServiceSpecs swarm_stack created (bk_sNN) as the engine stores them, per short name, with this phase's env."""
        found = self.manager.get("/services", filters={"label": {"%s=bk" % LABEL: True}}) or []
        specs = {}
        for svc in found:
            spec = json.loads(json.dumps(svc["Spec"]))
            env = spec["TaskTemplate"]["ContainerSpec"].get("Env") or []
            spec["TaskTemplate"]["ContainerSpec"]["Env"] = env
            specs[spec["Name"].split("_", 1)[1]] = spec
        if self.floor_network is None:
            net = self.manager.get("/networks/bk_net")
            self.floor_network = dict(Driver=net["Driver"], Labels=dict(net.get("Labels") or {}, **{LABEL: STACKS["floor"]}),
                                      Attachable=net.get("Attachable", False), Scope="swarm")
        wanted = self.wanted_env
        for short, spec in specs.items():
            spec["TaskTemplate"]["ContainerSpec"]["Env"] = ["BENCH_REV=%s" % wanted[short]]
        return specs

    # -- measuring -------------------------------------------------------------------------------

    def snapshot(self, stack):
        objects = {}
        for svc in self.manager.get("/services", filters={"label": {"%s=%s" % (LABEL, stack): True}}) or []:
            objects["service " + svc["Spec"]["Name"]] = svc["Version"]["Index"]
        for net in self.manager.get("/networks", filters={"label": {"%s=%s" % (LABEL, stack): True}}) or []:
            objects["network " + net["Name"]] = net["Id"]
        return objects

    def converged(self, stack, phase):
        services = self.manager.get("/services", filters={"label": {"%s=%s" % (LABEL, stack): True}}) or []
        if phase == "remove":
            return not services and not self.manager.get("/networks", filters={"label": {"%s=%s" % (LABEL, stack): True}})
        if len(services) != self.args.services:
            return False
        names = [s["Spec"]["Name"] for s in services]
        states = _engine.service_states(self.manager, names)
        for svc in services:
            want = "BENCH_REV=%s" % self.wanted_env[svc["Spec"]["Name"].split("_", 1)[1]]
            tasks = self.manager.get("/tasks", filters={"service": {svc["ID"]: True}, "desired-state": {"running": True}}) or []
            if not any(t["Status"]["State"] == "running" and want in _engine._env(t) for t in tasks):
                return False
            if states[svc["Spec"]["Name"]]["update_state"] not in (None, "completed"):
                return False
        return True

    def phase(self, rep, phase, side, order, path):
        stack = STACKS[side]
        before = self.snapshot(stack)
        stem = "r%d-%s-%s" % (rep + 1, phase, stack)
        t0 = time.monotonic()
        self.run_side(side, phase, path, stem)
        returned = time.monotonic() - t0
        done_at_return = self.converged(stack, phase)
        while not self.converged(stack, phase):
            if time.monotonic() - t0 > SETTLE_TIMEOUT:
                raise RuntimeError("%s %s: not converged %d s after it started" % (side, phase, SETTLE_TIMEOUT))
            time.sleep(POLL)
        settled = time.monotonic() - t0
        after = self.snapshot(stack)
        written = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
        run = dict(rep=rep + 1, phase=phase, side=side, order=order, wall=returned, settled=settled, converged_at_return=done_at_return,
                   written=len(written), written_names=written)
        self.runs.append(run)
        log("run %d %-9s %-9s wall %6.2f s  converged %6.2f s%s  objects written %d" % (
            rep + 1, phase, side, returned, settled, "" if done_at_return else " (after return)", len(written)))

    def run(self):
        a = self.args
        started = time.time()
        self.lab_up()
        (self.work / "no-collections").mkdir()
        order = list(a.sides)
        for rep in range(a.repeat):
            for phase in PHASES:
                rev = "r%d%s" % (rep + 1, {"deploy": "a", "unchanged": "a", "update": "b"}.get(phase, ""))
                changed = "s01" if phase == "update" else None
                base = "r%da" % (rep + 1)
                self.wanted_env = dict(("s%02d" % i, rev if changed in (None, "s%02d" % i) else base) for i in range(1, a.services + 1))
                body = compose(a.services, rev, changed)
                if phase == "update":  # the other services keep the deploy's revision
                    for name, svc in body["services"].items():
                        svc["environment"]["BENCH_REV"] = self.wanted_env[name]
                path = self.work / ("stack-r%d-%s.yml" % (rep + 1, phase))
                path.write_text(yaml.safe_dump(body, sort_keys=False))
                sides = order if phase != "deploy" else ["beekeeper"] + [s for s in order if s != "beekeeper"]
                # The floor reads the beekeeper side's specs: beekeeper deploys first, and is removed last.
                if phase == "remove":
                    sides = [s for s in order if s != "beekeeper"] + ["beekeeper"]
                for i, side in enumerate(sides):
                    self.phase(rep, phase, side, i + 1, path)
            order = order[1:] + order[:1]
        self.elapsed = time.time() - started
        return self.report()

    def ansible_floor(self):
        """Median wall of a one-ping playbook: what every playbook side pays before its module does anything."""
        walls = []
        for i in range(3):
            started = time.monotonic()
            self.ansible("beekeeper", "ping.yml", {}, self.work / ("ping-%d.log" % i))
            walls.append(time.monotonic() - started)
        return statistics.median(walls)

    # -- report ----------------------------------------------------------------------------------

    def report(self):
        def med(phase, side, key):
            values = [r[key] for r in self.runs if r["phase"] == phase and r["side"] == side]
            return statistics.median(values) if values else None

        version = self.manager.get("/version")
        core = sh(str(ROOT / ".venv" / "bin" / "python"), "-c", "import ansible; print(ansible.__version__)")
        cd_core = cd_version = "(not run)"
        if "community" in self.args.sides:
            cd_core = sh(str(BENCH / ".venv" / "bin" / "python"), "-c", "import ansible; print(ansible.__version__)")
            manifest = next((BENCH / ".venv" / "lib").glob("python*/site-packages/ansible_collections/community/docker/MANIFEST.json"))
            cd_version = json.loads(manifest.read_text())["collection_info"]["version"]
        ping = self.ansible_floor()
        lines = [
            "# Stacks: swarm_stack, docker_stack, the CLI and the engine's floor (%s)" % datetime.datetime.now().strftime("%Y-%m-%d %H:%M"),
            "",
            "- machine: %d cores, %s %s; lab %s: 3 trixie node containers, Docker Engine %s (API %s)" % (
                os.cpu_count(), platform.system(), platform.release(), self.args.lab, version["Version"], version["ApiVersion"]),
            "- beekeeper: beekeeper.swarm.swarm_stack from this checkout, ansible-core %s; community: community.docker %s "
            "docker_stack (detach: false), ansible-core %s; cli: `docker stack deploy --detach=false` in the manager node; "
            "floor: raw Engine API calls from the host" % (core, cd_version, cd_core),
            "- workload: %d services `beekeeper-lab/busybox:latest`, 1 replica, dnsrr, one overlay network; %d repetitions, "
            "the side that goes first rotating (the floor copies the beekeeper side's specs, so beekeeper deploys first); "
            "run took %.0f s" % (self.args.services, self.args.repeat, self.elapsed),
            "- Ansible's own floor under the playbook walls: `ansible-playbook` with one `ansible.builtin.ping` on the manager "
            "(bench/playbooks/ping.yml, same inventory and SSH), %.2f s (median of 3)" % ping,
            "",
            "Medians. *wall*: the tool's process, start to exit; *converged*: until every service ran its new spec "
            "(polled every %.1f s after a tool that returned earlier); *written*: objects whose Version.Index (services) "
            "or ID (networks) moved, the most in any repetition." % POLL,
            "",
            "| phase | side | wall s | converged s | vs floor (converged) | written | converged at return |",
            "|---|---|---|---|---|---|---|",
        ]
        for phase in PHASES:
            floor = med(phase, "floor", "settled")
            for side in self.args.sides:
                wall, settled = med(phase, side, "wall"), med(phase, side, "settled")
                if wall is None:
                    continue
                runs = [r for r in self.runs if r["phase"] == phase and r["side"] == side]
                written = max(r["written"] for r in runs)
                at_return = sum(r["converged_at_return"] for r in runs)
                ratio = "-" if not floor or side == "floor" else "%.2f (+%.2f s)" % (settled / floor, settled - floor)
                lines.append("| %s | %s | %.2f | %.2f | %s | %d | %d/%d |" % (phase, side, wall, settled, ratio, written, at_return, len(runs)))
        text = "\n".join(lines) + "\n"
        out = BENCH / "results" / ("stacks-%s.md" % datetime.datetime.now().strftime("%Y-%m-%d-%H%M"))
        out.write_text(text)
        (out.with_suffix(".json")).write_text(json.dumps(dict(runs=self.runs, services=self.args.services, repeat=self.args.repeat,
                                                              engine=version["Version"], elapsed=self.elapsed, ansible_ping=ping),
                                                         indent=1))
        print(text)
        log("report: %s" % out)
        return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--services", type=int, default=int(os.environ.get("BENCH_STACK_SERVICES", "10")))
    parser.add_argument("--repeat", type=int, default=int(os.environ.get("BENCH_REPEAT", "3")))
    parser.add_argument("--sides", nargs="+", default=list(SIDES), choices=SIDES)
    parser.add_argument("--lab", default=os.environ.get("BENCH_LAB", "bs"))
    parser.add_argument("--subnet", default=os.environ.get("BENCH_SUBNET", "10.88.64.0/24"))
    args = parser.parse_args()
    if "beekeeper" not in args.sides:
        parser.error("--sides: the floor copies the beekeeper side's specs; keep beekeeper")
    bench = Bench(args)
    try:
        return bench.run()
    finally:
        if not os.environ.get("BENCH_KEEP"):
            subprocess.run([str(ROOT / ".venv" / "bin" / "bk-lab"), "down", args.lab], check=False, cwd=ROOT)


if __name__ == "__main__":
    sys.exit(main())

"""Record what `docker stack deploy` really stores, for the swarm_stack parity unit tests.

Re-recording
------------
Bring up a one-node lab with an engine, make it a swarm, then run from the repository root::

    bk-lab up pc1 --nodes 1 --managers 1 --subnet 10.88.91.0/24 --release bookworm --inventory /tmp/pc1.yml
    docker exec pc1-n1 docker swarm init --advertise-addr 10.88.91.11
    python tests/integration/swarm_stack/record_cli.py pc1-n1            # every corpus file
    python tests/integration/swarm_stack/record_cli.py pc1-n1 --only 06  # just 06-ports.yml
    bk-lab down pc1

The external objects the corpus refers to (overlay network ``ext_net``, secret ``ext_secret``) are created by the
recorder when missing. Each corpus file is deployed as its own stack ``p<NN>`` with the node's own CLI
(``docker stack deploy -c FILE --resolve-image never STACK``, run inside the node from a copy of the corpus), read
back, and removed again (``docker stack rm``, waiting until its networks are gone) before the next one.

Fixtures
--------
``tests/unit/fixtures/stacks/<engine version, e.g. 20.10.24>/<NN-topic>.json``, one per corpus file:

- ``cli``, ``engine``, ``api``: ``docker version`` of the node (verbatim, e.g. ``20.10.24+dfsg1``).
- ``file``, ``stack``: the corpus file and the stack name it was deployed as.
- ``deploy_rc``, ``cli_output``: exit status and stdout+stderr of the deploy (the CLI's warnings). A refused file
  (``25-yaml-booleans``) is recorded too: rc 1, the CLI's message, no objects. The order of the "Creating service"
  lines (and which key a schema error names) follows Go map iteration and changes from run to run.
- ``services``, ``networks``, ``secrets``, ``configs``: what ``GET /services|networks|secrets|configs`` with
  ``filters={"label": ["com.docker.stack.namespace=STACK"]}`` returns: the raw stored specs, without the
  defaults that ``docker service inspect`` (``insertDefaults=true``) would add. Sorted by name; ``CreatedAt``,
  ``UpdatedAt``, ``Version`` (networks: ``Created``) and ``JobStatus.LastExecution`` removed. IDs are kept:
  service network ``Target``s and secret/config references are IDs.
- ``network_ids``, ``secret_ids``, ``config_ids``: name -> ID of every swarm-scoped network, secret and config at
  that moment, so references to external objects (``ext_net``, ``ext_secret``, ``ingress``) can be resolved.

``unchanged-redeploy.json``: the same file (``24-yaml-typing``) deployed twice without a change, with each
service's, secret's and config's ``Version.Index`` before and after, whether the spec stayed equal, and the raw
objects after the second run (STACKS.md 1.8: the CLI updates everything on every run).

``skipped.json``: corpus files marked ``# min_cli: X`` that this CLI is too old for, with what the CLI said when
asked anyway (no fixture is written for them).

Why a recorder and not hand-written expectations: the module must produce what the CLI produces, byte for byte
after the engine's read-back, on every engine we support. Only the real CLI against the real engine knows that, so
unit tests judge the converter against these recorded answers, and a new engine is supported by recording again.
Only the standard library is used: this runs from any Python 3.12 on the lab host.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "corpus"
FIXTURES = HERE.parents[2] / "tests" / "unit" / "fixtures" / "stacks"
NODE_DIR = "/root/swarm_stack_corpus"
LABEL = "com.docker.stack.namespace"
REDEPLOY = "24-yaml-typing"
KINDS = ("services", "networks", "secrets", "configs")
# External objects the corpus refers to; created on the node if missing.
EXTERNAL_NETWORKS = {"ext_net": ["--driver", "overlay", "--attachable"]}
EXTERNAL_SECRETS = {"ext_secret": "s3cret"}
VOLATILE = ("CreatedAt", "UpdatedAt", "Version", "Created")
MIN_CLI = re.compile(r"^#\s*min_cli:\s*(\d+(?:\.\d+)?)\s*$", re.MULTILINE)


class RecordError(RuntimeError):
    """A step on the node failed in a way that makes the recording meaningless."""


class Node:
    """One lab node container, reached with `docker exec` from the lab host."""

    def __init__(self, name: str):
        self.name = name
        versions = json.loads(self.run("docker", "version", "--format", "{{json .}}").stdout)
        self.cli = versions["Client"]["Version"]
        self.engine = versions["Server"]["Version"]
        self.api = versions["Server"]["ApiVersion"]

    def run(self, *argv: str, workdir: str | None = None, stdin: str | None = None, check: bool = True) -> subprocess.CompletedProcess:
        cmd = ["docker", "exec", "-i"]
        if workdir:
            cmd += ["-w", workdir]
        cmd += [self.name, *argv]
        proc = subprocess.run(cmd, input=stdin, capture_output=True, text=True, timeout=300, check=False)
        if check and proc.returncode:
            raise RecordError("%s failed (%d): %s" % (" ".join(argv), proc.returncode, (proc.stderr or proc.stdout).strip()))
        return proc

    def output(self, *argv: str, workdir: str | None = None) -> tuple[int, str]:
        """Exit status and stdout+stderr interleaved, as a user at a terminal would see them."""
        cmd = ["docker", "exec"] + (["-w", workdir] if workdir else []) + [self.name, *argv]
        proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=600, check=False)
        return proc.returncode, proc.stdout

    def get(self, path: str, filters: dict | None = None):
        """GET on the Engine API through the node's socket, at the engine's own API version."""
        url = "http://localhost/v%s/%s" % (self.api, path)
        if filters:
            url += "?filters=" + urllib.parse.quote(json.dumps(filters, separators=(",", ":")))
        proc = self.run("curl", "-sS", "--fail-with-body", "--unix-socket", "/var/run/docker.sock", url)
        return json.loads(proc.stdout)

    def stack_objects(self, stack: str) -> dict[str, list]:
        filters = {"label": ["%s=%s" % (LABEL, stack)]}
        return {kind: self.get(kind, filters) for kind in KINDS}


def name_of(obj: dict) -> str:
    return obj.get("Spec", {}).get("Name") or obj.get("Name", "")


def strip(obj: dict) -> dict:
    """Drop fields that change with every deploy; keep everything the engine stored from the spec."""
    clean = {k: v for k, v in obj.items() if k not in VOLATILE}
    if isinstance(clean.get("JobStatus"), dict):
        clean["JobStatus"] = {k: v for k, v in clean["JobStatus"].items() if k != "LastExecution"}
    return clean


def min_cli(path: Path) -> tuple[int, ...] | None:
    match = MIN_CLI.search("\n".join(path.read_text().splitlines()[:3]))
    return tuple(int(p) for p in match.group(1).split(".")) if match else None


def version_tuple(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in re.match(r"(\d+)\.(\d+)", version).groups())


def ensure_ready(node: Node) -> None:
    info = node.get("info")
    if not info.get("Swarm", {}).get("ControlAvailable"):
        raise RecordError("%s is not a swarm manager: run 'docker exec %s docker swarm init --advertise-addr IP' first" % (node.name, node.name))
    networks = {n["Name"] for n in node.get("networks")}
    for net, args in EXTERNAL_NETWORKS.items():
        if net not in networks:
            node.run("docker", "network", "create", *args, net)
    secrets = {s["Spec"]["Name"] for s in node.get("secrets")}
    for secret, data in EXTERNAL_SECRETS.items():
        if secret not in secrets:
            node.run("docker", "secret", "create", secret, "-", stdin=data)
    node.run("rm", "-rf", NODE_DIR)
    subprocess.run(["docker", "cp", str(CORPUS), "%s:%s" % (node.name, NODE_DIR)], check=True, capture_output=True)


def remove_stack(node: Node, stack: str, timeout: float = 180) -> None:
    """`docker stack rm` until nothing labelled with the stack is left (it races its own tasks on networks)."""
    deadline = time.monotonic() + timeout
    while True:
        node.run("docker", "stack", "rm", stack, check=False)
        for _attempt in range(20):
            left = [kind for kind, objs in node.stack_objects(stack).items() if objs]
            if not left:
                return
            time.sleep(0.5)
        if time.monotonic() > deadline:
            raise RecordError("stack %s not removed after %ds: %s remain" % (stack, timeout, ", ".join(left)))


def deploy(node: Node, path: Path, stack: str) -> tuple[int, str]:
    return node.output("docker", "stack", "deploy", "-c", path.name, "--resolve-image", "never", stack, workdir=NODE_DIR)


def snapshot(node: Node, stack: str) -> dict:
    objects = node.stack_objects(stack)
    record = {kind: sorted((strip(o) for o in objs), key=name_of) for kind, objs in objects.items()}
    record["network_ids"] = {n["Name"]: n["Id"] for n in node.get("networks", {"scope": ["swarm"]})}
    record["secret_ids"] = {s["Spec"]["Name"]: s["ID"] for s in node.get("secrets")}
    record["config_ids"] = {c["Spec"]["Name"]: c["ID"] for c in node.get("configs")}
    return record


def versions_of(objs: list[dict]) -> dict[str, dict]:
    return {name_of(o): o for o in objs}


def record_redeploy(node: Node, path: Path, stack: str) -> dict:
    """Deploy an unchanged file a second time and show what the CLI rewrote (STACKS.md 1.8)."""
    before = node.stack_objects(stack)
    rc, output = deploy(node, path, stack)
    after = node.stack_objects(stack)
    result = {"cli": node.cli, "engine": node.engine, "api": node.api, "file": path.name, "stack": stack, "deploy_rc": rc, "cli_output": output}
    for kind in ("services", "secrets", "configs"):
        old, new = versions_of(before[kind]), versions_of(after[kind])
        rows = []
        for name in sorted(new):
            row = {
                "name": name,
                "version_before": old.get(name, {}).get("Version", {}).get("Index"),
                "version_after": new[name]["Version"]["Index"],
                "spec_unchanged": old.get(name, {}).get("Spec") == new[name]["Spec"],
            }
            if kind == "services":
                row["previous_spec_equals_spec"] = new[name].get("PreviousSpec") == new[name]["Spec"]
                row["update_status_after"] = new[name].get("UpdateStatus")
            rows.append(row)
        result[kind] = rows
    result["after"] = {kind: sorted(after[kind], key=name_of) for kind in ("services", "secrets", "configs")}
    return result


def write(path: Path, data: dict) -> None:
    path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("node", help="lab node container with a swarm manager engine, e.g. pc1-n1")
    parser.add_argument("--only", action="append", default=[], help="record only corpus files starting with this prefix (repeatable)")
    parser.add_argument("--out", type=Path, default=FIXTURES, help="fixture root (default: %(default)s)")
    args = parser.parse_args(argv)

    node = Node(args.node)
    outdir = args.out / re.match(r"\d+\.\d+\.\d+", node.engine).group(0)
    outdir.mkdir(parents=True, exist_ok=True)
    files = sorted(p for p in CORPUS.glob("[0-9][0-9]-*.yml") if not args.only or p.name.startswith(tuple(args.only)))
    if not args.only:
        for old in outdir.glob("*.json"):
            old.unlink()
    ensure_ready(node)
    print("%s: CLI %s, Engine %s, API %s -> %s" % (node.name, node.cli, node.engine, node.api, outdir))

    skipped = json.loads((outdir / "skipped.json").read_text()) if (outdir / "skipped.json").exists() else {}
    for path in files:
        stack = "p" + path.name[:2]
        remove_stack(node, stack)
        rc, output = deploy(node, path, stack)
        needed = min_cli(path)
        if needed and version_tuple(node.cli) < needed:
            skipped[path.stem] = {"min_cli": ".".join(map(str, needed)), "cli": node.cli, "deploy_rc": rc, "cli_output": output}
            print("  %-28s skipped (needs CLI %s): %s" % (path.stem, ".".join(map(str, needed)), output.strip().splitlines()[-1:]))
            remove_stack(node, stack)
            continue
        skipped.pop(path.stem, None)
        record = {"cli": node.cli, "engine": node.engine, "api": node.api, "file": path.name, "stack": stack, "deploy_rc": rc, "cli_output": output}
        record.update(snapshot(node, stack))
        write(outdir / (path.stem + ".json"), record)
        print(
            "  %-28s rc=%d services=%d networks=%d secrets=%d configs=%d"
            % (path.stem, rc, len(record["services"]), len(record["networks"]), len(record["secrets"]), len(record["configs"]))
        )
        if path.stem == REDEPLOY:
            write(outdir / "unchanged-redeploy.json", record_redeploy(node, path, stack))
            print("  %-28s recorded" % "unchanged-redeploy")
        remove_stack(node, stack)
    if skipped:
        write(outdir / "skipped.json", skipped)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except RecordError as exc:
        sys.exit("record_cli: %s" % exc)

"""Node containers: systemd hosts on a lab network, each with its own dockerd.

A lab is a named set of node containers on one bridge network with a fixed subnet. Every
node gets a unique hostname (``LAB-nN``), a static address, sshd with the lab's key, and
its own /var/lib/docker volume (overlay2 cannot sit on overlay). The container options are
the ones shared/LAB.md verified on these machines (no --privileged here).
"""

from __future__ import annotations

import ipaddress
import json
import os
import subprocess
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import yaml

from .host import LabError, ensure_engine, out, run, tune_host
from .images import busybox_image, node_image

LABEL = "beekeeper.lab"
ROOT = Path(__file__).resolve().parents[2]
STATE_DIR = Path(os.environ.get("BEEKEEPER_LAB_DIR", ROOT / ".lab"))

NODE_OPTIONS = (
    "--cap-add", "ALL", "--cap-drop", "SYS_RESOURCE",
    "--security-opt", "seccomp=unconfined", "--security-opt", "apparmor=unconfined",
    "--security-opt", "systempaths=unconfined",
    "--cgroupns", "host", "-v", "/sys/fs/cgroup:/sys/fs/cgroup:rw",
    "--tmpfs", "/run", "--tmpfs", "/run/lock", "--tmpfs", "/tmp",
)


@dataclass
class Node:
    name: str
    address: str
    group: str  # swarm_managers | swarm_workers | ungrouped

    @property
    def volume(self) -> str:
        return f"{self.name}-docker"


def ssh_key() -> Path:
    """The lab's SSH key pair, made once per checkout."""
    STATE_DIR.mkdir(parents=True, exist_ok=True)
    key = STATE_DIR / "id_ed25519"
    if not key.exists():
        run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "beekeeper-lab", "-f", str(key))
    return key


def plan(lab: str, nodes: int, managers: int, subnet: str) -> list[Node]:
    net = ipaddress.ip_network(subnet)
    hosts = list(net.hosts())
    result = []
    for i in range(1, nodes + 1):
        group = "swarm_managers" if i <= managers else "swarm_workers"
        result.append(Node(f"{lab}-n{i}", str(hosts[10 + i - 1]), group))
    return result


def docker_exec(node: str, *cmd: str, check: bool = True, input: bytes | None = None,
                timeout: float | None = 120) -> subprocess.CompletedProcess:
    return run("docker", "exec", "-i", node, *cmd, check=check, input=input, timeout=timeout)


def _wait(node: Node, engine: bool, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    step = "systemd"
    while time.monotonic() < deadline:
        running = out("docker", "inspect", "--format", "{{.State.Running}}", node.name)
        if running != "true":
            logs = run("docker", "logs", "--tail", "20", node.name).stderr.decode(errors="replace")
            raise LabError(f"node {node.name} stopped while starting: {logs}")
        if step == "systemd":
            state = docker_exec(node.name, "systemctl", "is-system-running", check=False)
            if state.stdout.decode().strip() in ("running", "degraded"):
                step = "engine" if engine else "done"
        if step == "engine" and docker_exec(node.name, "docker", "info", check=False).returncode == 0:
            step = "done"
        if step == "done":
            return
        time.sleep(0.5)
    raise LabError(f"node {node.name} did not reach '{step}' within {timeout:.0f}s")


def _prepare(node: Node, engine: bool, pubkey: bytes, workload: str | None) -> None:
    _wait(node, engine=False)
    docker_exec(node.name, "sh", "-c",
                "cat > /root/.ssh/authorized_keys && chmod 600 /root/.ssh/authorized_keys",
                input=pubkey)
    if engine:
        _wait(node, engine=True)
        if workload:
            image = subprocess.run(["docker", "save", workload], check=True,
                                   capture_output=True).stdout
            docker_exec(node.name, "docker", "load", "-q", input=image)


def up(lab: str, nodes: int = 3, managers: int = 1, subnet: str = "10.88.0.0/24",
       release: str = "bookworm", engine: bool = True, workload: bool = True,
       inventory: Path | None = None) -> list[Node]:
    """Start a lab (replacing one of the same name) and write its inventory."""
    ensure_engine()
    tune_host()
    image = node_image(release, engine=engine)
    busybox = busybox_image() if (engine and workload) else None
    down(lab)
    network = f"{lab}-net"
    net = ipaddress.ip_network(subnet)
    run("docker", "network", "create", "--subnet", subnet, "--gateway", str(next(net.hosts())),
        "--label", f"{LABEL}={lab}", network)
    members = plan(lab, nodes, managers, subnet)
    for node in members:
        run("docker", "run", "-d", "--name", node.name, "--hostname", node.name,
            "--network", network, "--ip", node.address, "--label", f"{LABEL}={lab}",
            *NODE_OPTIONS, "-v", f"{node.volume}:/var/lib/docker", image)
    pubkey = ssh_key().with_suffix(".pub").read_bytes()
    with ThreadPoolExecutor(max_workers=len(members)) as pool:
        list(pool.map(lambda n: _prepare(n, engine, pubkey, busybox), members))
    write_inventory(lab, members, inventory or STATE_DIR / lab / "hosts.yml")
    return members


def down(lab: str) -> None:
    """Remove a lab's containers, volumes and network."""
    names = out("docker", "ps", "-aq", "--filter", f"label={LABEL}={lab}").split()
    if names:
        volumes = []
        for cid in names:
            mounts = json.loads(out("docker", "inspect", "--format", "{{json .Mounts}}", cid))
            volumes += [m["Name"] for m in mounts if m.get("Type") == "volume"]
        run("docker", "rm", "-f", "-v", *names)
        if volumes:
            run("docker", "volume", "rm", "-f", *volumes, check=False)
    networks = out("docker", "network", "ls", "-q", "--filter", f"label={LABEL}={lab}").split()
    if networks:
        run("docker", "network", "rm", *networks)


def labs() -> dict[str, list[str]]:
    """Running labs and their node containers."""
    rows = out("docker", "ps", "-a", "--filter", f"label={LABEL}",
               "--format", '{{.Label "%s"}} {{.Names}} {{.Status}}' % LABEL)
    result: dict[str, list[str]] = {}
    for line in rows.splitlines():
        lab, name, status = line.split(" ", 2)
        result.setdefault(lab, []).append(f"{name} ({status})")
    return result


def inventory_data(members: list[Node]) -> dict:
    key = ssh_key()
    groups: dict[str, dict] = {"swarm_managers": {"hosts": {}}, "swarm_workers": {"hosts": {}}}
    for node in members:
        groups[node.group]["hosts"][node.name] = {"ansible_host": node.address}
    return {
        "all": {
            "vars": {
                "ansible_user": "root",
                "ansible_ssh_private_key_file": str(key),
                "ansible_ssh_common_args": "-o StrictHostKeyChecking=no "
                                           "-o UserKnownHostsFile=/dev/null -o LogLevel=ERROR",
                "ansible_python_interpreter": "/usr/bin/python3",
            },
            "children": {"swarm": {"children": groups}},
        }
    }


def write_inventory(lab: str, members: list[Node], path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    header = f"# Generated by `bk-lab up {lab}`: the lab's node containers. Do not edit.\n"
    path.write_text(header + yaml.safe_dump(inventory_data(members), sort_keys=False))
    return path


def engine(node: str, action: str) -> None:
    """Stop or start the engine of one node, as an outage would."""
    units = ["docker.socket", "docker.service"]
    if action == "stop":
        docker_exec(node, "systemctl", "stop", *units)
    else:
        docker_exec(node, "systemctl", "start", *units[::-1])
        _wait(Node(node, "", ""), engine=True)


def load(lab: str, images: list[str], only: list[str] | None = None) -> list[str]:
    """Load images into every node container of a lab whose engine answers (or those of ``only``); the nodes loaded.

    The nodes load side by side: each engine unpacks its own copy, and the tutorials' images are about 1 GB.
    """
    names = out("docker", "ps", "--filter", f"label={LABEL}={lab}", "--format", "{{.Names}}").split()
    if not names:
        raise LabError(f"no lab named '{lab}'")
    names = sorted(n for n in names if only is None or n in only)
    with tempfile.NamedTemporaryFile(prefix="bk-images-", suffix=".tar", dir="/var/tmp") as saved:
        run("docker", "save", "-o", saved.name, *images, timeout=300)
        ready = [n for n in names if docker_exec(n, "docker", "info", check=False).returncode == 0]

        def load_one(name: str) -> None:
            with open(saved.name, "rb") as tar:
                proc = subprocess.run(["docker", "exec", "-i", name, "docker", "load", "-q"], stdin=tar,
                                      capture_output=True, timeout=900, check=False)
            if proc.returncode:
                raise LabError(f"docker load on {name} failed: {proc.stderr.decode(errors='replace')[-500:]}")

        with ThreadPoolExecutor(max_workers=max(1, len(ready))) as pool:
            list(pool.map(load_one, ready))
    return ready

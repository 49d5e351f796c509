"""VM nodes: Debian VMs with their own kernel under QEMU, for what node containers cannot show.

Node containers share the host's kernel, which has no IP_VS and no ESP: no routing mesh, no
service VIPs, no encrypted overlays, and no real reboot. A VM lab has the same verbs and the
same generated inventory as a container lab (nodes ``LAB-nN`` at the subnet's .11, .12, ...;
swarm_managers first), so tests, playbooks and Molecule scenarios run unchanged on either.

Per lab: a bridge (``bkv-LAB``) holding the subnet's first address, one tap per VM, iptables
rules commented ``bk-lab:LAB`` (VM-to-VM frames cross the host's FORWARD chain, whose policy is
DROP here; NAT so bare VMs reach the Debian mirror; counters for ESP and plain VXLAN on the
bridge), and a state directory with each VM's overlay disk, pidfile, monitor socket and serial
log. ``down`` removes all of it. The acceleration is KVM where the host has real KVM and TCG
otherwise (this kind of machine's /dev/kvm is PVM, which cannot run Debian's kernel:
shared/VMLAB.md section 2).
"""

from __future__ import annotations

import ipaddress
import json
import os
import shlex
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from . import vmimage, vmstore
from .host import LabError, ensure_engine, run
from .images import image_ids
from .nodes import STATE_DIR, Node, plan, ssh_key, write_inventory

STATE = "vm.json"
COMMENT = "bk-lab:"
MEMORY = int(os.environ.get("BEEKEEPER_VM_MEMORY", "512"))
# VMLAB.md: boot to SSH took 52-118 s for 3 VMs at once on TCG; a busy host is slower still.
BOOT_TIMEOUT = float(os.environ.get("BEEKEEPER_VM_BOOT_TIMEOUT", "420"))
SSH_OPTIONS = ("-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
               "-o", "LogLevel=ERROR", "-o", "BatchMode=yes")


# -- the machine ---------------------------------------------------------------------------


def accel() -> tuple[str, ...]:
    """QEMU's accelerator options: real KVM when the host has it, TCG otherwise.

    BEEKEEPER_VM_ACCEL=tcg|kvm overrides. PVM (a software KVM module for guests built for it)
    shows /dev/kvm too, but Debian's kernel does not run under it.
    """
    wanted = os.environ.get("BEEKEEPER_VM_ACCEL", "")
    pvm = Path("/sys/module/kvm_pvm").exists() or "nested_pvm" in _read("/proc/cmdline")
    if wanted == "kvm" or (not wanted and Path("/dev/kvm").exists() and not pvm
                           and os.access("/dev/kvm", os.R_OK | os.W_OK)):
        return ("-accel", "kvm", "-cpu", "host")
    # A 128 MiB translation cache: the 1 GiB default counts fully as resident memory.
    return ("-accel", "tcg,tb-size=%s" % os.environ.get("BEEKEEPER_VM_TB_SIZE", "128"),
            "-cpu", os.environ.get("BEEKEEPER_VM_CPU", "max"))


def usable() -> str | None:
    """None when this machine can run VM labs, else why not (the tests then report not run)."""
    if os.geteuid() != 0:
        return "VM labs need root (bridges, taps, iptables)"
    if os.uname().machine != "x86_64":
        return f"VM labs need an x86_64 host (this is {os.uname().machine})"
    if not Path("/dev/net/tun").exists():
        return "no /dev/net/tun: VMs cannot get a tap device"
    try:
        vmimage.apt_install(*vmimage.HOST_PACKAGES)
    except (OSError, subprocess.CalledProcessError) as exc:
        return f"cannot install {', '.join(vmimage.HOST_PACKAGES)}: {exc}"
    # Start a paused machine: still running after a moment means QEMU and the accelerator work.
    probe = subprocess.Popen(["qemu-system-x86_64", *accel(), "-machine", "q35", "-nodefaults",
                              "-display", "none", "-monitor", "none", "-S"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        probe.wait(timeout=3)
    except subprocess.TimeoutExpired:
        probe.kill()
        probe.wait()
        return None
    err = probe.stderr.read().decode(errors="replace") if probe.stderr else ""
    return f"qemu-system-x86_64 does not start here ({' '.join(accel())}): {err[-300:]}"


def _read(path: str) -> str:
    try:
        return Path(path).read_text()
    except OSError:
        return ""


# -- names and state -----------------------------------------------------------------------


def bridge(lab: str) -> str:
    return f"bkv-{lab}"


def tap(node: str) -> str:
    lab, index = node.rsplit("-n", 1)
    return f"bkt-{lab}-{index}"


def check_name(lab: str, nodes: int) -> None:
    # Interface names have 15 characters: "bkt-" + lab + "-" + index.
    if len(tap(f"{lab}-n{nodes}")) > 15 or not lab.replace("-", "").isalnum():
        raise LabError(f"VM lab name '{lab}' must be letters, digits and '-', at most "
                       f"{15 - len(tap('-n' + str(nodes)))} characters (it names interfaces)")


def lab_dir(lab: str) -> Path:
    return STATE_DIR / lab / "vm"


def state(lab: str) -> dict | None:
    path = lab_dir(lab) / STATE
    return json.loads(path.read_text()) if path.exists() else None


def vm_labs() -> dict[str, dict]:
    found = {}
    if STATE_DIR.is_dir():
        for path in sorted(STATE_DIR.glob(f"*/vm/{STATE}")):
            data = json.loads(path.read_text())
            found[data["lab"]] = data
    return found


def find(node: str) -> tuple[dict, dict]:
    """The lab state and the entry of a VM node, by node name."""
    for data in vm_labs().values():
        for entry in data["nodes"]:
            if entry["name"] == node:
                return data, entry
    raise LabError(f"no VM node named '{node}' (bk-lab ls lists the labs)")


# -- host networking -----------------------------------------------------------------------


def _iptables(*rule: str, table: str = "filter", check: bool = True) -> subprocess.CompletedProcess:
    return run("iptables", "-w", "-t", table, *rule, check=check)


def rules(lab: str, subnet: str) -> list[tuple[str, tuple[str, ...]]]:
    """(table, rule) pairs, each carrying the lab's comment so down can find it."""
    br = bridge(lab)
    tag = ("-m", "comment", "--comment", COMMENT + lab)
    return [
        # Counters on the wire between nodes, ahead of the ACCEPTs so they see every frame:
        # encrypted overlays show ESP, plain ones VXLAN.
        ("filter", ("FORWARD", "-i", br, "-o", br, "-p", "esp", *tag, "-m", "comment",
                    "--comment", "esp")),
        ("filter", ("FORWARD", "-i", br, "-o", br, "-p", "udp", "--dport", "4789", *tag,
                    "-m", "comment", "--comment", "vxlan")),
        # VM to VM across the bridge: FORWARD's policy is DROP here, and the host's dockerd
        # sets bridge-nf-call-iptables, so bridged frames meet it (VMLAB.md G5).
        ("filter", ("FORWARD", "-i", br, "-o", br, *tag, "-j", "ACCEPT")),
        # Out to the mirror (bare VMs install the engine from Debian) and the replies back.
        ("filter", ("FORWARD", "-i", br, "!", "-o", br, *tag, "-j", "ACCEPT")),
        ("filter", ("FORWARD", "-o", br, "-m", "conntrack", "--ctstate", "RELATED,ESTABLISHED",
                    *tag, "-j", "ACCEPT")),
        ("nat", ("POSTROUTING", "-s", subnet, "!", "-o", br, *tag, "-j", "MASQUERADE")),
    ]


def _network_up(lab: str, subnet: str, count: int) -> str:
    net = ipaddress.ip_network(subnet)
    gateway = str(next(net.hosts()))
    br = bridge(lab)
    run("ip", "link", "add", br, "type", "bridge")
    run("ip", "addr", "add", f"{gateway}/{net.prefixlen}", "dev", br)
    run("ip", "link", "set", br, "up")
    for i in range(1, count + 1):
        name = tap(f"{lab}-n{i}")
        run("ip", "tuntap", "add", "dev", name, "mode", "tap")
        run("ip", "link", "set", name, "master", br)
        run("ip", "link", "set", name, "up")
    # Inserted at the top (above the host dockerd's jumps), in the listed order.
    for table, rule in reversed(rules(lab, subnet)):
        _iptables("-I", rule[0], "1", *rule[1:], table=table)
    Path("/proc/sys/net/ipv4/ip_forward").write_text("1\n")
    # Bridged frames meet iptables only with br_netfilter's switch on: the counters need it.
    nf_call = Path("/proc/sys/net/bridge/bridge-nf-call-iptables")
    if nf_call.exists():
        nf_call.write_text("1\n")
    return gateway


def _network_down(lab: str) -> None:
    for table in ("filter", "nat"):
        listing = _iptables("-S", table=table, check=False).stdout.decode()
        for line in listing.splitlines():
            if f'"{COMMENT}{lab}"' in line or f" {COMMENT}{lab} " in line + " ":
                _iptables(*shlex.split(line.replace("-A ", "-D ", 1)), table=table, check=False)
    for link in _links(lab):
        run("ip", "link", "del", link, check=False)


def _links(lab: str) -> list[str]:
    names = json.loads(run("ip", "-j", "link", "show").stdout or b"[]")
    mine = [n["ifname"] for n in names if n["ifname"].startswith(f"bkt-{lab}-")
            and n["ifname"][len(f"bkt-{lab}-"):].isdigit()]
    if any(n["ifname"] == bridge(lab) for n in names):
        mine.append(bridge(lab))
    return mine


def traffic(lab: str) -> dict[str, int]:
    """Packets counted on the lab bridge since up: {'esp': N, 'vxlan': M}."""
    return count_traffic(lab, _iptables("-L", "FORWARD", "-v", "-x", "-n").stdout.decode())


def count_traffic(lab: str, listing: str) -> dict[str, int]:
    """The lab's counters in an `iptables -L FORWARD -v -x -n` listing."""
    counts = {"esp": 0, "vxlan": 0}
    for line in listing.splitlines():
        if f"/* {COMMENT}{lab} */" not in line:
            continue
        for kind in counts:
            if f"/* {kind} */" in line:
                counts[kind] += int(line.split()[0])
    return counts


# -- one VM ----------------------------------------------------------------------------------


def mac(address: str) -> str:
    a, b, c, d = (int(x) for x in address.split("."))
    return "52:54:%02x:%02x:%02x:%02x" % (a, b, c, d)


def _start(data: dict, entry: dict) -> None:
    """Start (or restart) one VM's QEMU process on its existing overlay."""
    base = vmimage.Base(Path(data["disk"]), Path(data["kernel"]), Path(data["initrd"]))
    vmdir = Path(entry["dir"])
    net = ipaddress.ip_network(data["subnet"])
    key = ",".join(ssh_key().with_suffix(".pub").read_text().split()[:2])
    append = " ".join((
        "root=/dev/vda rw console=ttyS0 net.ifnames=0 quiet",
        f"ip={entry['address']}::{data['gateway']}:{net.netmask}::eth0:off",
        f"systemd.hostname={entry['name']}", f"bk.key={key}",
    ))
    overlay, images = vmdir / "disk.qcow2", vmdir / "docker.qcow2"
    for disk, backing in ((overlay, base.disk), (images, Path(data["store"]))):
        if not disk.exists():
            run("qemu-img", "create", "-q", "-f", "qcow2", "-b", str(backing), "-F", "qcow2", str(disk))
    (vmdir / "serial.log").unlink(missing_ok=True)
    run("qemu-system-x86_64", "-name", entry["name"], "-machine", "q35", *accel(),
        "-smp", str(data.get("cpus", 1)), "-m", str(data["memory"]),
        "-nodefaults", "-no-user-config", "-display", "none",
        "-kernel", str(base.kernel), "-initrd", str(base.initrd), "-append", append,
        "-drive", f"file={overlay},if=virtio,format=qcow2,discard=unmap",
        "-drive", f"file={images},if=virtio,format=qcow2,discard=unmap",
        "-netdev", f"tap,id=n0,ifname={entry['tap']},script=no,downscript=no",
        "-device", f"virtio-net-pci,netdev=n0,mac={mac(entry['address'])}",
        "-device", "virtio-rng-pci",
        "-serial", f"file:{vmdir / 'serial.log'}",
        "-monitor", f"unix:{vmdir / 'monitor.sock'},server,nowait",
        "-pidfile", str(vmdir / "qemu.pid"), "-daemonize")


def _pid(entry: dict) -> int | None:
    try:
        pid = int((Path(entry["dir"]) / "qemu.pid").read_text())
        os.kill(pid, 0)
        return pid
    except (OSError, ValueError):
        return None


def _monitor(entry: dict, command: str) -> None:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(5)
        sock.connect(str(Path(entry["dir"]) / "monitor.sock"))
        sock.recv(4096)
        sock.sendall(command.encode() + b"\n")
        time.sleep(0.2)


def _stop(entry: dict, timeout: float = 120) -> None:
    """Power a VM off as a button press would (ACPI), killing QEMU if the guest takes too long."""
    pid = _pid(entry)
    if pid is None:
        return
    try:
        _monitor(entry, "system_powerdown")
    except OSError:
        pass
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and _pid(entry) is not None:
        time.sleep(1)
    _kill(entry)


def _kill(entry: dict) -> None:
    pid = _pid(entry)
    if pid is None:
        return
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 5
    while _pid(entry) is not None and time.monotonic() < deadline:
        time.sleep(0.1)
    (Path(entry["dir"]) / "qemu.pid").unlink(missing_ok=True)


def ssh(address: str, *command: str, check: bool = True, input: bytes | None = None,
        timeout: float | None = 300, connect_timeout: int = 20) -> subprocess.CompletedProcess:
    """Run a command on a VM as root over the lab's key (sshd's banner is slow under TCG: G7)."""
    return run("ssh", *SSH_OPTIONS, "-o", f"ConnectTimeout={connect_timeout}", "-i",
               str(ssh_key()), f"root@{address}", *command, check=check, input=input,
               timeout=timeout)


def forward_engine(address: str, socket: Path, timeout: float = 120) -> subprocess.Popen:
    """The VM's engine socket forwarded over SSH to a local socket, once it answers; stop it with terminate().

    Modules then run on the controller against the guest's engine, as with any remote docker_host, without
    paying for an emulated Python start on every call."""
    socket.unlink(missing_ok=True)
    proc = subprocess.Popen(["ssh", *SSH_OPTIONS, "-N", "-i", str(ssh_key()), "-o", "ExitOnForwardFailure=yes",
                             "-o", "ServerAliveInterval=15", "-L", f"{socket}:/var/run/docker.sock",
                             f"root@{address}"], stdin=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise LabError(f"forwarding {address}'s engine failed: {proc.stderr.read().decode().strip()}")
        probe = subprocess.run(["docker", "-H", f"unix://{socket}", "version", "--format", "{{.Server.Version}}"],
                               capture_output=True, check=False, timeout=60)
        if probe.returncode == 0:
            return proc
        time.sleep(1)
    proc.terminate()
    raise LabError(f"{address}'s engine did not answer through {socket} within {timeout:.0f}s")


def _boot_id(address: str) -> str | None:
    try:
        proc = ssh(address, "cat /proc/sys/kernel/random/boot_id", check=False, timeout=30,
                   connect_timeout=3)
    except subprocess.TimeoutExpired:
        return None
    return proc.stdout.decode().strip() if proc.returncode == 0 else None


def _wait(entry: dict, engine: bool, not_boot: str | None = None,
          timeout: float = BOOT_TIMEOUT) -> None:
    """Until SSH answers (on a new boot when not_boot is given), systemd has started, and the
    engine answers when it is installed."""
    deadline = time.monotonic() + timeout
    address, step = entry["address"], "ssh"
    while time.monotonic() < deadline:
        if _pid(entry) is None:
            raise LabError(f"VM {entry['name']} stopped while booting; its console:\n{_console(entry)}")
        if step == "ssh":
            boot = _boot_id(address)
            if boot and boot != not_boot:
                step = "systemd"
        if step == "systemd":
            state_ = ssh(address, "systemctl is-system-running", check=False, timeout=60)
            if state_.stdout.decode().strip() in ("running", "degraded"):
                step = "engine" if engine else "done"
        if step == "engine" and ssh(address, "docker info >/dev/null", check=False,
                                    timeout=60).returncode == 0:
            step = "done"
        if step == "done":
            return
        time.sleep(2)
    raise LabError(f"VM {entry['name']} did not reach '{step}' within {timeout:.0f}s; "
                   f"its console:\n{_console(entry)}")


def _console(entry: dict) -> str:
    return _read(str(Path(entry["dir"]) / "serial.log"))[-2000:]


def _has_engine(entry: dict) -> bool:
    return ssh(entry["address"], "command -v dockerd >/dev/null && docker info >/dev/null",
               check=False, timeout=60).returncode == 0


# -- the lab ---------------------------------------------------------------------------------


def up(lab: str, nodes: int = 3, managers: int = 1, subnet: str = "10.89.0.0/24",
       release: str = "bookworm", engine: bool = True, inventory: Path | None = None, memory: int = MEMORY) -> list[Node]:
    """Start a VM lab (replacing one of the same name) and write its inventory."""
    check_name(lab, nodes)
    reason = usable()
    if reason:
        raise LabError(reason)
    ensure_engine()
    base = vmimage.base_image(release, engine=engine)
    store = vmstore.store()
    down(lab)
    vmstore.prune({store, *(Path(d["store"]) for d in vm_labs().values() if "store" in d)})
    members = plan(lab, nodes, managers, subnet)
    directory = lab_dir(lab)
    directory.mkdir(parents=True, exist_ok=True)
    gateway = _network_up(lab, subnet, nodes)
    data = {
        "lab": lab, "subnet": subnet, "gateway": gateway, "release": release, "engine": engine,
        "memory": memory, "disk": str(base.disk), "kernel": str(base.kernel),
        "initrd": str(base.initrd), "store": str(store), "accel": " ".join(accel()),
        "nodes": [{"name": m.name, "address": m.address, "group": m.group,
                   "tap": tap(m.name), "dir": str(directory / m.name)} for m in members],
    }
    (directory / STATE).write_text(json.dumps(data, indent=2) + "\n")
    for entry in data["nodes"]:
        Path(entry["dir"]).mkdir(parents=True, exist_ok=True)
        _start(data, entry)

    with ThreadPoolExecutor(max_workers=len(members)) as pool:
        list(pool.map(lambda entry: _wait(entry, engine=engine), data["nodes"]))
    write_inventory(lab, members, inventory or STATE_DIR / lab / "hosts.yml")
    return members


def running(lab: str, inventory: Path | None = None) -> list[Node] | None:
    """The nodes of a VM lab whose VMs all run (writing its inventory again), or None."""
    data = state(lab)
    if not data or any(_pid(e) is None for e in data["nodes"]):
        return None
    members = [Node(e["name"], e["address"], e["group"]) for e in data["nodes"]]
    write_inventory(lab, members, inventory or STATE_DIR / lab / "hosts.yml")
    return members


def down(lab: str) -> None:
    """Stop a VM lab's VMs (at once: their disks go too) and remove its network and state."""
    data = state(lab)
    if data:
        for entry in data["nodes"]:
            _kill(entry)
    _network_down(lab)
    shutil.rmtree(lab_dir(lab), ignore_errors=True)


def power(node: str, action: str) -> None:
    """Power a VM off (ACPI, as a button), on (and wait until it is up), or reboot it for
    real (the guest's own reboot, then wait for the new boot)."""
    data, entry = find(node)
    if action == "off":
        _stop(entry)
        return
    if action == "on":
        if _pid(entry) is None:
            _start(data, entry)
        _wait(entry, engine=_engine_installed(entry))
        return
    if _pid(entry) is None:
        raise LabError(f"VM {node} is off: use `bk-lab node-power {node} on`")
    before = _boot_id(entry["address"])
    engine = _has_engine(entry)
    ssh(entry["address"], "systemctl reboot", check=False, timeout=60)
    _wait(entry, engine=engine, not_boot=before)


def _engine_installed(entry: dict) -> bool:
    # Whether the overlay holds an engine is known only to the guest; ask once it answers SSH.
    deadline = time.monotonic() + BOOT_TIMEOUT
    while time.monotonic() < deadline:
        if _boot_id(entry["address"]):
            return ssh(entry["address"], "systemctl cat docker.service >/dev/null 2>&1",
                       check=False, timeout=60).returncode == 0
        time.sleep(2)
    raise LabError(f"VM {entry['name']} did not answer SSH within {BOOT_TIMEOUT:.0f}s")


def engine(node: str, action: str) -> None:
    """Stop or start one VM's engine, as an outage would."""
    entry = find(node)[1]
    units = "docker.socket docker.service"
    if action == "stop":
        ssh(entry["address"], f"systemctl stop {units}")
    else:
        ssh(entry["address"], "systemctl start docker.service docker.socket")
        _wait(entry, engine=True)


def load(lab: str, images: list[str], only: list[str] | None = None) -> list[str]:
    """Make images present in every VM of a lab whose engine runs (or those of ``only``); the names of those VMs.

    An image the VM's engine already has (the image store holds the lab's images) is not sent again."""
    data = state(lab)
    if not data:
        raise LabError(f"no VM lab named '{lab}'")
    ids = dict(zip(images, image_ids(images), strict=True))
    # One SSH round trip per VM (several seconds each under TCG): whether an engine runs there, and its image IDs.
    probe = ("command -v dockerd >/dev/null && docker info >/dev/null || exit 3; docker image inspect --format '{{.Id}}' "
             + " ".join(shlex.quote(i) for i in images) + "; exit 0")

    def present(entry: dict) -> set[str] | None:
        """The image IDs the VM's engine has, or None when no engine runs there."""
        answer = ssh(entry["address"], probe, check=False, timeout=60)
        return None if answer.returncode != 0 else set(answer.stdout.decode().split())

    asked = [entry for entry in data["nodes"] if only is None or entry["name"] in only]
    with ThreadPoolExecutor(max_workers=max(1, len(asked))) as pool:
        found = list(pool.map(present, asked))
    ready: list[dict] = []
    missing: dict[tuple[str, ...], list[str]] = {}
    for entry, have in zip(asked, found, strict=True):
        if have is None:
            continue
        ready.append(entry)
        wanted = tuple(image for image in images if ids[image] not in have)
        if wanted:
            missing.setdefault(wanted, []).append(entry["address"])
    for wanted, addresses in missing.items():
        with tempfile.NamedTemporaryFile(prefix="bk-images-", suffix=".tar", dir="/var/tmp") as saved:
            run("docker", "save", "-o", saved.name, *wanted, timeout=300)
            _send_images(data["gateway"], saved.name, addresses)
    return [entry["name"] for entry in ready]


def _send_images(gateway: str, tar: str, addresses: list[str]) -> None:
    """Stream a `docker save` archive to each VM over plain TCP, side by side: the guests fetch it from the host's
    bridge address with netcat into `docker load`. Through ssh, decrypting under TCG held each guest to ~1.6 MB/s."""
    with socket.create_server((gateway, 0)) as server:
        server.settimeout(120)
        port = server.getsockname()[1]

        def serve() -> None:
            for _address in addresses:
                conn, _peer = server.accept()
                threading.Thread(target=_send_file, args=(conn, tar), daemon=True).start()

        feeder = threading.Thread(target=serve, daemon=True)
        feeder.start()
        with ThreadPoolExecutor(max_workers=len(addresses)) as pool:
            list(pool.map(lambda address: ssh(address, f"nc -d {gateway} {port} | docker load -q", timeout=1800), addresses))
        feeder.join(timeout=5)


def _send_file(conn: socket.socket, path: str) -> None:
    with conn, open(path, "rb") as f:
        conn.sendfile(f)


def labs() -> dict[str, list[str]]:
    result = {}
    for lab, data in vm_labs().items():
        result[lab] = [f"{e['name']} ({'running' if _pid(e) else 'off'}, VM {e['address']})"
                       for e in data["nodes"]]
    return result


def memory_mib(lab: str) -> dict[str, int]:
    """Each VM's QEMU resident memory in MiB (what the lab costs the host)."""
    data = state(lab) or {"nodes": []}
    found = {}
    for entry in data["nodes"]:
        pid = _pid(entry)
        if pid:
            for line in _read(f"/proc/{pid}/status").splitlines():
                if line.startswith("VmRSS:"):
                    found[entry["name"]] = int(line.split()[1]) // 1024
    return found

"""VM disk images: one Debian root filesystem with its own kernel, built once per machine.

The recipe is shared/VMLAB.md's: debootstrap a root with Debian's kernel, systemd-networkd,
sshd, python3 and AppArmor (Debian's kernel enables AppArmor, and dockerd refuses to start
containers without apparmor_parser); a small initramfs with only the virtio and ext4 modules;
the tree written into an ext4 image with ``mkfs.ext4 -d`` (no loop devices or nbd here) and
converted to qcow2. Each VM boots that base through its own qcow2 overlay, straight from the
kernel and initrd copied out of the tree, and takes its identity (address, hostname, the lab's
SSH key) from the kernel command line, so one base serves every VM of every lab.

Two bases per release, like the node images: ``bare`` (no engine: site.yml installs it) and
``engine`` (Debian's docker.io and python3-docker). Both are cached under CACHE by the hash of
their recipe; a stale one is rebuilt, and builds are serialised by a lock so two labs coming up
at once build once.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from .host import LabError, apt_install, run
from .images import _digest, apt_mirror

CACHE = Path(os.environ.get("BEEKEEPER_VM_CACHE", "/var/cache/beekeeper-lab/vm"))
RELEASES = ("bookworm",)
HOST_PACKAGES = ("qemu-system-x86", "qemu-utils", "debootstrap", "e2fsprogs")

BASE_PACKAGES = ("linux-image-amd64,initramfs-tools,systemd,systemd-sysv,udev,dbus,openssh-server,"
                 "iproute2,iptables,kmod,python3,ca-certificates,curl,iputils-ping,procps,netbase,"
                 "apparmor,sudo,gnupg,netcat-openbsd,systemd-timesyncd")
ENGINE_PACKAGES = "docker.io python3-docker"
DISK_SIZE = "6G"

# Run in the chroot. The identity unit reads the kernel command line: bk.key= is the lab's
# public key as TYPE,BASE64 (the command line splits on spaces; base64 has no commas).
BASE_SETUP = r"""
set -e
: > /etc/machine-id
rm -f /etc/ssh/ssh_host_*
mkdir -p /etc/systemd/system/ssh.service.d /root/.ssh
chmod 700 /root/.ssh
cat > /etc/systemd/system/ssh.service.d/keygen.conf <<'UNIT'
[Service]
ExecStartPre=
ExecStartPre=/usr/bin/ssh-keygen -A
ExecStartPre=/usr/sbin/sshd -t
UNIT
cat > /usr/local/sbin/bk-lab-identity <<'SH'
#!/bin/sh
# The lab's SSH key from the kernel command line (bk.key=TYPE,BASE64).
for word in $(cat /proc/cmdline); do
  case "$word" in
    bk.key=*) printf '%s\n' "${word#bk.key=}" | tr , ' ' > /root/.ssh/authorized_keys ;;
  esac
done
chmod 600 /root/.ssh/authorized_keys 2>/dev/null || true
SH
chmod 755 /usr/local/sbin/bk-lab-identity
cat > /etc/systemd/system/bk-lab-identity.service <<'UNIT'
[Unit]
Description=Take the lab's SSH key from the kernel command line
Before=ssh.service

[Service]
Type=oneshot
ExecStart=/usr/local/sbin/bk-lab-identity

[Install]
WantedBy=multi-user.target
UNIT
systemctl enable bk-lab-identity.service systemd-networkd systemd-network-generator >/dev/null 2>&1
systemctl disable apt-daily.timer apt-daily-upgrade.timer e2scrub_all.timer dpkg-db-backup.timer \
  >/dev/null 2>&1 || true
# The image store (vmstore.py) is each VM's second disk, mounted before any engine starts.
mkdir -p /var/lib/docker
printf '/dev/vda / ext4 defaults,noatime 0 1\nLABEL=vmdocker /var/lib/docker ext4 defaults,noatime,x-systemd.device-timeout=30s 0 2\n' > /etc/fstab
# dpkg without a sync per file, as in Debian's container images: under TCG site.yml's engine install
# spends minutes in dpkg, and a lab VM that loses power is rebuilt, never repaired.
printf 'force-unsafe-io\n' > /etc/dpkg/dpkg.cfg.d/bk-lab-unsafe-io
printf 'MODULES=list\nCOMPRESS=zstd\n' > /etc/initramfs-tools/conf.d/vmlab.conf
printf 'virtio_pci\nvirtio_blk\nvirtio_net\next4\ncrc32c_generic\n' > /etc/initramfs-tools/modules
rm -f /etc/resolv.conf
printf 'nameserver {nameserver}\n' > /etc/resolv.conf
echo 'deb {mirror} {release} main' > /etc/apt/sources.list
# No package descriptions in other languages, as in Debian's minimal images: under TCG, fetching and
# indexing the 32 MB Translation-en took a large part of the first apt run on every node.
printf 'Acquire::Languages "none";\n' > /etc/apt/apt.conf.d/99-no-languages
rm -f /var/lib/apt/lists/*Translation*
update-initramfs -u -k all >/dev/null 2>&1
apt-get clean
"""

# Run in the chroot after BASE_SETUP, for the engine base.
ENGINE_SETUP = r"""
set -e
printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends {packages} >/dev/null
rm -f /usr/sbin/policy-rc.d
systemctl enable docker.service >/dev/null 2>&1 || true
rm -rf /var/lib/docker/*
apt-get clean
"""


@dataclass(frozen=True)
class Base:
    """A built base: the disk every overlay points at, and the kernel and initrd to boot."""

    disk: Path
    kernel: Path
    initrd: Path


def host_nameserver() -> str:
    """The host's first IPv4 resolver; the VMs reach it through the lab bridge's NAT."""
    try:
        for line in Path("/etc/resolv.conf").read_text().splitlines():
            parts = line.split()
            if len(parts) >= 2 and parts[0] == "nameserver" and "." in parts[1] \
                    and not parts[1].startswith("127."):
                return parts[1]
    except OSError:
        pass
    return "1.1.1.1"


def recipes(release: str) -> dict[str, str]:
    base = _digest(release, BASE_PACKAGES, BASE_SETUP, DISK_SIZE, host_nameserver(), apt_mirror())
    return {"bare": base, "engine": _digest(base, ENGINE_PACKAGES, ENGINE_SETUP)}


def _built(directory: Path) -> Base | None:
    base = Base(directory / "base.qcow2", directory / "vmlinuz", directory / "initrd.img")
    if all(p.is_file() for p in (base.disk, base.kernel, base.initrd)):
        return base
    return None


def base_image(release: str = "bookworm", engine: bool = True) -> Base:
    """The base of a VM (bare or with the engine), building both bases when either is missing."""
    if release not in RELEASES:
        raise LabError(f"VM release '{release}' is not one of {', '.join(RELEASES)}")
    wanted = recipes(release)
    kind = "engine" if engine else "bare"
    directory = CACHE / f"{release}-{kind}-{wanted[kind]}"
    found = _built(directory)
    if found:
        return found
    with locked():
        found = _built(directory)
        if found:
            return found
        _build(release, wanted)
        _prune(release, wanted)
    found = _built(directory)
    if not found:
        raise LabError(f"the VM base {directory} was not built")
    return found


@contextlib.contextmanager
def locked() -> Iterator[None]:
    """Hold the cache's lock: builds are serialised, so two labs coming up at once build once."""
    CACHE.mkdir(parents=True, exist_ok=True)
    with open(CACHE / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def _prune(release: str, wanted: dict[str, str]) -> None:
    """Remove bases of older recipes (each is about 1 GB). Overlays of a running lab keep
    their base open, so a base in use is never a stale one: recipes change only with the code."""
    keep = {f"{release}-{kind}-{digest}" for kind, digest in wanted.items()}
    for old in CACHE.glob(f"{release}-*"):
        if old.name not in keep and old.is_dir():
            shutil.rmtree(old, ignore_errors=True)


def _disk(root: Path, directory: Path) -> None:
    """Write the tree into an ext4 image (no loop device needed), then qcow2, atomically."""
    tmp = Path(tempfile.mkdtemp(prefix=directory.name + ".", dir=CACHE))
    try:
        raw = tmp / "base.raw"
        run("mkfs.ext4", "-q", "-L", "vmroot", "-d", str(root), str(raw), DISK_SIZE, timeout=600)
        run("qemu-img", "convert", "-f", "raw", "-O", "qcow2", str(raw), str(tmp / "base.qcow2"),
            timeout=600)
        raw.unlink()
        kernels = sorted((root / "boot").glob("vmlinuz-*"))
        initrds = sorted((root / "boot").glob("initrd.img-*"))
        if not kernels or not initrds:
            raise LabError(f"no kernel or initrd in {root}/boot")
        shutil.copy2(kernels[-1], tmp / "vmlinuz")
        shutil.copy2(initrds[-1], tmp / "initrd.img")
        shutil.rmtree(directory, ignore_errors=True)
        tmp.rename(directory)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _chroot(root: Path, script: str, timeout: float = 1200) -> None:
    mounts = []
    try:
        for kind, target in (("proc", "proc"), ("sysfs", "sys")):
            run("mount", "-t", kind, kind, str(root / target))
            mounts.append(root / target)
        run("chroot", str(root), "/bin/sh", "-c", script, timeout=timeout)
    finally:
        for target in reversed(mounts):
            run("umount", "-l", str(target), check=False)


def _build(release: str, wanted: dict[str, str]) -> None:
    apt_install(*HOST_PACKAGES)
    mirror = apt_mirror()
    root = Path(tempfile.mkdtemp(prefix=f"bk-vm-{release}-", dir="/var/tmp"))
    try:
        run("debootstrap", "--variant=minbase", f"--include={BASE_PACKAGES}", release, str(root),
            mirror, timeout=1800)
        _chroot(root, BASE_SETUP.replace("{nameserver}", host_nameserver())
                .replace("{mirror}", mirror).replace("{release}", release))
        _disk(root, CACHE / f"{release}-bare-{wanted['bare']}")
        # The engine base is the bare tree plus the engine: one debootstrap for both.
        shutil.copy2("/etc/resolv.conf", root / "etc" / "resolv.conf")
        _chroot(root, "apt-get update -qq && " + ENGINE_SETUP.replace("{packages}", ENGINE_PACKAGES))
        (root / "etc" / "resolv.conf").write_text(f"nameserver {host_nameserver()}\n")
        _disk(root, CACHE / f"{release}-engine-{wanted['engine']}")
    finally:
        shutil.rmtree(root, ignore_errors=True)

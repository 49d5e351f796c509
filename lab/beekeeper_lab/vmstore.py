"""The VMs' image store: a /var/lib/docker that already holds the lab's workload images.

The lab has no registry, so images reach a VM's engine by ``docker load``. Under TCG that is slow:
unpacking and checksumming the tutorials' WordPress and MariaDB into three VMs took 550 s of
emulated CPU, and busybox into each freshly installed engine again in every scenario. The host
does the same work natively in seconds, so it does it once: a node container running the VMs'
own engine (Debian bookworm's docker.io, the version site.yml installs there) loads the images
into a host directory bound at its /var/lib/docker; the image metadata and overlay2 layers are
written into an ext4 image (``mkfs.ext4 -d`` keeps owners, modes, xattrs and the whiteout
devices overlay2 needs) and converted to qcow2. Every VM mounts a copy-on-write overlay of it at
/var/lib/docker (LABEL=vmdocker in the bases' fstab), before any engine starts.

A bare VM is still bare: no engine, no docker package, only a disk that an engine, once
installed, finds its images on, as a registry mirror would serve them. The store holds busybox
always and the tutorials' application images when they are built on the host; it is cached
under vmimage.CACHE by the images' IDs and this recipe, so a rebuilt image makes a new store.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from . import apps
from .host import LabError, run
from .images import _digest, busybox_image, image_ids, node_image
from .nodes import NODE_OPTIONS
from .vmimage import CACHE, locked

RECIPE = "vm-store-v1"
SIZE = "16G"
LABEL = "vmdocker"
# What dockerd needs to find its images again; the rest (containers, networks, the swarm,
# buildkit, a key-value store naming the loader's own network) belongs to that loader.
KEEP = ("image", "overlay2")


def images() -> list[str]:
    """The images a VM lab carries: busybox, and each tutorial application image the host has."""
    found = [busybox_image()]
    for tag in (apps.WORDPRESS, apps.MARIADB):
        if run("docker", "image", "inspect", tag, check=False).returncode == 0:
            found.append(tag)
    return found


def store(tags: list[str] | None = None) -> Path:
    """The store's qcow2 for these images (default: images()), building it when missing."""
    tags = tags or images()
    engine = node_image("bookworm", engine=True)
    digest = _digest(RECIPE, SIZE, *image_ids([engine]), *sorted(image_ids(tags)))
    disk = CACHE / f"store-{digest}" / "docker.qcow2"
    if disk.is_file():
        return disk
    with locked():
        if not disk.is_file():
            _build(engine, tags, disk)
    return disk


def prune(keep: set[Path]) -> None:
    """Remove stores other than those of keep (the ones running labs' overlays are backed by)."""
    with locked():
        for old in CACHE.glob("store-*"):
            if old.is_dir() and old / "docker.qcow2" not in keep:
                shutil.rmtree(old, ignore_errors=True)


def _build(engine: str, tags: list[str], disk: Path) -> None:
    work = Path(tempfile.mkdtemp(prefix="bk-vm-store-", dir="/var/tmp"))
    name = "bk-vm-store"
    root = work / "docker"
    root.mkdir()
    tmp = Path(tempfile.mkdtemp(prefix="store.", dir=CACHE))
    try:
        run("docker", "rm", "-f", name, check=False)
        run("docker", "run", "-d", "--name", name, *NODE_OPTIONS, "-v", f"{root}:/var/lib/docker", engine)
        _wait_engine(name)
        with subprocess.Popen(["docker", "save", *tags], stdout=subprocess.PIPE) as saved:
            subprocess.run(["docker", "exec", "-i", name, "docker", "load", "-q"], stdin=saved.stdout,
                           check=True, capture_output=True, timeout=900)
        if saved.returncode != 0:
            raise LabError(f"docker save {' '.join(tags)} failed")
        run("docker", "exec", name, "systemctl", "stop", "docker.socket", "docker.service", timeout=120)
        run("docker", "rm", "-f", name)
        for entry in root.iterdir():
            if entry.name not in KEEP:
                run("rm", "-rf", str(entry))
        raw = tmp / "docker.raw"
        run("mkfs.ext4", "-q", "-L", LABEL, "-d", str(root), str(raw), SIZE, timeout=900)
        run("qemu-img", "convert", "-f", "raw", "-O", "qcow2", str(raw), str(tmp / "docker.qcow2"), timeout=900)
        raw.unlink()
        shutil.rmtree(disk.parent, ignore_errors=True)
        tmp.rename(disk.parent)
    finally:
        run("docker", "rm", "-f", name, check=False)
        run("rm", "-rf", str(work), str(tmp))


def _wait_engine(name: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if run("docker", "exec", name, "docker", "info", check=False).returncode == 0:
            return
        time.sleep(0.5)
    raise LabError(f"the engine in {name} did not start within {timeout:.0f}s")

"""Lab images, built here once per machine (no registry can be pulled from).

- ``beekeeper-lab/node:RELEASE``: a debootstrapped Debian with systemd, sshd and python3,
  i.e. a bare host as the roles will meet it.
- ``beekeeper-lab/node:RELEASE-engine``: the same with Debian's docker.io and python3-docker,
  for scenarios that start from an installed engine.
- ``beekeeper-lab/busybox:latest``: a 2 MB workload image from Debian's busybox-static.

Each image carries a label with the hash of its recipe; an image whose recipe changed is
rebuilt, one whose recipe is the same is reused.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from .host import LabError, apt_install, out, run

RELEASES = ("bookworm", "trixie")
NODE_REPO = "beekeeper-lab/node"
BUSYBOX = "beekeeper-lab/busybox:latest"
RECIPE_LABEL = "beekeeper.lab.recipe"

BASE_PACKAGES = ("systemd,systemd-sysv,dbus,python3,iproute2,iptables,ca-certificates,sudo,"
                 "procps,kmod,openssh-server,netcat-openbsd,curl,gnupg")
# trixie's docker.io only recommends its CLI (docker-cli); bookworm's docker.io carries it.
ENGINE_PACKAGES = {"bookworm": "docker.io python3-docker", "trixie": "docker.io docker-cli python3-docker"}

# Run inside the debootstrapped root before it is imported.
BASE_SETUP = r"""
set -e
systemctl mask getty@tty1.service console-getty.service systemd-logind.service \
  systemd-remount-fs.service >/dev/null 2>&1 || true
rm -f /etc/ssh/ssh_host_*
cat > /etc/systemd/system/ssh-hostkeys.service <<'UNIT'
[Unit]
Description=Generate this node's own SSH host keys
Before=ssh.service

[Service]
Type=oneshot
ExecStart=/usr/bin/ssh-keygen -A

[Install]
WantedBy=multi-user.target
UNIT
systemctl enable ssh-hostkeys.service >/dev/null 2>&1
mkdir -p /root/.ssh && chmod 700 /root/.ssh
: > /etc/machine-id
apt-get clean
"""

# Run in a plain (non-systemd) container of the base image, then committed.
ENGINE_SETUP = r"""
set -e
printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends {packages} >/dev/null
rm -f /usr/sbin/policy-rc.d
systemctl enable docker.service >/dev/null 2>&1 || true
rm -rf /var/lib/docker/* /var/lib/apt/lists/*
"""


def _digest(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:16]


def _label(image: str) -> str | None:
    proc = run("docker", "image", "inspect", "--format",
               "{{ index .Config.Labels \"%s\" }}" % RECIPE_LABEL, image, check=False)
    return proc.stdout.decode().strip() if proc.returncode == 0 else None


def image_ids(tags: list[str]) -> list[str]:
    """The IDs of these images in the host's engine, in order (content digests: the same in every engine)."""
    return out("docker", "image", "inspect", "--format", "{{.Id}}", *tags).split()


def apt_mirror() -> str:
    """The Debian mirror this machine's apt uses (the only one reachable here)."""
    sources = [Path("/etc/apt/sources.list"), *sorted(Path("/etc/apt/sources.list.d").glob("*"))]
    for path in sources:
        if not path.is_file():
            continue
        text = path.read_text(errors="replace")
        for match in re.finditer(r"(?:^URIs:\s*|^deb\s+(?:\[[^]]*\]\s+)?)(\S+/debian)/?\s",
                                 text, re.M):
            return match.group(1)
    return "http://deb.debian.org/debian"


def node_image(release: str = "bookworm", engine: bool = True) -> str:
    """Return the tag of a node image, building it (and its base) when missing or stale."""
    if release not in RELEASES:
        raise LabError(f"release '{release}' is not one of {', '.join(RELEASES)}")
    base = f"{NODE_REPO}:{release}"
    base_recipe = _digest(release, BASE_PACKAGES, BASE_SETUP)
    if _label(base) != base_recipe:
        _build_base(release, base, base_recipe)
    if not engine:
        return base
    tag = f"{base}-engine"
    recipe = _digest(base_recipe, ENGINE_PACKAGES[release], ENGINE_SETUP, "cmd-systemd")
    if _label(tag) != recipe:
        _build_engine(base, tag, recipe, ENGINE_PACKAGES[release])
    return tag


def _build_base(release: str, tag: str, recipe: str) -> None:
    apt_install("debootstrap")
    root = Path(tempfile.mkdtemp(prefix=f"bk-{release}-", dir="/var/tmp"))
    try:
        run("debootstrap", "--variant=minbase", f"--include={BASE_PACKAGES}", release,
            str(root), apt_mirror(), timeout=1200)
        run("chroot", str(root), "/bin/sh", "-c", BASE_SETUP)
        tar = subprocess.Popen(["tar", "-C", str(root), "-c", "."], stdout=subprocess.PIPE)
        run("docker", "import", "-c", 'CMD ["/lib/systemd/systemd"]',
            "-c", f"LABEL {RECIPE_LABEL}={recipe}", "-", tag, input=tar.stdout.read())
        tar.wait()
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _build_engine(base: str, tag: str, recipe: str, packages: str) -> None:
    commit_script(base, tag, recipe, ENGINE_SETUP.format(packages=packages), ['CMD ["/lib/systemd/systemd"]'])


def commit_script(base: str, tag: str, recipe: str, script: str, changes: list[str]) -> None:
    """Run a shell script in a plain container of base and commit it as tag, with changes and the recipe label."""
    # One build container per image: make builds the node and application images side by side.
    name = "bk-build-" + re.sub(r"[^a-zA-Z0-9_.-]", "-", tag)
    run("docker", "rm", "-f", name, check=False)
    try:
        run("docker", "run", "--name", name, base, "/bin/sh", "-c", script, timeout=1200)
        options = [arg for change in (*changes, f"LABEL {RECIPE_LABEL}={recipe}") for arg in ("-c", change)]
        run("docker", "commit", *options, name, tag)
    finally:
        run("docker", "rm", "-f", name, check=False)


def busybox_image() -> str:
    """Build the busybox workload image from Debian's busybox-static."""
    recipe = _digest("busybox-v1")
    if _label(BUSYBOX) == recipe:
        return BUSYBOX
    apt_install("busybox-static")
    busybox = Path("/bin/busybox")
    root = Path(tempfile.mkdtemp(prefix="bk-busybox-", dir="/var/tmp"))
    try:
        (root / "bin").mkdir()
        shutil.copy2(busybox, root / "bin" / "busybox")
        for applet in out(str(busybox), "--list").split():
            if applet != "busybox":
                (root / "bin" / applet).symlink_to("busybox")
        for sub in ("tmp", "www", "etc"):
            (root / sub).mkdir()
        (root / "tmp").chmod(0o1777)
        (root / "etc" / "passwd").write_text("root:x:0:0:root:/root:/bin/sh\n")
        (root / "etc" / "group").write_text("root:x:0:\n")
        tar = subprocess.Popen(["tar", "-C", str(root), "-c", "."], stdout=subprocess.PIPE)
        run("docker", "import", "-c", 'CMD ["sh"]', "-c", "ENV PATH=/bin",
            "-c", f"LABEL {RECIPE_LABEL}={recipe}", "-", BUSYBOX, input=tar.stdout.read())
        tar.wait()
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return BUSYBOX

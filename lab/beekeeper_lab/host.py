"""The host side of the lab: the Docker engine that runs the node containers."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

DOCKERD_LOG = Path("/var/log/dockerd.log")


class LabError(RuntimeError):
    """A lab step failed; the message says which and why."""


def run(*args: str, check: bool = True, capture: bool = True, input: bytes | None = None,
        timeout: float | None = None) -> subprocess.CompletedProcess:
    """Run a command; raise LabError with its stderr when it fails and check is set."""
    proc = subprocess.run(args, capture_output=capture, input=input, timeout=timeout, check=False)
    if check and proc.returncode != 0:
        err = proc.stderr.decode(errors="replace").strip() if capture else ""
        raise LabError(f"{' '.join(args[:4])} ... failed ({proc.returncode}): {err[-2000:]}")
    return proc


def out(*args: str, **kw) -> str:
    return run(*args, **kw).stdout.decode().strip()


def engine_answers() -> bool:
    if not shutil.which("docker"):
        return False
    return subprocess.run(["docker", "info"], capture_output=True, check=False).returncode == 0


def apt_install(*packages: str) -> None:
    """Install Debian packages that are missing (the host is Debian, we are root)."""
    missing = [p for p in packages
               if subprocess.run(["dpkg", "-s", p], capture_output=True, check=False).returncode != 0]
    if not missing:
        return
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    # make test builds the VM bases and the node images side by side: wait for the other's apt, not fail.
    wait = ("-o", "DPkg::Lock::Timeout=300")
    subprocess.run(["apt-get", *wait, "update", "-qq"], check=True, env=env, capture_output=True)
    subprocess.run(["apt-get", *wait, "install", "-y", "-qq", *missing], check=True, env=env,
                   capture_output=True)


def browser() -> str:
    """Headless Chromium for the lab's page tests (Debian's chromium), installed when missing."""
    apt_install("chromium")
    path = shutil.which("chromium")
    if not path:
        raise LabError("Debian's chromium is installed but no chromium is on PATH")
    return path


INOTIFY = Path("/proc/sys/fs/inotify/max_user_instances")


def tune_host(min_inotify: int = 8192) -> None:
    """Every systemd node takes several inotify instances; the default 128 runs out at ~20 nodes."""
    try:
        if int(INOTIFY.read_text()) < min_inotify:
            INOTIFY.write_text(str(min_inotify))
    except OSError as exc:
        raise LabError(f"cannot raise {INOTIFY} to {min_inotify} (needed for many systemd nodes): {exc}") from exc


def ensure_engine(timeout: float = 90) -> str:
    """Make sure a Docker daemon answers on the host; install and start it if not.

    A fresh machine has the docker client but no daemon and no systemd, so the daemon is
    started by hand, detached from this process, and polled until `docker info` answers.
    """
    if engine_answers():
        return "running"
    if not shutil.which("dockerd"):
        apt_install("docker.io")
    with open(DOCKERD_LOG, "ab") as log:
        subprocess.Popen(["dockerd"], stdout=log, stderr=log, stdin=subprocess.DEVNULL,
                         start_new_session=True)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if engine_answers():
            return "started"
        time.sleep(1)
    tail = DOCKERD_LOG.read_text(errors="replace")[-1500:] if DOCKERD_LOG.exists() else ""
    raise LabError(f"dockerd did not answer within {timeout:.0f}s; end of {DOCKERD_LOG}:\n{tail}")

"""A lab registry: Debian's docker-registry on the host, listening on port 5000.

Push from the host to 127.0.0.1:5000/...; nodes pull from the lab network's gateway
(for example 10.88.0.1:5000/...) once their daemon.json lists it in insecure-registries.
"""

from __future__ import annotations

import socket
import subprocess
import time

from .host import LabError, apt_install
from .nodes import STATE_DIR

CONFIG = """version: 0.1
storage:
  filesystem:
    rootdirectory: {root}
http:
  addr: 0.0.0.0:5000
"""


def _answers() -> bool:
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex(("127.0.0.1", 5000)) == 0


def ensure_registry(timeout: float = 30) -> str:
    if _answers():
        return "running"
    apt_install("docker-registry")
    root = STATE_DIR / "registry"
    root.mkdir(parents=True, exist_ok=True)
    config = STATE_DIR / "registry.yml"
    config.write_text(CONFIG.format(root=root / "data"))
    with open(STATE_DIR / "registry.log", "ab") as log:
        subprocess.Popen(["docker-registry", "serve", str(config)], stdout=log, stderr=log,
                         stdin=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if _answers():
            return "started"
        time.sleep(0.5)
    raise LabError(f"the lab registry did not answer on 127.0.0.1:5000 within {timeout:.0f}s")

"""The roles on their own labs: each target's runme.sh runs its role four times (check, apply,
apply again unchanged, check again unchanged, with diff) and then its own proofs.

  role_preflight: 3 bare bookworm nodes - modules, sysctls, advertise address, negatives
                  (duplicate hostnames, live-restore, an interface without an address, strict).
  role_firewall:  3 engine nodes + 1 outsider - nftables and ufw; Docker's chains untouched;
                  2377 open inside, closed to the outsider.
  role_engine:    4 bare bookworm nodes (3 managers) - docker.io install, docker-ce repository in
                  check mode, live-restore refused, one rolling restart per node, managers one at a time.

Each test starts its own lab and removes it, so the three can run side by side (pytest -n 3).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[3]
TARGETS = ROOT / "tests" / "integration" / "targets"

try:
    from beekeeper_lab import nodes as labnodes
except ImportError:  # a checkout without `pip install -e .`
    sys.path.insert(0, str(ROOT / "lab"))
    from beekeeper_lab import nodes as labnodes

CASES = {
    # target: (lab, subnet, nodes, managers, bare, extra environment)
    "role_preflight": ("pf", "10.88.30.0/24", 3, 1, True, {}),
    "role_firewall": ("fw", "10.88.31.0/24", 4, 1, False, {"BACKENDS": os.environ.get("BEEKEEPER_FW_BACKENDS", "nftables ufw")}),
    "role_engine": ("eng", "10.88.40.0/24", 4, 3, True, {}),
}


def _outsider(inventory: Path, host: str) -> None:
    """Move one node out of the swarm groups into swarm_outsiders (a lab host outside the cluster)."""
    data = yaml.safe_load(inventory.read_text())
    groups = data["all"]["children"]["swarm"]["children"]
    hostvars = groups["swarm_workers"]["hosts"].pop(host)
    data["all"]["children"]["swarm_outsiders"] = {"hosts": {host: hostvars}}
    inventory.write_text(yaml.safe_dump(data, sort_keys=False))


@pytest.mark.parametrize("target", sorted(CASES))
def test_role(target, tmp_path):
    lab, subnet, count, managers, bare, extra = CASES[target]
    inventory = tmp_path / "hosts.yml"
    labnodes.up(lab, nodes=count, managers=managers, subnet=subnet, engine=not bare, inventory=inventory)
    try:
        if target == "role_firewall":
            _outsider(inventory, f"{lab}-n{count}")
        env = dict(os.environ, INVENTORY=str(inventory), ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"),
                   ANSIBLE_FORCE_COLOR="0", ROLE_ENGINE_LOG_DIR=str(tmp_path), **extra)
        runme = TARGETS / target / "runme.sh"
        args = [str(runme)] + ([str(inventory)] if target == "role_engine" else [])
        proc = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=1800, check=False)
        (tmp_path / "output.log").write_text(proc.stdout + proc.stderr)
        passed = [line for line in proc.stdout.splitlines() if line.startswith(("PASS", "ok "))]
        assert proc.returncode == 0, f"{target} failed:\n{proc.stdout[-6000:]}\n{proc.stderr[-3000:]}"
        assert passed, f"{target} ran no step:\n{proc.stdout[-3000:]}"
        print(f"{target}: " + "; ".join(passed))
    finally:
        labnodes.down(lab)

#!/usr/bin/env python
"""Poll swarm_info on one manager until a stop file appears; write one JSON line per sample.

    watch_quorum.py INVENTORY HOST OUT STOPFILE

Each line: {"t": seconds, "ok": bool, "quorum": ..., "managers": [hostnames], "reachable": n, "error": ...}.
The ha-grow scenario's verify step reads the file to prove quorum was never lost while site.yml
grew the cluster, and that managers arrived one at a time.
"""

import json
import os
import subprocess
import sys
import time


def sample(inventory, host):
    # ansible-core's default callback prints "HOST | STATUS => {result as JSON}".
    env = dict(os.environ, ANSIBLE_STDOUT_CALLBACK="default", ANSIBLE_CALLBACK_RESULT_FORMAT="json",
               ANSIBLE_FORCE_COLOR="0", ANSIBLE_NOCOLOR="1")
    proc = subprocess.run(
        ["ansible", "-i", inventory, host, "-m", "beekeeper.swarm.swarm_info"],
        capture_output=True, text=True, env=env, timeout=60, check=False,
    )
    try:
        result = json.loads(proc.stdout[proc.stdout.index("=> ") + 3:])
    except ValueError:
        return {"ok": False, "error": (proc.stderr or proc.stdout)[-300:]}
    if result.get("failed") or not result.get("is_manager"):
        return {"ok": False, "error": result.get("msg") or "not a manager yet"}
    health = result.get("health") or {}
    # A manager that has just joined may not report its hostname yet: count it by its ID.
    managers = sorted(n.get("hostname") or n.get("id") or "?" for n in result.get("nodes", []) if n.get("reachability") is not None)
    return {
        "ok": True,
        "quorum": health.get("quorum"),
        "managers": managers,
        "total": health.get("managers_total"),
        "reachable": health.get("managers_reachable"),
        "status": health.get("status"),
    }


def main():
    inventory, host, out, stop = sys.argv[1:5]
    start = time.monotonic()
    with open(out, "a") as log:
        while not os.path.exists(stop):
            row = sample(inventory, host)
            row["t"] = round(time.monotonic() - start, 2)
            log.write(json.dumps(row) + "\n")
            log.flush()
            time.sleep(0.5)


if __name__ == "__main__":
    main()

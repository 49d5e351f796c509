"""bk-lab: bring up and tear down the local multi-node Swarm lab.

    bk-lab up LAB [--nodes 3] [--managers 1] [--subnet 10.88.0.0/24] [--release bookworm]
                  [--bare] [--inventory PATH] [--vm [--memory MIB]]
    bk-lab down LAB
    bk-lab ls
    bk-lab node-engine NODE stop|start
    bk-lab node-power NODE off|on|reboot      (VM nodes)
    bk-lab load LAB [IMAGE ...]               (copy workload images into the nodes' engines)
    bk-lab traffic LAB                        (VM labs: ESP and VXLAN packets on the bridge)
    bk-lab images [--release bookworm] [--vm] [--apps]   (--apps: the tutorials' WordPress, MariaDB, Traefik)
    bk-lab vm-check                           (can this machine run VM labs? exit 0 if so)
    bk-lab engine | registry | browser        (browser: headless Chromium for the page tests)
    bk-lab table INFO.json     (print a swarm_info result as a table)

Node containers (the default) share the host's kernel; VM nodes (--vm) boot their own Debian
kernel under QEMU, for the routing mesh, VIPs, encrypted overlays and real reboots.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from . import apps, host, images, nodes, registry, vmimage, vms


def _table(info: dict) -> str:
    rows = [("HOSTNAME", "ID", "ROLE", "AVAILABILITY", "STATE", "MANAGER", "ADDRESS", "ENGINE",
             "LABELS")]
    for n in info.get("nodes", []):
        manager = "Leader" if n.get("leader") else (n.get("reachability") or "")
        labels = ",".join(f"{k}={v}" for k, v in sorted((n.get("labels") or {}).items()))
        rows.append((n["hostname"], n["id"][:12], n["role"], n["availability"], n["state"],
                     manager, n.get("address") or "", n.get("engine_version") or "", labels))
    widths = [max(len(str(r[i])) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=False)).rstrip() for r in rows]
    h = info.get("health", {})
    lines.append("")
    lines.append(
        "cluster {id}: {status}; managers {reach}/{total} reachable, {need} needed, "
        "tolerates {tol} failure(s); leader {leader}; nodes down: {down}".format(
            id=(info.get("cluster") or {}).get("id", "?")[:12], status=h.get("status"),
            reach=h.get("managers_reachable"), total=h.get("managers_total"),
            need=h.get("majority_needed"), tol=h.get("failures_tolerated"),
            leader=h.get("leader"), down=", ".join(h.get("nodes_down") or []) or "none"))
    return "\n".join(lines + _services(info))


def _rows(rows: list[tuple]) -> list[str]:
    widths = [max(len(str(r[i])) for r in rows) for i in range(len(rows[0]))]
    return ["  ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=False)).rstrip() for r in rows]


def _services(info: dict) -> list[str]:
    """The services with the nodes of their running tasks, then each Traefik route with the address it answers on."""
    services = info.get("services") or []
    if not services:
        return []
    by_service: dict[str, list[str]] = {}
    for task in info.get("tasks") or []:
        if task.get("state") == "running":
            by_service.setdefault(task["service_id"], []).append(task.get("node") or "?")
    rows = [("SERVICE", "MODE", "TASKS", "IMAGE", "PORTS", "RUNNING ON")]
    for s in sorted(services, key=lambda s: s["name"]):
        ports = ",".join(f"{p['published']}->{p['target']}/{p['protocol']}" + ("(host)" if p["mode"] == "host" else "")
                         for p in s.get("ports") or [])
        rows.append((s["name"], (s.get("mode") or "").lower(), f"{s.get('running_tasks')}/{s.get('desired_tasks')}",
                     (s.get("image") or "").split("@")[0], ports, ",".join(sorted(by_service.get(s["id"], [])))))
    lines = ["", *_rows(rows)]
    address = dict((n["hostname"], n.get("address")) for n in info.get("nodes", []))
    proxies = [s for s in services if "traefik" in (s.get("image") or "").split("/")[-1].split(":")[0]]
    for proxy in proxies:
        port = next((p["published"] for p in proxy.get("ports") or [] if p["target"] == 80), None)
        where = sorted(address.get(n) for n in by_service.get(proxy["id"], []) if address.get(n))
        if not port or not where:
            continue
        if any(p["mode"] != "host" for p in proxy.get("ports") or [] if p["target"] == 80):
            where = sorted(a for a in address.values() if a)  # the routing mesh answers on every node
        base = f"http://{where[0]}" + ("" if port == 80 else f":{port}")
        for s in sorted(services, key=lambda s: s["name"]):
            for key, rule in sorted((s.get("labels") or {}).items()):
                match = re.fullmatch(r"traefik\.http\.routers\.[^.]+\.rule", key) and re.search(r"Host\(`([^`]+)`\)", rule)
                if match:
                    lines.append(f"{s['name']}: http://{match.group(1)}/ through {proxy['name']} - "
                                 f"curl -H 'Host: {match.group(1)}' {base}/")
    return lines


def _is_vm(node: str) -> bool:
    try:
        vms.find(node)
    except host.LabError:
        return False
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bk-lab", description=__doc__.split("\n", maxsplit=1)[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    p_up = sub.add_parser("up", help="start a lab (replacing one of the same name)")
    p_up.add_argument("lab")
    p_up.add_argument("--nodes", type=int, default=3)
    p_up.add_argument("--managers", type=int, default=1)
    p_up.add_argument("--subnet", default="10.88.0.0/24")
    p_up.add_argument("--release", default="bookworm", choices=images.RELEASES)
    p_up.add_argument("--bare", action="store_true", help="nodes without an engine")
    p_up.add_argument("--inventory", type=Path)
    p_up.add_argument("--vm", action="store_true", help="VM nodes with their own kernel (QEMU)")
    p_up.add_argument("--memory", type=int, default=vms.MEMORY, help="MiB per VM (--vm)")
    sub.add_parser("down", help="remove a lab").add_argument("lab")
    sub.add_parser("ls", help="list labs")
    p_eng = sub.add_parser("node-engine", help="stop or start one node's engine")
    p_eng.add_argument("node")
    p_eng.add_argument("action", choices=("stop", "start"))
    p_pow = sub.add_parser("node-power", help="power a VM node off, on, or reboot it")
    p_pow.add_argument("node")
    p_pow.add_argument("action", choices=("off", "on", "reboot"))
    p_load = sub.add_parser("load", help="copy workload images into every node's engine")
    p_load.add_argument("lab")
    p_load.add_argument("image", nargs="*")
    sub.add_parser("traffic", help="ESP and VXLAN packets counted on a VM lab's bridge").add_argument("lab")
    p_img = sub.add_parser("images", help="build the node and workload images")
    p_img.add_argument("--release", default="bookworm", choices=images.RELEASES)
    p_img.add_argument("--vm", action="store_true", help="the VM bases instead of the node images")
    p_img.add_argument("--apps", action="store_true", help="the tutorials' application images instead of the node images")
    sub.add_parser("vm-check", help="say whether this machine can run VM labs")
    sub.add_parser("engine", help="make sure the host engine runs")
    sub.add_parser("registry", help="make sure the lab registry runs")
    sub.add_parser("browser", help="make sure headless Chromium is installed; print its path")
    sub.add_parser("table", help="print a swarm_info result as a table").add_argument(
        "info", type=Path)
    args = parser.parse_args(argv)
    try:
        if args.cmd == "up":
            if args.vm:
                members = vms.up(args.lab, args.nodes, args.managers, args.subnet, args.release,
                                 engine=not args.bare, inventory=args.inventory, memory=args.memory)
            else:
                members = nodes.up(args.lab, args.nodes, args.managers, args.subnet, args.release,
                                   engine=not args.bare, inventory=args.inventory)
            for n in members:
                print(f"{n.name}\t{n.address}\t{n.group}")
        elif args.cmd == "down":
            vms.down(args.lab)
            nodes.down(args.lab)
        elif args.cmd == "ls":
            for lab, members in {**nodes.labs(), **vms.labs()}.items():
                print(lab + ":\n  " + "\n  ".join(members))
        elif args.cmd == "node-engine":
            if _is_vm(args.node):
                vms.engine(args.node, args.action)
            else:
                nodes.engine(args.node, args.action)
        elif args.cmd == "node-power":
            vms.power(args.node, args.action)
        elif args.cmd == "load":
            wanted = args.image or [images.busybox_image()]
            loaded = vms.load(args.lab, wanted) if vms.state(args.lab) else nodes.load(args.lab, wanted)
            print("\n".join(loaded))
        elif args.cmd == "traffic":
            print(json.dumps(vms.traffic(args.lab)))
        elif args.cmd == "vm-check":
            reason = vms.usable()
            print(reason or "VM labs run here: qemu " + " ".join(vms.accel()))
            return 1 if reason else 0
        elif args.cmd == "images":
            host.ensure_engine()
            if args.apps:
                print("\n".join(apps.all_images()))
                return 0
            if args.vm:
                for engine in (False, True):
                    print(vmimage.base_image(args.release, engine=engine).disk)
            else:
                print(images.node_image(args.release, engine=False))
                print(images.node_image(args.release, engine=True))
            print(images.busybox_image())
        elif args.cmd == "engine":
            print(host.ensure_engine())
        elif args.cmd == "browser":
            print(host.browser())
        elif args.cmd == "registry":
            host.ensure_engine()
            print(registry.ensure_registry())
        elif args.cmd == "table":
            print(_table(json.loads(args.info.read_text())))
    except host.LabError as exc:
        print(f"bk-lab: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

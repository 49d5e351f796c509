"""Read-only Engine API probes of the lab's nodes, shared by bench/services.py and its callback plugin.

The bench reads the engines directly from the host, so that a probe costs a few milliseconds and the same
for both tools: a lab node is a container whose engine listens on /run/docker.sock *inside* it, which the
host reaches as /proc/<pid of the node container>/root/run/docker.sock (not /var/run: in the node that is
an absolute symlink, which the host would resolve to its own engine). Nothing here changes anything.
Standard library only: the callback runs in each side's ansible-playbook, whatever venv that is.
"""

from __future__ import annotations

import http.client
import json
import socket
import subprocess
import urllib.parse

API = "/v1.41"


class _UnixHTTPConnection(http.client.HTTPConnection):
    def __init__(self, path, timeout=10):
        super().__init__("localhost", timeout=timeout)
        self.unix_path = path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(self.timeout)
        self.sock.connect(self.unix_path)


class NodeEngine:
    """One lab node's engine, reached through the node container's root."""

    def __init__(self, node):
        self.node = node
        pid = subprocess.run(["docker", "inspect", "-f", "{{.State.Pid}}", node], check=True,
                             capture_output=True, text=True).stdout.strip()
        self.socket = "/proc/%s/root/run/docker.sock" % pid
        name = self.get("/info")["Name"]
        if name != node:  # the wrong engine would make every number meaningless
            raise RuntimeError("%s answers as %r, not %r" % (self.socket, name, node))

    def get(self, path, **query):
        if query:
            path += "?" + urllib.parse.urlencode({k: json.dumps(v) if isinstance(v, dict) else v for k, v in query.items()})
        conn = _UnixHTTPConnection(self.socket)
        try:
            conn.request("GET", API + path)
            resp = conn.getresponse()
            body = resp.read()
        finally:
            conn.close()
        if resp.status == 404:
            return None
        if resp.status >= 300:
            raise RuntimeError("GET %s on %s: %s %s" % (path, self.node, resp.status, body[:200]))
        return json.loads(body)


def _env(task):
    return (task.get("Spec", {}).get("ContainerSpec", {}) or {}).get("Env") or []


def service_state(manager, name, marker=None):
    """The service as the engine sees it now.

    ``marker`` is the ``KEY=VALUE`` env entry of the spec the tool was asked for: a task is on the new spec when
    its own task spec (the copy of the TaskTemplate it was created from) carries it.
    Returns exists, version, update_state, wanted, running_new (running and desired running, on the new spec),
    running_other (running, not on the new spec), tasks_converged and converged (tasks converged, and the engine's
    update - if any - completed, i.e. past its monitor window).
    """
    svc = manager.get("/services/" + urllib.parse.quote(name))
    if svc is None:
        return {"exists": False}
    return _state(svc, manager.get("/tasks", filters={"service": {svc["ID"]: True}}) or [], marker)


def service_states(manager, names, marker=None):
    """:func:`service_state` of many services from one look: one service list and one task list."""
    found = dict((s["Spec"]["Name"], s) for s in manager.get("/services", filters={"name": dict((n, True) for n in names)}) or []
                 if s["Spec"]["Name"] in names)
    tasks = {}
    if found:
        for task in manager.get("/tasks", filters={"service": dict((s["ID"], True) for s in found.values())}) or []:
            tasks.setdefault(task.get("ServiceID"), []).append(task)
    return dict((n, _state(found[n], tasks.get(found[n]["ID"], []), marker) if n in found else {"exists": False}) for n in names)


def _state(svc, tasks, marker):
    wanted = (svc["Spec"].get("Mode", {}).get("Replicated") or {}).get("Replicas")
    running = [t for t in tasks if t.get("Status", {}).get("State") == "running"]
    new = [t for t in running if t.get("DesiredState") == "running" and (marker is None or marker in _env(t))]
    other = [t for t in running if t not in new]
    update_state = (svc.get("UpdateStatus") or {}).get("State")
    tasks_converged = wanted is not None and len(new) == wanted and not other
    return {
        "exists": True,
        "id": svc["ID"],
        "version": svc["Version"]["Index"],
        "update_state": update_state,
        "wanted": wanted,
        "running_new": len(new),
        "running_other": len(other),
        "tasks_converged": tasks_converged,
        "converged": tasks_converged and update_state in (None, "completed"),
    }


def containers_left(engines, name):
    """Containers of service ``name`` still present on any node (running or stopping)."""
    left = 0
    for engine in engines:
        found = engine.get("/containers/json", all="1",
                           filters={"label": {"com.docker.swarm.service.name=" + name: True}}) or []
        left += sum(1 for c in found if c.get("State") in ("running", "restarting", "paused", "removing", "created"))
    return left


def probe(engines, name, phase, marker):
    """What the bench records about one service at an instant, for a phase (remove: containers left)."""
    if phase == "remove":
        svc = service_state(engines[0], name)
        left = containers_left(engines, name)
        return {"exists": svc["exists"], "containers_left": left, "gone": not svc["exists"] and left == 0}
    return service_state(engines[0], name, marker)


def probe_many(engines, names, phase, marker):
    """:func:`probe` of many services from one look (remove: plus one container list per node)."""
    if phase != "remove":
        return service_states(engines[0], names, marker)
    states = service_states(engines[0], names)
    left = dict((n, 0) for n in names)
    for engine in engines:
        for c in engine.get("/containers/json", all="1", filters={"label": {"com.docker.swarm.service.name": True}}) or []:
            name = (c.get("Labels") or {}).get("com.docker.swarm.service.name")
            if name in left and c.get("State") in ("running", "restarting", "paused", "removing", "created"):
                left[name] += 1
    return dict((n, {"exists": states[n]["exists"], "containers_left": left[n], "gone": not states[n]["exists"] and left[n] == 0})
                for n in names)

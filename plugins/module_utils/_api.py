# Copyright: Beekeeper developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to this collection: the Engine API endpoints this collection uses, one function each.

Every request of every module goes through here, so three things hold everywhere:
  - a name or ID becomes a path segment only after it passed the engine's own name/ID rules and was
    quoted, so ``web?x=1``, ``nosuch/../web`` or ``web#frag`` can never reach another object;
  - each endpoint has one fixed "what" text, which error messages read as "Failed to <what>: ...";
  - every update of a service, node, swarm, network user, secret or config label is one path: read,
    mutate a copy of the spec, POST it with the ``Version.Index`` that was read, and on "update out of
    sequence" read again and retry a bounded number of times (:func:`update_versioned`).
No other module_utils file calls ``engine.get/post/delete``.
"""

from __future__ import annotations

import copy
import re
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from ansible_collections.beekeeper.swarm.plugins.module_utils._errors import EngineError, InvalidInput, NotFound

# The engine's rule for the names of services, networks, secrets and configs, and the shape of its IDs
# (swarm IDs are 25 lowercase alphanumerics, network and container IDs 64 hex digits): a letter or
# digit first, then letters, digits, '_', '.', '-'. '/', '?', '#', '%', whitespace and '..' as a whole
# segment are impossible in both, so a segment that passes cannot name another endpoint.
SEGMENT_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,254}\Z")
# An image reference in /distribution/{name}/json keeps its '/', ':' and '@'.
IMAGE_SEGMENT_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:/@-]{0,511}\Z")
OUT_OF_SEQUENCE = "update out of sequence"
UPDATE_ATTEMPTS = 5

Obj = dict[str, Any]


def segment(value: Any, kind: str, field: str = "name") -> str:
    """``value`` as one quoted path segment, or InvalidInput naming ``field`` and the rule."""
    if not isinstance(value, str) or not SEGMENT_RE.match(value) or ".." in value:
        raise InvalidInput(
            "%s: %r is not a valid %s name or ID; use letters, digits, '_', '.' and '-', starting with a letter "
            "or digit." % (field, value, kind)
        )
    return quote(value, safe="")


def _image_segment(image: str) -> str:
    if not isinstance(image, str) or not IMAGE_SEGMENT_RE.match(image) or ".." in image.split("/"):
        raise InvalidInput("image: %r is not a valid image reference." % (image,))
    return quote(image, safe="/:@")


def retry_out_of_sequence(action: Callable[[], Any], attempts: int = UPDATE_ATTEMPTS) -> Any:
    """Run ``action()`` (read, compute, write with Version.Index) again on a version race."""
    for attempt in range(attempts):
        try:
            return action()
        except EngineError as exc:
            if OUT_OF_SEQUENCE not in exc.msg or attempt == attempts - 1:
                raise
            time.sleep(0.2 * (attempt + 1))
    return None


def update_versioned(read: Callable[[], Obj], write: Callable[[Obj, Obj], Any],
                     mutate: Callable[[Obj], Obj | None]) -> tuple[Obj, Any]:
    """The one read-mutate-write path: ``read()`` the object, ``mutate`` a copy of its Spec (return a new
    spec, or change it in place and return None), ``write(obj, spec)`` with the version that was read.
    Retried from the read on "update out of sequence". Returns (the object as read, write's answer)."""
    state: dict[str, Any] = {}

    def attempt() -> None:
        obj = read()
        spec = copy.deepcopy(obj.get("Spec") or {})
        changed = mutate(spec)
        state["obj"] = obj
        state["answer"] = write(obj, spec if changed is None else changed)

    retry_out_of_sequence(attempt)
    return state["obj"], state.get("answer")


def _version(obj: Obj) -> dict[str, str]:
    return {"version": str((obj.get("Version") or {}).get("Index"))}


def _find(read: Callable[[], Obj]) -> Obj | None:
    try:
        return read()
    except NotFound:
        return None


# -- engine and swarm -------------------------------------------------------------------------------


def info(engine) -> Obj:
    return engine.get("/info", "read engine info") or {}


def inspect_swarm(engine) -> Obj:
    return engine.get("/swarm", "inspect swarm")


def update_swarm(engine, mutate: Callable[[Obj], Obj | None], rotate: tuple[str, ...] = ()) -> Obj:
    """Update the SwarmSpec; ``rotate`` names the query flags (rotateWorkerToken...) sent with it."""
    def write(cluster: Obj, spec: Obj) -> None:
        query = _version(cluster)
        query.update(dict((flag, "true") for flag in rotate))
        engine.post("/swarm/update", "update swarm settings", body=spec, params=query)

    return update_versioned(lambda: inspect_swarm(engine), write, mutate)[0]


def init_swarm(engine, body: Obj, what: str = "initialise swarm") -> str:
    return engine.post("/swarm/init", what, body=body)


def join_swarm(engine, body: Obj, what: str) -> None:
    engine.post("/swarm/join", what, body=body)


def leave_swarm(engine, force: bool) -> None:
    engine.post("/swarm/leave", "leave swarm", params={"force": "true" if force else "false"})


def unlock_swarm(engine, key: str) -> None:
    engine.post("/swarm/unlock", "unlock manager", body={"UnlockKey": key})


def unlock_key(engine) -> str | None:
    return (engine.get("/swarm/unlockkey", "read the unlock key") or {}).get("UnlockKey")


# -- nodes ------------------------------------------------------------------------------------------


def list_nodes(engine, **filters: Any) -> list[Obj]:
    return engine.get("/nodes", "list nodes", params=engine.filters(**filters)) or []


def inspect_node(engine, ref: str) -> Obj:
    return engine.get("/nodes/" + segment(ref, "node", "node"), "inspect node '%s'" % ref)


def update_node(engine, ref: str, mutate: Callable[[Obj], Obj | None]) -> Obj:
    def write(node: Obj, spec: Obj) -> None:
        engine.post("/nodes/%s/update" % segment(node["ID"], "node", "node"), "update node '%s'" % ref, body=spec,
                    params=_version(node))

    return update_versioned(lambda: inspect_node(engine, ref), write, mutate)[0]


def remove_node(engine, ref: str, hostname: str, force: bool) -> None:
    engine.delete("/nodes/" + segment(ref, "node", "node"), "remove node '%s'" % hostname,
                  params={"force": "true" if force else "false"})


# -- services and tasks -----------------------------------------------------------------------------


def list_services(engine, status: bool = False, **filters: Any) -> list[Obj]:
    params = dict(engine.filters(**filters) or {})
    if status:
        params["status"] = "true"
    return engine.get("/services", "list services", params=params or None) or []


def inspect_service(engine, ref: str, field: str = "name") -> Obj:
    return engine.get("/services/" + segment(ref, "service", field), "inspect service '%s'" % ref)


def find_service(engine, ref: str, field: str = "name") -> Obj | None:
    """The service with that name or ID, or None."""
    return _find(lambda: inspect_service(engine, ref, field))


def create_service(engine, spec: Obj, headers: dict[str, str] | None = None) -> Obj:
    return engine.post("/services/create", "create service '%s'" % spec.get("Name"), body=spec, headers=headers) or {}


def update_service(engine, ref: str, mutate: Callable[[Obj], Obj | None], headers: dict[str, str] | None = None,
                   rollback: bool = False, what: str | None = None) -> tuple[Obj, Obj]:
    """Read the service, mutate its spec, POST it with its version (retried on a race).

    ``rollback`` asks the engine for its previous spec (the spec sent is the current one, as the CLI
    does). Returns (the service as read just before the write that succeeded, the engine's answer):
    its UpdateStatus is what a wait compares with, to judge this update and not an earlier one."""
    verb = what or ("roll back service '%s'" if rollback else "update service '%s'")

    def write(service: Obj, spec: Obj) -> Obj:
        query = _version(service)
        if rollback:
            query["rollback"] = "previous"
            spec = service["Spec"]
        return engine.post("/services/%s/update" % segment(service["ID"], "service"), verb % (spec.get("Name") or ref),
                           body=spec, params=query, headers=headers) or {}

    return update_versioned(lambda: inspect_service(engine, ref), write, mutate)


def remove_service(engine, ref: str, name: str | None = None) -> None:
    engine.delete("/services/" + segment(ref, "service"), "remove service '%s'" % (name or ref))


def list_tasks(engine, **filters: Any) -> list[Obj]:
    """Tasks, filtered by the engine (service=, node=, desired_state=; a list ORs its values)."""
    what = "list the tasks of service '%s'" % filters["service"] if isinstance(filters.get("service"), str) else "list tasks"
    return engine.get("/tasks", what, params=engine.filters(**filters)) or []


def task_logs(engine, task_id: str, tail: int, timeout: float = 10) -> list[str]:
    """The last ``tail`` lines a task wrote (stdout and stderr), as the engine's log driver keeps them."""
    data = engine.get_bytes("/tasks/%s/logs" % segment(task_id, "task", "id"), "read the logs of task %s" % task_id[:12],
                            params=dict(stdout=1, stderr=1, tail=tail), timeout=timeout)
    return log_lines(data)[-tail:]


def log_lines(data: bytes) -> list[str]:
    """The lines of a log answer: the engine's multiplexed stream (an 8-byte header per frame: stream, 3 zero
    bytes, big-endian length), or plain text for a service with a TTY."""
    if len(data) >= 8 and data[0] in (0, 1, 2) and data[1:4] == b"\0\0\0":
        chunks, at = [], 0
        while at + 8 <= len(data):
            size = int.from_bytes(data[at + 4:at + 8], "big")
            chunks.append(data[at + 8:at + 8 + size])
            at += 8 + size
        data = b"".join(chunks)
    return [line.rstrip("\r") for line in data.decode("utf-8", "replace").splitlines() if line.strip()]


def inspect_distribution(engine, image: str, headers: dict[str, str] | None = None) -> Obj:
    return engine.get("/distribution/%s/json" % _image_segment(image), "resolve image '%s'" % image, headers=headers) or {}


# -- networks and containers ------------------------------------------------------------------------


def list_networks(engine, **filters: Any) -> list[Obj]:
    return engine.get("/networks", "list networks", params=engine.filters(**filters)) or []


def inspect_network(engine, ref: str, field: str = "name") -> Obj:
    return engine.get("/networks/" + segment(ref, "network", field), "inspect network '%s'" % ref)


def find_network(engine, ref: str, field: str = "name") -> Obj | None:
    return _find(lambda: inspect_network(engine, ref, field))


def create_network(engine, body: Obj) -> Obj:
    return engine.post("/networks/create", "create network '%s'" % body["Name"], body=body) or {}


def remove_network(engine, net: Obj) -> None:
    engine.delete("/networks/" + segment(net["Id"], "network"), "delete network '%s'" % net["Name"])


def connect_container(engine, net: Obj, container_id: str, name: str, config: Obj) -> None:
    engine.post("/networks/%s/connect" % segment(net["Id"], "network"), "reattach container '%s' to network '%s'" % (name, net["Name"]),
                body={"Container": container_id, "EndpointConfig": config})


def disconnect_container(engine, net: Obj, container_id: str, name: str) -> None:
    engine.post("/networks/%s/disconnect" % segment(net["Id"], "network"), "detach container '%s' from network '%s'" % (name, net["Name"]),
                body={"Container": container_id, "Force": True})


def list_containers(engine, what: str, **filters: Any) -> list[Obj]:
    params = {"all": "1"}
    params.update(engine.filters(**filters) or {})
    return engine.get("/containers/json", what, params=params) or []


def inspect_container(engine, ref: str, name: str) -> Obj:
    return engine.get("/containers/%s/json" % segment(ref, "container"), "inspect container '%s'" % name)


# -- secrets and configs ----------------------------------------------------------------------------


def list_objects(engine, kind: str, **filters: Any) -> list[Obj]:
    return engine.get("/%ss" % kind, "list %ss" % kind, params=engine.filters(**filters)) or []


def create_object(engine, kind: str, body: Obj) -> Obj:
    return engine.post("/%ss/create" % kind, "create %s '%s'" % (kind, body["Name"]), body=body) or {}


def update_object_labels(engine, kind: str, obj: Obj, mutate: Callable[[Obj], Obj | None]) -> Obj:
    name = (obj.get("Spec") or {}).get("Name")
    path = "/%ss/%s" % (kind, segment(obj["ID"], kind))

    def write(now: Obj, spec: Obj) -> None:
        engine.post(path + "/update", "update the labels of %s '%s'" % (kind, name), body=spec, params=_version(now))

    return update_versioned(lambda: engine.get(path, "inspect %s '%s'" % (kind, name)), write, mutate)[0]


def remove_object(engine, kind: str, obj: Obj) -> None:
    engine.delete("/%ss/%s" % (kind, segment(obj["ID"], kind)), "remove %s '%s'" % (kind, (obj.get("Spec") or {}).get("Name")))

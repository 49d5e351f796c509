# Copyright: Beekeeper developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to this collection: recreating a network under the services and containers that use it.

Detach them (keeping each attachment's aliases and driver options), wait until their endpoints are
gone, delete the network (retrying while the engine still releases it), create it again, reattach
them to the new one and hand back what to wait for. If the delete fails, everything detached goes
back on the old network.
"""

from __future__ import annotations

import copy

from ansible_collections.beekeeper.swarm.plugins.module_utils import _api
from ansible_collections.beekeeper.swarm.plugins.module_utils._converge import ServiceWatch, rollout_expected
from ansible_collections.beekeeper.swarm.plugins.module_utils._errors import ConvergenceTimeout, EngineError
from ansible_collections.beekeeper.swarm.plugins.module_utils._network_spec import (
    BUSY_SIGNS,
    ENDED,
    _names,
    _service_name,
    allocated,
    create_body,
)
from ansible_collections.beekeeper.swarm.plugins.module_utils._wait import Clock, wait_until


def _create(engine, params, want, timeout=0, allocate_timeout=30):
    """Create the network; for ``timeout`` seconds, retry while the old one of the same name is still going away.

    Return it once the swarm's allocator has filled it in (up to ``allocate_timeout`` seconds): until then the
    engine shows neither its subnets nor its driver options, and a run right after this one would see a
    difference that is not there.
    """
    return create_from_body(engine, create_body(params, want), timeout, allocate_timeout)


def create_from_body(engine, body, timeout=0, allocate_timeout=30):
    """:func:`_create` for a NetworkCreate body built elsewhere (a stack's network)."""
    created = _busy_retry(lambda: _api.create_network(engine, body), timeout)
    clock = Clock(allocate_timeout)
    while True:
        net = _api.inspect_network(engine, created["Id"])
        if allocated(net, body) or clock.expired():
            return net
        clock.sleep()


def _busy_retry(action, timeout):
    """``action()``, again while the engine says the name or network is still busy, up to ``timeout`` seconds."""
    clock = Clock(timeout, interval=1.0)
    while True:
        try:
            return action()
        except EngineError as exc:
            said = exc.details.get("engine_said") or exc.msg
            if not any(sign in said for sign in BUSY_SIGNS) or clock.expired():
                raise
            clock.sleep()


def _delete(engine, net, timeout):
    name = net["Name"]
    try:
        _busy_retry(lambda: _api.remove_network(engine, net), timeout)
    except EngineError as exc:
        said = exc.details.get("engine_said") or exc.msg
        if any(sign in said for sign in BUSY_SIGNS):
            raise EngineError(
                "Failed to delete network '%s': %s (still so after %ss). Something still uses it: find it with "
                "beekeeper.swarm.swarm_info, detach it, and run again." % (name, said, timeout),
                engine_said=said,
            ) from exc
        raise


def _update_service(engine, service_id, change):
    """Apply ``change(spec)`` to the service's spec (read, mutate, write with its version); the service as read."""
    return _api.update_service(engine, service_id, change)[0]


def _detach(engine, service, net):
    """Remove the network from the service's spec; return the attachments removed (Aliases, DriverOpts kept)."""
    removed = []

    def change(spec):
        del removed[:]
        for key in ("TaskTemplate", None):
            holder = spec.get("TaskTemplate") if key else spec
            if not holder or not holder.get("Networks"):
                continue
            keep = []
            for item in holder["Networks"]:
                (removed if item.get("Target") in (net["Id"], net["Name"]) else keep).append(item)
            holder["Networks"] = keep

    _update_service(engine, service["ID"], change)
    return copy.deepcopy(removed)


def _reattach(engine, service_id, new_id, removed):
    def change(spec):
        template = spec.setdefault("TaskTemplate", {})
        networks = [n for n in template.get("Networks") or [] if n.get("Target") != new_id]
        for item in removed:
            networks.append(dict(item, Target=new_id))
        template["Networks"] = networks

    return _update_service(engine, service_id, change)


def _disconnect(engine, net, container):
    inspect = _api.inspect_container(engine, container["id"], container["name"])
    endpoint = copy.deepcopy(((inspect.get("NetworkSettings") or {}).get("Networks") or {}).get(net["Name"]) or {})
    _api.disconnect_container(engine, net, container["id"], container["name"])
    short = container["id"][:12]
    config = {}
    aliases = [a for a in endpoint.get("Aliases") or [] if a != short]
    if aliases:
        config["Aliases"] = aliases
    for key in ("IPAMConfig", "Links", "DriverOpts"):
        if endpoint.get(key):
            config[key] = endpoint[key]
    return config


def _connect(engine, new, container, config):
    _api.connect_container(engine, new, container["id"], container["name"], config)


def _live_tasks(engine, net):
    return [t for t in _api.list_tasks(engine) if (t.get("Status") or {}).get("State") not in ENDED
            and any((a.get("Network") or {}).get("ID") == net["Id"] for a in t.get("NetworksAttachments") or [])]


def _wait_endpoints_gone(engine, net, timeout):
    """Wait until no task holds an endpoint on the network (detached tasks stop first)."""
    def check():
        live = _live_tasks(engine, net)
        return not live, live

    try:
        wait_until(check, timeout)
    except ConvergenceTimeout as exc:
        live = exc.details.get("report") or []
        raise ConvergenceTimeout(
            "Timed out after %ss waiting for the tasks on network '%s' to stop (%s); the services are detached from it. "
            "Run again once they stopped, or raise wait_timeout." % (
                timeout, net["Name"], ", ".join(sorted(set((t.get("Status") or {}).get("State", "?") + " " + t["ID"][:12] for t in live))))
        ) from None


def _recreate(engine, params, want, net, services, containers):
    """Detach, delete, create, reattach; (the new network, the watches of the reattached services)."""
    return recreate_under(engine, net, services, containers, lambda timeout: _create(engine, params, want, timeout),
                          params["wait_timeout"])


def recreate_under(engine, net, services, containers, create, timeout):
    """Recreate ``net`` under the services and containers that use it: ``create(timeout)`` makes the new one.
    (the new network, the watches of the reattached services)."""
    detached = []
    disconnected = []
    try:
        for service in services:
            detached.append((service, _detach(engine, service, net)))
        for container in containers:
            disconnected.append((container, _disconnect(engine, net, container)))
        _wait_endpoints_gone(engine, net, timeout)
        _delete(engine, net, timeout)
    except (EngineError, ConvergenceTimeout) as exc:
        _restore(engine, net, detached, disconnected)
        raise type(exc)("%s. The services and containers detached for the recreate were put back on the old network."
                        % exc.msg.rstrip("."), **exc.details) from exc
    try:
        new = create(timeout)
    except EngineError as exc:
        names = [_service_name(s) for s, _r in detached] + [c["name"] for c, _r in disconnected]
        raise EngineError(
            "%s. The old network is deleted%s; fix the cause and run again to create it%s."
            % (exc.msg.rstrip("."), " and %s are detached" % _names(names) if names else "", " and reattach them" if names else ""),
            **exc.details
        ) from exc
    watches = []
    for service, removed in detached:
        before = _reattach(engine, service["ID"], new["Id"], removed)
        watches.append(ServiceWatch(service["ID"], name=_service_name(service), since=before.get("UpdateStatus"), verb="converge",
                                    rollout=rollout_expected(before["Spec"], before["Spec"], [("TaskTemplate", "Networks")])))
    for container, config in disconnected:
        _connect(engine, new, container, config)
    return new, watches


def _restore(engine, net, detached, disconnected):
    """After a failed delete, put the detached services and containers back on the old network (best effort)."""
    for service, removed in detached:
        try:
            _reattach(engine, service["ID"], net["Id"], removed)
        except EngineError:
            pass
    for container, config in disconnected:
        try:
            _connect(engine, net, container, config)
        except EngineError:
            pass

# Copyright: Beekeeper developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to this collection: swarm_network - overlay networks, recreated (with force) while services use them.

The network as a reconcile resource (_reconcile): describe the network and who uses it, plan from the
table (_network_spec), apply (create, recreate through _network_recreate, or delete), and wait for the
services a recreate reattached.
"""

from __future__ import annotations

from ansible_collections.beekeeper.swarm.plugins.module_utils import _api
from ansible_collections.beekeeper.swarm.plugins.module_utils._changes import Changes
from ansible_collections.beekeeper.swarm.plugins.module_utils._errors import EngineError, Refused
from ansible_collections.beekeeper.swarm.plugins.module_utils._network_recreate import (
    _create,
    _delete,
    _detach,
    _disconnect,
    _recreate,
    _wait_endpoints_gone,
)
from ansible_collections.beekeeper.swarm.plugins.module_utils._network_spec import (
    TABLE,
    _service_name,
    attached,
    compare,
    declared_view,
    desired,
    guard_ingress_kept,
    guard_users,
    ingress_ports,
    network_view,
    predicted,
    validate,
)
from ansible_collections.beekeeper.swarm.plugins.module_utils._reconcile import Plan, Resource, run_one
from ansible_collections.beekeeper.swarm.plugins.module_utils._table import gate


def find_network(engine, name):
    """The swarm's network of that exact name (the engine's name filter matches substrings), inspected, or None."""
    found = [n for n in _api.list_networks(engine, name=name) if n.get("Name") == name]
    if not found:
        return None
    if len(found) > 1:
        raise EngineError(
            "Failed to find network '%s': %d networks have that name (IDs %s); remove the extra ones by ID, then run again."
            % (name, len(found), ", ".join(sorted(n["Id"][:12] for n in found)))
        )
    return _api.inspect_network(engine, found[0]["Id"])


def _ingress_network(engine):
    for net in _api.list_networks(engine):
        if net.get("Ingress"):
            return net
    return None


def users(engine, net):
    """(services attached, services publishing through it when it is the ingress, local containers attached)."""
    services = _api.list_services(engine)
    attached_services = [s for s in services if attached(s, net)]
    publishing = [s for s in services if ingress_ports(s)] if net.get("Ingress") else []
    containers = []
    if net.get("Attachable") or net.get("Scope") == "local":
        found = _api.list_containers(engine, "list containers on network '%s'" % net["Name"], network=net["Id"])
        for item in found:
            if "com.docker.swarm.task.id" in (item.get("Labels") or {}):
                continue  # a service's task: its service is listed instead
            names = [n.lstrip("/") for n in item.get("Names") or []]
            containers.append(dict(id=item["Id"], name=names[0] if names else item["Id"][:12]))
    return attached_services, publishing, containers


class NetworkResource(Resource):
    kind = "network"

    def describe(self, ctx, params):
        validate(params)
        net = find_network(ctx.engine, params["name"])
        return dict(net=net, users=users(ctx.engine, net) if net is not None else ([], [], []))

    def plan(self, ctx, params, current):
        gate(ctx.engine, params, TABLE)
        name, net = params["name"], current["net"]
        services, publishing, containers = current["users"]
        if params["state"] == "absent":
            return self._plan_delete(ctx, params, net, services, publishing, containers)
        want = desired(params)
        before, after = declared_view(want, net)
        diff = dict(before=before, after=after)
        if want["ingress"] and (net is None or not net.get("Ingress")):
            other = _ingress_network(ctx.engine)
            if other is not None and other.get("Name") != name:
                raise Refused(
                    "Refusing to make '%s' the ingress network: the swarm already has ingress network '%s', and it can have "
                    "only one. Customise that one (name: %s), or remove it first (name: %s, state: absent)."
                    % (name, other["Name"], other["Name"], other["Name"])
                )
        if net is None:
            ctx.resolver.plan("network", name, predicted(params, want))
            return Plan("network", name, "create", Changes.between({}, after), diff, params=params, want=want, actions=["create network"])
        changes = compare(want, net)
        if not changes:
            return Plan("network", name, None, changes, diff, params=params, net=net,
                        services=[_service_name(s) for s in services + publishing], containers=[c["name"] for c in containers])
        guard_ingress_kept(net, want)
        guard_users(net, "recreate", changes.options(), services, publishing, containers, params.get("force"))
        actions = (["detach service %s" % _service_name(s) for s in services] + ["detach container %s" % c["name"] for c in containers]
                   + ["recreate network"]
                   + ["reattach service %s" % _service_name(s) for s in services] + ["reattach container %s" % c["name"] for c in containers])
        return Plan("network", name, "recreate", changes, diff, params=params, want=want, net=net, users=(services, containers),
                    actions=actions, services=[_service_name(s) for s in services], containers=[c["name"] for c in containers])

    def _plan_delete(self, ctx, params, net, services, publishing, containers):
        if net is None:
            return Plan("network", params["name"], None, params=params, actions=[], deleted=True)
        before = network_view(net)
        for key in ("id", "services", "containers"):
            before.pop(key)
        guard_users(net, "delete", [], services, publishing, containers, params.get("force"))
        actions = (["detach service %s" % _service_name(s) for s in services] + ["detach container %s" % c["name"] for c in containers]
                   + ["delete network"])
        return Plan("network", params["name"], "delete", Changes.between(before, {}), dict(before=before, after={}), params=params,
                    net=net, users=(services, containers), actions=actions, deleted=True)

    def apply(self, ctx, plan):
        data = plan.data
        params = data["params"]
        if plan.action == "create":
            data["new"] = _create(ctx.engine, params, data["want"])
            return []
        services, containers = data["users"]
        timeout = params["wait_timeout"]
        if plan.action == "recreate":
            data["new"], watches = _recreate(ctx.engine, params, data["want"], data["net"], services, containers)
            return watches
        for service in services:
            _detach(ctx.engine, service, data["net"])
        for container in containers:
            _disconnect(ctx.engine, data["net"], container)
        _wait_endpoints_gone(ctx.engine, data["net"], timeout)
        _delete(ctx.engine, data["net"], timeout)
        return []

    def result(self, ctx, plan, reports):
        data = plan.data
        result = dict(changed=plan.changed, actions=data.get("actions", []), diff=plan.diff)
        if data.get("deleted"):
            return result
        if plan.action is None:
            result["network"] = network_view(data["net"], data["services"], data["containers"])
        elif ctx.check_mode:
            result["network"] = network_view(predicted(data["params"], data["want"], data.get("net")), data.get("services"),
                                             data.get("containers"))
        elif plan.action == "create":
            result["network"] = network_view(data["new"])
        else:
            new = _api.inspect_network(ctx.engine, data["new"]["Id"])
            result["network"] = network_view(new, data["services"], data["containers"])
        return result


NETWORK = NetworkResource()


def manage(engine, params, check_mode):
    """swarm_network: one network through the reconcile steps."""
    return run_one(NETWORK, engine, params, check_mode)

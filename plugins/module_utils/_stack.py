# Copyright: Beekeeper developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to this collection: swarm_stack - a Compose project as a stack, reconciled object by object.

What ``docker stack deploy`` writes blindly (every service, secret and config on every run, shared/STACKS.md
1.8), this plans first from one list call per object kind, filtered by the stack's namespace label:

  - networks the services use: created when missing; an existing one is compared (driver, labels, options,
    flags, subnets) and a difference is refused, since a network cannot change in place, unless
    ``recreate_networks`` asks to recreate it under its services (swarm_network's force: detach, delete,
    create, reattach);
  - secrets and configs, versioned by content: the same content keeps the object (a config is compared by its
    data, a secret by the SHA-256 label the collection stores); new content creates the next version and the
    services that mount it move to it; a secret the CLI created (no hash label) is adopted by one label update
    carrying its data, which the engine accepts only when the data is identical;
  - services through swarm_service's own plan (_service.SERVICE): the same option table builds and compares
    the spec, so an unchanged service is never written and a changed one waits like swarm_service;
  - with ``prune``, services not in the project are removed first (as the CLI, so a renamed service can take
    the port), and stack objects nothing uses any more once the services converged.
Everything is planned before the first write, so bad input or a refused change leaves the cluster as it was.
"""

from __future__ import annotations

import base64
import copy

from ansible_collections.beekeeper.swarm.plugins.module_utils import _api
from ansible_collections.beekeeper.swarm.plugins.module_utils import _stack_convert as convert
from ansible_collections.beekeeper.swarm.plugins.module_utils._changes import Changes
from ansible_collections.beekeeper.swarm.plugins.module_utils._errors import EngineError, InvalidInput, Refused, SwarmError
from ansible_collections.beekeeper.swarm.plugins.module_utils._network import users as network_users
from ansible_collections.beekeeper.swarm.plugins.module_utils._network_recreate import create_from_body, recreate_under
from ansible_collections.beekeeper.swarm.plugins.module_utils._network_spec import guard_users
from ansible_collections.beekeeper.swarm.plugins.module_utils._reconcile import Context, Plan, Removal, wait_for
from ansible_collections.beekeeper.swarm.plugins.module_utils._service import SERVICE
from ansible_collections.beekeeper.swarm.plugins.module_utils._versioned import (
    LABEL_HASH,
    LABEL_NAME,
    LABEL_VERSION,
    Series,
    content_hash,
    in_use_ids,
    labels_of,
    name_of,
    version_name,
)

KINDS = ("secret", "config")


def _stack_filter(stack):
    return "%s=%s" % (convert.NAMESPACE, stack)


def read_stack(engine, stack):
    """The stack's objects as the engine lists them: one call per kind, by the namespace label."""
    label = _stack_filter(stack)
    return dict(
        services=_api.list_services(engine, label=label),
        networks=_api.list_networks(engine, label=label),
        secrets=_api.list_objects(engine, "secret", label=label),
        configs=_api.list_objects(engine, "config", label=label),
    )


# -- networks ---------------------------------------------------------------------------------------


def _declared_view(body):
    return convert.network_view(dict(Driver=body["Driver"], Labels=body["Labels"], Options=body.get("Options"),
                                     Internal=body.get("Internal"), Attachable=body.get("Attachable"), IPAM=body.get("IPAM")))


def plan_networks(ctx, stack, project, existing, params):
    plans = []
    listing = ctx.resolver.listing("network")
    for name, (key, entry) in convert.networks(stack, project).items():
        if entry.get("external"):
            net = next((n for n in listing if n.get("Name") == name), None)
            if net is None and not ctx.check_mode:
                raise InvalidInput("networks.%s: network %s is declared as external, but could not be found. You need to create a "
                                   "swarm-scoped network before the stack is deployed (beekeeper.swarm.swarm_network)." % (key, name))
            continue
        body = convert.network_body(stack, name, entry)
        want = _declared_view(body)
        net = next((n for n in existing if n.get("Name") == name), None) or next((n for n in listing if n.get("Name") == name), None)
        if net is None:
            ctx.resolver.plan("network", name, dict(Name=name, Id=None))
            plans.append(Plan("network", name, "create", Changes.between({}, want), dict(before={}, after=want), body=body))
            continue
        have = convert.network_view(net)
        # What the file leaves out the engine fills in (its own options, a subnet from its pool): compared only where declared.
        have["options"] = dict((k, v) for k, v in have["options"].items() if k in want["options"])
        if not want["subnets"]:
            have["subnets"] = []
        changes = Changes.between(have, want)
        if changes and not params.get("recreate_networks"):
            raise Refused("Refusing to change network '%s' of stack %s: its %s differ from the file, and a network cannot change in "
                          "place. Set recreate_networks: true to recreate it under its services (they are detached and "
                          "reattached, their tasks restart), remove the stack (state: absent) and deploy it again, or keep the "
                          "network's definition." % (name, stack, " and ".join(changes.options())))
        if changes:
            services, publishing, containers = network_users(ctx.engine, net)
            guard_users(net, "recreate", changes.options(), services, publishing, containers, True)
            plans.append(Plan("network", name, "recreate", changes, dict(before=have, after=want), body=body, net=net,
                              users=(services, containers)))
            continue
        plans.append(Plan("network", name, None, diff=dict(before=have, after=want), net=net))
    return plans


def apply_network(ctx, plan, timeout):
    """Create a network, or recreate one under its users; the watches of the services reattached."""
    if plan.action == "create":
        _api.create_network(ctx.engine, plan.data["body"])
        return []
    services, containers = plan.data["users"]
    _new, watches = recreate_under(ctx.engine, plan.data["net"], services, containers,
                                   lambda t: create_from_body(ctx.engine, plan.data["body"], t), timeout)
    return watches


# -- secrets and configs ----------------------------------------------------------------------------


def _object_labels(stack, entry):
    return convert._labels(stack, entry.get("labels"))


def plan_objects(ctx, stack, project, existing, params, kind):
    """(plans, {key: object name the services use}) for one kind."""
    plans, names = [], {}
    listing = ctx.resolver.listing(kind)
    for key, entry in sorted((project.get(kind + "s") or {}).items()):
        entry = entry or {}
        name = convert.object_name(stack, key, entry)
        names[key] = name
        if entry.get("external"):
            if not any(name_of(o) == name for o in listing) and not ctx.check_mode:
                raise InvalidInput("%ss.%s: %s not found: %s; it is declared external, so create it first (beekeeper.swarm.swarm_%s)."
                                   % (kind, key, kind, name, kind))
            continue
        encoded = ((params.get("data") or {}).get(kind + "s") or {}).get(key)
        if encoded is None:
            raise InvalidInput("%ss.%s: no content reached the module; give it file:, or run through the action plugin." % (kind, key))
        data = base64.b64decode(encoded)
        digest = content_hash(data)
        labels = _object_labels(stack, entry)
        series = Series(kind, name, listing)
        current = series.current
        same = None
        if current is not None:
            own = labels_of(current)
            if own.get(LABEL_HASH):
                same = own[LABEL_HASH] == digest
            elif kind == "config":
                same = (current.get("Spec") or {}).get("Data") == encoded
            else:
                same = "unverified"
        view_before = dict(version=int(labels_of(current).get(LABEL_VERSION) or 1), labels=_user(labels_of(current))) if current else {}
        if same is True or same == "unverified":
            names[key] = name_of(current)
            wanted_labels = dict(labels, **{LABEL_NAME: name, LABEL_VERSION: labels_of(current).get(LABEL_VERSION) or "1", LABEL_HASH: digest})
            if same == "unverified" or _user(labels_of(current)) != _user(wanted_labels):
                if same == "unverified" and ctx.check_mode:
                    ctx.warnings.append("%s %s was created outside swarm_stack: its content is compared when the task is applied (the engine "
                                        "accepts the adoption only when the data is identical)." % (kind, name_of(current)))
                plans.append(Plan(kind, key, "label", diff=dict(before=view_before, after=dict(view_before, labels=_user(wanted_labels))),
                                  obj=current, labels=wanted_labels, data=data, verify=same == "unverified"))
            else:
                plans.append(Plan(kind, key, None, diff=dict(before=view_before, after=view_before), obj=current))
            continue
        version = series.next_version() if current is not None else 1
        new_name = name if current is None else version_name(name, version)
        body = dict(Name=new_name, Labels=dict(labels, **{LABEL_NAME: name, LABEL_VERSION: str(version), LABEL_HASH: digest}))
        if kind == "config" and entry.get("template_driver"):
            body["Templating"] = dict(Name=entry["template_driver"])
        names[key] = new_name
        ctx.resolver.plan(kind, new_name, {"ID": None, "Spec": dict(body)})
        after = dict(version=version, labels=_user(body["Labels"]))
        plans.append(Plan(kind, key, "create", Changes.between(view_before, after), dict(before=view_before, after=after),
                          body=body, data=data, series=series))
    return plans, names


def _user(labels):
    return dict((k, v) for k, v in (labels or {}).items() if not k.startswith("com.beekeeper.swarm."))


def _apply_object(ctx, kind, plan):
    if plan.action == "create":
        body = dict(plan.data["body"], Data=base64.b64encode(plan.data["data"]).decode("ascii"))
        _api.create_object(ctx.engine, kind, body)
        return
    obj = plan.data["obj"]

    def relabel(spec):
        spec["Labels"] = dict(plan.data["labels"])
        if plan.data.get("verify"):
            # The engine keeps a secret's data out of its answers; sent back, it must be byte-identical or the update fails.
            spec["Data"] = base64.b64encode(plan.data["data"]).decode("ascii")

    try:
        _api.update_object_labels(ctx.engine, kind, obj, relabel)
    except EngineError as exc:
        if plan.data.get("verify"):
            raise EngineError("Failed to adopt %s '%s': its content differs from the file (the engine said: %s). Remove the stack's "
                              "services that use it, or give the file the content it has." % (kind, name_of(obj), exc.msg)) from exc
        raise


# -- services -------------------------------------------------------------------------------------


def plan_services(ctx, stack, project, existing, params, refs):
    plans = []
    by_name = dict((s["Spec"]["Name"], s) for s in existing)
    wanted = set()
    for key, svc in sorted((project.get("services") or {}).items()):
        p = convert.service_params(stack, key, svc, project, refs)
        p.update(state="present", wait=params.get("wait", True), wait_timeout=params.get("wait_timeout") or 300,
                 resolve_image=params.get("resolve_image") == "always", with_registry_auth=params.get("with_registry_auth", False),
                 on_failure="keep", rollback=False, force_update=False)
        p["keep_replicas"] = p.get("keep_replicas") or params.get("keep_replicas", False)
        wanted.add(p["name"])
        current = by_name.get(p["name"])
        # The image as written equals the one the stack last deployed: keep the running reference (its digest), as the
        # CLI's --resolve-image changed/never does.
        if (current is not None and params.get("resolve_image") != "always"
                and (current["Spec"].get("Labels") or {}).get(convert.IMAGE_LABEL) == svc["image"]):
            p["image"] = current["Spec"]["TaskTemplate"]["ContainerSpec"]["Image"]
        plans.append((p, SERVICE.plan(ctx, p, current)))
    removals = []
    if params.get("prune"):
        for name, current in sorted(by_name.items()):
            if name not in wanted:
                p = dict(name=name, state="absent")
                removals.append((p, SERVICE.plan(ctx, p, current)))
    return removals, plans


# -- the run --------------------------------------------------------------------------------------


def _unused(ctx, stack, kind, keep_names):
    """Stack objects of ``kind`` that no service uses and the project does not declare (or old versions)."""
    ctx.resolver.forget(kind)
    ctx.resolver.forget("service")
    services = ctx.resolver.listing("service")
    objects = [o for o in ctx.resolver.listing(kind) if labels_of(o).get(convert.NAMESPACE) == stack]
    used = in_use_ids(kind, services)
    return [o for o in objects if o["ID"] not in used and name_of(o) not in keep_names]


def deploy(engine, params, check_mode):
    stack, project = params["name"], params["project"]
    ctx = Context(engine, check_mode)
    existing = read_stack(engine, stack)
    network_plans = plan_networks(ctx, stack, project, existing["networks"], params)
    object_plans, refs = [], {}
    for kind in KINDS:
        plans, names = plan_objects(ctx, stack, project, existing[kind + "s"], params, kind)
        object_plans.extend(plans)
        refs[kind + "s"] = names
    removals, service_plans = plan_services(ctx, stack, project, existing["services"], params, refs)
    recreated = set(plan.name for plan in network_plans if plan.action == "recreate")
    for p, plan in service_plans:
        # A service newly attached to a network this run recreates: its spec names the old network's ID until
        # it is built again, after the recreate.
        if plan.changed and "networks" in plan.changes.options() and recreated & set(n["name"] for n in p.get("networks") or []):
            plan.data["unresolved"] = True
    results = dict(networks={}, secrets={}, configs={}, services={})
    reports = {}
    if not check_mode:
        waits = []
        for _p, plan in removals:
            if plan.changed:
                waits.extend(SERVICE.apply(ctx, plan))
        for plan in network_plans:
            if plan.changed:
                waits.extend(apply_network(ctx, plan, params.get("wait_timeout") or 300))
        ctx.resolver.forget("network")
        for plan in object_plans:
            if plan.changed:
                _apply_object(ctx, plan.kind, plan)
                ctx.resolver.forget(plan.kind)
        for _p, plan in service_plans:
            waits.extend(SERVICE.apply(ctx, plan) if plan.changed else plan.data.get("settle", []))
        if waits and params.get("wait", True):
            try:
                reports = wait_for(ctx, waits, params.get("wait_timeout") or 300)
            except SwarmError as exc:
                raise type(exc)("%s Stack %s: nothing was undone; fix the cause and run again." % (exc.msg, stack), **exc.details) from exc
    pruned = _prune(ctx, stack, project, refs, params, check_mode) if params.get("prune") or any(p.changed for p in object_plans) else []
    changes = Changes()
    diff_before, diff_after = {}, {}
    for plan in network_plans + object_plans:
        section = plan.kind + "s"
        results[section][plan.name] = dict(changed=plan.changed, action=plan.action)
        if plan.changed:
            changes.merge(plan.changes, prefix="%s.%s" % (section, plan.name))
            diff_before.setdefault(section, {})[plan.name] = plan.diff["before"]
            diff_after.setdefault(section, {})[plan.name] = plan.diff["after"]
    for p, plan in removals + service_plans:
        key = p["name"][len(stack) + 1:]
        result = SERVICE.result(ctx, plan, reports)
        results["services"][key] = _service_summary(result, plan)
        if plan.changed:
            changes.merge(plan.changes, prefix="services.%s" % key)
            diff_before.setdefault("services", {})[key] = plan.diff.get("before")
            diff_after.setdefault("services", {})[key] = plan.diff.get("after")
    for kind, obj in pruned:
        section = kind + "s"
        results[section].setdefault(name_of(obj), dict(changed=True, action="remove"))
        diff_before.setdefault(section, {})[name_of(obj)] = dict(name=name_of(obj))
        diff_after.setdefault(section, {})[name_of(obj)] = {}
    changed = any(p.changed for p in network_plans + object_plans) or any(plan.changed for _p, plan in removals + service_plans) or bool(pruned)
    return dict(changed=changed, stack=dict(name=stack, **results), changes=changes.options(), diff=dict(before=diff_before, after=diff_after),
                pruned=["%s %s" % (kind, name_of(obj)) for kind, obj in pruned], warnings=ctx.warnings)


def _service_summary(result, plan):
    service = result.get("service") or {}
    out = dict(changed=plan.changed, action=plan.action, id=service.get("id"), version=service.get("version"),
               update_state=service.get("update_state"), image=(service.get("spec") or {}).get("image"))
    if "running" in service:
        out.update(running=service["running"], wanted=service["wanted"])
    if result.get("changes"):
        out["changes"] = result["changes"]
    return out


def _prune(ctx, stack, project, refs, params, check_mode):
    """Once the services converged: old versions of secrets and configs no service uses, and with ``prune`` every stack
    object the project no longer declares. In check mode, what that would remove as things stand."""
    found = []
    for kind in KINDS:
        declared = project.get(kind + "s") or {}
        logicals = set(convert.object_name(stack, k, e) for k, e in declared.items() if not (e or {}).get("external"))
        for obj in _unused(ctx, stack, kind, set(refs[kind + "s"].values())):
            if labels_of(obj).get(LABEL_NAME) in logicals or params.get("prune"):
                found.append((kind, obj))
    if params.get("prune"):
        keep_nets = set(convert.networks(stack, project))
        ctx.resolver.forget("network")
        for net in _api.list_networks(ctx.engine, label=_stack_filter(stack)):
            if net.get("Name") not in keep_nets:
                found.append(("network", dict(ID=net["Id"], Id=net["Id"], Spec=dict(Name=net["Name"]), Name=net["Name"])))
    if check_mode:
        return found
    for kind, obj in found:
        if kind == "network":
            _api.remove_network(ctx.engine, obj)
        else:
            _api.remove_object(ctx.engine, kind, obj)
    return found


def remove(engine, params, check_mode):
    """state: absent - services first and their tasks gone, then secrets, configs, and networks until they are gone."""
    stack = params["name"]
    existing = read_stack(engine, stack)
    services = dict((s["ID"], s["Spec"]["Name"]) for s in existing["services"])
    others = [("secret", o) for o in existing["secrets"]] + [("config", o) for o in existing["configs"]]
    nets = existing["networks"]
    removed = (["service %s" % n for n in sorted(services.values())] + ["%s %s" % (k, name_of(o)) for k, o in others]
               + ["network %s" % n["Name"] for n in nets])
    before = dict(services=sorted(services.values()), secrets=sorted(name_of(o) for k, o in others if k == "secret"),
                  configs=sorted(name_of(o) for k, o in others if k == "config"), networks=sorted(n["Name"] for n in nets))
    result = dict(changed=bool(removed), removed=removed, diff=dict(before=before if removed else {}, after={}), stack=dict(name=stack))
    if check_mode or not removed:
        return result
    ctx = Context(engine, check_mode)
    for sid, name in services.items():
        _api.remove_service(engine, sid, name)
    if services:
        wait_for(ctx, [Removal(services)], params.get("wait_timeout") or 300)
    for kind, obj in others:
        _api.remove_object(engine, kind, obj)
    for net in nets:
        _remove_network(engine, net, params.get("wait_timeout") or 300)
    return result


def _remove_network(engine, net, timeout):
    """Remove a network, retrying while the engine still counts endpoints of the stopped tasks (moby#29293)."""
    import time

    deadline = time.monotonic() + timeout
    while True:
        try:
            _api.remove_network(engine, net)
            return
        except EngineError as exc:
            if "active endpoints" not in exc.msg or time.monotonic() > deadline:
                raise
            time.sleep(1)


def manage(engine, params, check_mode):
    if params.get("state") == "absent":
        return remove(engine, params, check_mode)
    if not params.get("project"):
        raise InvalidInput("project: missing; swarm_stack runs through its action plugin, which reads files or definition on the "
                           "controller. Give files: or definition:.")
    return deploy(engine, copy.deepcopy(params), check_mode)

# Copyright: Beekeeper developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to this collection: swarm_service - create, update, roll back, remove, and wait.

Flow: validate the parameters; resolve names (networks, secrets, configs, the image's digest)
with reads only; build the ServiceSpec from the option table (_service_spec); compare its
canonical form with the running service's; act only on a difference; wait until the cluster has
converged (_converge), failing with the engine's own task errors when it does not.
"""

from __future__ import annotations

from ansible_collections.beekeeper.swarm.plugins.module_utils import _api, _table
from ansible_collections.beekeeper.swarm.plugins.module_utils import _service_spec as spec_table
from ansible_collections.beekeeper.swarm.plugins.module_utils._changes import Changes, whole
from ansible_collections.beekeeper.swarm.plugins.module_utils._converge import rollout_expected, wait_converged, wait_removed
from ansible_collections.beekeeper.swarm.plugins.module_utils._errors import EngineError, InvalidInput, NotFound
from ansible_collections.beekeeper.swarm.plugins.module_utils._objects import list_objects, resolve_object

SPEC_OPTIONS = [f.option.split(".")[0] for f in spec_table.OPTIONS] + ["env_files"]


def gate(engine, params):
    _table.gate(engine, params, spec_table.OPTIONS)


def _read_env_files(params):
    """env_files are read on the node the module runs on; env wins over them, as with the CLI."""
    merged = {}
    for path in params.get("env_files") or []:
        try:
            with open(path) as handle:
                lines = handle.read().splitlines()
        except OSError as exc:
            raise InvalidInput("env_files: cannot read '%s' (%s); give a readable file on the node the task runs on." % (path, exc)) from exc
        for number, line in enumerate(lines, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            if "=" not in line:
                raise InvalidInput("env_files: %s line %d has no '='; write KEY=VALUE." % (path, number))
            key, value = line.split("=", 1)
            merged[key.strip()] = value
    env = params.get("env")
    if isinstance(env, dict):
        merged.update(env)
    elif env:
        merged.update(dict(item.split("=", 1) if "=" in str(item) else (item, "") for item in env))
    return merged


CHECK_MODE_MISSING = ("%s '%s' does not exist yet; check mode assumes an earlier task of this run creates it (a real run "
                      "fails here if none does).")


def _resolve_networks(engine, params, check_mode=False, warnings=None):
    names = {}
    for i, item in enumerate(params.get("networks") or []):
        net = _api.find_network(engine, item["name"], "networks[%d].name" % i)
        if net is None:
            if check_mode:
                warnings.append(CHECK_MODE_MISSING % ("network", item["name"]))
                item["resolved_id"] = item["name"]
                names[item["name"]] = item["name"]
                continue
            raise InvalidInput("networks[%d].name: network '%s' does not exist; create it first (beekeeper.swarm.swarm_network, "
                               "an overlay network)." % (i, item["name"])) from None
        if net.get("Scope") != "swarm":
            raise InvalidInput("networks[%d].name: network '%s' is a %s-scoped %s network; services attach only to swarm-scoped "
                               "networks (overlay)." % (i, item["name"], net.get("Scope"), net.get("Driver")))
        item["resolved_id"] = net["Id"]
        names[net["Id"]] = net["Name"]
    return names


def _resolve_refs(engine, params, kind, check_mode=False, warnings=None):
    items = params.get(kind + "s") or []
    if not items:
        return
    existing = list_objects(engine, kind)
    for i, item in enumerate(items):
        try:
            obj = resolve_object(engine, kind, item["source"], existing=existing)
        except NotFound:
            if check_mode:
                warnings.append(CHECK_MODE_MISSING % (kind, item["source"]))
                obj = {"ID": None, "Spec": {"Name": item["source"]}}
            else:
                raise InvalidInput("%ss[%d].source: %s '%s' does not exist (no %s of that name or logical name); create it first "
                                   "with beekeeper.swarm.swarm_%s." % (kind, i, kind, item["source"], kind, kind)) from None
        item["resolved_id"] = obj["ID"]
        item["resolved_name"] = obj["Spec"]["Name"]
        if not item.get("target"):
            item["target"] = item["source"]


def _resolve_image(engine, params, warnings):
    image = params["image"]
    if not params.get("resolve_image") or "@" in image:
        return image
    try:
        found = _api.inspect_distribution(engine, image, headers=_auth(engine, params))
    except EngineError as exc:
        warnings.append("image %s could not be resolved to a digest on its registry (%s); each node will pull the tag on its own, "
                        "so nodes may run different images." % (image, exc.details.get("engine_said") or exc.msg))
        return image
    digest = ((found or {}).get("Descriptor") or {}).get("digest")
    return "%s@%s" % (image, digest) if digest else image


def _auth(engine, params):
    return engine.registry_auth(params["image"]) if params.get("with_registry_auth") and params.get("image") else None


def _desired(engine, params, warnings, check_mode=False):
    """The ServiceSpec to run, every name resolved; raises InvalidInput before anything changes."""
    p = dict(params)
    for key in ("networks", "secrets", "configs"):
        p[key] = [dict(item) if isinstance(item, dict) else dict(name=item) if key == "networks" else dict(source=item)
                  for item in (params.get(key) or [])] or params.get(key)
    spec_table.validate(p)
    if params.get("args"):
        p["command"] = spec_table.TO_API["argv"](params.get("command") or [], "command") + list(params["args"])
    if params.get("env_files"):
        p["env"] = _read_env_files(params)
    names = _resolve_networks(engine, p, check_mode, warnings)
    _resolve_refs(engine, p, "secret", check_mode, warnings)
    _resolve_refs(engine, p, "config", check_mode, warnings)
    p["image"] = _resolve_image(engine, p, warnings)
    warning = spec_table.healthcheck_warning(p)
    if warning:
        warnings.append(warning)
    return spec_table.build(p), names


def _network_names(engine):
    return dict((n["Id"], n["Name"]) for n in _api.list_networks(engine, scope="swarm"))


def _diff(before, after):
    """The diff shows exactly what changes: the whole spec for a service created or removed, else only
    the options (top-level, e.g. the whole update_config) whose values differ, including one only one side
    shows (replicas, when the mode changes from replicated)."""
    if not before or not after:
        return whole(before, after)
    return Changes.between(before, after).diff()


def service_result(service, canon, names, report=None):
    out = dict(
        id=(service or {}).get("ID"),
        name=((service or {}).get("Spec") or {}).get("Name"),
        version=((service or {}).get("Version") or {}).get("Index"),
        update_state=((service or {}).get("UpdateStatus") or {}).get("State"),
        spec=spec_table.view(canon, names),
    )
    if report:
        out["running"] = report.get("running", report.get("completed"))
        out["wanted"] = report.get("wanted")
    return out


def manage(engine, params, check_mode):
    warnings = []
    name = params["name"]
    current = _api.find_service(engine, name)
    if params["state"] == "absent":
        return _remove(engine, params, current, check_mode)
    if params.get("rollback"):
        return _rollback(engine, params, current, check_mode)
    if not params.get("image"):
        raise InvalidInput("image: required to run service '%s'; name the image, e.g. image: registry.example.com/app:1.2." % name)
    gate(engine, params)
    spec, names = _desired(engine, params, warnings, check_mode)
    wanted = spec_table.canonical(spec)
    names.update(_network_names(engine) if current else {})
    before = spec_table.canonical(current["Spec"]) if current else None
    changes = Changes()
    if current:
        changes = spec_table.compare(wanted, before, keep_replicas=params.get("keep_replicas"), force_update=params.get("force_update"))
        if params.get("keep_replicas") and wanted.get("mode") == "replicated":
            wanted["replicas"] = before["replicas"]
        stepped = changes.get("force_update")
        wanted["force_update"] = stepped.after if stepped else before.get("force_update")
    changed = current is None or bool(changes)
    result = dict(
        changed=changed,
        changes=changes.top_level(),
        diff=_diff(spec_table.view(before, names) if before else {}, spec_table.view(wanted, names)),
        warnings=warnings,
    )
    if check_mode or (not changed and not params["wait"]):
        result["service"] = service_result(current or dict(Spec=spec), wanted, names)
        return result
    if not changed:
        report = wait_converged(engine, current["ID"], params["wait_timeout"], since=current.get("UpdateStatus"))
        result.update(service=service_result(current, before, names, report), tasks=report["tasks"])
        return result
    headers = _auth(engine, params)
    if current:
        service_id, verb = current["ID"], "update"
        before_write, _answer = _api.update_service(
            engine, service_id, lambda live: spec_table.apply_changes(live, spec, changes), headers=headers)
        since = before_write.get("UpdateStatus")
        rollout = rollout_expected(before_write["Spec"], spec, spec_table.changed_paths(changes))
    else:
        created = _api.create_service(engine, spec, headers=headers)
        warnings.extend(created.get("Warnings") or [])
        service_id, since, verb, rollout = created["ID"], None, "create", False
    report = None
    if params["wait"]:
        report = wait_converged(engine, service_id, params["wait_timeout"], since=since, rollout=rollout, verb=verb, name=name)
        result["tasks"] = report["tasks"]
    service = _api.inspect_service(engine, service_id)
    # The service now runs the desired spec, whose networks _desired() already named.
    result["service"] = service_result(service, spec_table.canonical(service["Spec"]), names, report)
    return result


def _rollback(engine, params, current, check_mode):
    name = params["name"]
    defaults = dict(mode="replicated", endpoint_mode="vip", force_update=False)
    extra = [key for key in SPEC_OPTIONS if params.get(key) is not None and params.get(key) != defaults.get(key)]
    if extra:
        raise InvalidInput("rollback: true returns the service to its previous spec and takes no spec options; remove %s." % ", ".join(sorted(set(extra))))
    if current is None:
        raise NotFound("Failed to roll back service '%s': no such service." % name)
    names = _network_names(engine)
    before = spec_table.canonical(current["Spec"])
    state = (current.get("UpdateStatus") or {}).get("State")
    if state in ("rollback_started", "rollback_completed", "rollback_paused"):
        # The last change to this service was a rollback: it already runs its previous spec.
        return dict(changed=False, service=service_result(current, before, names),
                    diff=dict(before={}, after={}))
    if not current.get("PreviousSpec"):
        raise InvalidInput("rollback: service '%s' has no previous spec to return to (it was never updated); nothing to roll "
                           "back to." % name)
    after = spec_table.canonical(current["PreviousSpec"])
    result = dict(changed=True, diff=_diff(spec_table.view(before, names), spec_table.view(after, names)))
    if check_mode:
        result["service"] = service_result(current, after, names)
        return result
    # The engine records a rollback at once (rollback_started), so the wait judges this one, never an earlier.
    before_write, _answer = _api.update_service(engine, current["ID"], lambda live: None, rollback=True)
    report = None
    if params["wait"]:
        report = wait_converged(engine, current["ID"], params["wait_timeout"], expect_rollback=True,
                                since=before_write.get("UpdateStatus"), rollout=True, verb="roll back", name=name)
        result["tasks"] = report["tasks"]
    service = _api.inspect_service(engine, current["ID"])
    result["service"] = service_result(service, spec_table.canonical(service["Spec"]), names, report)
    return result


def _remove(engine, params, current, check_mode):
    if current is None:
        return dict(changed=False, diff=dict(before={}, after={}))
    names = _network_names(engine)
    before = spec_table.canonical(current["Spec"])
    result = dict(changed=True, diff=dict(before=spec_table.view(before, names), after={}))
    if check_mode:
        return result
    _api.remove_service(engine, current["ID"], params["name"])
    if params["wait"]:
        wait_removed(engine, {current["ID"]: params["name"]}, params["wait_timeout"])
    return result

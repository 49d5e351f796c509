# Copyright: Beekeeper developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to this collection: swarm_service - create, update, roll back, remove, and wait.

The service as a reconcile resource (_reconcile): describe the running service; plan - validate the
parameters, resolve names (networks, secrets, configs, the image's digest) with reads only, build the
ServiceSpec from the option table (_service_spec) and compare its canonical form with the running
service's; apply only a difference; wait until the cluster has converged (_converge), failing with
the engine's own task errors when it does not - and then leaving the service as ``on_failure`` says: a
service this task created removed again, one it updated rolled back to the spec it had, or either kept.
"""

from __future__ import annotations

from ansible_collections.beekeeper.swarm.plugins.module_utils import _api, _table
from ansible_collections.beekeeper.swarm.plugins.module_utils import _service_spec as spec_table
from ansible_collections.beekeeper.swarm.plugins.module_utils._changes import Changes, whole
from ansible_collections.beekeeper.swarm.plugins.module_utils._converge import ServiceWatch, rollout_expected, wait_removed, wait_services
from ansible_collections.beekeeper.swarm.plugins.module_utils._errors import EngineError, InvalidInput, NotFound, SwarmError
from ansible_collections.beekeeper.swarm.plugins.module_utils._kinds import KINDS
from ansible_collections.beekeeper.swarm.plugins.module_utils._reconcile import Plan, Removal, Resource, run_one
from ansible_collections.beekeeper.swarm.plugins.module_utils._versioned import resolve_object
from ansible_collections.beekeeper.swarm.plugins.module_utils._wait import DONE

SPEC_OPTIONS = [f.option.split(".")[0] for f in spec_table.OPTIONS] + ["env_files"]
CHECK_MODE_MISSING = ("%s '%s' does not exist yet; check mode assumes an earlier task of this run creates it (a real run "
                      "fails here if none does).")
ROLLED_BACK = ("rollback_started", "rollback_completed", "rollback_paused")
# What a failed wait after our write left, said after the wait's own message (which has the task errors).
REMOVED = "Service '%s' was removed again (on_failure: rollback; on_failure: keep leaves a failed new service for inspection)."
ROLLED_BACK_NOTE = ("Service '%s' was rolled back to its previous spec (on_failure: rollback; on_failure: keep leaves a failed "
                    "update for inspection).")
ENGINE_ROLLED_BACK = ("Service '%s' was rolled back to its previous spec by the engine (update_config.failure_action: rollback; "
                      "update %s), so it was not rolled back again.")
KEPT_NEW = "Service '%s' was left as it is for inspection (on_failure: keep); state: absent removes it."
KEPT_UPDATE = ("Service '%s' was left as it is for inspection (on_failure: keep), on the new spec%s; rollback: true returns it "
               "to its previous spec.")
REMOVE_FAILED = "Service '%s' could not be removed again (on_failure: rollback): %s; remove it with state: absent."
ROLLBACK_FAILED = "Service '%s' could not be rolled back to its previous spec (on_failure: rollback): %s; roll it back with rollback: true."
ROLLBACK_UNSETTLED = "Service '%s' was rolled back to its previous spec (on_failure: rollback), but the rollback did not converge: %s"
GONE = "Service '%s' no longer exists, so nothing was removed or rolled back."


def _read_env_files(params):
    """env_files are read on the node the module runs on; env wins over them, as with the CLI."""
    merged = {}
    for i, path in enumerate(params.get("env_files") or []):
        where = "env_files[%d]" % i
        try:
            with open(path) as handle:
                lines = handle.read().splitlines()
        except UnicodeDecodeError as exc:
            raise InvalidInput("%s: '%s' is not a text file (%s); give a file of KEY=VALUE lines." % (where, path, exc)) from exc
        except (OSError, ValueError) as exc:
            raise InvalidInput("%s: cannot read '%s' (%s); give a readable file on the node the task runs on." % (where, path, exc)) from exc
        for number, line in enumerate(lines, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            if "=" not in line:
                raise InvalidInput("%s: %s line %d has no '='; write KEY=VALUE." % (where, path, number))
            key, value = line.split("=", 1)
            if not key.strip() or any(c.isspace() for c in key.strip()):
                raise InvalidInput("%s: %s line %d has no variable name before '=' (or one with spaces); write KEY=VALUE, e.g. "
                                   "LOG_LEVEL=debug." % (where, path, number))
            merged[key.strip()] = value
    env = params.get("env")
    if isinstance(env, dict):
        merged.update(env)
    elif env:
        merged.update(dict(item.split("=", 1) if "=" in str(item) else (item, "") for item in env))
    return merged


def _resolve_networks(ctx, params):
    """Each network by name or ID: the run's list of swarm networks, a network this run plans, or (for the
    exact error) an inspect. {id: name} of those resolved; ``resolved_id`` None for one not created yet."""
    names = {}
    listing = ctx.resolver.listing("network")
    for i, item in enumerate(params.get("networks") or []):
        wanted = item["name"]
        net = next((n for n in listing if wanted in (n.get("Name"), n.get("Id"))), None)
        if net is None and ctx.resolver.planned_object("network", wanted) is not None:
            # Planned by this run: named by its name until it exists (the plan is built again then).
            item["resolved_id"], item["planned"], names[wanted] = wanted, True, wanted
            continue
        if net is None:
            net = _api.find_network(ctx.engine, wanted, "networks[%d].name" % i)
        if net is None:
            if ctx.check_mode:
                ctx.warnings.append(CHECK_MODE_MISSING % ("network", wanted))
                item["resolved_id"] = wanted
                names[wanted] = wanted
                continue
            raise InvalidInput("networks[%d].name: network '%s' does not exist; create it first (beekeeper.swarm.swarm_network, "
                               "an overlay network)." % (i, wanted))
        if net.get("Scope") != "swarm":
            raise InvalidInput("networks[%d].name: network '%s' is a %s-scoped %s network; services attach only to swarm-scoped "
                               "networks (overlay)." % (i, wanted, net.get("Scope"), net.get("Driver")))
        item["resolved_id"] = net["Id"]
        names[net["Id"]] = net["Name"]
    return names


def _resolve_refs(ctx, params, kind):
    items = params.get(kind + "s") or []
    if not items:
        return
    existing = ctx.resolver.listing(kind) + [o for (k, _n), o in ctx.resolver.planned.items() if k == kind]
    for i, item in enumerate(items):
        try:
            obj = resolve_object(ctx.engine, kind, item["source"], existing=existing)
        except NotFound:
            if ctx.check_mode:
                ctx.warnings.append(CHECK_MODE_MISSING % (kind, item["source"]))
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


def normalized(params):
    """The parameters with every network, secret and config reference as a mapping of its own."""
    p = dict(params)
    for key in ("networks", "secrets", "configs"):
        p[key] = [dict(item) if isinstance(item, dict) else dict(name=item) if key == "networks" else dict(source=item)
                  for item in (params.get(key) or [])] or params.get(key)
    return p


def _with_args(params):
    """The parameters with ``args`` appended to ``command`` (ContainerSpec.Args), as the spec carries them."""
    args = params.get("args")
    if not args:
        return params
    if not any(str(a) for a in args):
        raise InvalidInput("args: empty; give the arguments to append to the command, e.g. args: ['--verbose'], or leave args out.")
    command = KINDS["argv"].to_api(params["command"], "command") if params.get("command") is not None else []
    if not command and not str(args[0]).strip():
        raise InvalidInput("args[0]: empty; the first argument is the program the image's entrypoint runs, e.g. args: [sleep, '10'].")
    return dict(params, command=command + [str(a) for a in args])


def _check_env_files(params):
    for i, path in enumerate(params.get("env_files") or []):
        if not str(path).strip() or "\x00" in str(path):
            raise InvalidInput("env_files[%d]: %r is not a file path (%s); give the path of a file of KEY=VALUE lines, e.g. "
                               "/etc/app/app.env." % (i, str(path)[:60], "it has a NUL byte" if "\x00" in str(path) else "it is empty"))


def validate(params):
    """The module's checks that need no engine (run before it connects): every option through its kind and the
    table's own rules (spec_table.validate), the args and the env_files paths. InvalidInput naming the option.
    The env_files themselves are read where the module runs, by desired()."""
    if params.get("state") == "absent" or params.get("rollback"):
        return
    _check_env_files(params)
    spec_table.validate(_with_args(normalized(params)))


def desired(ctx, params):
    """(ServiceSpec to run, {network id: name}, unresolved) with every name resolved; InvalidInput before any change.

    ``unresolved``: a reference names an object this run plans but has not created yet (its ID is known
    only once it exists): the spec is built again just before it is applied. The parameters were validated
    by the plan."""
    p = _with_args(normalized(params))
    if params.get("env_files"):
        p["env"] = _read_env_files(params)
    names = _resolve_networks(ctx, p)
    _resolve_refs(ctx, p, "secret")
    _resolve_refs(ctx, p, "config")
    unresolved = any(item.get("planned") or item.get("resolved_id") is None for key in ("networks", "secrets", "configs")
                     for item in p.get(key) or [])
    p["image"] = _resolve_image(ctx.engine, p, ctx.warnings)
    warning = spec_table.healthcheck_warning(p)
    if warning:
        ctx.warnings.append(warning)
    return spec_table.build(p), names, unresolved


def _network_names(ctx):
    return dict((n["Id"], n["Name"]) for n in ctx.resolver.listing("network"))


def _diff(before, after):
    """The diff shows exactly what changes: the whole spec for a service created or removed, else only
    the options (top-level, e.g. the whole update_config) whose values differ, including one only one side
    shows (replicas, when the mode changes from replicated)."""
    if not before or not after:
        return whole(before, after)
    return Changes.between(before, after).diff()


def _vip_names(ctx, service, names):
    """The plan's network names, with every network's when a VIP is on one the spec does not name (ingress)."""
    vips = ((service or {}).get("Endpoint") or {}).get("VirtualIPs") or []
    if any(v.get("NetworkID") not in names for v in vips):
        return dict(names, **_network_names(ctx))
    return names


def service_result(service, canon, names, report=None):
    out = dict(
        id=(service or {}).get("ID"),
        name=((service or {}).get("Spec") or {}).get("Name"),
        version=((service or {}).get("Version") or {}).get("Index"),
        update_state=((service or {}).get("UpdateStatus") or {}).get("State"),
        spec=spec_table.view(canon, names),
    )
    # The VIPs the engine gave the service (one per network, ingress included when a port goes
    # through the routing mesh): what its name resolves to, absent for dnsrr or in check mode.
    vips = ((service or {}).get("Endpoint") or {}).get("VirtualIPs") or []
    if vips:
        out["virtual_ips"] = [dict(network=names.get(v.get("NetworkID"), v.get("NetworkID")), address=v.get("Addr"))
                              for v in vips]
    if report:
        out["running"] = report.get("running", report.get("completed"))
        out["wanted"] = report.get("wanted")
    return out


class ServiceResource(Resource):
    kind = "service"

    def describe(self, ctx, params):
        return _api.find_service(ctx.engine, params["name"])

    def plan(self, ctx, params, current):
        if params.get("state") == "absent":
            return self._plan_remove(ctx, params, current)
        if params.get("rollback"):
            return self._plan_rollback(ctx, params, current)
        name = params["name"]
        if not params.get("image"):
            raise InvalidInput("image: required to run service '%s'; name the image, e.g. image: registry.example.com/app:1.2." % name)
        # Once per plan (run_many has no module around it to validate first); apply's rebuild does not repeat it.
        validate(params)
        _table.gate(ctx.engine, params, spec_table.OPTIONS)
        spec, names, unresolved = desired(ctx, params)
        wanted = spec_table.canonical(spec)
        names.update(_network_names(ctx) if current else {})
        before = spec_table.canonical(current["Spec"]) if current else None
        changes = Changes()
        if current:
            changes = spec_table.compare(wanted, before, keep_replicas=params.get("keep_replicas"), force_update=params.get("force_update"))
            if params.get("keep_replicas") and wanted.get("mode") == "replicated":
                wanted["replicas"] = before["replicas"]
            stepped = changes.get("force_update")
            wanted["force_update"] = stepped.after if stepped else before.get("force_update")
        action = "create" if current is None else "update" if changes else None
        if action == "create":
            ctx.resolver.plan("service", name, dict(ID=None, Spec=spec))
        settle = [ServiceWatch(current["ID"], name=name, since=current.get("UpdateStatus"))] if current and not action else []
        return Plan("service", name, action, changes, _diff(spec_table.view(before, names) if before else {}, spec_table.view(wanted, names)),
                    params=params, current=current, spec=spec, names=names, wanted=wanted, before=before, unresolved=unresolved,
                    settle=settle)

    def _plan_rollback(self, ctx, params, current):
        name = params["name"]
        defaults = dict(mode="replicated", endpoint_mode="vip", force_update=False)
        extra = [key for key in SPEC_OPTIONS if params.get(key) is not None and params.get(key) != defaults.get(key)]
        if extra:
            raise InvalidInput("rollback: true returns the service to its previous spec and takes no spec options; remove %s."
                               % ", ".join(sorted(set(extra))))
        if current is None:
            raise NotFound("Failed to roll back service '%s': no such service." % name)
        names = _network_names(ctx)
        before = spec_table.canonical(current["Spec"])
        if (current.get("UpdateStatus") or {}).get("State") in ROLLED_BACK:
            # The last change to this service was a rollback: it already runs its previous spec.
            return Plan("service", name, None, params=params, current=current, names=names, wanted=before, rollback=True)
        if not current.get("PreviousSpec"):
            raise InvalidInput("rollback: service '%s' has no previous spec to return to (it was never updated); nothing to roll "
                               "back to." % name)
        after = spec_table.canonical(current["PreviousSpec"])
        return Plan("service", name, "rollback", Changes.between(spec_table.view(before, names), spec_table.view(after, names)),
                    _diff(spec_table.view(before, names), spec_table.view(after, names)),
                    params=params, current=current, names=names, wanted=after, rollback=True)

    def _plan_remove(self, ctx, params, current):
        if current is None:
            return Plan("service", params["name"], None, params=params, removed=True)
        before = spec_table.view(spec_table.canonical(current["Spec"]), _network_names(ctx))
        return Plan("service", params["name"], "remove", Changes.between(before, {}), whole(before, {}),
                    params=params, current=current, removed=True)

    def apply(self, ctx, plan):
        data = plan.data
        params, name = data["params"], plan.name
        headers = _auth(ctx.engine, params)
        if plan.action == "remove":
            _api.remove_service(ctx.engine, data["current"]["ID"], name)
            return [Removal({data["current"]["ID"]: name})]
        if plan.action == "rollback":
            # The engine records a rollback at once (rollback_started), so the wait judges this one, never an earlier.
            before_write, _answer = _api.update_service(ctx.engine, data["current"]["ID"], lambda live: None, rollback=True)
            return [ServiceWatch(data["current"]["ID"], name=name, since=before_write.get("UpdateStatus"), rollout=True,
                                 expect_rollback=True, verb="roll back")]
        if data["unresolved"]:
            data["spec"] = desired(ctx, params)[0]
        spec = data["spec"]
        if plan.action == "create":
            created = _api.create_service(ctx.engine, spec, headers=headers)
            ctx.warnings.extend(created.get("Warnings") or [])
            data["id"] = created["ID"]
            return [ServiceWatch(created["ID"], name=name, verb="create")]
        changes = plan.changes
        data["id"] = data["current"]["ID"]
        before_write, _answer = _api.update_service(
            ctx.engine, data["id"], lambda live: spec_table.apply_changes(live, spec, changes), headers=headers)
        rollout = rollout_expected(before_write["Spec"], spec, spec_table.changed_paths(changes))
        data["since"] = before_write.get("UpdateStatus")
        return [ServiceWatch(data["id"], name=name, since=data["since"], rollout=rollout, verb="update")]

    def on_wait_failure(self, ctx, plan, exc):
        """The service did not converge after our create or update: remove the new service again, or roll
        the updated one back to the spec it had (on_failure: rollback, the default), or leave it (keep).

        Only a service the wait judged failed or still pending is touched: an error reading the cluster
        says nothing about the spec, and a service that converged stays (run_many). The error raised keeps the wait's message - with the engine's
        task errors - and adds what was done; an undo that fails is said too, after the first error."""
        data = plan.data
        reports = exc.details.get("reports") or {}
        if plan.action not in ("create", "update") or not data.get("id") or plan.name not in reports:
            return exc
        if reports[plan.name].get("state") == DONE:
            return exc  # converged; another object of the run (run_many) failed
        outcome, note = undo(ctx, plan, keep=data["params"].get("on_failure") == "keep",
                             timeout=data["params"].get("wait_timeout") or 300)
        details = dict(exc.details)
        details["after_failure"] = outcome
        return type(exc)("%s %s" % (exc.msg.rstrip(), note), **details)

    def result(self, ctx, plan, reports):
        data = plan.data
        if data.get("removed"):
            return dict(changed=plan.changed, diff=plan.diff)
        report = reports.get(plan.name)
        current, names = data["current"], data["names"]
        result = dict(changed=plan.changed, diff=plan.diff)
        if not data.get("rollback"):
            result["changes"] = plan.changes.top_level()
        if report:
            result["tasks"] = report["tasks"]
        if ctx.check_mode or (not report and not plan.changed):
            result["service"] = service_result(current or dict(Spec=data.get("spec")), data["wanted"],
                                               _vip_names(ctx, current, names))
            return result
        if not plan.changed:
            result["service"] = service_result(current, data["before"] if data.get("before") else data["wanted"],
                                               _vip_names(ctx, current, names), report)
            return result
        service = _api.inspect_service(ctx.engine, data.get("id") or current["ID"])
        # The service now runs the desired spec, whose networks the plan already named.
        result["service"] = service_result(service, spec_table.canonical(service["Spec"]), _vip_names(ctx, service, names), report)
        return result


def undo_step(action, keep, service, since):
    """What a failed create or update leaves to do, decided from the service as read after the wait: (step,
    outcome, update state). ``step`` is "remove", "rollback" or None (nothing to do; ``outcome`` says why)."""
    if action == "create":
        return (None, "kept", None) if keep else ("remove", None, None)
    if service is None:
        return None, "gone", None
    status = service.get("UpdateStatus") or {}
    # A status equal to the one read before our write is a leftover and says nothing about this update.
    state = status.get("State") if status != (since or {}) else None
    if state in ROLLED_BACK:
        # failure_action: rollback fired: the engine already runs (or returns to) the previous spec.
        return None, "rolled_back_by_engine", state
    if keep:
        return None, "kept", state
    return "rollback", None, state


def undo_note(outcome, name, action, state=None, error=None):
    """The sentence the failed result ends with: what was done with the service (or what failed doing it)."""
    notes = dict(
        kept=KEPT_NEW % name if action == "create" else KEPT_UPDATE % (name, " with the update %s" % state if state else ""),
        gone=GONE % name,
        rolled_back_by_engine=ENGINE_ROLLED_BACK % (name, state),
        removed=REMOVED % name if error is None else "%s %s" % (REMOVED % name, error),
        remove_failed=REMOVE_FAILED % (name, (error or "").rstrip(". ")),
        rolled_back=ROLLED_BACK_NOTE % name,
        rollback_failed=ROLLBACK_FAILED % (name, (error or "").rstrip(". ")),
        rollback_not_converged=ROLLBACK_UNSETTLED % (name, error),
    )
    return notes[outcome]


def undo(ctx, plan, keep, timeout):
    """(outcome, sentence) for a service whose create or update did not converge; see on_wait_failure."""
    data, name = plan.data, plan.name
    service = _api.find_service(ctx.engine, data["id"]) if plan.action == "update" else None
    step, outcome, state = undo_step(plan.action, keep, service, data.get("since"))
    error = None
    if step == "remove":
        try:
            _api.remove_service(ctx.engine, data["id"], name)
            outcome = "removed"
            wait_removed(ctx.engine, {data["id"]: name}, timeout)
        except NotFound:
            outcome = "gone"
        except SwarmError as exc:
            # Removed but not yet gone (the wait), or not removed at all.
            outcome, error = outcome or "remove_failed", exc.msg
    elif step == "rollback":
        try:
            before_write, _answer = _api.update_service(ctx.engine, data["id"], lambda live: None, rollback=True)
        except SwarmError as exc:
            return "rollback_failed", undo_note("rollback_failed", name, plan.action, error=exc.msg)
        watch = ServiceWatch(data["id"], name=name, since=before_write.get("UpdateStatus"), rollout=True, expect_rollback=True,
                             verb="roll back")
        try:
            wait_services(ctx.engine, [watch], timeout)
            outcome = "rolled_back"
        except SwarmError as exc:
            outcome, error = "rollback_not_converged", exc.msg
    return outcome, undo_note(outcome, name, plan.action, state, error)


SERVICE = ServiceResource()


def manage(engine, params, check_mode):
    """swarm_service: one service through the reconcile steps."""
    return run_one(SERVICE, engine, params, check_mode)

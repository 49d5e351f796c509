# Copyright: Beekeeper developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to this collection: swarm_secret and swarm_config - rotation of a versioned object as one operation.

The series of a logical name (_versioned) as a reconcile resource (_reconcile): describe the series and
the services; plan (pure) the next version, the services to repoint and the versions to prune; apply
creates the version and repoints the services (or updates labels, or detaches them for a removal);
the services are waited for (all at once), and only then are old versions pruned or the series
removed, so no running task loses the object it reads.
"""

from __future__ import annotations

import base64

from ansible_collections.beekeeper.swarm.plugins.module_utils import _api
from ansible_collections.beekeeper.swarm.plugins.module_utils._args import connection_argument_spec, wait_args
from ansible_collections.beekeeper.swarm.plugins.module_utils._converge import ServiceWatch, rollout_expected
from ansible_collections.beekeeper.swarm.plugins.module_utils._errors import InvalidInput, Refused
from ansible_collections.beekeeper.swarm.plugins.module_utils._reconcile import Plan, Resource, run_one
from ansible_collections.beekeeper.swarm.plugins.module_utils._versioned import (
    LABEL_HASH,
    LABEL_NAME,
    LABEL_VERSION,
    NAME_MAX,
    OWN_PREFIX,
    REFS,
    Series,
    _in_use_text,
    _predicted_view,
    detached_spec,
    in_use_ids,
    labels_of,
    name_of,
    object_view,
    plan_prune,
    repointed_spec,
    service_name,
    templating_of,
    user_labels,
    user_view,
    users,
    validate,
    version_name,
    version_of,
)


def argument_spec(kind):
    """swarm_secret's and swarm_config's options (the same, plus templating for configs)."""
    options = dict(
        name=dict(type="str", required=True),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        data=dict(type="str", no_log=True),
        data_is_b64=dict(type="bool", default=False),
        src=dict(type="path"),
        remote_src=dict(type="bool", default=False),
        labels=dict(type="dict"),
        rotate=dict(type="bool", default=True),
        keep=dict(type="int", default=1),
        **wait_args(),
        force=dict(type="bool", default=False),
    )
    if kind == "config":
        options["templating"] = dict(type="str", choices=["golang"])
    return connection_argument_spec(**options)


class VersionedResource(Resource):
    """A secret or a config: the series of one logical name."""

    def __init__(self, kind):
        self.kind = kind

    def describe(self, ctx, params):
        want = validate(self.kind, params)
        return dict(want=want, series=Series(self.kind, params["name"], ctx.resolver.listing(self.kind)),
                    services=ctx.resolver.listing("service"))

    def plan(self, ctx, params, current):
        kind = self.kind
        want, series, services = current["want"], current["series"], current["services"]
        if params["state"] == "absent":
            return self._plan_absent(params, series, services)
        logical = params["name"]
        current = series.current
        if current is None and want["hash"] is None:
            raise InvalidInput(
                "data or src is required to create %s '%s': set data to the content, or src to a file that holds it." % (kind, logical)
            )
        labels = want["labels"] if want["labels"] is not None else user_labels(labels_of(current))
        new_content = want["hash"] is not None and (
            current is None
            or labels_of(current).get(LABEL_HASH) != want["hash"]
            or LABEL_NAME not in labels_of(current)
            or templating_of(current) != want["templating"]
        )
        using = users(kind, services, series.ids())
        actions, repoint = [], []
        new = None
        if new_content:
            if current is not None and not params["rotate"] and using:
                raise Refused(
                    "Refusing to change the content of %s '%s': rotate is false and services use it (%s). Set rotate: true to "
                    "create %s and repoint them, or remove it from those services first."
                    % (kind, logical, _in_use_text(kind, using, series), version_name(logical, series.next_version()))
                )
            version = series.next_version()
            new = dict(
                Name=version_name(logical, version),
                Labels=dict(labels, **{LABEL_NAME: logical, LABEL_VERSION: str(version), LABEL_HASH: want["hash"]}),
            )
            if want["templating"]:
                new["Templating"] = {"Name": want["templating"]}
            if len(new["Name"]) > NAME_MAX:
                raise InvalidInput("name: the next version, '%s', would be longer than the engine's %d characters; use a shorter name."
                                   % (new["Name"], NAME_MAX))
            actions.append("create %s" % new["Name"])
            repoint = using if params["rotate"] else []
            actions.extend("repoint service %s" % service_name(s) for s in repoint)
        elif labels != user_labels(labels_of(current)):
            actions.append("update labels of %s" % name_of(current))
        # The references once the repointed services name the new version.
        in_use = in_use_ids(kind, [s for s in services if s not in repoint])
        prune = plan_prune(series, params["keep"], in_use, created=new is not None, replace=new is not None and not params["rotate"])
        actions.extend("prune %s" % name_of(o) for o in prune)

        before = user_view(kind, current)
        if new is not None:
            after = dict(version=version_of({"Spec": new}), labels=labels)
            if kind == "config":
                after["templating"] = want["templating"]
        else:
            after = dict(before, labels=labels)
        pruned = set(o["ID"] for o in prune)
        if current is not None:
            before["versions"] = [version_of(o) for o in series.members]
        after["versions"] = [version_of(o) for o in series.members if o["ID"] not in pruned] + ([version_of({"Spec": new})] if new else [])
        plan = Plan(kind, logical, actions[0].split(" ")[0] if actions else None, diff=dict(before=before, after=after), params=params,
                    want=want, series=series, services=services, current=current, new=new, labels=labels, repoint=repoint,
                    prune=prune, actions=actions, after=after)
        if new is not None:
            ctx.resolver.plan(kind, logical, {"ID": None, "Spec": new})
        return plan

    def _plan_absent(self, params, series, services):
        kind = self.kind
        members = series.members
        if not members:
            return Plan(kind, params["name"], None, params=params, actions=[], absent=True)
        using = users(kind, services, series.ids())
        if using and not params["force"]:
            raise Refused(
                "Refusing to remove %s '%s': services use it (%s). Remove it from those services first, or set force: true "
                "to detach it from them." % (kind, params["name"], _in_use_text(kind, using, series))
            )
        before = user_view(kind, series.current)
        before["versions"] = [version_of(o) for o in members]
        actions = ["detach service %s" % service_name(s) for s in using] + ["remove %s" % name_of(o) for o in members]
        return Plan(kind, params["name"], "remove", diff=dict(before=before, after={}), params=params, series=series, using=using,
                    actions=actions, absent=True)

    def apply(self, ctx, plan):
        kind, data = self.kind, plan.data
        if data.get("absent"):
            ids = data["series"].ids()
            watches = [_update_service(ctx.engine, kind, svc, lambda spec: detached_spec(kind, spec, ids)) for svc in data["using"]]
            data["done"] = data["actions"][:len(watches)]
            return watches
        new, series = data["new"], data["series"]
        if new is None:
            if data["labels"] != user_labels(labels_of(data["current"])):
                _update_labels(ctx.engine, kind, data["current"], data["labels"])
            return []
        body = dict(new, Data=base64.b64encode(data["want"]["data"]).decode("ascii"))
        new_id = _api.create_object(ctx.engine, kind, body)["ID"]
        data["done"] = ["create %s" % new["Name"]]
        watches = []
        for svc in data["repoint"]:
            watches.append(_update_service(ctx.engine, kind, svc, lambda spec: repointed_spec(kind, spec, series.ids(), new_id, new["Name"])))
            data["done"].append("repoint service %s" % service_name(svc))
        return watches

    def wait_error(self, plan, exc):
        """What a failed wait says: what was done so far, and that nothing was pruned or removed yet."""
        done = plan.data.get("done") or []
        return type(exc)("%s Done so far: %s; old versions were not pruned." % (exc.msg, ", ".join(done)), actions=done, **exc.details)

    def finish(self, ctx, plan, reports):
        """After the services converged: prune (or remove the whole series), reading the cluster again."""
        kind, data, params = self.kind, plan.data, plan.data["params"]
        if data.get("absent"):
            for obj in data["series"].members:
                _api.remove_object(ctx.engine, kind, obj)
            return
        # Prune what no service refers to now (the services are read again after they converged).
        ctx.resolver.forget(kind)
        ctx.resolver.forget("service")
        series = Series(kind, params["name"], ctx.resolver.listing(kind))
        services = ctx.resolver.listing("service")
        prune = plan_prune(series, params["keep"], in_use_ids(kind, services), created=False,
                           replace=data["new"] is not None and not params["rotate"])
        for obj in prune:
            _api.remove_object(ctx.engine, kind, obj)
        data["actions"][:] = [a for a in data["actions"] if not a.startswith("prune ")] + ["prune %s" % name_of(o) for o in prune]
        if prune:
            ctx.resolver.forget(kind)
            series = Series(kind, params["name"], ctx.resolver.listing(kind))
        data["after"]["versions"] = [version_of(o) for o in series.members]
        data["final"] = (series, services)

    def result(self, ctx, plan, reports):
        kind, data = self.kind, plan.data
        result = dict(changed=plan.changed, actions=data["actions"], diff=plan.diff)
        if data.get("absent"):
            return result
        if not plan.changed:
            result[kind] = object_view(kind, data["current"], data["series"].members, data["services"])
        elif ctx.check_mode:
            result[kind] = _predicted_view(kind, data["series"], data["current"], data["new"], data["labels"], data["prune"],
                                           data["repoint"], data["services"])
        else:
            series, services = data["final"]
            result[kind] = object_view(kind, series.current, series.members, services)
        return result


SECRET = VersionedResource("secret")
CONFIG = VersionedResource("config")


def _update_service(engine, kind, svc, change):
    """Update the service with ``change(spec)`` (read, mutate, write with its version): the watch for its wait."""
    before, _answer = _api.update_service(engine, svc["ID"], change)
    path = ("TaskTemplate", "ContainerSpec", REFS[kind][0])
    return ServiceWatch(svc["ID"], name=service_name(svc), since=before.get("UpdateStatus"),
                        rollout=rollout_expected(before["Spec"], before["Spec"], [path]))


def _update_labels(engine, kind, obj, labels):
    def change(spec):
        spec["Labels"] = dict(labels, **dict((k, v) for k, v in (spec.get("Labels") or {}).items() if k.startswith(OWN_PREFIX)))

    _api.update_object_labels(engine, kind, obj, change)


def validator(kind):
    """The module's checks that need no engine (run before it connects)."""
    return lambda params: validate(kind, params)


def manage(kind, engine, params, check_mode):
    """swarm_secret / swarm_config: one logical name through the reconcile steps."""
    return run_one(SECRET if kind == "secret" else CONFIG, engine, params, check_mode)

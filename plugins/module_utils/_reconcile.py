# Copyright: Beekeeper developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to this collection: one reconcile mechanism for one object or many.

Each resource kind (_service.SERVICE, _network.NETWORK, _versioned's SECRET and CONFIG) is a
:class:`Resource` with small steps:

  - ``describe(ctx, params)``: read what exists (through ``ctx.resolver``, which reads each list once);
  - ``plan(ctx, params, current)``: pure given what was read - validate, resolve references, compare,
    and return a :class:`Plan` (the action, the changes, the diff, the predicted object);
  - ``apply(ctx, plan)``: make the change; return what to wait for (service watches, removals);
  - ``result(ctx, plan, reports)``: the module's result for the object;
  - ``on_wait_failure(ctx, plan, exc)``: when the wait for an applied change failed, leave the object as
    its options say (a service created is removed again, one updated rolled back) and return the error.

:func:`run_one` is what a module does with one object. :func:`run_many` takes objects of several kinds,
plans them in dependency order (networks, then secrets and configs, then services) so a service may use
a network or secret the same run creates - in check mode too, since the resolver knows what was planned -
applies them in that order, then waits for all of them in one loop (:func:`_converge.wait_services`) and
returns per-object results and one merged diff (``services.web.image``...).
"""

from __future__ import annotations

from typing import Any

from ansible_collections.beekeeper.swarm.plugins.module_utils import _api
from ansible_collections.beekeeper.swarm.plugins.module_utils._changes import Changes
from ansible_collections.beekeeper.swarm.plugins.module_utils._converge import ServiceWatch, wait_removed, wait_services
from ansible_collections.beekeeper.swarm.plugins.module_utils._errors import SwarmError

ORDER = ("network", "secret", "config", "service")


class Plan:
    """What one object needs, decided from what is and what is wanted; ``action`` None means nothing."""

    def __init__(self, kind: str, name: str, action: str | None = None, changes: Changes | None = None,
                 diff: dict | None = None, **data: Any) -> None:
        self.kind = kind
        self.name = name
        self.action = action
        self.changes = changes if changes is not None else Changes()
        self.diff = diff if diff is not None else dict(before={}, after={})
        self.data = data

    @property
    def changed(self) -> bool:
        return self.action is not None

    def __repr__(self) -> str:
        return "Plan(%s %r: %s)" % (self.kind, self.name, self.action)


class Resolver:
    """Names to objects for one run: each list is read at most once, and objects planned earlier in the
    run (created in check mode, or not yet) are known by name."""

    def __init__(self, engine) -> None:
        self.engine = engine
        self._lists: dict[str, list] = {}
        self.planned: dict[tuple[str, str], dict] = {}

    def listing(self, kind: str) -> list[dict]:
        if kind not in self._lists:
            if kind == "network":
                self._lists[kind] = _api.list_networks(self.engine, scope="swarm")
            elif kind == "service":
                self._lists[kind] = _api.list_services(self.engine)
            else:
                self._lists[kind] = _api.list_objects(self.engine, kind)
        return self._lists[kind]

    def forget(self, kind: str) -> None:
        """Read the list again next time (after this run changed it)."""
        self._lists.pop(kind, None)

    def plan(self, kind: str, name: str, obj: dict) -> None:
        """Make an object this run creates known by name (its predicted engine-shaped form)."""
        self.planned[(kind, name)] = obj

    def planned_object(self, kind: str, name: str) -> dict | None:
        return self.planned.get((kind, name))


class Context:
    """What the steps of one run share: the engine, check mode, the resolver and the warnings."""

    def __init__(self, engine, check_mode: bool, resolver: Resolver | None = None) -> None:
        self.engine = engine
        self.check_mode = check_mode
        self.resolver = resolver or Resolver(engine)
        self.warnings: list[str] = []


class Resource:
    """The steps of one kind; subclasses implement them."""

    kind = ""

    def describe(self, ctx: Context, params: dict) -> Any:
        raise NotImplementedError

    def plan(self, ctx: Context, params: dict, current: Any) -> Plan:
        raise NotImplementedError

    def apply(self, ctx: Context, plan: Plan) -> list:
        """Make the change; return the waits it needs (ServiceWatch, or Removal)."""
        raise NotImplementedError

    def finish(self, ctx: Context, plan: Plan, reports: dict) -> None:
        """What comes after the waits (pruning old versions once no task uses them); nothing by default."""

    def wait_error(self, plan: Plan, exc: Exception) -> Exception:
        """The error a failed wait raises for this object (it may say what was done so far)."""
        return exc

    def on_wait_failure(self, ctx: Context, plan: Plan, exc: SwarmError) -> SwarmError:
        """After a failed wait: leave the object as its options say (undo the change, or keep it) and
        return the error to raise, which says what was done. By default only :meth:`wait_error`."""
        return self.wait_error(plan, exc)  # type: ignore[return-value]

    def result(self, ctx: Context, plan: Plan, reports: dict) -> dict:
        raise NotImplementedError

    def wants_wait(self, params: dict) -> bool:
        return bool(params.get("wait", True))


class Removal:
    """Services removed by a plan, waited for until none of their tasks is left."""

    def __init__(self, services: dict[str, str]) -> None:
        self.services = services


def wait_for(ctx: Context, waits: list, timeout: float) -> dict:
    """Wait for everything the applied plans need, services together in one loop; {name: report}."""
    watches = [w for w in waits if isinstance(w, ServiceWatch)]
    reports = wait_services(ctx.engine, watches, timeout) if watches else {}
    removed: dict[str, str] = {}
    for wait in waits:
        if isinstance(wait, Removal):
            removed.update(wait.services)
    if removed:
        wait_removed(ctx.engine, removed, timeout)
    return reports


def run_one(resource: Resource, engine, params: dict, check_mode: bool) -> dict:
    """One object, as a module does it: describe, plan, apply unless check mode, wait, result."""
    ctx = Context(engine, check_mode)
    current = resource.describe(ctx, params)
    plan = resource.plan(ctx, params, current)
    reports: dict = {}
    if not check_mode:
        waits = resource.apply(ctx, plan) if plan.changed else plan.data.get("settle", [])
        if waits and resource.wants_wait(params):
            try:
                reports = wait_for(ctx, waits, params.get("wait_timeout") or 300)
            except SwarmError as exc:
                raise resource.on_wait_failure(ctx, plan, exc) from exc
        if plan.changed:
            resource.finish(ctx, plan, reports)
    result = resource.result(ctx, plan, reports)
    result.setdefault("changed", plan.changed)
    result.setdefault("diff", plan.diff)
    result["warnings"] = ctx.warnings + list(result.get("warnings") or [])
    return result


def run_many(resources: dict[str, Resource], engine, items: list[tuple[str, dict]], check_mode: bool,
             wait: bool = True, wait_timeout: float = 300) -> dict:
    """Objects of several kinds in one run: plan all (dependency order), apply all, wait for all at once.

    ``items``: [(kind, params)] with each kind's module parameters. Returns {changed, results: {"kind/name":
    result}, diff (merged: networks.NAME.option, services.NAME.option...), warnings}."""
    ctx = Context(engine, check_mode)
    ordered = sorted(items, key=lambda item: ORDER.index(item[0]))
    plans: list[tuple[Resource, dict, Plan]] = []
    for kind, params in ordered:
        resource = resources[kind]
        plans.append((resource, params, resource.plan(ctx, params, resource.describe(ctx, params))))
    waits: list = []
    if not check_mode:
        for resource, _params, plan in plans:
            if plan.changed:
                waits.extend(resource.apply(ctx, plan) or [])
                ctx.resolver.forget(plan.kind)
            else:
                waits.extend(plan.data.get("settle", []))
    reports: dict = {}
    if waits and wait:
        try:
            reports = wait_for(ctx, waits, wait_timeout)
        except SwarmError as exc:
            # Each object undoes (or keeps) its own change, the last applied first, and adds what it did.
            error = exc
            for resource, _params, plan in reversed(plans):
                if plan.changed:
                    error = resource.on_wait_failure(ctx, plan, error)
            raise error from exc
    if not check_mode:
        for resource, _params, plan in plans:
            if plan.changed:
                resource.finish(ctx, plan, reports)
    merged = Changes()
    diff_before: dict = {}
    diff_after: dict = {}
    results = {}
    for resource, _params, plan in plans:
        key = "%s/%s" % (plan.kind, plan.name)
        results[key] = resource.result(ctx, plan, reports)
        results[key].setdefault("changed", plan.changed)
        merged.merge(plan.changes, prefix="%ss.%s" % (plan.kind, plan.name))
        if plan.changed:
            diff_before.setdefault(plan.kind + "s", {})[plan.name] = plan.diff.get("before")
            diff_after.setdefault(plan.kind + "s", {})[plan.name] = plan.diff.get("after")
    return dict(changed=any(p.changed for _r, _p, p in plans), results=results, changes=merged.options(),
                diff=dict(before=diff_before, after=diff_after), warnings=ctx.warnings)

# Copyright: Beekeeper developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to this collection: option tables, and the one engine that reads them.

A module describes the options that map onto an Engine API object (a SwarmSpec, a ServiceSpec, a
network) once, as a table of :class:`Field`. A field knows its option (dotted for sub-options:
``update_config.delay``), where it lives in the API object, its conversion kind (_kinds), the engine's
own default (so an option left out means the engine default), the first Engine API that has it, its
Ansible type and choices, and how it compares. Everything generic lives here and nowhere else:

  - :func:`argument_spec` builds the module's argument spec from the table (docs/engine-api.md is
    checked against the same table by ``make lint``);
  - :func:`gate` fails only for an option that is used and newer than the engine;
  - :func:`build` / :func:`apply` write API values at their paths;
  - :func:`canonical` reads an API object into comparable values, defaults filled in;
  - :func:`compare` lists what differs as :class:`_changes.Change` entries in the user's units;
  - :func:`view` renders comparable values in the user's units, nested like the options.

Attributes carry what used to be special cases by option name: ``counter`` (ForceUpdate: stepped, never
compared), ``mode`` (a field that exists only in one service mode), ``same`` (a comparison of its own,
e.g. an image tag matching the same tag pinned to a digest), ``unmanaged_by`` (an option that leaves the
field to someone else, e.g. keep_replicas), ``init_only`` (set when the object is created only),
``project`` (the part of the current value the declared one speaks about).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from typing import Any

from ansible_collections.beekeeper.swarm.plugins.module_utils._changes import Changes
from ansible_collections.beekeeper.swarm.plugins.module_utils._kinds import KINDS, get_path, set_path

NOT_SET = object()


class Field:
    """One option of a table: where it lives in the API object, how it converts and compares, its argspec."""

    __slots__ = ("option", "path", "kind", "default", "min_api", "init_only", "counter", "mode", "same", "unmanaged_by",
                 "project", "arg_default", "spec")

    def __init__(self, option: str, path: Iterable[str], kind: str = "value", default: Any = None, min_api: str | None = None,
                 *, init_only: bool = False, counter: bool = False, mode: str | None = None,
                 same: Callable[[Any, Any], bool] | None = None, unmanaged_by: str | None = None,
                 project: Callable[[Any, Any], Any] | None = None, arg_default: Any = NOT_SET, **spec: Any) -> None:
        if kind not in KINDS:
            raise ValueError("field %s: unknown kind %r" % (option, kind))
        self.option = option
        self.path = tuple(path)
        self.kind = kind
        self.default = default
        self.min_api = min_api
        self.init_only = init_only
        self.counter = counter
        self.mode = mode
        self.same = same
        self.unmanaged_by = unmanaged_by
        self.project = project
        # The default of the module option, where it is not "left out" (None): mode: replicated...
        self.arg_default = arg_default
        # The argument spec of the option: type, elements, choices, options (of list elements), default...
        self.spec = spec

    def __repr__(self) -> str:
        return "Field(%r)" % self.option


def by_option(table: Iterable[Field]) -> dict[str, Field]:
    return dict((f.option, f) for f in table)


# -- parameters ---------------------------------------------------------------------------------------


def param(params: dict, option: str) -> Any:
    """The value of a dotted option ('update_config.delay') in the module's parameters, or None."""
    return get_path(params, option.split("."))


def used(params: dict, table: Iterable[Field]) -> list[Field]:
    return [f for f in table if param(params, f.option) is not None]


def gate(engine, params: dict, table: Iterable[Field]) -> None:
    """Fail only when an option that needs a newer Engine API is actually used."""
    for field in used(params, table):
        if field.min_api:
            engine.require(field.option, field.min_api)


def argument_spec(table: Iterable[Field], defaults: bool = False) -> dict[str, dict]:
    """The Ansible argument spec of the table's options, nested for dotted options.

    ``defaults``: give each option its engine default as the argument default (the module shows the
    default in its docs, and a value always reaches it); without, an option left out is None and the
    table fills the default where it compares."""
    spec: dict[str, dict] = {}
    for field in table:
        kind = KINDS[field.kind]
        entry = dict(type=kind.type)
        if kind.elements:
            entry["elements"] = kind.elements
        if field.arg_default is not NOT_SET:
            entry["default"] = copy.deepcopy(field.arg_default)
        elif defaults and field.default is not None:
            entry["default"] = copy.deepcopy(field.default)
        entry.update(copy.deepcopy(field.spec))
        holder = spec
        parts = field.option.split(".")
        for part in parts[:-1]:
            holder = holder.setdefault(part, dict(type="dict", options={}))["options"]
        holder[parts[-1]] = entry
    return spec


# -- user value -> API value -> comparable value -------------------------------------------------------


def to_api(field: Field, value: Any) -> Any:
    return None if value is None else KINDS[field.kind].to_api(value, field.option)


def default_api(field: Field) -> Any:
    return to_api(field, field.default)


def canon(field: Field, api_value: Any) -> Any:
    """An API value made comparable; the engine's default where the engine leaves the field out."""
    if api_value is None:
        api_value = default_api(field)
    return KINDS[field.kind].canon(api_value)


def to_user(field: Field, value: Any) -> Any:
    return None if value is None else KINDS[field.kind].to_user(value)


def build(params: dict, table: Iterable[Field], base: dict | None = None, defaults: bool = False, init: bool = True) -> dict:
    """A copy of ``base`` (or a new object) with every declared option's API value at its path.

    ``defaults``: write the engine default for options left out too. Init-only fields are written only
    when ``init`` (the object is being created)."""
    obj = copy.deepcopy(base) if base else {}
    for field in table:
        if field.counter or (field.init_only and not init):
            continue
        value = param(params, field.option)
        if value is None and defaults:
            value = field.default
        if value is not None:
            set_path(obj, field.path, to_api(field, value))
    return obj


def apply(obj: dict | None, wanted: dict[str, Any], table: Iterable[Field], init: bool = False) -> dict:
    """A copy of ``obj`` with every wanted API value (``{option: value}``) set at its path."""
    result = copy.deepcopy(obj) if obj else {}
    for field in table:
        value = wanted.get(field.option)
        if value is not None and (init or not field.init_only):
            set_path(result, field.path, value)
    return result


def desired(params: dict, table: Iterable[Field]) -> dict[str, Any]:
    """{option: API value} for every option of the table: as given, or the engine default."""
    out = {}
    for field in table:
        value = param(params, field.option)
        out[field.option] = to_api(field, field.default if value is None else value)
    return out


def canonical(obj: dict | None, table: Iterable[Field]) -> dict[str, Any]:
    """{option: comparable value} of an API object, the engine's defaults filled in."""
    return dict((f.option, canon(f, get_path(obj or {}, f.path))) for f in table)


def compare(wanted: dict[str, Any], current: dict[str, Any], table: Iterable[Field], params: dict | None = None,
            init_only: bool | None = False, declared_only: bool = False) -> Changes:
    """What differs between two sets of comparable values, in the user's units.

    Skipped: counters, fields another option leaves unmanaged (``unmanaged_by``), fields of the other
    kind of ``init_only`` (None: both kinds), and with ``declared_only`` fields whose wanted value is
    None (not declared, so not managed)."""
    changes = Changes()
    for field in table:
        if field.counter or (init_only is not None and field.init_only != init_only):
            continue
        if field.unmanaged_by and (params or {}).get(field.unmanaged_by):
            continue
        after = wanted.get(field.option)
        if after is None and declared_only:
            continue
        before = current.get(field.option)
        if field.project is not None:
            before = field.project(before, after)
        same = field.same(before, after) if field.same is not None else before == after
        if not same:
            changes.add(field.option, to_user(field, before), to_user(field, after), path=field.path)
    return changes


def view(values: dict[str, Any], table: Iterable[Field], mode: str | None = None,
         readable: Callable[[Field, Any], Any] | None = None) -> dict:
    """Comparable values in the user's units, nested like the options (update_config: {delay: ...}).

    ``mode``: leave out fields that belong to another service mode. ``readable`` renders fields whose
    user form needs more than the value (network IDs as names)."""
    out: dict = {}
    for field in table:
        if field.mode and field.mode != mode:
            continue
        if field.option not in values:
            continue
        value = values[field.option]
        shown = readable(field, value) if readable is not None else NOT_SET
        set_path(out, field.option.split("."), to_user(field, value) if shown is NOT_SET else shown)
    return out

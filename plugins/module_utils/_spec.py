# Copyright: Beekeeper developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to this collection: declarative option tables, normalise, compare and diff.

A module describes its options once, as a table of Field(option, path, kind, default, min_api):
``path`` is where the value lives in the Engine API object (a SwarmSpec, a NodeSpec...),
``kind`` how it is converted and compared, ``default`` the engine's own default (so an
unspecified option means the engine default), ``min_api`` the first Engine API that has it.
Everything else (gates, building the spec, comparing, the diff) is generic.
"""

from __future__ import annotations

import copy
import re

from ansible_collections.beekeeper.swarm.plugins.module_utils._errors import InvalidInput

NS = {"ns": 1, "us": 10**3, "µs": 10**3, "ms": 10**6, "s": 10**9, "m": 60 * 10**9, "h": 3600 * 10**9, "d": 86400 * 10**9}
_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h|d)")


class Field:
    __slots__ = ("option", "path", "kind", "default", "min_api", "init_only")

    def __init__(self, option, path, kind="value", default=None, min_api=None, init_only=False):
        self.option = option
        self.path = tuple(path)
        self.kind = kind
        self.default = default
        self.min_api = min_api
        self.init_only = init_only


def parse_duration(value, option):
    """'1m30s' / '100ms' / 90 (seconds) -> nanoseconds. Raise InvalidInput naming the option."""
    if isinstance(value, bool):
        raise InvalidInput("%s: %r is not a duration; use a number with a unit, e.g. 5s, 1m30s, 100ms, 2160h." % (option, value))
    if isinstance(value, (int, float)):
        if value < 0:
            raise InvalidInput("%s: %s is negative; durations are 0 or more, e.g. 5s." % (option, value))
        return int(value * 10**9)
    text = str(value).strip()
    if text.startswith("-"):
        raise InvalidInput("%s: '%s' is negative; durations are 0 or more, e.g. 5s." % (option, text))
    if re.match(r"^\d+(\.\d+)?$", text):
        return parse_duration(float(text), option)
    pos, total = 0, 0
    for match in _DURATION_PART.finditer(text):
        if match.start() != pos:
            break
        total += int(float(match.group(1)) * NS[match.group(2)])
        pos = match.end()
    if not text or pos != len(text):
        raise InvalidInput(
            "%s: '%s' is not a duration; use a number with a unit (ns, us, ms, s, m, h, d), "
            "e.g. 5s, 1m30s, 100ms, 2160h." % (option, text)
        )
    return total


def format_duration(ns):
    """Nanoseconds -> the shortest readable form: 5000000000 -> '5s', 90*10**9 -> '1m30s'."""
    if ns is None:
        return None
    ns = int(ns)
    if ns == 0:
        return "0s"
    out = []
    for unit in ("h", "m", "s", "ms", "us", "ns"):
        size = NS[unit]
        if ns >= size:
            out.append("%d%s" % (ns // size, unit))
            ns %= size
    return "".join(out)


def get_path(obj, path):
    for key in path:
        if not isinstance(obj, dict) or key not in obj:
            return None
        obj = obj[key]
    return obj


def set_path(obj, path, value):
    for key in path[:-1]:
        obj = obj.setdefault(key, {})
    obj[path[-1]] = value


def to_api(field, value):
    """A user's value -> the Engine API's value for this field."""
    if value is None:
        return None
    if field.kind == "duration":
        return parse_duration(value, field.option)
    if field.kind == "dict":
        # A label or option given as `key: ~` has the empty value, as the docker CLI's `--label key` does.
        return dict((str(k), "" if v is None else str(v)) for k, v in (value or {}).items())
    if field.kind == "bool":
        return bool(value)
    if field.kind == "int":
        return int(value)
    return value


def to_user(field, value):
    """An Engine API value -> what the user wrote (for diffs and results)."""
    if field.kind == "duration":
        return format_duration(value)
    if field.kind == "dict":
        return dict(value or {})
    return value


def current_value(field, obj):
    """The value at the field's path, with the engine default where the engine omits it."""
    value = get_path(obj, field.path)
    if value is None and field.default is not None:
        value = to_api(field, field.default)
    if field.kind == "dict" and value is None:
        value = {}
    return value


def desired(params, table):
    """{option: API value} for every option of the table: given, or the engine default."""
    result = {}
    for field in table:
        value = params.get(field.option)
        if value is None:
            value = field.default
        result[field.option] = to_api(field, value)
    return result


def gate(engine, params, table):
    """Fail only when an option that needs a newer Engine API is actually used."""
    for field in table:
        if field.min_api and params.get(field.option) is not None:
            engine.require(field.option, field.min_api)


def compare(wanted, obj, table, init_only=False):
    """Options whose wanted value differs from the object's: [(option, before, after)] in API units."""
    changes = []
    for field in table:
        if field.init_only != init_only or field.option not in wanted:
            continue
        after = wanted[field.option]
        if after is None:
            continue
        before = current_value(field, obj)
        if before != after:
            changes.append((field.option, before, after))
    return changes


def apply(obj, wanted, table, init=False):
    """A copy of ``obj`` (the current spec) with every wanted value set at its path.

    Init-only fields are set only when ``init`` (the object is being created).
    """
    result = copy.deepcopy(obj) if obj else {}
    for field in table:
        value = wanted.get(field.option)
        if value is not None and (init or not field.init_only):
            set_path(result, field.path, value)
    return result


def view(obj, table):
    """The user-facing view of an API object: {option: value} for every field of the table."""
    return dict((f.option, to_user(f, current_value(f, obj))) for f in table)


def user_changes(changes, table):
    """[(option, before, after)] in API units -> {option: {'before': x, 'after': y}} in user units."""
    by_option = dict((f.option, f) for f in table)
    return dict(
        (option, {"before": to_user(by_option[option], before), "after": to_user(by_option[option], after)})
        for option, before, after in changes
    )

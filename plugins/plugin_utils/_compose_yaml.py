# Copyright: Beekeeper developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to this collection: Compose YAML read the way docker/cli reads it (go.yaml.in/yaml/v3), on PyYAML.

PyYAML resolves plain scalars by YAML 1.1 (``yes`` -> True, ``22:22`` -> 1342, ``0o400`` -> "0o400"); the CLI
uses yaml.v3, whose resolver (``resolve.go``) this module ports:

- ``true``/``True``/``TRUE`` and the three spellings of false are booleans; ``yes``, ``on``, ``y`` stay strings;
- ``""``, ``~``, ``null``/``Null``/``NULL`` are null;
- integers as Go's ``strconv.ParseInt(s, 0, 64)`` reads them once ``_`` are removed: decimal, ``0x1F``,
  ``0o17``, ``0b101`` and - yaml.v3 keeps YAML 1.1 octals "for compatibility" - ``0777`` = 511; a leading-zero
  value that is no octal (``0999``) falls through to the float 999.0, as in yaml.v3;
- floats ``1.5``, ``1e3``, ``.5``, ``.inf``/``-.Inf``, ``.nan``; ``22:22`` (base 60 in YAML 1.1) is a string;
- unquoted timestamps (``2001-12-14``) stay strings, as written. They come back as ``GoTime`` (a ``str``) whose
  ``go`` is how Go prints a ``time.Time``: docker/cli 27+ decodes with yaml.v3, which hands it a ``time.Time``, so
  an environment value reads ``2001-12-14 00:00:00 +0000 UTC`` there (STACKS.md 1.7, CLI 28.2.2), while CLI 20.10
  and 26.1 (yaml.v2, recorded on the lab in tests/unit/fixtures/stacks) keep ``2001-12-14``. ``go_string``
  keeps the text, as the lab's CLIs do;
- anchors, aliases and ``<<`` merge keys as YAML specifies; duplicate keys refused as yaml.v3 refuses them;
- unknown local tags (``!foo``) ignored as yaml.v3 does; ``!reset`` / ``!override`` (Compose Specification)
  come back as ``Reset`` / ``Override`` markers when ``tags=True`` and are refused otherwise.

``go_string`` is Go's ``fmt.Sprint`` for the values this loader returns. Errors are ``InvalidInput`` naming the
file and line.
"""

from __future__ import annotations

import calendar
import math
import re
from decimal import Decimal

import yaml

from ansible_collections.beekeeper.swarm.plugins.module_utils._errors import InvalidInput

STR = "tag:yaml.org,2002:str"
INT = "tag:yaml.org,2002:int"
FLOAT = "tag:yaml.org,2002:float"
BOOL = "tag:yaml.org,2002:bool"
NULL = "tag:yaml.org,2002:null"
TIMESTAMP = "tag:yaml.org,2002:timestamp"
MERGE = "tag:yaml.org,2002:merge"

# resolve.go's resolveMap: these exact spellings only.
_WORDS = {
    **dict.fromkeys(("true", "True", "TRUE"), (BOOL, True)),
    **dict.fromkeys(("false", "False", "FALSE"), (BOOL, False)),
    **dict.fromkeys(("", "~", "null", "Null", "NULL"), (NULL, None)),
    **dict.fromkeys((".nan", ".NaN", ".NAN"), (FLOAT, math.nan)),
    **dict.fromkeys((".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"), (FLOAT, math.inf)),
    **dict.fromkeys(("-.inf", "-.Inf", "-.INF"), (FLOAT, -math.inf)),
    "<<": (MERGE, "<<"),
}
_YAML_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?\Z")
_DOT_FLOAT = re.compile(r"\.[0-9]+([eE][-+]?[0-9]+)?\Z")
_GO_INT = re.compile(r"([-+]?)(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)\Z")

# yaml.v3's allowedTimestampFormats, as regular expressions (Go's "1" and "15" take one or two digits).
_DATE = r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})"
_CLOCK = r"([0-9]{1,2}):([0-9]{1,2}):([0-9]{1,2})(?:\.([0-9]+))?"
_TIMESTAMPS = (
    re.compile(_DATE + r"[Tt]" + _CLOCK + r"(Z|[-+][0-9]{2}:[0-9]{2})\Z"),
    re.compile(_DATE + r" " + _CLOCK + r"()\Z"),
    re.compile(_DATE + r"()()()()()\Z"),
)


class GoTime(str):
    """An unquoted YAML timestamp: the text as written, plus ``go``, how Go's ``time.Time.String()`` prints it."""

    go: str

    def __new__(cls, text, go):
        obj = super().__new__(cls, text)
        obj.go = go
        return obj

    def __reduce__(self):
        return GoTime, (str(self), self.go)


class Reset:
    """``!reset``: the value is removed from what earlier files defined (Compose Specification merge)."""

    def __init__(self, line):
        self.line = line

    def __repr__(self):
        return "Reset()"


class Override:
    """``!override VALUE``: VALUE replaces what earlier files defined instead of being merged into it."""

    def __init__(self, value, line):
        self.value = value
        self.line = line

    def __repr__(self):
        return "Override(%r)" % (self.value,)


def go_time(text):
    """Go's ``time.Time.String()`` of a plain scalar yaml.v3 reads as a timestamp, or None when it is none."""
    if len(text) < 5 or not text[:4].isdigit() or text[4] != "-":
        return None
    m = next((m for m in (p.match(text) for p in _TIMESTAMPS) if m), None)
    if m is None:
        return None
    year, month, day = (int(x) for x in m.group(1, 2, 3))
    hour, minute, second = (int(x or 0) for x in m.group(4, 5, 6))
    frac, zone = (m.group(7) or "")[:9].rstrip("0"), m.group(8)
    if not (1 <= month <= 12 and 1 <= day <= calendar.monthrange(year, month)[1] and hour < 24 and minute < 60 and second < 60):
        return None
    clock = "%04d-%02d-%02d %02d:%02d:%02d%s" % (year, month, day, hour, minute, second, "." + frac if frac else "")
    if not zone or zone == "Z" or zone[1:] == "00:00":
        return clock + " +0000 UTC"
    # A fixed offset that is not the controller's own zone: Go names the zone it makes up by the offset.
    offset = zone[0] + zone[1:3] + zone[4:6]
    return "%s %s %s" % (clock, offset, offset)


def _go_int(text):
    """``strconv.ParseInt(s, 0, 64)``, then ``ParseUint(s, 0, 64)``: the int, or None."""
    m = _GO_INT.match(text)
    if not m:
        return None
    sign, digits = m.groups()
    prefix = digits[:2].lower()
    if prefix in ("0x", "0o", "0b"):
        value = int(digits[2:], {"0x": 16, "0o": 8, "0b": 2}[prefix])
    elif len(digits) > 1:
        value = int(digits, 8 if digits[0] == "0" else 10)
    else:
        value = int(digits)
    value = -value if sign == "-" else value
    if -(2 ** 63) <= value < 2 ** 63 or (not sign and value < 2 ** 64):
        return value
    return None


def _go_float(text):
    """``strconv.ParseFloat(s, 64)``: None when out of range (an error in Go)."""
    value = float(text)
    return None if math.isinf(value) else value


def resolve_plain(text):
    """yaml.v3's ``resolve("", text)`` of a plain scalar: ``(tag, value)``."""
    if text in _WORDS:
        return _WORDS[text]
    hint = text[:1]
    if hint == ".":
        if _DOT_FLOAT.match(text) and _go_float(text) is not None:
            return FLOAT, _go_float(text)
    elif hint in "+-0123456789":
        go = go_time(text)
        if go is not None:
            return TIMESTAMP, GoTime(text, go)
        plain = text.replace("_", "")
        value = _go_int(plain)
        if value is not None:
            return INT, value
        if _YAML_FLOAT.match(plain) and _go_float(plain) is not None:
            return FLOAT, _go_float(plain)
    return STR, text


def _short(tag):
    return tag.replace("tag:yaml.org,2002:", "!!")


class _Loader(yaml.SafeLoader):
    """SafeLoader with yaml.v3's scalar resolution, its duplicate-key check and its handling of tags."""

    compose_tags = False

    def resolve(self, kind, value, implicit):
        if kind is yaml.ScalarNode and implicit[0]:
            return resolve_plain(value)[0]
        return super().resolve(kind, value, implicit)

    def compose_mapping_node(self, anchor):
        node = super().compose_mapping_node(anchor)
        seen = {}
        for key, _value in node.value:
            if isinstance(key, yaml.ScalarNode):
                if key.value in seen:
                    raise yaml.MarkedYAMLError(problem='mapping key "%s" already defined at line %d; remove one of them'
                                               % (key.value, seen[key.value]), problem_mark=key.start_mark)
                seen[key.value] = key.start_mark.line + 1
        return node

    def construct_scalar_value(self, node):
        if node.tag == STR:
            return node.value
        tag, value = resolve_plain(node.value)
        if tag != node.tag:
            raise yaml.constructor.ConstructorError(None, None, "cannot decode %s `%s` as a %s" % (_short(tag), node.value, _short(node.tag)),
                                                    node.start_mark)
        return value

    def construct_undefined(self, node):
        tag = node.tag or ""
        if tag in ("!reset", "!override"):
            if not self.compose_tags:
                raise yaml.constructor.ConstructorError(
                    None, None, "the %s tag is a Compose Specification feature that docker stack deploy does not support; remove it, "
                    "or use rules: spec" % tag, node.start_mark)
            if tag == "!reset":
                return Reset(node.start_mark.line + 1)
            return Override(self._untagged(node), node.start_mark.line + 1)
        if tag.startswith("tag:yaml.org,2002:"):
            return super().construct_undefined(node)
        # yaml.v3 decodes a node with a local tag it does not know as if it had none (a scalar as a string).
        return node.value if isinstance(node, yaml.ScalarNode) else self._untagged(node)

    def _untagged(self, node):
        if isinstance(node, yaml.ScalarNode):
            return resolve_plain(node.value)[1] if node.style is None else node.value
        if isinstance(node, yaml.SequenceNode):
            return [self.construct_object(child, deep=True) for child in node.value]
        return self.construct_mapping(yaml.MappingNode("tag:yaml.org,2002:map", node.value, node.start_mark, node.end_mark), deep=True)

    def construct_mapping(self, node, deep=False):
        self.flatten_mapping(node)
        mapping = {}
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            if isinstance(key, (list, dict, Reset, Override)):
                raise yaml.constructor.ConstructorError(None, None, "a mapping key must be a scalar", key_node.start_mark)
            mapping[go_string(key)] = self.construct_object(value_node, deep=deep)
        return mapping

    def construct_map(self, node):
        data = {}
        yield data
        data.update(self.construct_mapping(node))

    def construct_binary(self, node):
        return self.construct_yaml_binary(node).decode("utf-8", "replace")


for _tag in (INT, FLOAT, BOOL, NULL, TIMESTAMP, STR):
    _Loader.add_constructor(_tag, _Loader.construct_scalar_value)
_Loader.add_constructor("tag:yaml.org,2002:map", _Loader.construct_map)
_Loader.add_constructor("tag:yaml.org,2002:binary", _Loader.construct_binary)
_Loader.add_constructor(None, _Loader.construct_undefined)


class _TagLoader(_Loader):
    compose_tags = True


def load(text, source, tags=False):
    """The first YAML document of ``text`` (str or bytes) as Python data: dicts with string keys, lists, scalars.

    The top level must be a mapping, as the CLI requires. ``tags=True`` returns ``!reset`` / ``!override`` as
    ``Reset`` / ``Override`` markers (Compose Specification rules); without it they are refused."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InvalidInput("%s: the file is not UTF-8 text (byte %d); save it as UTF-8." % (source, exc.start)) from None
    loader = (_TagLoader if tags else _Loader)(text)
    try:
        node = loader.get_node() if loader.check_node() else None
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = " line %d column %d" % (mark.line + 1, mark.column + 1) if mark else ""
        raise InvalidInput("%s%s: %s" % (source, where, " ".join(x for x in (exc.context, exc.problem) if x))) from None
    except yaml.YAMLError as exc:
        raise InvalidInput("%s: %s" % (source, exc)) from None
    finally:
        loader.dispose()
    if not isinstance(data, dict):
        what = "empty" if data is None else "a %s" % {list: "list", str: "string"}.get(type(data), "scalar")
        raise InvalidInput("%s: the top level is %s; top-level object must be a mapping: a Compose file starts with keys such as "
                           "services:." % (source, what))
    return data


def go_string(value):
    """Go's ``fmt.Sprint`` of a value this loader returns (the CLI's ``toString``, with nil as "")."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):  # a GoTime too: the text as written (value.go is CLI 27+'s rendering)
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _format_float(value)
    if isinstance(value, list):
        return "[%s]" % " ".join("<nil>" if v is None else go_string(v) for v in value)
    if isinstance(value, dict):
        return "map[%s]" % " ".join("%s:%s" % (k, "<nil>" if value[k] is None else go_string(value[k])) for k in sorted(value))
    return str(value)


def _format_float(value):
    """``strconv.FormatFloat(f, 'g', -1, 64)``, what ``%v`` prints: the shortest digits that read back, in exponent form
    below 1e-4 and from 1e6 on (``1e+06``: Go's %v is not JSON's 1e21 rule)."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if value == 0:
        return "-0" if math.copysign(1, value) < 0 else "0"
    sign, digits, exponent = Decimal(repr(value)).as_tuple()
    digits = "".join(map(str, digits))
    exponent += len(digits) - len(digits.rstrip("0"))
    digits = digits.rstrip("0")
    point = len(digits) + exponent  # the decimal point's position, counted from the left of the digits
    neg = "-" if sign else ""
    exp10 = point - 1
    if exp10 < -4 or exp10 >= 6:
        mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        return "%s%se%s%02d" % (neg, mantissa, "-" if exp10 < 0 else "+", abs(exp10))
    if point <= 0:
        return "%s0.%s%s" % (neg, "0" * -point, digits)
    if point >= len(digits):
        return neg + digits + "0" * (point - len(digits))
    return "%s%s.%s" % (neg, digits[:point], digits[point:])

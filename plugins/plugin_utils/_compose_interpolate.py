# Copyright: Beekeeper developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to this collection: ``${VAR}`` interpolation of Compose values, and the type casts that follow it.

``rules="cli"`` is docker/cli's grammar (``cli/compose/template``), ported with its quirks:

- one regular expression finds ``$$``, ``$NAME[op...]``, ``${NAME[op...]}`` and a lone ``$`` (an error); names
  are ``[_a-z][_a-z0-9]*``, any case;
- ``op`` is ``:-``, ``-``, ``:?`` or ``?`` and its text runs to the first ``}`` - also unbraced, so ``$A-b``
  is "A, or b when A is unset"; ``${A:-${B}}`` stops at the first ``}`` (no nesting); ``:+`` / ``+`` are
  "invalid interpolation format";
- the operators are tried in the CLI's order (``:-``, ``-``, ``:?``, ``?``), each when its text occurs anywhere
  in the expression, so ``${A:?must-be-set}`` is the default ``be-set`` of a variable named ``A:?must``;
- an error in one ``${...}`` is forgotten when a later one in the same value succeeds (the CLI overwrites its
  error variable); the value then interpolates as the CLI does and a warning says so.

``rules="spec"`` is the Compose Specification's: adds ``${A:+alt}`` / ``${A+alt}``, nested expressions in
defaults, alternatives and messages, unbraced ``$A`` without operators, first error wins.

Both substitute values only, never keys, and leave non-strings alone. After substitution, a string that
changed is cast at the CLI's paths (``interpolate.go``): ints, floats, YAML 1.1 booleans.
"""

from __future__ import annotations

import re

from ansible_collections.beekeeper.swarm.plugins.module_utils._errors import InvalidInput
from ansible_collections.beekeeper.swarm.plugins.plugin_utils._compose_syntax import go_quote
from ansible_collections.beekeeper.swarm.plugins.plugin_utils._compose_yaml import GoTime

ESCAPE = "; you may need to escape any $ with another $"
_SUBST = r"[_a-z][_a-z0-9]*(?::?[-?][^}]*)?"
_CLI_PATTERN = re.compile(r"\$(?i:(?P<escaped>\$)|(?P<named>%s)|\{(?P<braced>%s)\}|(?P<invalid>))" % (_SUBST, _SUBST))
_NAME = re.compile(r"[_a-z][_a-z0-9]*", re.IGNORECASE)
_SPEC_OPERATORS = (":-", "-", ":?", "?", ":+", "+")

L = "[]"  # a list item in a cast path
_INT_PATHS = (("configs", L, "mode"), ("secrets", L, "mode"), ("healthcheck", "retries"), ("deploy", "replicas"),
              ("deploy", "update_config", "parallelism"), ("deploy", "rollback_config", "parallelism"),
              ("deploy", "restart_policy", "max_attempts"), ("deploy", "placement", "max_replicas_per_node"), ("ports", L, "target"),
              ("ports", L, "published"), ("ulimits", "*"), ("ulimits", "*", "hard"), ("ulimits", "*", "soft"), ("oom_score_adj",))
_FLOAT_PATHS = (("deploy", "update_config", "max_failure_ratio"), ("deploy", "rollback_config", "max_failure_ratio"))
_BOOL_PATHS = (("healthcheck", "disable"), ("privileged",), ("read_only",), ("stdin_open",), ("tty",), ("volumes", L, "read_only"),
               ("volumes", L, "volume", "nocopy"))
_TOP_BOOL_PATHS = (("networks", "*", "external"), ("networks", "*", "internal"), ("networks", "*", "attachable"), ("volumes", "*", "external"),
                   ("secrets", "*", "external"), ("configs", "*", "external"))
# compose-go casts these too; a Compose Specification file (no version:) gets them, but not the CLI's casts of
# ports[].published (a range "8000-8010" there) and of secret/config modes (octal strings there).
_NOT_SPEC = (("configs", L, "mode"), ("secrets", L, "mode"), ("ports", L, "published"))
_SPEC_INT_PATHS = (("scale",),)
_SPEC_BOOL_PATHS = (("init",),)
_SPEC_TOP_BOOL_PATHS = (("networks", "*", "enable_ipv4"), ("networks", "*", "enable_ipv6"))

_DECIMAL = re.compile(r"[+-]?[0-9]+\Z")
_FLOAT = re.compile(r"[+-]?(?:(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|inf|infinity|nan)\Z", re.IGNORECASE)
_TRUE = ("y", "yes", "true", "on")
_FALSE = ("n", "no", "false", "off")


class TemplateError(Exception):
    """An expression that does not interpolate; ``template`` is what the CLI quotes in its message."""

    def __init__(self, template):
        super().__init__(template)
        self.template = template


def _partition(text, sep):
    head, found, tail = text.partition(sep)
    return (head, tail) if found else (text, "")


def _cli_one(substitution, lookup):
    """The CLI's DefaultSubstituteFuncs, in their order, on ``NAME[op text]``."""
    if ":-" in substitution:
        name, default = _partition(substitution, ":-")
        return lookup.get(name) or default
    if "-" in substitution:
        name, default = _partition(substitution, "-")
        return lookup.get(name, default)
    for sep, need in ((":?", lambda v: v != ""), ("?", lambda v: True)):
        if sep in substitution:
            name, message = _partition(substitution, sep)
            if name not in lookup or not need(lookup[name]):
                raise TemplateError("required variable %s is missing a value: %s" % (name, message))
            return lookup[name]
    return lookup.get(substitution, "")


def _cli_substitute(template, lookup, notes):
    """``template.Substitute``: each match replaced in turn; a later good match clears an earlier error, as in the CLI."""
    out, pos, error = [], 0, None
    for match in _CLI_PATTERN.finditer(template):
        out.append(template[pos:match.start()])
        pos = match.end()
        if match.group("escaped"):
            out.append("$")
            continue
        substitution = match.group("named") or match.group("braced")
        try:
            if not substitution:
                raise TemplateError(template)
            value = _cli_one(substitution, lookup)
        except TemplateError as exc:
            error = exc
            continue
        if error is not None:
            notes.append(error.template)
            error = None
        out.append(value)
    if error is not None:
        raise error
    out.append(template[pos:])
    return "".join(out)


def _closing(text, start):
    """Index of the ``}`` closing the ``${`` whose body starts at ``start``, counting nested ``${``/``{``."""
    depth = 1
    i = start
    while i < len(text):
        if text[i] == "}":
            depth -= 1
            if depth == 0:
                return i
        elif text[i] == "{":
            depth += 1
        i += 1
    return -1


def _spec_substitute(template, lookup, whole=None):
    whole = template if whole is None else whole
    out = []
    i = 0
    while i < len(template):
        char = template[i]
        if char != "$":
            out.append(char)
            i += 1
            continue
        nxt = template[i + 1:i + 2]
        if nxt == "$":
            out.append("$")
            i += 2
            continue
        if nxt != "{":
            m = _NAME.match(template, i + 1)
            if not m:
                raise TemplateError(whole)
            out.append(lookup.get(m.group(0), ""))
            i = m.end()
            continue
        end = _closing(template, i + 2)
        m = _NAME.match(template, i + 2)
        if end < 0 or not m:
            raise TemplateError(whole)
        name, rest = m.group(0), template[m.end():end]
        i = end + 1
        if not rest:
            out.append(lookup.get(name, ""))
            continue
        op = next((o for o in _SPEC_OPERATORS if rest.startswith(o)), None)
        if op is None:
            raise TemplateError(whole)
        word = rest[len(op):]
        word = _spec_substitute(word, lookup, whole) if "$" in word else word
        value = lookup.get(name)
        if op in (":-", "-"):
            out.append(word if value is None or (op == ":-" and value == "") else value)
        elif op in (":+", "+"):
            out.append(word if value is not None and (op == "+" or value != "") else (value or ""))
        elif value is None or (op == ":?" and value == ""):
            raise TemplateError("required variable %s is missing a value%s" % (name, ": " + word if word else ""))
        else:
            out.append(value)
    return "".join(out)


def substitute(text, lookup, rules="cli", notes=None):
    """``text`` with its variables replaced from the mapping ``lookup``; TemplateError when it does not parse.

    ``notes`` collects, in cli rules, the errors the CLI forgets (see the module's docstring)."""
    if rules == "spec":
        return _spec_substitute(text, lookup)
    return _cli_substitute(text, lookup, [] if notes is None else notes)


def _matches(path, pattern):
    return len(path) == len(pattern) and all(p in ("*", part) for part, p in zip(path, pattern, strict=True))


def _caster(path, spec):
    """The cast the CLI applies at ``path`` (list items as ``[]``), or None."""
    if path[0] == "services" and len(path) > 2:
        rel = path[2:]
        if spec and rel in _NOT_SPEC:
            return None
        for patterns, cast in ((_INT_PATHS, _to_int), (_FLOAT_PATHS, _to_float), (_BOOL_PATHS, _to_bool),
                               (_SPEC_INT_PATHS if spec else (), _to_int), (_SPEC_BOOL_PATHS if spec else (), _to_bool)):
            if any(_matches(rel, p) for p in patterns):
                return cast
        return None
    for patterns in (_TOP_BOOL_PATHS, _SPEC_TOP_BOOL_PATHS if spec else ()):
        if any(_matches(path, p) for p in patterns):
            return _to_bool
    return None


def _to_int(value):
    if not _DECIMAL.match(value) or not -(2 ** 63) <= int(value) < 2 ** 63:
        raise ValueError("strconv.Atoi: parsing %s: invalid syntax; the value must be a whole number" % go_quote(value))
    return int(value)


def _to_float(value):
    if not _FLOAT.match(value):
        raise ValueError("strconv.ParseFloat: parsing %s: invalid syntax; the value must be a number, e.g. 0.1" % go_quote(value))
    return float(value)


def _to_bool(value):
    if value.lower() in _TRUE:
        return True
    if value.lower() in _FALSE:
        return False
    raise ValueError("invalid boolean: %s; the value must be true or false (yes/no, on/off, y/n also work here)" % value)


def _show(path):
    out = ""
    for part in path:
        out += "[%d]" % part if isinstance(part, int) else ("." if out else "") + str(part)
    return out


def interpolate(data, lookup, source, rules="cli", spec_schema=None, warnings=None):
    """A copy of ``data`` with every string value interpolated and cast; InvalidInput naming ``source`` and the path.

    ``spec_schema`` (default: ``rules == "spec"``) adds compose-go's casts for a Compose Specification file.
    ``warnings`` receives the errors the CLI forgets in cli rules."""
    spec = rules == "spec" if spec_schema is None else spec_schema

    def walk(value, path, shape):
        if isinstance(value, dict):
            return dict((k, walk(v, path + (k,), shape + (k,))) for k, v in value.items())
        if isinstance(value, list):
            return [walk(v, path + (i,), shape + (L,)) for i, v in enumerate(value)]
        if not isinstance(value, str) or isinstance(value, GoTime):
            return value
        notes = []
        try:
            new = substitute(value, lookup, rules, notes)
        except TemplateError as exc:
            raise InvalidInput("%s: invalid interpolation format for %s: %s%s." % (source, _show(path), go_quote(exc.template), ESCAPE)) from None
        if notes and warnings is not None:
            warnings.append("%s: %s: the docker CLI ignores %s in %s because a later ${...} in the same value interpolates; fix or escape it"
                            % (source, _show(path), go_quote(notes[0]), go_quote(value)))
        if new == value:
            return value
        cast = _caster(shape, spec)
        if cast is None:
            return new
        try:
            return cast(new)
        except ValueError as exc:
            raise InvalidInput("%s: error while interpolating %s: failed to cast to expected type: %s." % (source, _show(path), exc)) from None

    return walk(data, (), ())

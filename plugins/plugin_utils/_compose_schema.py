# Copyright: Beekeeper developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to this collection: Compose schema selection and validation, as docker/cli does it (``cli/compose/schema``).

The schemas are vendored in ``compose_schemas/`` (see its NOTICE): docker/cli's ``config_schema_v3.0`` ...
``v3.13`` (draft-04) and the Compose Specification's ``compose-spec.json`` (draft-07).

Version selection: ``version:`` picks ``config_schema_v<version>.json``, Go-stringified as the CLI does
(``version: 3.10`` unquoted is the float 3.1, and the v3 schemas want a string anyway). ``"3"`` and, once
any file names a version, a missing one mean 3.13, the newest schema, as docker/cli 27.x and later do (23.0-26.x
used 3.10-3.12; 20.10 required the key). Only when no file has ``version:`` is the project a Compose
Specification project, validated by ``compose-spec.json``. Every file must have the same version.

Validation is per file, after interpolation, with fastjsonschema when it is importable, else jsonschema, else
skipped with a warning (jsonschema, when present, also explains a fastjsonschema failure). The custom formats
are the CLI's: ``ports`` (``nat.ParsePortSpec``) and ``duration`` (``time.ParseDuration``). A failure names the
file, the path (``services.web.deploy.replicas``), the problem, and a fix (the keys allowed there, or the one
meant).
"""

from __future__ import annotations

import copy
import difflib
import functools
import hashlib
import json
import marshal
import os
import re
import sys
import tempfile
import types
from fractions import Fraction

from ansible_collections.beekeeper.swarm.plugins.module_utils._errors import InvalidInput
from ansible_collections.beekeeper.swarm.plugins.plugin_utils._compose_syntax import go_duration, parse_port_spec
from ansible_collections.beekeeper.swarm.plugins.plugin_utils._compose_yaml import GoTime, go_string

SCHEMA_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "compose_schemas")
DEFAULT_VERSION = "3.13"
SPEC = None  # the version of a Compose Specification project
V3_VERSIONS = tuple("3.%d" % n for n in range(14))
SKIPPED = ("schema validation was skipped: neither fastjsonschema nor jsonschema is installed on the controller; install "
           "fastjsonschema (pip install fastjsonschema) to check the files before they are deployed")
_TYPES = {"object": "mapping", "array": "list", "integer": "integer", "number": "number", "string": "string", "boolean": "boolean",
          "null": "null"}
_PREFERENCE = ("additionalProperties", "required", "enum", "format", "minimum", "maximum", "pattern", "uniqueItems", "type")


def file_version(data):
    """The file's ``version:`` as the CLI reads it (``fmt.Sprintf("%v")``), or None when it has none."""
    version = data.get("version")
    return None if version is None else go_string(version)


def project_version(versions):
    """The project's version from ``[(source, file_version)]``: "3.x", or SPEC (None) for a Compose Specification project."""
    if all(v is None for _s, v in versions):
        return SPEC
    chosen = None
    for source, version in versions:
        version = DEFAULT_VERSION if version in (None, "", "3") else version
        if version not in V3_VERSIONS:
            raise InvalidInput("%s: unsupported Compose file version: %s; docker stack deploy reads version 3.0 to 3.13 (quote it, "
                               "e.g. version: \"3.8\"), or leave version: out of every file for the Compose Specification." % (source, version))
        if chosen is None:
            chosen = version
        elif version != chosen:
            raise InvalidInput("%s: version mismatched between two composefiles : %s and %s; give every file the same version: "
                               "(a file without one counts as %s)." % (source, chosen, version, DEFAULT_VERSION))
    return chosen


def _ports_format(value):
    if isinstance(value, bool):
        return True
    if isinstance(value, (int, float)):
        value = str(Fraction(value).numerator)  # gojsonschema hands the CLI a big.Rat: 80.5 is "161/2", checked as "161"
    if not isinstance(value, str):
        return True
    try:
        parse_port_spec(value)
    except ValueError:
        return False
    return True


def _duration_format(value):
    if not isinstance(value, str):
        return True
    try:
        go_duration(value)
    except ValueError:
        return False
    return True


# gojsonschema passes formats it has no checker for ("expose"): so do we.
FORMATS = {"ports": _ports_format, "duration": _duration_format, "expose": lambda value: True}


@functools.cache
def _schema(version):
    name = "compose-spec.json" if version is SPEC else "config_schema_v%s.json" % version
    with open(os.path.join(SCHEMA_DIR, name), encoding="utf-8") as handle:
        schema = json.load(handle)
    # compose-spec.json says "https://json-schema.org/draft-07/schema", which neither library recognises.
    schema["$schema"] = "http://json-schema.org/draft-07/schema#" if version is SPEC else "http://json-schema.org/draft-04/schema#"
    return schema


def backend():
    """The validator library in use: "fastjsonschema", "jsonschema", or None."""
    for name in ("fastjsonschema", "jsonschema"):
        try:
            __import__(name)
        except ImportError:
            continue
        return name
    return None


@functools.cache
def _fast(version):
    import fastjsonschema

    schema = _schema(version)
    try:
        name, code = _cached_code(schema, fastjsonschema)
    except (AttributeError, TypeError):
        # The cache builds on fastjsonschema's code generator (_factory), which is not public API: a release that
        # changes it only costs the compile of every run.
        return fastjsonschema.compile(copy.deepcopy(schema), formats=FORMATS)
    scope = {}
    exec(code, scope)  # pylint: disable=exec-used  # our vendored schema's validator, as fastjsonschema.compile does
    return functools.partial(scope[name], custom_formats=FORMATS)


def _cached_code(schema, fastjsonschema):
    """The schema's validator as a code object, and its function's name.

    Generating and compiling a validator takes 0.15-0.5 s, as long as the rest of a stack's loading, and every
    ``ansible-playbook`` run is a new process: the code object is kept in the user's cache directory (as Python keeps
    its bytecode in __pycache__), keyed by the schema, the library's version and the interpreter's. A cache that
    cannot be read or written is only slower.
    """
    parts = (json.dumps(schema, sort_keys=True), fastjsonschema.VERSION, sys.version, " ".join(sorted(FORMATS)))
    key = hashlib.sha256("\0".join(parts).encode()).hexdigest()[:20]
    directory = os.path.join(os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "beekeeper.swarm")
    path = os.path.join(directory, "compose-schema-%s.marshal" % key)
    try:
        with open(path, "rb") as handle:
            found = marshal.load(handle) if os.fstat(handle.fileno()).st_uid == os.getuid() else None
        if isinstance(found, tuple) and len(found) == 2 and isinstance(found[1], types.CodeType):
            return found
    except (OSError, EOFError, ValueError, TypeError):
        pass
    # fastjsonschema rewrites the $refs of the schema it compiles: give it a copy.
    resolver, generator = fastjsonschema._factory(copy.deepcopy(schema), {}, FORMATS)  # pylint: disable=protected-access
    name = resolver.get_scope_name()
    code = compile(generator.global_state_code + "\n" + generator.func_code, "<compose schema %s>" % key, "exec")
    try:
        os.makedirs(directory, mode=0o700, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=".schema-")
        with os.fdopen(fd, "wb") as handle:
            marshal.dump((name, code), handle)
        os.replace(tmp, path)
    except OSError:
        pass
    return name, code


@functools.cache
def _slow(version):
    import jsonschema

    checker = jsonschema.FormatChecker(formats=())
    for name, func in FORMATS.items():
        checker.checks(name)(func)
    cls = jsonschema.Draft7Validator if version is SPEC else jsonschema.Draft4Validator
    return cls(_schema(version), format_checker=checker)


def _plain(value):
    """The data as gojsonschema sees it after its JSON round trip: integral floats are integers, times strings."""
    if isinstance(value, dict):
        return dict((k, _plain(v)) for k, v in value.items())
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, GoTime):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def validate(data, version, source):
    """Validate one file's data (after interpolation) against ``version``'s schema; returns warnings (validation skipped)."""
    data = _plain(data)
    name = backend()
    if name is None:
        return [SKIPPED]
    if name == "fastjsonschema":
        import fastjsonschema

        try:
            _fast(version)(data)
            return []
        except fastjsonschema.JsonSchemaValueException as exc:
            try:
                import jsonschema  # noqa: F401  (it explains failures better when it is there too)
            except ImportError:
                raise InvalidInput("%s: %s" % (source, _fast_message(data, exc, version, []))) from None
    errors = list(_slow(version).iter_errors(data))
    if errors:
        error = _most_specific(errors)
        raise InvalidInput("%s: %s" % (source, _message(list(error.absolute_path), error.validator, error.instance, error.schema, version))) from None
    return []


def _fast_message(data, exc, version, prefix):
    """fastjsonschema's one error in words; a oneOf is explained by the branch of the value's type, checked alone."""
    import fastjsonschema

    path, node = list(prefix), data
    for part in exc.path[1:]:
        part = int(part) if isinstance(node, list) else part
        node = node[part] if isinstance(node, (list, dict)) else None
        path.append(part)
    schema = exc.definition or {}
    if exc.rule in ("oneOf", "anyOf"):
        matching = [b for b in schema[exc.rule] if _fits(_resolve(b, version), exc.value)]
        if len(matching) == 1:
            branch = dict(_resolve(matching[0], version), definitions=_schema(version).get("definitions", {}))
            try:
                fastjsonschema.compile(copy.deepcopy(branch), formats=FORMATS)(exc.value)
            except fastjsonschema.JsonSchemaValueException as inner:
                return _fast_message(exc.value, inner, version, path)
    return _message(path, exc.rule, exc.value, schema, version)


def _fits(schema, value):
    """Whether ``value`` has one of the JSON types ``schema`` allows (no type: any)."""
    kinds = schema.get("type")
    if kinds is None:
        return not any(k in schema for k in ("oneOf", "anyOf"))
    kinds = kinds if isinstance(kinds, list) else [kinds]
    got = _type_of(value)
    return got in [_TYPES[k] for k in kinds] or (got == "integer" and "number" in kinds)


def _flatten(errors):
    for error in errors:
        yield error
        yield from _flatten(error.context or ())


def _most_specific(errors):
    """The error to report, as the CLI picks it: the deepest path; a type mismatch of another branch loses."""
    candidates = list(_flatten(errors))
    depth = max(len(e.absolute_path) for e in candidates)
    deepest = [e for e in candidates if len(e.absolute_path) == depth]
    concrete = [e for e in deepest if e.validator not in ("oneOf", "anyOf", "allOf", "type")]
    if concrete:
        return min(concrete, key=lambda e: _PREFERENCE.index(e.validator) if e.validator in _PREFERENCE else len(_PREFERENCE))
    branches = [e for e in deepest if e.validator in ("oneOf", "anyOf")]
    return branches[0] if branches else deepest[0]


def _where(path):
    out = ""
    for part in path:
        out += "[%d]" % part if isinstance(part, int) else ("." if out else "") + str(part)
    return out or "the top level"


def _resolve(schema, version):
    while isinstance(schema, dict) and "$ref" in schema:
        node = _schema(version)
        for part in schema["$ref"].lstrip("#/").split("/"):
            node = node[part]
        schema = node
    return schema


def _a(word):
    return ("an " if word[0] in "aeiou" else "a ") + word


def _describe(schema, version):
    """A schema in words: "a string", "a list of strings", "a mapping or a list of strings"."""
    schema = _resolve(schema, version)
    if "oneOf" in schema or "anyOf" in schema:
        return " or ".join(_describe(s, version) for s in schema.get("oneOf") or schema.get("anyOf"))
    kinds = schema.get("type", "value")
    words = []
    for kind in kinds if isinstance(kinds, list) else [kinds]:
        word = _TYPES.get(kind, kind)
        if kind == "array" and _resolve(schema.get("items", {}), version).get("type") == "string":
            word = "list of strings"
        words.append(word)
    # The CLI's humanReadableType: "a string, number or null".
    return _a(words[0] if len(words) == 1 else "%s or %s" % (", ".join(words[:-1]), words[-1]))


def _type_of(value):
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if value is None:
        return "null"
    return {str: "string", dict: "mapping", list: "list"}.get(type(value), type(value).__name__)


def _message(path, rule, value, schema, version):
    where = _where(path)
    key = path[-1] if path else ""
    if rule == "additionalProperties":
        return _additional(path, value, schema, version)
    if rule == "type":
        expected, got = _describe(schema, version), _type_of(value)
        fix = ""
        if "string" in expected and got in ("integer", "number", "boolean"):
            fix = "; quote it, e.g. %s: \"%s\"" % (key, go_string(value))
        elif got == "string" and ("integer" in expected or "number" in expected):
            fix = "; write the number without quotes (or check the variable it interpolates)"
        return "%s must be %s, not %s%s." % (where, expected, _a(got), fix)
    if rule in ("oneOf", "anyOf"):
        branches = schema.get(rule) if isinstance(schema.get(rule), list) else []
        if branches and all("required" in s for s in branches):
            return "%s must set %s." % (where, " or ".join(s["required"][0] for s in branches))
        return "%s must be %s, not %s." % (where, _describe(schema, version), _a(_type_of(value)))
    if rule == "required":
        missing = [k for k in schema.get("required", []) if k not in (value or {})]
        return "%s needs %s; add %s." % (where, " and ".join(missing), ", ".join("%s: ..." % k for k in missing))
    if rule == "format":
        fmt = schema.get("format")
        if fmt == "ports":
            return "%s: '%s' is not a port; write [ip:][published:]target[/protocol], e.g. 8080:80 or 53:53/udp." % (where, go_string(value))
        if fmt == "duration":
            return "%s: '%s' is not a duration; write a Go duration such as 10s, 1m30s or 500ms." % (where, go_string(value))
        return "%s does not match format '%s'." % (where, fmt)
    if rule == "enum":
        return "%s must be one of %s, not '%s'." % (where, ", ".join(go_string(v) for v in schema.get("enum", [])), go_string(value))
    if rule in ("minimum", "maximum"):
        return "%s must be %s than or equal to %s." % (where, "greater" if rule == "minimum" else "less", schema.get(rule))
    if rule == "uniqueItems":
        return "%s has the same item twice; list each item once." % where
    if rule == "pattern":
        return "%s: '%s' does not match %s." % (where, go_string(value), schema.get("pattern"))
    return "%s is not valid (%s)." % (where, rule)


def _additional(path, value, schema, version):
    """"Additional property X is not allowed", and what to write instead."""
    where = _where(path)
    allowed = sorted(schema.get("properties") or {})
    patterns = schema.get("patternProperties") or {}
    extra = sorted(str(k) for k in (value or {}) if k not in allowed and not any(re.search(p, str(k)) for p in patterns))
    bad = extra[0] if extra else "?"
    if not allowed and patterns:
        return "%s: Additional property %s is not allowed; names here take only letters, digits, '.', '_' and '-'." % (where, bad)
    close = difflib.get_close_matches(bad, allowed, n=1, cutoff=0.7)
    if close:
        hint = "did you mean %s?" % close[0]
    elif version is not SPEC and bad in (_spec_mapping(path).get("properties") or {}):
        hint = ("%s is a Compose Specification key that the version %s schema of docker stack deploy does not know: remove it, or "
                "leave version: out of every file to load them as Compose Specification files." % (bad, version))
    else:
        hint = "allowed here: %s%s." % (", ".join(allowed), " and x-* keys" if "^x-" in patterns else "")
    return "%s: Additional property %s is not allowed; %s" % (where, bad, hint)


def _spec_mapping(path):
    """The Compose Specification's schema of the mapping at ``path`` (to tell a Compose Specification key from a typo)."""
    node = _schema(SPEC)
    for part in path:
        node = _resolve(node, SPEC)
        if isinstance(part, int):
            node = node.get("items", {})
        elif part in (node.get("properties") or {}):
            node = node["properties"][part]
        elif node.get("patternProperties"):
            node = next(iter(node["patternProperties"].values()))
        else:
            return {}
    node = _resolve(node, SPEC)
    for branch in node.get("oneOf", []):
        branch = _resolve(branch, SPEC)
        if branch.get("type") == "object":
            return branch
    return node

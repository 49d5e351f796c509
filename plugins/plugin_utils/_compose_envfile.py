# Copyright: Beekeeper developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to this collection: the two env-file formats a stack meets.

- A service's ``env_file`` is read as docker/cli reads it (``pkg/kvfile``, the ``docker run --env-file``
  format): lines ``KEY=VALUE`` taken literally (quotes stay, no ``${}``, ``#`` only at the start of a line,
  so ``A=1 # x`` is ``1 # x``), leading whitespace removed, whitespace in a name refused
  (``export X=1`` -> "variable 'export X' contains whitespaces"), a bare ``KEY`` takes its value from the
  lookup (the CLI: its process environment; swarm_stack: the interpolation variables) or is left out,
  a UTF-8 BOM stripped, invalid UTF-8 refused.
- ``.env`` and the task's ``env_files`` are read as ``docker compose`` reads them (compose-go ``dotenv``):
  ``export`` prefix, ``KEY=VALUE`` or ``KEY: VALUE``, single quotes literal, double quotes with ``\\n``-style
  escapes, unquoted values cut at `` #``, ``${VAR}`` expanded. Chosen for swarm_stack: expansion (and a bare
  ``KEY``) sees only the variables defined before it in the same chain of files (``.env`` first, then
  ``env_files`` in order) - never the controller's environment.
"""

from __future__ import annotations

import re

from ansible_collections.beekeeper.swarm.plugins.module_utils._errors import InvalidInput
from ansible_collections.beekeeper.swarm.plugins.plugin_utils._compose_interpolate import TemplateError, substitute

# Go's unicode.IsSpace (Python's str.isspace also takes \x1c-\x1f).
_GO_SPACE = "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
_MAX_LINE = 64 * 1024
_BOM = b"\xef\xbb\xbf"


def _read(path, option):
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError as exc:
        raise InvalidInput("%s: cannot read '%s' on the controller (%s); give an existing file, relative to the project directory."
                           % (option, path, exc.strerror or exc)) from None


def parse_kvfile(data, lookup, source="env file"):
    """``kvfile.Parse`` of ``data`` (bytes): [(key, value)], in file order; ValueError with the CLI's message."""
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    out = []
    for number, raw in enumerate(lines, 1):
        if raw.endswith(b"\r"):
            raw = raw[:-1]
        if len(raw) >= _MAX_LINE:
            raise ValueError("bufio.Scanner: token too long")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise ValueError("invalid utf8 bytes at line %d: [%s]" % (number, " ".join(str(b) for b in raw))) from None
        if number == 1 and raw.startswith(_BOM):
            text = text[1:]
        line = text.lstrip(_GO_SPACE)
        if not line or line[0] == "#":
            continue
        key, has_value, _value = line.partition("=")
        if not key:
            raise ValueError("no variable name on line '%s'" % line)
        if " " in key or "\t" in key:
            raise ValueError("variable '%s' contains whitespaces" % key)
        if has_value:
            out.append((key, line[len(key) + 1:]))
        elif line in lookup:
            out.append((key, lookup[line]))
    return out


def read_kvfile(path, lookup, option):
    """A service ``env_file`` as the CLI reads it: [(key, value)]; InvalidInput naming ``option`` and the file."""
    try:
        return parse_kvfile(_read(path, option), lookup)
    except ValueError as exc:
        raise InvalidInput("%s: invalid env file (%s): %s; env_file takes literal NAME=value lines (the docker CLI's --env-file "
                           "format: no export, no quotes, # only at the start of a line)." % (option, path, exc)) from None


_EXPORT = re.compile(r"export[\t\n\f\r ]+")
_ESCAPE = re.compile(r"\\(?:[abcfnrtv$\"\\]|0[0-7]{0,3})")
_DOTENV_SPACE = "\t\v\f\r \x85\xa0"
_SIMPLE_ESCAPES = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v", '"': '"', "\\": "\\"}


def _unescape(match):
    text = match.group(0)
    if text == "\\$":
        return "$$"  # the expansion below then gives a literal $
    if text[1] == "0":
        return chr(int(text[2:] or "0", 8))
    return _SIMPLE_ESCAPES.get(text[1], text)


def parse_dotenv(text, source, known=None):
    """compose-go's dotenv parser on ``text``: a dict; ``known`` holds the variables defined before this file."""
    known = dict(known or {})
    out = {}
    if text.startswith("\ufeff"):
        text = text[1:]
    line = 1

    def expand(value):
        try:
            return substitute(value, {**known, **out}, "spec")
        except TemplateError as exc:
            raise InvalidInput("%s: line %d: %s; write $$ for a literal $." % (source, line, exc.template)) from None

    rest = text
    while True:
        stripped = rest.lstrip(_GO_SPACE)
        line += rest[:len(rest) - len(stripped)].count("\n")
        rest = stripped
        if not rest:
            break
        if rest[0] == "#":
            end = rest.find("\n")
            if end < 0:
                break
            rest = rest[end:]
            continue
        m = _EXPORT.match(rest)
        if m:
            rest = rest[m.end():]
        key_end = 0
        while key_end < len(rest) and rest[key_end] not in "=:\n":
            char = rest[key_end]
            if not (char.isalnum() or char in "_.-[]" or char in _DOTENV_SPACE):
                raise InvalidInput("%s: line %d: unexpected character %s in variable name %s; names take letters, digits and _ . - [ ]."
                                   % (source, line, _q(char), _q(rest.split("\n", 1)[0])))
            key_end += 1
        key = rest[:key_end].rstrip(_GO_SPACE)
        if " " in key:
            raise InvalidInput("%s: line %d: key cannot contain a space; write NAME=value." % (source, line))
        if key_end == len(rest) or rest[key_end] == "\n":
            # A bare NAME: the value of a variable defined before, else nothing.
            if key in known or key in out:
                out[key] = {**known, **out}[key]
            rest = rest[key_end + 1:]
            line += 1
            continue
        rest = rest[key_end + 1:].lstrip(_DOTENV_SPACE)
        if rest[:1] in ("'", '"'):
            quote = rest[0]
            chars, escaped, i = [], False, 1
            while i < len(rest):
                char = rest[i]
                if char == "\n":
                    line += 1
                if char == quote and not escaped:
                    break
                if char == "\\" and not escaped:
                    escaped = True
                elif escaped:
                    escaped = False
                    chars.append(char if char == quote else "\\" + char)
                else:
                    chars.append(char)
                i += 1
            else:
                raise InvalidInput("%s: line %d: unterminated quoted value %s; close the %s quote." % (source, line, rest.split("\n", 1)[0], quote))
            value = "".join(chars)
            out[key] = expand(_ESCAPE.sub(_unescape, value)) if quote == '"' else value
            rest = rest[i + 1:]
        else:
            value, _nl, rest = rest.partition("\n")
            value = value.split(" #", 1)[0].rstrip(_GO_SPACE)
            out[key] = expand(value)
            line += 1
    return out


def _q(text):
    return '"%s"' % text.replace("\\", "\\\\").replace('"', '\\"')


def read_dotenv(path, option, known=None):
    """A ``.env`` / ``env_files`` file as a dict (see ``parse_dotenv``); InvalidInput naming ``option`` and the file."""
    data = _read(path, option)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidInput("%s: '%s' is not UTF-8 text (byte %d); save it as UTF-8." % (option, path, exc.start)) from None
    return parse_dotenv(text, "%s (%s)" % (option, path), known)

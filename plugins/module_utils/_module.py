# Copyright: Beekeeper developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to this collection: what every module's main() does around its logic.

:class:`SwarmModule` is AnsibleModule with one difference: a value of the wrong shape for a mapping
option (``healthcheck: "x"``, ``restart_policy: 5``, ``networks: [net]``) fails with the option's name.
ansible-core says only "dictionary requested, could not parse JSON or key=value" there, or fails with a
Python error for a mapping with sub-options. :func:`run` validates the parameters (the connection
options, then the module's own checks) before it connects, so bad input changes nothing and needs no
engine.
"""

from __future__ import annotations

import json
import re

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.beekeeper.swarm.plugins.module_utils._args import validate_connection
from ansible_collections.beekeeper.swarm.plugins.module_utils._client import Engine
from ansible_collections.beekeeper.swarm.plugins.module_utils._errors import SwarmError
from ansible_collections.beekeeper.swarm.plugins.module_utils._validate import type_name


def _is_mapping(value):
    """A dict, or a string ansible-core turns into one (JSON, or key=value pairs)."""
    if isinstance(value, dict):
        return True
    if not isinstance(value, str):
        return False
    if value.strip().startswith("{"):
        try:
            return isinstance(json.loads(value), dict)
        except ValueError:
            return False
    return "=" in value


def _example(spec):
    """A short example mapping from an option's sub-options: {name: ..., aliases: ...}."""
    names = list(spec.get("options") or {})
    required = [n for n in names if spec["options"][n].get("required")]
    shown = (required or names)[:2]
    return "{%s}" % ", ".join("%s: ..." % n for n in shown) if shown else "{key: value}"


def shape_errors(params, argument_spec, prefix=""):
    """Messages for values of the wrong shape or text, named by option (dotted, indexed: ``mounts[0].target``).

    Mappings: a value given where a mapping (or a list of mappings) is expected. Text: every string option of
    the collection is a name, an address, a unit or a path, never free text (free content - secret data, join
    tokens - is ``no_log`` and left alone), so a list given for it (ansible-core would send "['a', 'b']"), a
    control character (a line break a template left, a NUL byte) or whitespace around it is a mistake. A NUL
    byte anywhere else (mappings, raw options) is refused too: ansible-core fails logging it."""
    errors = []
    for name, spec in argument_spec.items():
        value = params.get(name) if isinstance(params, dict) else None
        if value is None:
            continue
        option = prefix + name
        kind, elements = spec.get("type", "str"), spec.get("elements")
        if spec.get("no_log"):
            # Free content (secret data, tokens): only its shape, and never the value, in a message.
            if kind == "str" and isinstance(value, (list, tuple, dict)):
                errors.append("%s: %s is not one value; give the content as a single string." % (option, "a " + type_name(value)))
            continue
        if kind == "dict":
            if not _is_mapping(value):
                errors.append("%s: %r is %s, not a mapping; write it as a mapping, e.g. %s: %s."
                              % (option, value, "a " + type_name(value), option, _example(spec)))
            elif isinstance(value, dict) and spec.get("options"):
                errors.extend(shape_errors(value, spec["options"], option + "."))
            else:
                errors.extend(_nul_errors(value, option))
        elif kind == "list" and elements == "dict":
            if isinstance(value, dict) or not isinstance(value, (list, tuple)):
                errors.append("%s: %r is %s, not a list of mappings; write a list, e.g. %s: [%s]."
                              % (option, value, "a " + type_name(value), option, _example(spec)))
                continue
            for i, item in enumerate(value):
                where = "%s[%d]" % (option, i)
                if not _is_mapping(item):
                    errors.append("%s: %r is %s, not a mapping; write each item as a mapping, e.g. %s: [%s]."
                                  % (where, item, "a " + type_name(item), option, _example(spec)))
                elif isinstance(item, dict) and spec.get("options"):
                    errors.extend(shape_errors(item, spec["options"], where + "."))
        elif kind in ("str", "path"):
            errors.extend(_text_errors(value, option, path=kind == "path"))
        elif kind == "list" and elements in ("str", "path") and isinstance(value, (list, tuple)):
            for i, item in enumerate(value):
                where = "%s[%d]" % (option, i)
                if item == "":
                    errors.append("%s: empty; give a value, or remove the item." % where)
                errors.extend(_text_errors(item, where, path=elements == "path"))
        else:
            errors.extend(_nul_errors(value, option))
    return errors


CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _text_errors(value, option, path=False):
    if isinstance(value, (list, tuple, dict)) or value is None:
        return ["%s: %s is %s, not one value; give a single string (quote it in YAML where it looks like a list or a "
                "mapping)." % (option, _shown(value), "nothing" if value is None else "a " + type_name(value))]
    if not isinstance(value, str):
        return []
    bad = CONTROL.search(value) if not path else re.search(r"[\x00\n\r]", value)
    if bad:
        clean = CONTROL.sub("", value).strip()
        return ["%s: %s has a control character (%r); write the value on one line without line breaks, tabs or NUL bytes%s."
                % (option, _shown(value), bad.group(0), ", e.g. %r" % clean if clean else "")]
    if not path and value != value.strip():
        if not value.strip():
            return ["%s: %r is only whitespace; give a value, or leave the option out." % (option, value)]
        return ["%s: %r starts or ends with whitespace; remove it, e.g. %r." % (option, value, value.strip())]
    return []


def _nul_errors(value, option):
    """A NUL byte in any string of a mapping or raw value (keys included)."""
    if isinstance(value, str):
        return ["%s: %s has a NUL byte; remove it." % (option, _shown(value))] if "\x00" in value else []
    if isinstance(value, dict):
        for key, item in value.items():
            found = _nul_errors(key, option) or _nul_errors(item, "%s.%s" % (option, key))
            if found:
                return found
    if isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            found = _nul_errors(item, "%s[%d]" % (option, i))
            if found:
                return found
    return []


def _shown(value, limit=60):
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "...(%d characters)" % len(text)


class SwarmModule(AnsibleModule):
    """AnsibleModule whose mapping options fail with their name when given a value of another shape."""

    _shape_error = None

    def _load_params(self):
        super()._load_params()
        errors = shape_errors(self.params, self.argument_spec)
        if errors:
            self._shape_error = errors[0]

    def _set_internal_properties(self):
        # Internal properties (no_log, check mode...) are known from here on, so failing is safe; the
        # argument spec's own validation, which would fail less clearly or crash, does not run.
        super()._set_internal_properties()
        if self._shape_error:
            self.fail_json(msg=self._shape_error)


def run(module, logic, validate=None, secrets_option=None):
    """Validate, connect, run ``logic(engine, params, check_mode)``, and turn typed errors into fail_json.

    ``validate(params)`` is the module's own checks that need no engine; it raises InvalidInput.
    ``secrets_option`` names an option that makes the result carry tokens or keys: it is
    refused unless the task itself has ``no_log: true``, so they never reach output or logs.
    """
    if secrets_option and module.params.get(secrets_option) and not module.no_log:
        module.fail_json(
            msg="%s: true returns join tokens and the unlock key; set no_log: true on this task so they stay "
                "out of output and logs." % secrets_option
        )
    try:
        warnings = validate_connection(module.params)
        if validate is not None:
            validate(module.params)
        engine = Engine(module.params)
        result = logic(engine, module.params, module.check_mode)
    except SwarmError as exc:
        module.fail_json(msg=exc.msg, **exc.details)
    for warning in warnings + (result.pop("warnings", None) or []):
        module.warn(warning)
    if not module._diff:
        result.pop("diff", None)
    module.exit_json(**result)

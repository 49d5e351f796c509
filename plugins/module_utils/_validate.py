# Copyright: Beekeeper developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to this collection: checks of names, labels, tokens and addresses shared by the modules (pure)."""

from __future__ import annotations

import re

from ansible_collections.beekeeper.swarm.plugins.module_utils._errors import InvalidInput

TOKEN_RE = re.compile(r"^SWMTKN-1-[0-9a-z]{50}-[0-9a-z]{25}$")
LABEL_KEY_RE = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9._/-]{0,253}[A-Za-z0-9])?\Z")
SWARM_PORT = 2377


def validate_labels(labels, option="labels", strings=False, reserved=None):
    """Label keys: letters, digits, '.', '-', '_', '/', starting and ending with a letter or digit.

    ``strings``: values must be strings already (YAML turns 3 or yes into numbers and booleans).
    ``reserved``: a key prefix this collection keeps for itself. Returns the labels with string keys."""
    if labels is None:
        return None
    for key, value in labels.items():
        if not str(key).strip():
            raise InvalidInput("%s: a key is empty; every key needs a name." % option)
        if not LABEL_KEY_RE.match(str(key)):
            raise InvalidInput(
                "%s: '%s' is not a valid label key; use letters, digits, '.', '-', '_' and '/', starting and "
                "ending with a letter or digit (for example com.example.zone)." % (option, key)
            )
        if reserved and str(key).startswith(reserved):
            raise InvalidInput("%s: '%s' is in %s*, which this collection keeps for its versioning; use another key." % (option, key, reserved))
        if strings and not isinstance(value, str):
            raise InvalidInput(
                "%s.%s: %r is not a string (%s); quote it in YAML (for example '%s')."
                % (option, key, value, type(value).__name__, str(value).lower() if isinstance(value, bool) else value)
            )
    return dict((str(k), v) for k, v in labels.items())


def validate_token(token):
    if token is not None and not TOKEN_RE.match(token):
        raise InvalidInput(
            "join_token: this is not a swarm join token (expected SWMTKN-1-<50 characters>-<25 characters>, "
            "as swarm_init or swarm_info return with include_secrets: true)."
        )


def split_addr(addr, default_port=SWARM_PORT):
    """'10.0.0.1' -> ('10.0.0.1', 2377); '[fe80::1]:2377' -> ('fe80::1', 2377)."""
    addr = str(addr).strip()
    if addr.startswith("["):
        host, _sep, rest = addr[1:].partition("]")
        port = rest.lstrip(":")
    elif addr.count(":") == 1:
        host, port = addr.split(":")
    else:
        host, port = addr, ""
    if port and not port.isdigit():
        raise InvalidInput("remote_addrs: '%s' has a port that is not a number; use HOST or HOST:PORT." % addr)
    return host, int(port) if port else default_port


def desired_labels(current, labels, labels_state, labels_to_remove):
    """The labels a node should end with: merge or replace, then remove."""
    result = dict(current or {}) if labels_state == "merge" else {}
    for key, value in (labels or {}).items():
        result[str(key)] = "" if value is None else str(value)
    for key in labels_to_remove or []:
        result.pop(str(key), None)
    return result

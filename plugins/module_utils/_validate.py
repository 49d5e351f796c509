# Copyright: Beekeeper developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to this collection: checks of names, labels, tokens and addresses shared by the modules (pure).

Every pattern ends in ``\\Z``: ``$`` also matches before a final newline, so ``"zone\\n"`` would pass.
"""

from __future__ import annotations

import ipaddress
import re

from ansible_collections.beekeeper.swarm.plugins.module_utils._errors import InvalidInput

TOKEN_RE = re.compile(r"SWMTKN-1-[0-9a-z]{50}-[0-9a-z]{25}\Z")
UNLOCK_KEY_RE = re.compile(r"SWMKEY-1-\S+\Z")
LABEL_KEY_RE = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9._/-]{0,253}[A-Za-z0-9])?\Z")
# A host name or a network interface name (eth0, ens3, br-0a1b): what an address may name besides an IP.
HOST_NAME_RE = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9._-]{0,251}[A-Za-z0-9])?\Z")
PORT_RE = re.compile(r"[0-9]{1,5}\Z")
SWARM_PORT = 2377


def shown(text):
    """A user's text quoted for a message, control characters escaped ('zone\\n', not a line break)."""
    return repr(str(text))


def type_name(value):
    """What a value is, in a message's words: mapping, list, string, number, boolean."""
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, dict):
        return "mapping"
    if isinstance(value, (list, tuple, set)):
        return "list"
    if isinstance(value, str):
        return "string"
    if value is None:
        return "null value"
    return "number" if isinstance(value, (int, float)) else type(value).__name__


SPACE_RE = re.compile(r"[\s\x00-\x1f\x7f]")


def validate_word(value, option, example):
    """One token the engine takes as a name (a node, a user, a driver, a DNS name, a filter): no whitespace inside."""
    text = str(value)
    if SPACE_RE.search(text):
        raise InvalidInput("%s: %s has whitespace in it; give one name without spaces, e.g. %s." % (option, shown(text), example))
    return text


# A driver's or log driver's option key: com.docker.network.driver.mtu, max-size, o, labels-regex.
OPTION_KEY_RE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.:/+-]*\Z")


def validate_option_keys(options, option, example):
    """The keys of a map of driver options: names in the drivers' own form, never empty or with spaces."""
    for key in options:
        if not str(key).strip():
            raise InvalidInput("%s: a key is empty; every key needs a name." % option)
        if not OPTION_KEY_RE.match(str(key)):
            raise InvalidInput("%s: the key %s is not an option name; use letters, digits and '.', '-', '_', ':', '/', e.g. %s."
                               % (option, shown(key), example))


def validate_labels(labels, option="labels", strings=False, reserved=None):
    """Label keys: letters, digits, '.', '-', '_', '/', starting and ending with a letter or digit.

    Values are scalars, never a mapping or a list (which would become the text "{'x': 1}").
    ``strings``: values must be strings already (YAML turns 3 or yes into numbers and booleans).
    ``reserved``: a key prefix this collection keeps for itself. Returns the labels with string keys."""
    if labels is None:
        return None
    if not isinstance(labels, dict):
        raise InvalidInput("%s: %s is not a mapping; write the labels as a mapping, e.g. %s: {com.example.zone: eu-1}."
                           % (option, "a " + type_name(labels), option))
    for key, value in labels.items():
        if str(key) == "":
            raise InvalidInput("%s: a key is empty; every key needs a name." % option)
        if not LABEL_KEY_RE.match(str(key)):
            raise InvalidInput(
                "%s: %s is not a valid label key; use letters, digits, '.', '-', '_' and '/', starting and "
                "ending with a letter or digit (for example com.example.zone)." % (option, shown(key))
            )
        if reserved and str(key).startswith(reserved):
            raise InvalidInput("%s: '%s' is in %s*, which this collection keeps for its versioning; use another key." % (option, key, reserved))
        if isinstance(value, (dict, list, tuple, set)):
            raise InvalidInput("%s.%s: %s is not a label value; label values are strings, e.g. %s: {%s: 'eu-1'}."
                               % (option, key, "a " + type_name(value), option, key))
        if strings and not isinstance(value, str):
            raise InvalidInput(
                "%s.%s: %r is not a string (%s); quote it in YAML (for example '%s')."
                % (option, key, value, type(value).__name__, str(value).lower() if isinstance(value, bool) else value)
            )
    return dict((str(k), v) for k, v in labels.items())


def validate_token(token):
    """A swarm join token's form. The message never shows the token."""
    if token is not None and not (isinstance(token, str) and TOKEN_RE.match(token)):
        raise InvalidInput(
            "join_token: this is not a swarm join token (expected SWMTKN-1-<50 characters>-<25 characters>, "
            "as swarm_init or swarm_info return with include_secrets: true)."
        )


def validate_unlock_key(key):
    """An unlock key's form. The message never shows the key."""
    if key is not None and not (isinstance(key, str) and UNLOCK_KEY_RE.match(key)):
        raise InvalidInput(
            "unlock_key: this is not a swarm unlock key (expected SWMKEY-1-<key>, as swarm_init returns with "
            "include_secrets: true and autolock: true)."
        )


def split_addr(addr, default_port=SWARM_PORT, option="remote_addrs"):
    """'10.0.0.1' -> ('10.0.0.1', 2377); '[fe80::1]:2377' -> ('fe80::1', 2377)."""
    addr = str(addr).strip()
    if addr.startswith("["):
        host, _sep, rest = addr[1:].partition("]")
        port = rest[1:] if rest.startswith(":") else rest
    elif addr.count(":") == 1:
        host, port = addr.split(":")
    else:
        host, port = addr, ""
    # str.isdigit() is true for '²' too, which int() refuses: ASCII digits only.
    if port and not PORT_RE.match(port):
        raise InvalidInput("%s: '%s' has a port that is not a number; use HOST or HOST:PORT." % (option, addr))
    return host, int(port) if port else default_port


def validate_addr(addr, option, port=True, names="an IP address or a network interface", unspecified=True):
    """An address option as the engine takes it: HOST[:PORT], HOST an IP ([IPv6] with a port) or a name.

    ``port``: a port may follow (1-65535); ``names`` says what a name means for this option (an interface, a
    host name) for the message; ``unspecified``: 0.0.0.0 / :: is allowed (a listen address, not an advertised one).
    Returns (host, port or None)."""
    example = "10.0.0.1:2377" if port else "10.0.0.1"
    fix = "write %s%s, e.g. %s" % (names, " with an optional :PORT" if port else "", example)
    text = addr if isinstance(addr, str) else str(addr)
    if not text or text != text.strip() or any(c.isspace() or not c.isprintable() for c in text):
        raise InvalidInput("%s: %s is not an address; %s." % (option, shown(text), fix))
    host, number = text, None
    if text.startswith("["):
        host, sep, rest = text[1:].partition("]")
        if not sep or (rest and not rest.startswith(":")):
            raise InvalidInput("%s: %s is not an address; %s (an IPv6 address with a port in brackets: [fd00::1]:2377)."
                               % (option, shown(text), fix))
        number = rest[1:] if rest else None
    elif text.count(":") == 1:
        host, number = text.split(":")
    if number is not None:
        if not port:
            raise InvalidInput("%s: '%s' has a port; give the address or interface only, e.g. %s." % (option, text, host or example))
        if not PORT_RE.match(number) or not 1 <= int(number) <= 65535:
            raise InvalidInput("%s: '%s' has the port '%s'; a port is a number from 1 to 65535, e.g. %s:2377."
                               % (option, text, number, host or "10.0.0.1"))
    if host == "" and number is not None and unspecified:
        return host, int(number)  # ':2377': the engine fills in 0.0.0.0, as for a listen address
    try:
        ip = ipaddress.ip_address(host)
        if "%" in host:  # a zone index (fe80::1%eth0): Python reads it, the engine does not
            ip = None
    except ValueError:
        ip = None
    if ip is None and (":" in host or not HOST_NAME_RE.match(host) or re.match(r"[0-9.]+\Z", host)):
        raise InvalidInput("%s: '%s' is not an IP address or a name; %s." % (option, text, fix))
    if ip is not None and ip.is_unspecified and not unspecified:
        raise InvalidInput("%s: '%s' is not an address other nodes can reach; %s." % (option, text, fix))
    return host, int(number) if number else None


def desired_labels(current, labels, labels_state, labels_to_remove):
    """The labels a node should end with: merge or replace, then remove."""
    result = dict(current or {}) if labels_state == "merge" else {}
    for key, value in (labels or {}).items():
        result[str(key)] = "" if value is None else str(value)
    for key in labels_to_remove or []:
        result.pop(str(key), None)
    return result

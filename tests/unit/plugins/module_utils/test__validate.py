# Copyright: Beekeeper developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests for _validate: labels, tokens, addresses."""

from __future__ import annotations

import pytest

from ansible_collections.beekeeper.swarm.plugins.module_utils import _validate
from ansible_collections.beekeeper.swarm.plugins.module_utils._errors import InvalidInput

LABEL_MESSAGE = ("%s: '%s' is not a valid label key; use letters, digits, '.', '-', '_' and '/', starting and ending "
                 "with a letter or digit (for example com.example.zone).")


@pytest.mark.parametrize("key", ["zone", "a", "Z9", "com.example.zone", "tier/db", "a-b_c.d", "1"])
def test_validate_labels_accepts(key):
    _validate.validate_labels({key: "x"})


@pytest.mark.parametrize("key", ["-zone", "zone-", ".a", "a/", "has space", "zoné", "a=b", "x" * 256, "zone\n"])
def test_validate_labels_refuses(key):
    with pytest.raises(InvalidInput) as err:
        _validate.validate_labels({"ok": "1", key: "x"}, option="node labels")
    assert err.value.msg == LABEL_MESSAGE % ("node labels", key)


def test_validate_labels_refuses_an_empty_key():
    with pytest.raises(InvalidInput) as err:
        _validate.validate_labels({"": "x"}, option="node labels")
    assert err.value.msg == "node labels: a key is empty; every key needs a name."


@pytest.mark.parametrize("value, shown", [(3, "3"), (True, "true"), (None, "None")])
def test_validate_labels_with_strings_names_the_key_and_the_fix(value, shown):
    with pytest.raises(InvalidInput) as err:
        _validate.validate_labels({"tier": value}, strings=True)
    assert err.value.msg == "labels.tier: %r is not a string (%s); quote it in YAML (for example '%s')." % (value, type(value).__name__, shown)


def test_validate_labels_accepts_nothing():
    _validate.validate_labels(None)
    _validate.validate_labels({})


TOKEN = "SWMTKN-1-" + "0123456789abcdefghijklmnopqrstuvwxyz0123456789abcd" + "-" + "abcdefghijklmnopqrstuvwxy"
TOKEN_MESSAGE = ("join_token: this is not a swarm join token (expected SWMTKN-1-<50 characters>-<25 characters>, "
                 "as swarm_init or swarm_info return with include_secrets: true).")


@pytest.mark.parametrize("token", [TOKEN, None])
def test_validate_token_accepts(token):
    _validate.validate_token(token)


@pytest.mark.parametrize("token", [
    "", "SWMTKN-1-short-short", TOKEN.upper(), TOKEN.replace("SWMTKN-1", "SWMTKN-2"), TOKEN + "z", TOKEN[:-1],
    " " + TOKEN, TOKEN.replace("-", "_"),
])
def test_validate_token_refuses(token):
    with pytest.raises(InvalidInput) as err:
        _validate.validate_token(token)
    assert err.value.msg == TOKEN_MESSAGE


SPLIT = [
    ("10.0.0.1", ("10.0.0.1", 2377)),
    ("10.0.0.1:2378", ("10.0.0.1", 2378)),
    ("manager-1", ("manager-1", 2377)),
    ("manager-1:4000", ("manager-1", 4000)),
    (" 10.0.0.1:2377 ", ("10.0.0.1", 2377)),
    ("[fe80::1]:2377", ("fe80::1", 2377)),
    ("[2001:db8::10]:2400", ("2001:db8::10", 2400)),
    ("[fe80::1]", ("fe80::1", 2377)),
    ("fe80::1", ("fe80::1", 2377)),
    ("2001:db8::10", ("2001:db8::10", 2377)),
    ("10.0.0.1:", ("10.0.0.1", 2377)),
]


@pytest.mark.parametrize("addr, expected", SPLIT, ids=[a for a, _e in SPLIT])
def test_split_addr(addr, expected):
    assert _validate.split_addr(addr) == expected


def test_split_addr_default_port():
    assert _validate.split_addr("10.0.0.1", default_port=4789) == ("10.0.0.1", 4789)


@pytest.mark.parametrize("addr", ["manager-1:abc", "[fe80::1]:x", "[fe80::1]junk", "10.0.0.1:-1"])
def test_split_addr_refuses(addr):
    with pytest.raises(InvalidInput) as err:
        _validate.split_addr(addr)
    assert err.value.msg == "remote_addrs: '%s' has a port that is not a number; use HOST or HOST:PORT." % addr


DESIRED_LABELS = [
    ("merge adds and updates", {"a": "1", "b": "2"}, {"b": "3", "c": "4"}, "merge", None, {"a": "1", "b": "3", "c": "4"}),
    ("merge with nothing keeps", {"a": "1"}, None, "merge", None, {"a": "1"}),
    ("replace makes exactly", {"a": "1", "b": "2"}, {"b": "3"}, "replace", None, {"b": "3"}),
    ("replace with nothing empties", {"a": "1"}, None, "replace", None, {}),
    ("remove after merge", {"a": "1", "b": "2"}, {"c": "3"}, "merge", ["a", "missing"], {"b": "2", "c": "3"}),
    ("remove after replace", {"a": "1"}, {"b": "2", "c": "3"}, "replace", ["c"], {"b": "2"}),
    ("values and keys become strings, None is empty", {}, {"n": 1, "t": True, "e": None, 5: "x"}, "merge", None,
     {"n": "1", "t": "True", "e": "", "5": "x"}),
    ("no current labels", None, {"a": "1"}, "merge", None, {"a": "1"}),
]


@pytest.mark.parametrize("current, labels, labels_state, remove, expected", [c[1:] for c in DESIRED_LABELS],
                         ids=[c[0] for c in DESIRED_LABELS])
def test_desired_labels(current, labels, labels_state, remove, expected):
    before = dict(current or {})
    assert _validate.desired_labels(current, labels, labels_state, remove) == expected
    assert (current or {}) == before, "the current labels must not change"

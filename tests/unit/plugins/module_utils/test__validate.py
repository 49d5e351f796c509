# Copyright: Beekeeper developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests for _validate: labels, tokens, addresses."""

from __future__ import annotations

import pytest

from ansible_collections.beekeeper.swarm.plugins.module_utils import _validate
from ansible_collections.beekeeper.swarm.plugins.module_utils._errors import InvalidInput

LABEL_MESSAGE = ("%s: %r is not a valid label key; use letters, digits, '.', '-', '_' and '/', starting and ending "
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


BAD_LABEL_VALUES = [
    # The issue: a mapping became the text "{'x': 1}" on node and init labels.
    ("a mapping", {"zone": {"x": 1}}, False,
     "labels.zone: a mapping is not a label value; label values are strings, e.g. labels: {zone: 'eu-1'}."),
    ("a list", {"zone": ["a"]}, False, "labels.zone: a list is not a label value; label values are strings, e.g. labels: {zone: 'eu-1'}."),
    ("a mapping, strings", {"zone": {"x": 1}}, True,
     "labels.zone: a mapping is not a label value; label values are strings, e.g. labels: {zone: 'eu-1'}."),
    ("a trailing newline", {"zone\n": "a"}, False,
     LABEL_MESSAGE % ("labels", "zone\n")),
    ("an empty key", {"": "a"}, False, "labels: a key is empty; every key needs a name."),
    ("a space only", {" ": "a"}, False, LABEL_MESSAGE % ("labels", " ")),
    ("not a mapping", ["zone=a"], False, "labels: a list is not a mapping; write the labels as a mapping, e.g. labels: {com.example.zone: eu-1}."),
]


@pytest.mark.parametrize("labels, strings, message", [c[1:] for c in BAD_LABEL_VALUES], ids=[c[0] for c in BAD_LABEL_VALUES])
def test_validate_labels_refuses_values(labels, strings, message):
    with pytest.raises(InvalidInput) as err:
        _validate.validate_labels(labels, strings=strings)
    assert err.value.msg == message


def test_validate_labels_keeps_its_signature_for_other_helpers():
    assert _validate.validate_labels({"a": "1"}, option="container_labels", strings=True, reserved="com.x.") == {"a": "1"}
    with pytest.raises(InvalidInput) as err:
        _validate.validate_labels({"a b": "1"}, option="container_labels", strings=True, reserved=None)
    assert err.value.msg == LABEL_MESSAGE % ("container_labels", "a b")


def test_validate_labels_accepts_scalars_unless_strings():
    assert _validate.validate_labels({"rack": 3, "ssd": True, "empty": None}) == {"rack": 3, "ssd": True, "empty": None}


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
    " " + TOKEN, TOKEN.replace("-", "_"), TOKEN + "\n", 5,
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


@pytest.mark.parametrize("addr", ["manager-1:abc", "[fe80::1]:x", "[fe80::1]junk", "10.0.0.1:-1", "10.0.0.1:²"])
def test_split_addr_refuses(addr):
    with pytest.raises(InvalidInput) as err:
        _validate.split_addr(addr)
    assert err.value.msg == "remote_addrs: '%s' has a port that is not a number; use HOST or HOST:PORT." % addr


def test_split_addr_names_its_option():
    with pytest.raises(InvalidInput) as err:
        _validate.split_addr("10.0.0.1:-1", option="advertise_addr")
    assert err.value.msg == "advertise_addr: '10.0.0.1:-1' has a port that is not a number; use HOST or HOST:PORT."


UNLOCK_MESSAGE = ("unlock_key: this is not a swarm unlock key (expected SWMKEY-1-<key>, as swarm_init returns with "
                  "include_secrets: true and autolock: true).")


@pytest.mark.parametrize("key, ok", [
    ("SWMKEY-1-7c37Cc8654o6p38HnroywCi19pllOnGtbdZEgtKxZu8", True), (None, True),
    ("", False), ("7c37Cc8654o6p38HnroywCi19pllOnGtbdZEgtKxZu8", False), ("SWMKEY-1-abc\n", False), ("SWMKEY-1-a b", False),
])
def test_validate_unlock_key(key, ok):
    if ok:
        _validate.validate_unlock_key(key)
    else:
        with pytest.raises(InvalidInput) as err:
            _validate.validate_unlock_key(key)
        assert err.value.msg == UNLOCK_MESSAGE


@pytest.mark.parametrize("addr, port, expected", [
    ("10.0.0.1", True, ("10.0.0.1", None)),
    ("10.0.0.1:2377", True, ("10.0.0.1", 2377)),
    ("eth0", True, ("eth0", None)),
    ("eth0:2377", True, ("eth0", 2377)),
    ("br-0a1b2c", False, ("br-0a1b2c", None)),
    ("[fd00::1]:2377", True, ("fd00::1", 2377)),
    ("fd00::1", False, ("fd00::1", None)),
    ("manager-1.example.com:65535", True, ("manager-1.example.com", 65535)),
])
def test_validate_addr_accepts(addr, port, expected):
    assert _validate.validate_addr(addr, "advertise_addr", port=port) == expected


FIX = "write an IP address or a network interface with an optional :PORT, e.g. 10.0.0.1:2377"
BAD_ADDRS = [
    # The issue: '²' is a digit to str.isdigit() and a ValueError to int(); -1 blamed remote_addrs.
    ("10.0.0.1:²", True, "advertise_addr: '10.0.0.1:²' has the port '²'; a port is a number from 1 to 65535, e.g. 10.0.0.1:2377."),
    ("10.0.0.1:-1", True, "advertise_addr: '10.0.0.1:-1' has the port '-1'; a port is a number from 1 to 65535, e.g. 10.0.0.1:2377."),
    ("10.0.0.1:0", True, "advertise_addr: '10.0.0.1:0' has the port '0'; a port is a number from 1 to 65535, e.g. 10.0.0.1:2377."),
    ("10.0.0.1:65536", True, "advertise_addr: '10.0.0.1:65536' has the port '65536'; a port is a number from 1 to 65535, e.g. 10.0.0.1:2377."),
    ("10.0.0.1:", True, "advertise_addr: '10.0.0.1:' has the port ''; a port is a number from 1 to 65535, e.g. 10.0.0.1:2377."),
    ("10.0.0.1:4789", False, "advertise_addr: '10.0.0.1:4789' has a port; give the address or interface only, e.g. 10.0.0.1."),
    ("10.0.0.300", True, "advertise_addr: '10.0.0.300' is not an IP address or a name; " + FIX + "."),
    ("-eth0", True, "advertise_addr: '-eth0' is not an IP address or a name; " + FIX + "."),
    ("a/b", True, "advertise_addr: 'a/b' is not an IP address or a name; " + FIX + "."),
    ("", True, "advertise_addr: '' is not an address; " + FIX + "."),
    (" 10.0.0.1", True, "advertise_addr: ' 10.0.0.1' is not an address; " + FIX + "."),
    ("10.0.0.1\n", True, "advertise_addr: '10.0.0.1\\n' is not an address; " + FIX + "."),
    ("[fd00::1", True, "advertise_addr: '[fd00::1' is not an address; " + FIX + " (an IPv6 address with a port in brackets: [fd00::1]:2377)."),
    ("0.0.0.0", True, "advertise_addr: '0.0.0.0' is not an address other nodes can reach; " + FIX + "."),
]


@pytest.mark.parametrize("addr, port, message", BAD_ADDRS, ids=[c[0] for c in BAD_ADDRS])
def test_validate_addr_refuses(addr, port, message):
    with pytest.raises(InvalidInput) as err:
        _validate.validate_addr(addr, "advertise_addr", port=port, unspecified=False)
    assert err.value.msg == message


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


def test_validate_addr_a_port_alone_is_every_address():
    assert _validate.validate_addr(":2377", "listen_addr") == ("", 2377)
    with pytest.raises(InvalidInput) as err:
        _validate.validate_addr(":2377", "advertise_addr", unspecified=False)
    assert err.value.msg == ("advertise_addr: ':2377' is not an IP address or a name; write an IP address or a network interface "
                             "with an optional :PORT, e.g. 10.0.0.1:2377.")


def test_validate_addr_refuses_a_zone_index():
    with pytest.raises(InvalidInput) as err:
        _validate.validate_addr("fe80::1%eth0", "advertise_addr", port=False)
    assert err.value.msg == ("advertise_addr: 'fe80::1%eth0' is not an IP address or a name; write an IP address or a network "
                             "interface, e.g. 10.0.0.1.")

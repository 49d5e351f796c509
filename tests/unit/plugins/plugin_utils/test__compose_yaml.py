# Copyright: Beekeeper developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests for _compose_yaml: YAML read as docker/cli's yaml.v3 reads it, and Go's fmt.Sprint of what it gives
(STACKS.md 1.7, the values verified with docker stack config 28.2.2)."""

from __future__ import annotations

import math

import pytest

from ansible_collections.beekeeper.swarm.plugins.module_utils._errors import InvalidInput
from ansible_collections.beekeeper.swarm.plugins.plugin_utils._compose_yaml import GoTime, Override, Reset, go_string, load

SCALARS = [
    # [verified] facts of STACKS.md 1.7
    ("yes", "yes", "yes"),
    ("on", "on", "on"),
    ("1e3", 1000.0, "1000"),
    ("0x1F", 31, "31"),
    ("22:22", "22:22", "22:22"),
    ("0o400", 256, "256"),
    ("2001-12-14", "2001-12-14", "2001-12-14"),  # the text, as CLI 20.10/26.1 keep it (27+ prints the time.Time: see GoTime.go)
    ("true", True, "true"),
    # the rest of yaml.v3's resolve.go
    ("True", True, "true"), ("FALSE", False, "false"), ("tRue", "tRue", "tRue"), ("y", "y", "y"), ("off", "off", "off"),
    ("~", None, ""), ("null", None, ""), ("Null", None, ""), ("", None, ""),
    ("0777", 511, "511"), ("0999", 999.0, "999"), ("0b101", 5, "5"), ("-0x10", -16, "-16"), ("+12", 12, "12"), ("1_000", 1000, "1000"),
    ("1.5", 1.5, "1.5"), ("1.", 1.0, "1"), (".5", 0.5, "0.5"), ("1e6", 1e6, "1e+06"), ("12e", "12e", "12e"),
    (".inf", math.inf, "+Inf"), ("-.Inf", -math.inf, "-Inf"),
    ("99999999999999999999", 1e20, "1e+20"), ("18446744073709551615", 2 ** 64 - 1, "18446744073709551615"),
    ("1:2:3", "1:2:3", "1:2:3"), ("'0x1F'", "0x1F", "0x1F"), ('"true"', "true", "true"), ("!!str 12", "12", "12"),
    ("2001-12-14T21:59:43.10-05:00", "2001-12-14T21:59:43.10-05:00", "2001-12-14T21:59:43.10-05:00"),
    ("2001-02-30", "2001-02-30", "2001-02-30"),
    ("!foo bar", "bar", "bar"),  # a local tag yaml.v3 does not know is ignored
]


@pytest.mark.parametrize("text,value,go", SCALARS, ids=[s[0] or "empty" for s in SCALARS])
def test_scalars_resolve_as_yaml_v3_and_print_as_go(text, value, go):
    got = load("v: %s\n" % text, "f.yml")["v"]
    assert got == value or (isinstance(value, float) and math.isnan(value) and math.isnan(got))
    assert type(got) is type(value) or isinstance(got, GoTime)
    assert go_string(got) == go


@pytest.mark.parametrize("text,go", [
    ("2001-12-14", "2001-12-14 00:00:00 +0000 UTC"),  # [verified] with CLI 28.2.2 (yaml.v3)
    ("2001-12-14T21:59:43.10-05:00", "2001-12-14 21:59:43.1 -0500 -0500"),
    ("2001-12-14 21:59:43.10", "2001-12-14 21:59:43.1 +0000 UTC"),
    ("2001-12-14t21:59:43Z", "2001-12-14 21:59:43 +0000 UTC"),
    ("2001-1-2", "2001-01-02 00:00:00 +0000 UTC"),
])
def test_timestamps_remember_how_cli_27_prints_them(text, go):
    value = load("v: %s\n" % text, "f.yml")["v"]
    assert isinstance(value, GoTime) and value == text and value.go == go


def test_not_timestamps():
    assert not isinstance(load("v: 2001-02-30\n", "f.yml")["v"], GoTime)  # no such day: a plain string
    assert not isinstance(load("v: '2001-12-14'\n", "f.yml")["v"], GoTime)


def test_nan():
    assert math.isnan(load("v: .nan\n", "f.yml")["v"]) and go_string(math.nan) == "NaN"


@pytest.mark.parametrize("value,text", [
    (True, "true"), (False, "false"), (None, ""), (31, "31"), (1000.0, "1000"), (1.5, "1.5"), (1e21, "1e+21"), (123456.0, "123456"),
    (1234567.0, "1.234567e+06"), (0.0001, "0.0001"), (0.00001, "1e-05"), (-0.0, "-0"), (0.1, "0.1"), ("x", "x"), ([1, "a"], "[1 a]"),
    ({"b": 1, "a": None}, "map[a:<nil> b:1]"),
])
def test_go_string(value, text):
    assert go_string(value) == text


def test_ports_22_22_stays_a_string_in_a_list():
    assert load("ports: [22:22, 80]\n", "f.yml") == {"ports": ["22:22", 80]}


def test_anchors_aliases_and_merge_keys():
    data = load("base: &b {x: 1, y: 2}\nmerged: {<<: *b, y: 3}\nmany: {<<: [{p: 1}, {p: 2, q: 2}]}\nalias: *b\n", "f.yml")
    assert data["merged"] == {"x": 1, "y": 3}
    assert data["many"] == {"p": 1, "q": 2}  # the first map of a merge list wins, explicit keys win over merged ones
    assert data["alias"] == {"x": 1, "y": 2}


def test_keys_are_strings_the_go_way():
    assert load("labels: {1: a, true: b, 1.5: c}\n", "f.yml") == {"labels": {"1": "a", "true": "b", "1.5": "c"}}


@pytest.mark.parametrize("text,message", [
    ("a: 1\na: 2\n", 'f.yml line 2 column 1: mapping key "a" already defined at line 1; remove one of them'),
    ('"a": 1\na: 2\n', 'mapping key "a" already defined at line 1'),  # yaml.v3 compares the text, quoted or not
    ("s:\n  w: {image: x, image: y}\n", 'f.yml line 2 column 17: mapping key "image" already defined at line 2'),
    ("- a\n", "f.yml: the top level is a list; top-level object must be a mapping"),
    ("", "f.yml: the top level is empty"),
    ("a: [\n", "f.yml line 2 column 1: while parsing a flow node"),
    ("x: !!int abc\n", "f.yml line 1 column 4: cannot decode !!str `abc` as a !!int"),
    ("a: !reset x\n", "f.yml line 1 column 4: the !reset tag is a Compose Specification feature that docker stack deploy does not support"),
    ("a: !override [1]\n", "the !override tag is a Compose Specification feature"),
    (b"a: \xff\n", "f.yml: the file is not UTF-8 text (byte 3)"),
])
def test_refused_with_file_and_line(text, message):
    with pytest.raises(InvalidInput) as exc:
        load(text, "f.yml")
    assert message in exc.value.msg


def test_duplicate_keys_through_merge_keys_are_fine():
    assert load("b: &b {x: 1}\nm: {<<: *b, x: 2}\n", "f.yml")["m"] == {"x": 2}


def test_compose_tags_are_carried_in_spec_mode():
    data = load("a: !reset x\nb: !override [1, yes]\nc: !reset\nd: !override {k: 0x10}\n", "f.yml", tags=True)
    assert isinstance(data["a"], Reset) and isinstance(data["c"], Reset)
    assert isinstance(data["b"], Override) and data["b"].value == [1, "yes"] and data["b"].line == 2
    assert data["d"].value == {"k": 16}


def test_only_the_first_document_counts():
    assert load("a: 1\n---\nb: 2\n", "f.yml") == {"a": 1}

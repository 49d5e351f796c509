# Copyright: Beekeeper developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests for _compose_merge: docker/cli's merge of -c files with its quirks (STACKS.md 1.7 merge table), the
Compose Specification's merge, and !reset / !override."""

from __future__ import annotations

import pytest

from ansible_collections.beekeeper.swarm.plugins.module_utils._errors import InvalidInput
from ansible_collections.beekeeper.swarm.plugins.plugin_utils._compose_merge import extract_tags, merge
from ansible_collections.beekeeper.swarm.plugins.plugin_utils._compose_yaml import load


def _port(target, published=None):
    return dict(target=target, published=published, protocol="tcp", mode="ingress")


def _ref(source, target=None, mode=0o444):
    return dict(source=source, target=target or source, uid="0", gid="0", mode=mode)


def _merged(base, over, rules="cli"):
    files = [({"services": {"w": base}}, {}), ({"services": {"w": over}}, {})]
    return merge(files, rules)["services"]["w"]


CLI = [
    # (key, base value, override value, merged value)
    ("image", "a", "b", "b"),
    ("image", "a", "", "a"),
    ("read_only", True, False, True),  # a zero value does not override
    ("init", False, True, True),
    ("stop_grace_period", "10s", "0s", "10s"),
    ("dns", ["1.1.1.1"], ["8.8.8.8"], ["1.1.1.1", "8.8.8.8"]),  # [verified] lists are appended
    ("cap_add", ["NET_ADMIN"], ["NET_ADMIN"], ["NET_ADMIN", "NET_ADMIN"]),
    ("extra_hosts", ["a:1.1.1.1"], ["b:2.2.2.2"], ["a:1.1.1.1", "b:2.2.2.2"]),
    ("command", ["x"], ["y"], ["y"]), ("entrypoint", "a b", "c", "c"), ("command", ["x"], [], ["x"]),
    ("healthcheck", {"test": ["CMD", "true"], "retries": 3, "interval": "5s"}, {"test": ["CMD", "false"], "retries": 0, "interval": "0s"},
     {"test": ["CMD", "true", "CMD", "false"], "retries": 0, "interval": "5s"}),  # [verified bug] test appended; retries 0 kept (23.0+)
    ("labels", {"a": "1", "b": "2"}, {"b": "", "c": "3"}, {"a": "1", "b": "", "c": "3"}),
    ("environment", {"A": "1", "B": "2", "C": None}, {"B": "", "C": "3", "D": None}, {"A": "1", "B": "2", "C": "3", "D": None}),
    ("deploy", {"replicas": 3, "labels": {"k": "v"}, "placement": {"constraints": ["a"]}, "update_config": {"parallelism": 2, "delay": "5s"}},
     {"replicas": 0, "placement": {"constraints": ["b"]}, "update_config": {"delay": "0s", "order": "start-first"}},
     {"replicas": 0, "labels": {"k": "v"}, "placement": {"constraints": ["a", "b"]},
      "update_config": {"parallelism": 2, "delay": "5s", "order": "start-first"}}),  # replicas: 0 overrides since 23.0
    ("ports", [_port(80), _port(443)], [_port(80, 8080)], [_port(443), _port(80, 8080)]),  # [verified bug] target 80 lost
    ("secrets", [_ref("s"), _ref("s", "/other")], [_ref("t")], [_ref("s", "/other"), _ref("t")]),  # [verified] keyed by source
    ("volumes", [dict(type="volume", source="a", target="/d", read_only=False)], [dict(type="volume", source="b", target="/d", read_only=True)],
     [dict(type="volume", source="b", target="/d", read_only=True)]),
    ("logging", {"driver": "json-file", "options": {"a": "1"}}, {"options": {"b": "2"}}, {"driver": "json-file", "options": {"a": "1", "b": "2"}}),
    ("logging", {"driver": "json-file"}, {"options": {"b": "2"}}, {"driver": "json-file"}),  # mergo merges into a nil map: lost
    ("logging", {"driver": "json-file", "options": {"a": "1"}}, {"driver": "syslog"}, {"driver": "syslog"}),
    ("networks", {"n": {"aliases": ["x"], "driver_opts": {"o": "1"}, "ipv4_address": "10.0.0.2"}, "m": None},
     {"n": {"driver_opts": {"p": "2"}}, "m": {"aliases": ["y"]}, "k": None},
     {"n": {"driver_opts": {"o": "1"}, "ipv4_address": "10.0.0.2"}, "m": {"aliases": ["y"]}, "k": None}),
    ("ulimits", {"nofile": {"soft": 1, "hard": 2}, "nproc": {"soft": 3, "hard": 3}}, {"nofile": {"soft": 5, "hard": 5}},
     {"nofile": {"soft": 5, "hard": 5}, "nproc": {"soft": 3, "hard": 3}}),
]


@pytest.mark.parametrize("key,base,over,result", CLI, ids=["%s-%d" % (c[0], i) for i, c in enumerate(CLI)])
def test_cli_rules(key, base, over, result):
    assert _merged({key: base}, {key: over})[key] == result


def test_cli_collapses_the_earlier_list_even_when_the_later_file_does_not_touch_it():
    merged = _merged({"ports": [_port(80), _port(443)], "secrets": [_ref("s"), _ref("s", "/x")]}, {"image": "b"})
    assert merged["ports"] == [_port(443)] and merged["secrets"] == [_ref("s", "/x")]


def test_cli_keeps_a_single_files_lists_as_written():
    files = [({"services": {"w": {"ports": [_port(80), _port(443)]}}}, {})]
    assert merge(files)["services"]["w"]["ports"] == [_port(80), _port(443)]


def test_cli_replaces_top_level_entries_whole_and_sorts_services():
    files = [({"services": {"b": {}, "a": {}}, "networks": {"n": {"driver": "overlay", "attachable": True}}}, {}),
             ({"services": {"c": {}}, "networks": {"n": {"labels": {"a": "b"}}}}, {})]
    project = merge(files)
    assert project["networks"]["n"] == {"labels": {"a": "b"}}  # [verified] driver and attachable lost
    assert list(project["services"]) == ["a", "b", "c"]


SPEC = [
    ("read_only", True, False, False),  # later always wins
    ("dns", ["1.1.1.1", "8.8.8.8"], ["8.8.8.8", "9.9.9.9"], ["1.1.1.1", "8.8.8.8", "9.9.9.9"]),
    ("healthcheck", {"test": ["CMD", "true"], "retries": 3}, {"test": ["CMD", "false"]}, {"test": ["CMD", "false"], "retries": 3}),
    ("ports", [_port(80), _port(443)], [_port(80, 8080), _port(443)], [_port(80), _port(443), _port(80, 8080)]),
    ("secrets", [_ref("s"), _ref("s", "/other")], [_ref("t", "/other")], [_ref("s"), _ref("t", "/other")]),
    ("networks", {"n": None, "m": {"aliases": ["a"]}}, {"n": {"aliases": ["x"]}, "m": {"aliases": ["a", "b"]}},
     {"n": {"aliases": ["x"]}, "m": {"aliases": ["a", "b"]}}),
    ("ulimits", {"nofile": {"soft": 1, "hard": 2}}, {"nofile": {"soft": 5, "hard": 6}}, {"nofile": {"soft": 5, "hard": 6}}),
    ("logging", {"driver": "json-file"}, {"options": {"b": "2"}}, {"driver": "json-file", "options": {"b": "2"}}),
    ("environment", {"A": "1", "B": "2"}, {"B": ""}, {"A": "1", "B": ""}),
]


@pytest.mark.parametrize("key,base,over,result", SPEC, ids=["%s-%d" % (c[0], i) for i, c in enumerate(SPEC)])
def test_spec_rules(key, base, over, result):
    assert _merged({key: base}, {key: over}, "spec")[key] == result


def test_spec_deep_merges_top_level_entries():
    pools = [{"subnet": "10.0.0.0/24", "gateway": "10.0.0.1"}, {"subnet": "10.1.0.0/24"}]
    files = [({"networks": {"n": {"driver": "overlay", "ipam": {"config": [{"subnet": "10.0.0.0/24"}]}}}}, {}),
             ({"networks": {"n": {"labels": {"a": "b"}, "ipam": {"config": pools}}}}, {})]
    assert merge(files, "spec")["networks"]["n"] == {
        "driver": "overlay", "labels": {"a": "b"},
        "ipam": {"config": [{"subnet": "10.0.0.0/24", "gateway": "10.0.0.1"}, {"subnet": "10.1.0.0/24"}]}}


def test_reset_and_override():
    base = {"services": {"w": {"image": "a", "ports": [_port(80)], "dns": ["1.1.1.1"], "labels": {"a": "1", "b": "2"}}}}
    text = "services:\n  w:\n    ports: !reset []\n    dns: !override [9.9.9.9]\n    labels:\n      b: !reset\n"
    over, tags = extract_tags(load(text, "o.yml", tags=True), "o.yml")
    assert tags == {("services", "w", "ports"): "reset", ("services", "w", "dns"): "override", ("services", "w", "labels", "b"): "reset"}
    merged = merge([(base, {}), ({"services": {"w": dict(over["services"]["w"], labels={})}}, tags)], "spec")["services"]["w"]
    assert merged == {"image": "a", "dns": ["9.9.9.9"], "labels": {"a": "1"}}


def test_reset_on_a_list_item_is_refused():
    with pytest.raises(InvalidInput, match=r"o.yml line 1: services: !reset and !override apply to a key's whole value"):
        extract_tags(load("services: [!reset a]\n", "o.yml", tags=True), "o.yml")

# Copyright: Beekeeper developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests for _client: version parsing, the Engine API version gate, list filters (no engine)."""

from __future__ import annotations

import json

import pytest

from ansible_collections.beekeeper.swarm.plugins.module_utils import _args, _client
from ansible_collections.beekeeper.swarm.plugins.module_utils._client import Engine
from ansible_collections.beekeeper.swarm.plugins.module_utils._errors import ApiVersionError


@pytest.mark.parametrize("version, expected", [
    ("1.41", (1, 41)),
    ("1.44", (1, 44)),
    ("1.9", (1, 9)),
    ("1.41.2", (1, 41)),
    ("v1.45", (1, 45)),
    ("1.45-rc1", (1, 45)),
    (1.41, (1, 41)),
])
def test_version_tuple(version, expected):
    assert _client.version_tuple(version) == expected


@pytest.mark.parametrize("version", ["", "1.x", "abc", "1"])
def test_version_tuple_refuses_what_is_no_version(version):
    with pytest.raises(ValueError):
        _client.version_tuple(version)


@pytest.mark.parametrize("older, newer", [("1.9", "1.41"), ("1.41", "1.44"), ("1.44", "1.45"), ("1.45", "2.0"),
                                          ("1.45-rc1", "1.46"), ("1.44", "1.45-rc1")])
def test_version_order_is_numeric(older, newer):
    assert _client.version_tuple(older) < _client.version_tuple(newer)


def engine_speaking(api_version):
    """An Engine that never connected: only its negotiated version is set."""
    engine = Engine.__new__(Engine)
    engine.api_version = api_version
    return engine


GATES = [
    ("1.41", "X", "1.44", "Engine API 1.41 is too old for X (needs 1.44)."),
    ("1.41", "data_path_port", "1.42", "Engine API 1.41 is too old for data_path_port (needs 1.42)."),
    ("1.9", "Y", "1.41", "Engine API 1.9 is too old for Y (needs 1.41)."),
    ("1.44", "X", "1.44", None),
    ("1.45", "X", "1.44", None),
    ("1.41", "X", "1.40", None),
]


@pytest.mark.parametrize("api_version, option, min_api, message", GATES)
def test_require(api_version, option, min_api, message):
    engine = engine_speaking(api_version)
    assert engine.supports(min_api) is (message is None)
    if message is None:
        engine.require(option, min_api)
    else:
        with pytest.raises(ApiVersionError) as err:
            engine.require(option, min_api)
        assert err.value.msg == message
        assert str(err.value) == message


@pytest.mark.parametrize("filters, expected", [
    ({}, None),
    ({"role": None}, None),
    ({"role": "manager"}, {"role": ["manager"]}),
    ({"desired_state": "running", "service": ["web", "api"]}, {"desired-state": ["running"], "service": ["web", "api"]}),
    ({"node": 5}, {"node": ["5"]}),
])
def test_filters(filters, expected):
    query = Engine.filters(**filters)
    if expected is None:
        assert query is None
    else:
        assert json.loads(query["filters"]) == expected


@pytest.mark.parametrize("text, expected", [
    ("rpc error: code = Unknown desc = The swarm does not have a leader.", True),
    ("context deadline exceeded", True),
    ("rpc error: code = DeadlineExceeded desc = context deadline exceeded", True),
    ("node not found", False),
    ("update out of sequence", False),
])
def test_is_quorum_message(text, expected):
    assert _client.is_quorum_message(text) is expected


def test_connection_argument_spec_merges_and_copies():
    spec = _args.connection_argument_spec(node=dict(type="str", required=True))
    assert spec["node"] == dict(type="str", required=True)
    assert spec["docker_host"]["default"] == "unix:///var/run/docker.sock"
    assert set(_args.CONNECTION_ARGS) <= set(spec)
    spec["timeout"]["default"] = 1
    assert _args.CONNECTION_ARGS["timeout"]["default"] == 60, "a module must not change the shared options"

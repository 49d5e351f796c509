# Copyright: Beekeeper developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests for _init and _membership: what swarm_init and swarm_join refuse before any change."""

from __future__ import annotations

import pytest

from ansible_collections.beekeeper.swarm.plugins.module_utils import _init, _membership, _table
from ansible_collections.beekeeper.swarm.plugins.module_utils._errors import InvalidInput

NOT_CIDR = "default_addr_pool: '%s' is not a CIDR network; use a network address with a prefix length, e.g. 10.20.0.0/16."

GOOD_INIT = [
    ("nothing", {}),
    ("one pool", {"default_addr_pool": ["10.20.0.0/16"], "subnet_size": 24}),
    ("two pools", {"default_addr_pool": ["10.20.0.0/16", "10.30.0.0/20"], "subnet_size": 24}),
    ("a pool alone", {"default_addr_pool": ["10.20.0.0/16"]}),
    ("subnet_size 32", {"default_addr_pool": ["10.20.0.0/16"], "subnet_size": 32}),
    ("the VXLAN port range, low", {"data_path_port": 1024}),
    ("the VXLAN port range, high", {"data_path_port": 49151}),
    ("the default VXLAN port", {"data_path_port": 4789}),
    ("durations", {"dispatcher_heartbeat": "5s", "cert_expiry": "720h"}),
    ("labels", {"labels": {"com.example.env": "prod"}}),
]


@pytest.mark.parametrize("params", [c[1] for c in GOOD_INIT], ids=[c[0] for c in GOOD_INIT])
def test_validate_init_accepts(params):
    _init.validate_init(params)


BAD_INIT = [
    ("not a network", {"default_addr_pool": ["banana"]}, NOT_CIDR % "banana"),
    ("host bits set", {"default_addr_pool": ["10.20.0.1/16"]}, NOT_CIDR % "10.20.0.1/16"),
    ("bad prefix", {"default_addr_pool": ["10.20.0.0/33"]}, NOT_CIDR % "10.20.0.0/33"),
    ("second pool bad", {"default_addr_pool": ["10.20.0.0/16", "10.30.0.0"]}, None),
    ("subnet_size without pools", {"subnet_size": 24},
     "subnet_size: needs default_addr_pool; give the pools the subnets are cut from."),
    ("subnet_size equal to the pool", {"default_addr_pool": ["10.20.0.0/16"], "subnet_size": 16},
     "subnet_size: 16 must be longer than every pool's prefix (/16) and at most 32, e.g. 24."),
    ("subnet_size shorter than a pool", {"default_addr_pool": ["10.20.0.0/16", "10.30.0.0/26"], "subnet_size": 24},
     "subnet_size: 24 must be longer than every pool's prefix (/16, /26) and at most 32, e.g. 24."),
    ("subnet_size over 32", {"default_addr_pool": ["10.20.0.0/16"], "subnet_size": 33},
     "subnet_size: 33 must be longer than every pool's prefix (/16) and at most 32, e.g. 24."),
    ("data_path_port too low", {"data_path_port": 1023},
     "data_path_port: 1023 is outside 1024-49151; the default VXLAN port is 4789."),
    ("data_path_port too high", {"data_path_port": 49152},
     "data_path_port: 49152 is outside 1024-49151; the default VXLAN port is 4789."),
    ("data_path_port 0", {"data_path_port": 0},
     "data_path_port: 0 is outside 1024-49151; the default VXLAN port is 4789."),
    ("bad duration", {"dispatcher_heartbeat": "5x"},
     "dispatcher_heartbeat: '5x' is not a duration; use a number with a unit (ns, us, ms, s, m, h, d), e.g. 5s, 1m30s, 100ms, 2160h."),
    ("negative duration", {"cert_expiry": -1}, "cert_expiry: -1 is negative; durations are 0 or more, e.g. 5s."),
    ("bad label key", {"labels": {"-x": "1"}},
     "labels: '-x' is not a valid label key; use letters, digits, '.', '-', '_' and '/', starting and ending with a "
     "letter or digit (for example com.example.zone)."),
]


@pytest.mark.parametrize("params, message", [c[1:] for c in BAD_INIT], ids=[c[0] for c in BAD_INIT])
def test_validate_init_refuses(params, message):
    with pytest.raises(InvalidInput) as err:
        _init.validate_init(params)
    assert err.value.msg == (message or NOT_CIDR % params["default_addr_pool"][-1])


TOKEN = "SWMTKN-1-" + "0123456789abcdefghijklmnopqrstuvwxyz0123456789abcd" + "-" + "abcdefghijklmnopqrstuvwxy"


def join_params(**params):
    result = dict(state="present", remote_addrs=["10.88.0.11:2377"], join_token=TOKEN, role="worker")
    result.update(params)
    return result


@pytest.mark.parametrize("params", [
    join_params(),
    join_params(remote_addrs=["10.88.0.11", "manager-2:2377", "[fd00::11]:2377"]),
    join_params(state="absent", remote_addrs=None, join_token=None),
    join_params(state="absent", remote_addrs=["bad:port"], join_token="not a token"),
], ids=["present", "several managers", "absent needs nothing", "absent checks nothing"])
def test_validate_join_accepts(params):
    _membership.validate_join(params)


BAD_JOIN = [
    ("no managers", join_params(remote_addrs=[]),
     "remote_addrs: required with state: present; give the managers' addresses and the join token."),
    ("no token", join_params(join_token=None),
     "join_token: required with state: present; give the managers' addresses and the join token."),
    ("neither", join_params(remote_addrs=None, join_token=""),
     "remote_addrs and join_token: required with state: present; give the managers' addresses and the join token."),
    ("not a token", join_params(join_token="SWMTKN-1-abc"),
     "join_token: this is not a swarm join token (expected SWMTKN-1-<50 characters>-<25 characters>, "
     "as swarm_init or swarm_info return with include_secrets: true)."),
    ("port not a number", join_params(remote_addrs=["10.88.0.11", "manager-2:swarm"]),
     "remote_addrs: 'manager-2:swarm' has a port that is not a number; use HOST or HOST:PORT."),
]


@pytest.mark.parametrize("params, message", [c[1:] for c in BAD_JOIN], ids=[c[0] for c in BAD_JOIN])
def test_validate_join_refuses(params, message):
    with pytest.raises(InvalidInput) as err:
        _membership.validate_join(params)
    assert err.value.msg == message


@pytest.mark.parametrize("field", _init.SWARM_SETTINGS, ids=lambda f: f.option)
def test_every_setting_s_default_shown_to_the_user_means_the_default_again(field):
    """The default as swarm_init reports it (settings), given back as the option, is no change."""
    shown = _init.settings_view({})
    wanted = _table.desired({field.option: shown[field.option]}, _init.SWARM_SETTINGS)
    assert not _init._compare(wanted, {}, init_only=None), field.option


def test_the_init_request_options_are_a_table_with_their_gates():
    assert dict((f.option, f.min_api) for f in _init.INIT_REQUEST if f.min_api) == {
        "data_path_addr": "1.31", "data_path_port": "1.40", "default_addr_pool": "1.39", "subnet_size": "1.39"}

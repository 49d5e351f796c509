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
    ("subnet_size 29, the engine's longest", {"default_addr_pool": ["10.20.0.0/16"], "subnet_size": 29}),
    ("subnet_size equal to the pool", {"default_addr_pool": ["10.20.0.0/16"], "subnet_size": 16}),
    ("data_path_port 0, the default", {"data_path_port": 0}),
    ("addresses", {"advertise_addr": "10.0.0.1:2377", "listen_addr": "0.0.0.0:2377", "data_path_addr": "eth1"}),
    ("interfaces", {"advertise_addr": "eth0", "listen_addr": "eth0:2377"}),
    ("IPv6", {"advertise_addr": "[fd00::1]:2377", "data_path_addr": "fd00::1"}),
    ("an empty advertise_addr: the engine picks", {"advertise_addr": ""}),
    ("the largest integers", {"task_history_limit": 2**63 - 1, "snapshot_interval": 2**63 - 1, "keep_old_snapshots": 2**63 - 1,
                              "log_entries_for_slow_followers": 2**63 - 1, "election_tick": 2**32 - 1, "heartbeat_tick": 2**32 - 2}),
    ("never remove task history", {"task_history_limit": -1}),
    ("raft ticks", {"election_tick": 20, "heartbeat_tick": 2}),
    ("the shortest certificate", {"cert_expiry": "1h"}),
    ("label values that are numbers", {"labels": {"rack": 3}}),
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
    ("subnet_size shorter than a pool", {"default_addr_pool": ["10.20.0.0/16", "10.30.0.0/26"], "subnet_size": 24},
     "subnet_size: 24 must be at least every pool's prefix (/16, /26) and at most 29, e.g. 24."),
    ("subnet_size over 29", {"default_addr_pool": ["10.20.0.0/16"], "subnet_size": 30},
     "subnet_size: 30 must be at least every pool's prefix (/16) and at most 29, e.g. 24."),
    ("subnet_size 0", {"default_addr_pool": ["10.20.0.0/16"], "subnet_size": 0},
     "subnet_size: 0 must be at least every pool's prefix (/16) and at most 29, e.g. 24."),
    ("data_path_port too low", {"data_path_port": 1023},
     "data_path_port: 1023 is outside 1024-49151; use 0 or leave it out for the default VXLAN port, 4789."),
    ("data_path_port too high", {"data_path_port": 49152},
     "data_path_port: 49152 is outside 1024-49151; use 0 or leave it out for the default VXLAN port, 4789."),
    ("data_path_port negative", {"data_path_port": -1},
     "data_path_port: -1 is outside 1024-49151; use 0 or leave it out for the default VXLAN port, 4789."),
    # The issue: a ValueError from int() for '²', and -1 blamed remote_addrs.
    ("advertise_addr port ²", {"advertise_addr": "10.0.0.1:²"},
     "advertise_addr: '10.0.0.1:²' has the port '²'; a port is a number from 1 to 65535, e.g. 10.0.0.1:2377."),
    ("advertise_addr port -1", {"advertise_addr": "10.0.0.1:-1"},
     "advertise_addr: '10.0.0.1:-1' has the port '-1'; a port is a number from 1 to 65535, e.g. 10.0.0.1:2377."),
    ("advertise_addr 0.0.0.0", {"advertise_addr": "0.0.0.0"},
     "advertise_addr: '0.0.0.0' is not an address other nodes can reach; write an IP address or a network interface with an "
     "optional :PORT, e.g. 10.0.0.1:2377."),
    ("listen_addr not an address", {"listen_addr": "10.0.0.1:2377 "},
     "listen_addr: '10.0.0.1:2377 ' is not an address; write an IP address or a network interface with an optional :PORT, "
     "e.g. 10.0.0.1:2377."),
    ("listen_addr port 70000", {"listen_addr": "0.0.0.0:70000"},
     "listen_addr: '0.0.0.0:70000' has the port '70000'; a port is a number from 1 to 65535, e.g. 0.0.0.0:2377."),
    ("data_path_addr with a port", {"data_path_addr": "10.0.0.1:4789"},
     "data_path_addr: '10.0.0.1:4789' has a port; give the address or interface only, e.g. 10.0.0.1."),
    ("data_path_addr not an IP", {"data_path_addr": "10.0.0.256"},
     "data_path_addr: '10.0.0.256' is not an IP address or a name; write an IP address or a network interface, e.g. 10.0.0.1."),
    # The issue: a Go unmarshal error for 2**63.
    ("task_history_limit 2**63", {"task_history_limit": 2**63},
     "task_history_limit: 9223372036854775808 is out of range; use a whole number from -9223372036854775808 to 9223372036854775807."),
    ("snapshot_interval negative", {"snapshot_interval": -1},
     "snapshot_interval: -1 is negative; use 0 or more."),
    ("keep_old_snapshots 2**64", {"keep_old_snapshots": 2**64},
     "keep_old_snapshots: 18446744073709551616 is out of range; use a whole number from 0 to 9223372036854775807."),
    ("log_entries_for_slow_followers negative", {"log_entries_for_slow_followers": -5},
     "log_entries_for_slow_followers: -5 is negative; use 0 or more."),
    ("heartbeat_tick 0", {"heartbeat_tick": 0}, "heartbeat_tick: 0 is out of range; use a whole number from 1 to 4294967295."),
    ("election_tick 2**32", {"election_tick": 2**32}, "election_tick: 4294967296 is out of range; use a whole number from 1 to 4294967295."),
    ("election_tick not above heartbeat_tick", {"election_tick": 10, "heartbeat_tick": 10},
     "election_tick: 10 must be greater than heartbeat_tick (10); the engine's default is 10 to 1."),
    ("cert_expiry under an hour", {"cert_expiry": "59m"},
     "cert_expiry: '59m' is shorter than 1h, the engine's minimum; use e.g. cert_expiry: 2160h."),
    ("labels: a mapping value", {"labels": {"x": {"a": 1}}},
     "labels.x: a mapping is not a label value; label values are strings, e.g. labels: {x: 'eu-1'}."),
    ("labels: a key with a newline", {"labels": {"zone\n": "a"}},
     "labels: 'zone\\n' is not a valid label key; use letters, digits, '.', '-', '_' and '/', starting and ending with a "
     "letter or digit (for example com.example.zone)."),
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


LONG_DURATIONS = [("400 digits s", "9" * 400 + "s"), ("400 digits", "9" * 400), ("1e300", 10.0 ** 300), ("292 years", "2562048h"),
                  ("2**63 s", 2 ** 63)]


@pytest.mark.parametrize("value", [c[1] for c in LONG_DURATIONS], ids=[c[0] for c in LONG_DURATIONS])
def test_cert_expiry_beyond_int64_nanoseconds(value):
    """The issue: 400 digits were an OverflowError. The duration kind bounds every duration to int64 nanoseconds."""
    with pytest.raises(InvalidInput) as err:
        _init.validate_init({"cert_expiry": value})
    assert err.value.msg.startswith("cert_expiry: ")
    assert "is too long; the engine takes durations up to 2562047h (about 292 years), e.g. 720h." in err.value.msg


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
    join_params(advertise_addr="eth0", listen_addr="0.0.0.0:2377", data_path_addr="10.0.0.5"),
    join_params(unlock_key="SWMKEY-1-7c37Cc8654o6p38HnroywCi19pllOnGtbdZEgtKxZu8"),
], ids=["present", "several managers", "absent needs nothing", "absent checks nothing", "addresses", "an unlock key"])
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
     "remote_addrs[1]: 'manager-2:swarm' has the port 'swarm'; a port is a number from 1 to 65535, e.g. manager-2:2377."),
    ("port ²", join_params(remote_addrs=["10.88.0.11:²"]),
     "remote_addrs[0]: '10.88.0.11:²' has the port '²'; a port is a number from 1 to 65535, e.g. 10.88.0.11:2377."),
    ("an empty manager", join_params(remote_addrs=[""]),
     "remote_addrs[0]: '' is not an address; write a manager's IP address or host name with an optional :PORT, e.g. 10.0.0.1:2377."),
    ("a manager at 0.0.0.0", join_params(remote_addrs=["0.0.0.0:2377"]),
     "remote_addrs[0]: '0.0.0.0:2377' is not an address other nodes can reach; write a manager's IP address or host name with "
     "an optional :PORT, e.g. 10.0.0.1:2377."),
    ("advertise_addr port -1", join_params(advertise_addr="10.0.0.1:-1"),
     "advertise_addr: '10.0.0.1:-1' has the port '-1'; a port is a number from 1 to 65535, e.g. 10.0.0.1:2377."),
    ("listen_addr a space", join_params(listen_addr="0.0.0.0 :2377"),
     "listen_addr: '0.0.0.0 :2377' is not an address; write an IP address or a network interface with an optional :PORT, "
     "e.g. 10.0.0.1:2377."),
    ("data_path_addr with a port", join_params(data_path_addr="eth1:4789"),
     "data_path_addr: 'eth1:4789' has a port; give the address or interface only, e.g. eth1."),
    ("a token with a newline", join_params(join_token=TOKEN + "\n"),
     "join_token: this is not a swarm join token (expected SWMTKN-1-<50 characters>-<25 characters>, "
     "as swarm_init or swarm_info return with include_secrets: true)."),
    ("not an unlock key", join_params(unlock_key="7c37Cc8654o6p38HnroywCi19pllOnGtbdZEgtKxZu8"),
     "unlock_key: this is not a swarm unlock key (expected SWMKEY-1-<key>, as swarm_init returns with include_secrets: true "
     "and autolock: true)."),
]


@pytest.mark.parametrize("params, message", [c[1:] for c in BAD_JOIN], ids=[c[0] for c in BAD_JOIN])
def test_validate_join_refuses(params, message):
    with pytest.raises(InvalidInput) as err:
        _membership.validate_join(params)
    assert err.value.msg == message
    for secret in (params.get("join_token"), params.get("unlock_key")):
        assert not secret or secret.strip() not in err.value.msg, "a token or key must never reach a message"


@pytest.mark.parametrize("field", _init.SWARM_SETTINGS, ids=lambda f: f.option)
def test_every_setting_s_default_shown_to_the_user_means_the_default_again(field):
    """The default as swarm_init reports it (settings), given back as the option, is no change."""
    shown = _init.settings_view({})
    wanted = _table.desired({field.option: shown[field.option]}, _init.SWARM_SETTINGS)
    assert not _init._compare(wanted, {}, init_only=None), field.option


def test_the_init_request_options_are_a_table_with_their_gates():
    assert dict((f.option, f.min_api) for f in _init.INIT_REQUEST if f.min_api) == {
        "data_path_addr": "1.31", "data_path_port": "1.40", "default_addr_pool": "1.39", "subnet_size": "1.39"}

# Copyright: Beekeeper developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests for _table and _kinds: durations, and the declarative normalise / compare / apply / view."""

from __future__ import annotations

import copy

import pytest

from ansible_collections.beekeeper.swarm.plugins.module_utils import _kinds, _table
from ansible_collections.beekeeper.swarm.plugins.module_utils._client import Engine
from ansible_collections.beekeeper.swarm.plugins.module_utils._errors import ApiVersionError, InvalidInput
from ansible_collections.beekeeper.swarm.plugins.module_utils._table import Field

S = 10**9
NOT_A_DURATION = "%s: '%s' is not a duration; use a number with a unit (ns, us, ms, s, m, h, d), e.g. 5s, 1m30s, 100ms, 2160h."

# -- durations ---------------------------------------------------------------------------------

GOOD_DURATIONS = [
    ("5s", 5 * S),
    ("1m30s", 90 * S),
    ("100ms", 100 * 10**6),
    ("2160h", 2160 * 3600 * S),
    ("1d", 86400 * S),
    ("1.5s", 1500 * 10**6),
    ("250us", 250 * 10**3),
    ("250µs", 250 * 10**3),
    ("7ns", 7),
    ("1h1m1s1ms1us1ns", 3600 * S + 60 * S + S + 10**6 + 10**3 + 1),
    (" 5s ", 5 * S),
    ("0s", 0),
    ("90", 90 * S),
    ("0.5", S // 2),
    (90, 90 * S),
    (0, 0),
    (0.25, S // 4),
]


@pytest.mark.parametrize("value, expected", GOOD_DURATIONS, ids=[repr(v) for v, _e in GOOD_DURATIONS])
def test_parse_duration(value, expected):
    assert _kinds.parse_duration(value, "opt") == expected


BAD_DURATIONS = [
    ("5x", NOT_A_DURATION % ("cert_expiry", "5x")),
    ("", NOT_A_DURATION % ("cert_expiry", "")),
    ("s", NOT_A_DURATION % ("cert_expiry", "s")),
    ("1m30", NOT_A_DURATION % ("cert_expiry", "1m30")),
    ("5 s", NOT_A_DURATION % ("cert_expiry", "5 s")),
    ("x5s", NOT_A_DURATION % ("cert_expiry", "x5s")),
    ("-5s", "cert_expiry: '-5s' is negative; durations are 0 or more, e.g. 5s."),
    ("-5", "cert_expiry: '-5' is negative; durations are 0 or more, e.g. 5s."),
    ("5S", NOT_A_DURATION % ("cert_expiry", "5S")),
    (-5, "cert_expiry: -5 is negative; durations are 0 or more, e.g. 5s."),
    (-0.5, "cert_expiry: -0.5 is negative; durations are 0 or more, e.g. 5s."),
    (True, "cert_expiry: True is not a duration; use a number with a unit, e.g. 5s, 1m30s, 100ms, 2160h."),
    (False, "cert_expiry: False is not a duration; use a number with a unit, e.g. 5s, 1m30s, 100ms, 2160h."),
]


@pytest.mark.parametrize("value, message", [c for c in BAD_DURATIONS if c[1]], ids=[repr(c[0]) for c in BAD_DURATIONS if c[1]])
def test_parse_duration_refuses(value, message):
    with pytest.raises(InvalidInput) as err:
        _kinds.parse_duration(value, "cert_expiry")
    assert err.value.msg == message


FORMATTED = [
    (None, None),
    (0, "0s"),
    (5 * S, "5s"),
    (90 * S, "1m30s"),
    (3600 * S, "1h"),
    (2160 * 3600 * S, "2160h"),
    (86400 * S, "24h"),
    (100 * 10**6, "100ms"),
    (1500 * 10**6, "1s500ms"),
    (3600 * S + 60 * S + S + 10**6 + 10**3 + 1, "1h1m1s1ms1us1ns"),
    (7, "7ns"),
]


@pytest.mark.parametrize("ns, text", FORMATTED, ids=[str(t) for _n, t in FORMATTED])
def test_format_duration(ns, text):
    assert _kinds.format_duration(ns) == text


@pytest.mark.parametrize("text", ["5s", "1m30s", "2160h", "100ms", "1h1m1s1ms1us1ns", "0s", "720h", "7ns", "1s500ms"])
def test_format_parses_back_to_itself(text):
    assert _kinds.format_duration(_kinds.parse_duration(text, "opt")) == text


@pytest.mark.parametrize("ns", [0, 1, 999, 10**6 + 1, 5 * S, 90 * S, 86400 * S + 1, 123456789012345])
def test_parse_of_format_is_identity(ns):
    assert _kinds.parse_duration(_kinds.format_duration(ns), "opt") == ns


# -- the declarative table -----------------------------------------------------------------------

TABLE = (
    Field("history", ("Orchestration", "TaskHistoryRetentionLimit"), "int", 5),
    Field("heartbeat", ("Dispatcher", "HeartbeatPeriod"), "duration", "5s"),
    Field("autolock", ("EncryptionConfig", "AutoLockManagers"), "bool", False),
    Field("labels", ("Labels",), "dict", {}),
    Field("election_tick", ("Raft", "ElectionTick"), "int", 10, init_only=True),
    Field("new_thing", ("Raft", "NewThing"), "int", None, min_api="1.44"),
)

# What a current engine returns for a swarm made with the defaults (NewThing omitted).
CURRENT = {
    "Orchestration": {"TaskHistoryRetentionLimit": 5},
    "Dispatcher": {"HeartbeatPeriod": 5 * S},
    "EncryptionConfig": {"AutoLockManagers": False},
    "Raft": {"ElectionTick": 10, "SnapshotInterval": 10000},
    "Labels": {},
    "Name": "default",
}

DEFAULTS = {"history": 5, "heartbeat": 5 * S, "autolock": False, "labels": {}, "election_tick": 10, "new_thing": None}

DESIRED = [
    ("nothing given: engine defaults", {}, DEFAULTS),
    ("None means the default", {"history": None, "heartbeat": None}, DEFAULTS),
    ("given values in API units", {"history": "7", "heartbeat": "1m", "autolock": 1, "new_thing": 3},
     dict(DEFAULTS, history=7, heartbeat=60 * S, autolock=True, new_thing=3)),
    ("dict keys and values become strings", {"labels": {"tier": 1, 2: "x"}}, dict(DEFAULTS, labels={"tier": "1", "2": "x"})),
    ("unknown params are ignored", {"other": 1}, DEFAULTS),
]


@pytest.mark.parametrize("params, expected", [c[1:] for c in DESIRED], ids=[c[0] for c in DESIRED])
def test_desired(params, expected):
    assert _table.desired(params, TABLE) == expected


def test_desired_names_the_option_of_a_bad_duration():
    with pytest.raises(InvalidInput) as err:
        _table.desired({"heartbeat": "5x"}, TABLE)
    assert err.value.msg == NOT_A_DURATION % ("heartbeat", "5x")


COMPARE = [
    ("defaults against a default swarm: no change", {}, CURRENT, False, []),
    ("one changed value", {"history": 10}, CURRENT, False, [("history", 5, 10)]),
    ("durations compare in nanoseconds", {"heartbeat": "5000ms"}, CURRENT, False, []),
    ("a changed duration, in the user's units", {"heartbeat": "10s"}, CURRENT, False, [("heartbeat", "5s", "10s")]),
    ("labels are compared whole", {"labels": {"a": "1"}}, CURRENT, False, [("labels", {}, {"a": "1"})]),
    ("an omitted field counts as the engine default", {"history": 5}, {}, False, []),
    ("an omitted dict counts as empty", {"labels": {}}, {"Raft": {}}, False, []),
    ("init-only fields are left out of a normal compare", {"election_tick": 20}, CURRENT, False, []),
    ("init-only fields alone with init_only=True", {"election_tick": 20, "history": 10}, CURRENT, True,
     [("election_tick", 10, 20)]),
    ("an option with no value and no default is not managed", {}, {"Raft": {"NewThing": 4}}, False, []),
    ("an option with no default is compared when given", {"new_thing": 3}, {"Raft": {"NewThing": 4}}, False,
     [("new_thing", 4, 3)]),
    ("a differing current value is reported with the engine's value",
     {}, dict(CURRENT, Orchestration={"TaskHistoryRetentionLimit": 1}), False, [("history", 1, 5)]),
]


def compare(wanted, current, init_only=False):
    """Wanted API values against an API object, as swarm_init compares: declared options only."""
    wanted = dict((f.option, _table.canon(f, wanted.get(f.option)) if wanted.get(f.option) is not None else None) for f in TABLE)
    changes = _table.compare(wanted, _table.canonical(current, TABLE), TABLE, init_only=init_only, declared_only=True)
    return [(c.option, c.before, c.after) for c in changes]


@pytest.mark.parametrize("params, current, init_only, expected", [c[1:] for c in COMPARE], ids=[c[0] for c in COMPARE])
def test_compare(params, current, init_only, expected):
    wanted = _table.desired(params, TABLE)
    assert compare(wanted, current, init_only=init_only) == expected


def test_compare_skips_options_not_wanted():
    assert compare({"history": 9}, CURRENT) == [("history", 5, 9)]


def test_apply_sets_values_at_their_paths_and_keeps_the_rest():
    before = copy.deepcopy(CURRENT)
    wanted = _table.desired({"history": 10, "heartbeat": "1m", "labels": {"a": "b"}, "election_tick": 20}, TABLE)
    spec = _table.apply(CURRENT, wanted, TABLE)
    assert before == CURRENT, "apply must not change its input"
    assert spec["Orchestration"]["TaskHistoryRetentionLimit"] == 10
    assert spec["Dispatcher"]["HeartbeatPeriod"] == 60 * S
    assert spec["Labels"] == {"a": "b"}
    assert spec["Name"] == "default"
    assert spec["Raft"] == {"ElectionTick": 10, "SnapshotInterval": 10000}, "init-only field changed on update"
    assert "NewThing" not in spec["Raft"], "an unmanaged option was sent"


def test_apply_on_init_sets_init_only_fields_and_builds_the_paths():
    wanted = _table.desired({"election_tick": 20}, TABLE)
    assert _table.apply({}, wanted, TABLE, init=True) == {
        "Orchestration": {"TaskHistoryRetentionLimit": 5},
        "Dispatcher": {"HeartbeatPeriod": 5 * S},
        "EncryptionConfig": {"AutoLockManagers": False},
        "Labels": {},
        "Raft": {"ElectionTick": 20},
    }
    assert _table.apply(None, {}, TABLE) == {}


def test_apply_then_compare_finds_nothing():
    wanted = _table.desired({"history": 10, "heartbeat": "90s", "autolock": True, "labels": {"a": "b"}}, TABLE)
    assert compare(wanted, _table.apply(CURRENT, wanted, TABLE)) == []


VIEWS = [
    ("a default swarm", CURRENT,
     {"history": 5, "heartbeat": "5s", "autolock": False, "labels": {}, "election_tick": 10, "new_thing": None}),
    ("omitted fields show the engine default", {},
     {"history": 5, "heartbeat": "5s", "autolock": False, "labels": {}, "election_tick": 10, "new_thing": None}),
    ("durations in user units", {"Dispatcher": {"HeartbeatPeriod": 90 * S}, "Raft": {"NewThing": 2}},
     {"history": 5, "heartbeat": "1m30s", "autolock": False, "labels": {}, "election_tick": 10, "new_thing": 2}),
]


@pytest.mark.parametrize("obj, expected", [c[1:] for c in VIEWS], ids=[c[0] for c in VIEWS])
def test_view(obj, expected):
    assert _table.view(_table.canonical(obj, TABLE), TABLE) == expected


def test_changes_are_in_user_units_and_render_one_diff():
    changes = _table.compare({"heartbeat": 90 * S, "history": 10}, _table.canonical(CURRENT, TABLE), TABLE, declared_only=True)
    assert changes.diff() == {"before": {"heartbeat": "5s", "history": 5}, "after": {"heartbeat": "1m30s", "history": 10}}


# -- the argument spec comes from the table ------------------------------------------------------

NESTED = (
    Field("image", ("Image",), "image"),
    Field("update_config.delay", ("UpdateConfig", "Delay"), "duration", "0s"),
    Field("update_config.order", ("UpdateConfig", "Order"), "value", "stop-first", choices=["stop-first", "start-first"]),
    Field("mode", ("Mode",), "mode", "replicated", arg_default="replicated", choices=["replicated", "global"]),
    Field("ports", ("Ports",), "ports", options=dict(target=dict(type="int", required=True))),
)


def test_argument_spec_nests_dotted_options_and_takes_types_from_kinds():
    assert _table.argument_spec(NESTED) == dict(
        image=dict(type="str"),
        update_config=dict(type="dict", options=dict(delay=dict(type="str"), order=dict(type="str", choices=["stop-first", "start-first"]))),
        mode=dict(type="str", default="replicated", choices=["replicated", "global"]),
        ports=dict(type="list", elements="dict", options=dict(target=dict(type="int", required=True))),
    )


def test_argument_spec_with_engine_defaults():
    assert _table.argument_spec(TABLE, defaults=True)["history"] == dict(type="int", default=5)
    assert _table.argument_spec(TABLE)["history"] == dict(type="int")


def test_an_unknown_kind_is_refused_when_the_table_is_made():
    with pytest.raises(ValueError):
        Field("x", ("X",), "no-such-kind")


@pytest.mark.parametrize("path, expected", [(("Raft", "ElectionTick"), 10), (("Raft", "Missing"), None),
                                            (("Name", "deeper"), None), ((), CURRENT)])
def test_get_path(path, expected):
    assert _kinds.get_path(CURRENT, path) == expected


# -- version gates -----------------------------------------------------------------------------

def engine_speaking(api_version):
    """An Engine that never connected: only its negotiated version is set."""
    engine = Engine.__new__(Engine)
    engine.api_version = api_version
    return engine


@pytest.mark.parametrize("api_version, params, message", [
    ("1.41", {"new_thing": 3}, "Engine API 1.41 is too old for new_thing (needs 1.44)."),
    ("1.43", {"new_thing": 0}, "Engine API 1.43 is too old for new_thing (needs 1.44)."),
    ("1.41", {"history": 3}, None),
    ("1.41", {"new_thing": None}, None),
    ("1.44", {"new_thing": 3}, None),
    ("1.45", {"new_thing": 3}, None),
])
def test_gate_fails_only_when_a_newer_option_is_used(api_version, params, message):
    engine = engine_speaking(api_version)
    if message is None:
        _table.gate(engine, params, TABLE)
    else:
        with pytest.raises(ApiVersionError) as err:
            _table.gate(engine, params, TABLE)
        assert err.value.msg == message

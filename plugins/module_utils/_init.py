# Copyright: Beekeeper developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to this collection: swarm_init - create the swarm, reconcile its settings, recover quorum.

The SwarmSpec settings and the init request are two option tables (_table): they give swarm_init its
argument spec, the Engine API gates, the create body and the comparison of an existing swarm's settings.
"""

from __future__ import annotations

import ipaddress

from ansible_collections.beekeeper.swarm.plugins.module_utils import _api, _table
from ansible_collections.beekeeper.swarm.plugins.module_utils._args import connection_argument_spec, wait_args
from ansible_collections.beekeeper.swarm.plugins.module_utils._errors import (
    EngineError,
    InvalidInput,
    QuorumLost,
    Refused,
)
from ansible_collections.beekeeper.swarm.plugins.module_utils._kinds import parse_duration
from ansible_collections.beekeeper.swarm.plugins.module_utils._membership import DEFAULT_LISTEN, local_state, validate_addresses
from ansible_collections.beekeeper.swarm.plugins.module_utils._table import Field
from ansible_collections.beekeeper.swarm.plugins.module_utils._validate import shown, split_addr, validate_labels
from ansible_collections.beekeeper.swarm.plugins.module_utils._views import node_view
from ansible_collections.beekeeper.swarm.plugins.module_utils._wait import wait_until

# SwarmSpec settings: option -> where it lives, its kind and the engine's default.
SWARM_SETTINGS = (
    Field("task_history_limit", ("Orchestration", "TaskHistoryRetentionLimit"), "int", 5),
    Field("snapshot_interval", ("Raft", "SnapshotInterval"), "count", 10000),
    Field("keep_old_snapshots", ("Raft", "KeepOldSnapshots"), "count", 0),
    Field("log_entries_for_slow_followers", ("Raft", "LogEntriesForSlowFollowers"), "count", 500),
    Field("election_tick", ("Raft", "ElectionTick"), "tick", 10, init_only=True),
    Field("heartbeat_tick", ("Raft", "HeartbeatTick"), "tick", 1, init_only=True),
    Field("dispatcher_heartbeat", ("Dispatcher", "HeartbeatPeriod"), "duration", "5s"),
    Field("cert_expiry", ("CAConfig", "NodeCertExpiry"), "duration", "2160h"),
    Field("autolock", ("EncryptionConfig", "AutoLockManagers"), "bool", False),
    Field("labels", ("Labels",), "dict", {}),
)


# Options of the init request itself (not of the SwarmSpec): where they go in the request, the first API
# that has them (all older than the collection's floor, 1.41), and their argument spec.
INIT_REQUEST = (
    Field("advertise_addr", ("AdvertiseAddr",)),
    Field("listen_addr", ("ListenAddr",), arg_default="0.0.0.0:2377"),
    Field("data_path_addr", ("DataPathAddr",), min_api="1.31"),
    Field("data_path_port", ("DataPathPort",), "int", min_api="1.40"),
    Field("default_addr_pool", ("DefaultAddrPool",), "list", min_api="1.39"),
    Field("subnet_size", ("SubnetSize",), "int", min_api="1.39"),
    Field("availability", ("Availability",), choices=["active", "pause", "drain"]),
)


ROTATIONS = (
    ("rotate_worker_token", "rotateWorkerToken", "rotate worker token"),
    ("rotate_manager_token", "rotateManagerToken", "rotate manager token"),
    ("rotate_unlock_key", "rotateManagerUnlockKey", "rotate unlock key"),
)


def settings_view(spec):
    """The swarm's settings in the options' terms, engine defaults filled in."""
    return _table.view(_table.canonical(spec, SWARM_SETTINGS), SWARM_SETTINGS)


def _compare(wanted, spec, init_only=False):
    """The settings whose wanted API value (``_table.desired``) differs from the SwarmSpec's."""
    wanted = dict((f.option, _table.canon(f, wanted.get(f.option))) for f in SWARM_SETTINGS)
    return _table.compare(wanted, _table.canonical(spec, SWARM_SETTINGS), SWARM_SETTINGS, init_only=init_only, declared_only=True)


def init_argument_spec():
    """swarm_init's whole argument spec: the init request's options and the SwarmSpec settings with their
    engine defaults, from the two tables; rotation, recovery and secrets; connection and wait."""
    return connection_argument_spec(
        **_table.argument_spec(INIT_REQUEST),
        **_table.argument_spec(SWARM_SETTINGS, defaults=True),
        rotate_worker_token=dict(type="bool", default=False),
        rotate_manager_token=dict(type="bool", default=False),
        rotate_unlock_key=dict(type="bool", default=False),
        force_new_cluster=dict(type="bool", default=False),
        include_secrets=dict(type="bool", default=False),
        **wait_args(120),
    )


# The engine refuses certificates valid for less than an hour (swarmkit's minimum node certificate expiry).
MIN_CERT_EXPIRY = 3600 * 10**9


def _minimum(params, option, low, low_text, example):
    """A SwarmSpec duration no shorter than the engine's minimum (the kind has parsed and bounded it)."""
    value = params.get(option)
    if value is not None and parse_duration(value, option) < low:
        raise InvalidInput("%s: '%s' is shorter than %s, the engine's minimum; use e.g. %s: %s." % (option, value, low_text, option, example))


def validate_init(params):
    """Every check swarm_init can make before it connects: InvalidInput naming the option and the fix."""
    validate_labels(params.get("labels"))
    validate_addresses(params)
    # Every option's kind checks its value (ranges of the Engine API's types, durations, addresses' form).
    _table.build(params, SWARM_SETTINGS)
    _table.build(params, INIT_REQUEST)
    election, heartbeat = params.get("election_tick"), params.get("heartbeat_tick")
    if election is not None and heartbeat is not None and election <= heartbeat:
        raise InvalidInput("election_tick: %s must be greater than heartbeat_tick (%s); the engine's default is 10 to 1."
                           % (election, heartbeat))
    pools = params.get("default_addr_pool") or []
    prefixes = []
    for pool in pools:
        try:
            if "/" not in str(pool):  # ip_network() would take a bare address as a /32
                raise ValueError(pool)
            net = ipaddress.ip_network(str(pool), strict=True)
        except ValueError:
            raise InvalidInput(
                "default_addr_pool: %s is not a CIDR network; use a network address with a prefix length, "
                "e.g. 10.20.0.0/16." % shown(pool)
            ) from None
        prefixes.append(net.prefixlen)
    size = params.get("subnet_size")
    if size is not None:
        if not pools:
            raise InvalidInput("subnet_size: needs default_addr_pool; give the pools the subnets are cut from.")
        # The engine's own limits: at most /29 (8 addresses, 4 of them its own), no shorter than a pool.
        if not 1 <= size <= 29 or any(size < p for p in prefixes):
            raise InvalidInput(
                "subnet_size: %s must be at least every pool's prefix (%s) and at most 29, e.g. 24."
                % (size, ", ".join("/%d" % p for p in prefixes))
            )
    port = params.get("data_path_port")
    if port is not None and port != 0 and not 1024 <= port <= 49151:
        raise InvalidInput("data_path_port: %s is outside 1024-49151; use 0 or leave it out for the default VXLAN port, 4789." % port)
    _minimum(params, "cert_expiry", MIN_CERT_EXPIRY, "1h", "2160h")


def swarm_result(engine, cluster, info_swarm, include_secrets):
    result = dict(
        id=cluster.get("ID"),
        node_id=info_swarm.get("NodeID"),
        node_addr=info_swarm.get("NodeAddr"),
        created_at=cluster.get("CreatedAt"),
        updated_at=cluster.get("UpdatedAt"),
        settings=settings_view(cluster.get("Spec") or {}),
        default_addr_pool=cluster.get("DefaultAddrPool"),
        subnet_size=cluster.get("SubnetSize"),
        data_path_port=cluster.get("DataPathPort"),
        root_rotation_in_progress=cluster.get("RootRotationInProgress"),
    )
    if include_secrets:
        tokens = cluster.get("JoinTokens") or {}
        result["join_tokens"] = dict(worker=tokens.get("Worker"), manager=tokens.get("Manager"))
        if (cluster.get("Spec") or {}).get("EncryptionConfig", {}).get("AutoLockManagers"):
            result["unlock_key"] = _api.unlock_key(engine)
    return result


def _init_only_warnings(params, cluster, info_swarm):
    warnings = []
    given = params.get("advertise_addr")
    if given:
        host = split_addr(given, option="advertise_addr")[0]
        try:
            ipaddress.ip_address(host)
        except ValueError:
            host = None  # an interface name: the engine resolved it at init time
        if host and host != info_swarm.get("NodeAddr"):
            warnings.append("advertise_addr %s differs from this manager's address %s" % (host, info_swarm.get("NodeAddr")))
    pairs = (
        ("default_addr_pool", cluster.get("DefaultAddrPool")),
        ("subnet_size", cluster.get("SubnetSize")),
        ("data_path_port", cluster.get("DataPathPort")),
    )
    for option, current in pairs:
        given = params.get(option)
        if option == "data_path_port" and given == 0:
            given = None  # 0 asks for the engine's default port, whatever it is
        if given is not None and given != current:
            warnings.append("%s %s differs from the swarm's %s" % (option, params[option], current))
    for change in _compare(_table.desired(params, SWARM_SETTINGS), cluster.get("Spec") or {}, init_only=True):
        if params.get(change.option) is not None:
            warnings.append("%s %s differs from the swarm's %s" % (change.option, change.after, change.before))
    if warnings:
        return ["Settings that only take effect when a swarm is created were left as they are: %s. "
                "They change only with a new swarm." % "; ".join(warnings)]
    return []


def init(engine, params, check_mode):
    """swarm_init: create the swarm, or reconcile the settings of the one this manager runs."""
    validate_init(params)
    _table.gate(engine, params, SWARM_SETTINGS + INIT_REQUEST)
    info_swarm, role = local_state(engine)
    state = info_swarm.get("LocalNodeState")
    wanted = _table.desired(params, SWARM_SETTINGS)
    if params.get("force_new_cluster"):
        return _force_new_cluster(engine, params, info_swarm, role, check_mode)
    if state in ("pending", "error"):
        raise Refused(
            "Failed to initialise swarm: this node is in state '%s' from an earlier join (%s). Make it leave with "
            "beekeeper.swarm.swarm_join state: absent force: true, then run swarm_init again."
            % (state, info_swarm.get("Error") or "no error reported")
        )
    if state == "locked":
        raise Refused("Failed to initialise swarm: this manager is locked; unlock it with beekeeper.swarm.swarm_join unlock_key.")
    if role == "worker":
        raise Refused(
            "Failed to initialise swarm: this node is a worker of an existing swarm; run swarm_init against a manager "
            "(or make this node leave with beekeeper.swarm.swarm_join state: absent)."
        )
    if role is None:
        return _create(engine, params, wanted, check_mode)
    return _reconcile(engine, params, wanted, info_swarm, check_mode)


def _create(engine, params, wanted, check_mode):
    after = dict((f.option, _table.to_user(f, wanted[f.option])) for f in SWARM_SETTINGS)
    result = dict(changed=True, actions=["create swarm"], diff=dict(before={}, after=after))
    if params.get("autolock"):
        result["warnings"] = ["autolock is on: keep the unlock key (include_secrets: true, with no_log) in a vault; "
                              "a locked manager cannot rejoin after a restart without it."]
    if check_mode:
        return result
    body = dict(
        ListenAddr=params.get("listen_addr") or DEFAULT_LISTEN,
        AdvertiseAddr=params.get("advertise_addr"),
        DataPathAddr=params.get("data_path_addr"),
        DataPathPort=params.get("data_path_port"),
        DefaultAddrPool=params.get("default_addr_pool"),
        SubnetSize=params.get("subnet_size"),
        ForceNewCluster=False,
        Availability=params.get("availability"),
        Spec=_table.apply({}, wanted, SWARM_SETTINGS, init=True),
    )
    result["swarm"] = _init_and_describe(engine, body, "initialise swarm", params)
    return result


def _reconcile(engine, params, wanted, info_swarm, check_mode):
    cluster = _api.inspect_swarm(engine)
    spec = cluster.get("Spec") or {}
    changes = _compare(wanted, spec)
    rotate = [(query, action) for option, query, action in ROTATIONS if params.get(option)]
    if params.get("rotate_unlock_key") and not wanted["autolock"]:
        raise InvalidInput("rotate_unlock_key: the swarm has no unlock key unless autolock: true; set autolock: true.")
    actions = [action for _query, action in rotate]
    if changes:
        actions.insert(0, "update settings: %s" % ", ".join(changes.options()))
    result = dict(changed=bool(actions), actions=actions, warnings=_init_only_warnings(params, cluster, info_swarm))
    result["diff"] = dict(before=settings_view(spec), after=settings_view(_table.apply(spec, wanted, SWARM_SETTINGS)))
    if result["changed"] and not check_mode:
        _api.update_swarm(engine, lambda live: _table.apply(live, wanted, SWARM_SETTINGS), rotate=tuple(q for q, _action in rotate))
        cluster = _api.inspect_swarm(engine)
    result["swarm"] = swarm_result(engine, cluster, info_swarm, params.get("include_secrets"))
    return result


def _force_new_cluster(engine, params, info_swarm, role, check_mode):
    if role != "manager" and info_swarm.get("LocalNodeState") != "active":
        raise Refused("force_new_cluster: this node is not a manager of a swarm; recovery runs on a surviving manager.")
    if role == "worker":
        raise Refused("force_new_cluster: this node is a worker; recovery runs on a surviving manager.")
    try:
        _api.list_nodes(engine, role="manager")
        cluster = _api.inspect_swarm(engine)
        return dict(
            changed=False,
            warnings=["force_new_cluster: the swarm has a leader and quorum, so there is nothing to recover."],
            swarm=swarm_result(engine, cluster, info_swarm, params.get("include_secrets")),
        )
    except QuorumLost:
        pass
    result = dict(changed=True, actions=["force new cluster from this manager"])
    if check_mode:
        return result
    body = dict(
        ListenAddr=params.get("listen_addr") or DEFAULT_LISTEN,
        AdvertiseAddr=params.get("advertise_addr") or info_swarm.get("NodeAddr"),
        ForceNewCluster=True,
        Spec={},
    )
    result["swarm"] = _init_and_describe(engine, body, "force a new cluster", params)
    return result


def _init_and_describe(engine, body, what, params):
    """POST /swarm/init, wait until this node is the ready leader, and describe the swarm."""
    node_id = _api.init_swarm(engine, _compact(body), what)
    if params.get("wait", True):
        _wait_manager_ready(engine, node_id, params["wait_timeout"])
    info_swarm, _role = local_state(engine)
    cluster = _api.inspect_swarm(engine)
    return swarm_result(engine, cluster, info_swarm, params.get("include_secrets"))


def _compact(body):
    return dict((k, v) for k, v in body.items() if v is not None)


def _wait_manager_ready(engine, node_id, timeout):
    def check():
        try:
            node = node_view(_api.inspect_node(engine, node_id))
        except EngineError as exc:
            return False, exc.msg
        return node["state"] == "ready" and node["leader"], node

    return wait_until(check, timeout, "become the ready leader")

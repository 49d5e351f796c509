# Copyright: Beekeeper developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to this collection: swarm membership - init, reconcile settings, join, leave, unlock."""

from __future__ import annotations

import ipaddress
import socket

from ansible_collections.beekeeper.swarm.plugins.module_utils import _api, _table
from ansible_collections.beekeeper.swarm.plugins.module_utils._args import connection_argument_spec, wait_args
from ansible_collections.beekeeper.swarm.plugins.module_utils._errors import (
    EngineError,
    InvalidInput,
    QuorumLost,
    Refused,
)
from ansible_collections.beekeeper.swarm.plugins.module_utils._kinds import parse_duration
from ansible_collections.beekeeper.swarm.plugins.module_utils._quorum import majority
from ansible_collections.beekeeper.swarm.plugins.module_utils._table import Field
from ansible_collections.beekeeper.swarm.plugins.module_utils._validate import split_addr, validate_labels, validate_token
from ansible_collections.beekeeper.swarm.plugins.module_utils._views import node_view
from ansible_collections.beekeeper.swarm.plugins.module_utils._wait import wait_until

# SwarmSpec settings: option -> where it lives, its kind and the engine's default.
SWARM_SETTINGS = (
    Field("task_history_limit", ("Orchestration", "TaskHistoryRetentionLimit"), "int", 5),
    Field("snapshot_interval", ("Raft", "SnapshotInterval"), "int", 10000),
    Field("keep_old_snapshots", ("Raft", "KeepOldSnapshots"), "int", 0),
    Field("log_entries_for_slow_followers", ("Raft", "LogEntriesForSlowFollowers"), "int", 500),
    Field("election_tick", ("Raft", "ElectionTick"), "int", 10, init_only=True),
    Field("heartbeat_tick", ("Raft", "HeartbeatTick"), "int", 1, init_only=True),
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
DEFAULT_LISTEN = "0.0.0.0:2377"
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


def local_state(engine):
    """(info['Swarm'], role) of the engine's own node; role is manager, worker or None."""
    swarm = _api.info(engine).get("Swarm") or {}
    state = swarm.get("LocalNodeState") or "inactive"
    role = None
    if state == "active":
        role = "manager" if swarm.get("ControlAvailable") else "worker"
    return swarm, role


def validate_init(params):
    validate_labels(params.get("labels"))
    pools = params.get("default_addr_pool") or []
    prefixes = []
    for pool in pools:
        try:
            if "/" not in str(pool):  # ip_network() would take a bare address as a /32
                raise ValueError(pool)
            prefixes.append(ipaddress.ip_network(str(pool), strict=True).prefixlen)
        except ValueError:
            raise InvalidInput(
                "default_addr_pool: '%s' is not a CIDR network; use a network address with a prefix length, "
                "e.g. 10.20.0.0/16." % pool
            ) from None
    size = params.get("subnet_size")
    if size is not None:
        if not pools:
            raise InvalidInput("subnet_size: needs default_addr_pool; give the pools the subnets are cut from.")
        if not 1 <= size <= 32 or any(size <= p for p in prefixes):
            raise InvalidInput(
                "subnet_size: %s must be longer than every pool's prefix (%s) and at most 32, e.g. 24."
                % (size, ", ".join("/%d" % p for p in prefixes))
            )
    port = params.get("data_path_port")
    if port is not None and not 1024 <= port <= 49151:
        raise InvalidInput("data_path_port: %s is outside 1024-49151; the default VXLAN port is 4789." % port)
    for option in ("dispatcher_heartbeat", "cert_expiry"):
        if params.get(option) is not None:
            parse_duration(params[option], option)


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
        host = split_addr(given)[0]
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
        if params.get(option) is not None and params[option] != current:
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


# -- join / leave ----------------------------------------------------------------------------


def _addr_set(addrs):
    result = set()
    for addr in addrs:
        host, port = split_addr(addr)
        try:
            host = socket.gethostbyname(host)
        except (OSError, UnicodeError):
            pass
        result.add("%s:%d" % (host, port))
    return result


def validate_join(params):
    if params["state"] == "present":
        missing = [o for o in ("remote_addrs", "join_token") if not params.get(o)]
        if missing:
            raise InvalidInput("%s: required with state: present; give the managers' addresses and the join token." % " and ".join(missing))
        validate_token(params["join_token"])
        for addr in params["remote_addrs"]:
            split_addr(addr)


def join(engine, params, check_mode):
    """swarm_join: be in the swarm at remote_addrs with the given role (or out of any swarm)."""
    validate_join(params)
    if params.get("data_path_addr"):
        _table.gate(engine, params, [f for f in INIT_REQUEST if f.option == "data_path_addr"])
    info_swarm, role = local_state(engine)
    actions, warnings = [], []
    if info_swarm.get("LocalNodeState") == "locked":
        if not params.get("unlock_key"):
            raise Refused("Failed to join swarm: this manager is locked after a restart; give unlock_key to unlock it.")
        actions.append("unlock manager")
        if check_mode:
            return dict(changed=True, actions=actions, role="manager")
        _api.unlock_swarm(engine, params["unlock_key"])
        info_swarm, role = _wait_active(engine, params, "unlock")
    if params["state"] == "absent":
        return _leave(engine, params, info_swarm, role, actions, check_mode)
    state = info_swarm.get("LocalNodeState")
    leave_first = False
    if state in ("pending", "error"):
        warnings.append("This node was stuck in state '%s' after an earlier join (%s); it leaves and joins again."
                        % (state, info_swarm.get("Error") or "no error reported"))
        leave_first = True
    elif role is not None:
        managers = [m.get("Addr") for m in info_swarm.get("RemoteManagers") or []]
        same = bool(_addr_set(managers) & _addr_set(params["remote_addrs"]))
        if same and role == params["role"]:
            return dict(changed=bool(actions), actions=actions, role=role, node_id=info_swarm.get("NodeID"),
                        warnings=warnings, diff=dict(before=dict(role=role), after=dict(role=role)))
        if not params.get("force"):
            if same:
                raise Refused(
                    "Failed to join swarm: this node is already in this swarm as a %s, not a %s. Change its role with "
                    "beekeeper.swarm.swarm_node (role: %s) against a manager, or set force: true to leave and rejoin."
                    % (role, params["role"], params["role"])
                )
            raise Refused(
                "Failed to join swarm: this node is already in another swarm (managers %s), not the one at %s. "
                "Set force: true to leave it and join this one." % (", ".join(managers) or "unknown", ", ".join(params["remote_addrs"]))
            )
        actions.append("leave the current swarm")
        leave_first = True
    actions.append("join as %s" % params["role"])
    result = dict(changed=True, actions=actions, warnings=warnings, role=params["role"],
                  diff=dict(before=dict(role=role), after=dict(role=params["role"])))
    if check_mode:
        return result
    if leave_first:
        _api.leave_swarm(engine, force=True)
    body = _compact(dict(
        ListenAddr=params.get("listen_addr") or DEFAULT_LISTEN,
        AdvertiseAddr=params.get("advertise_addr"),
        DataPathAddr=params.get("data_path_addr"),
        RemoteAddrs=params["remote_addrs"],
        JoinToken=params["join_token"],
        Availability=params.get("availability"),
    ))
    try:
        _api.join_swarm(engine, body, "join swarm at %s" % ", ".join(params["remote_addrs"]))
    except EngineError as exc:
        _cleanup_failed_join(engine)
        said = exc.details.get("engine_said", "")
        hint = ""
        if "Timeout was reached" in said or "connection" in said.lower() or "unavailable" in said.lower():
            hint = (" No manager answered at %s: check remote_addrs and that 2377/tcp is open on the managers."
                    % ", ".join(params["remote_addrs"]))
        elif any(sign in said.lower() for sign in ("token", "fingerprint", "digest")):
            # "remote CA does not match fingerprint": a token of another swarm; "digest": not a token at all.
            hint = (" The join_token was refused (stale, or of another swarm): take a current token from a manager of "
                    "this swarm (swarm_info include_secrets: true).")
        raise EngineError("%s.%s The node was returned to a clean, swarm-less state." % (exc.msg.rstrip("."), hint)) from exc
    info_swarm, role = _wait_active(engine, params, "join the swarm")
    if role != params["role"]:
        raise EngineError(
            "Joined the swarm as a %s, but role: %s was asked: the join_token is a %s token. Use the %s token, or "
            "change the role with beekeeper.swarm.swarm_node." % (role, params["role"], role, params["role"])
        )
    result["node_id"] = info_swarm.get("NodeID")
    return result


def _active(engine):
    info_swarm, role = local_state(engine)
    return info_swarm.get("LocalNodeState") == "active" and info_swarm.get("NodeID"), (info_swarm, role)


def _wait_active(engine, params, what):
    """(info['Swarm'], role) once this node is active in the swarm; one look only with wait: false."""
    if not params.get("wait", True):
        return _active(engine)[1]
    return wait_until(lambda: _active(engine), params["wait_timeout"], what)


def _cleanup_failed_join(engine):
    try:
        info_swarm, _role = local_state(engine)
        if info_swarm.get("LocalNodeState") in ("pending", "error"):
            _api.leave_swarm(engine, force=True)
    except EngineError:
        pass


def _leave(engine, params, info_swarm, role, actions, check_mode):
    if role is None and info_swarm.get("LocalNodeState") == "inactive":
        return dict(changed=bool(actions), actions=actions, role=None, diff=dict(before=dict(role=None), after=dict(role=None)))
    if role == "manager" and not params.get("force"):
        total = info_swarm.get("Managers") or 0
        if total <= 1:
            raise Refused("Refusing to leave: this node is the last manager, and leaving ends the swarm. Set force: true to do it anyway.")
        raise Refused(
            "Refusing to leave: this node is one of %d managers (%d needed for quorum). Demote it first with "
            "beekeeper.swarm.swarm_node role: worker, which keeps the Raft group right, or set force: true." % (total, majority(total))
        )
    actions.append("leave the swarm")
    result = dict(changed=True, actions=actions, role=None, diff=dict(before=dict(role=role), after=dict(role=None)))
    if not check_mode:
        _api.leave_swarm(engine, force=role != "worker")
    return result

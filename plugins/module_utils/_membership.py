# Copyright: Beekeeper developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to this collection: swarm_join - this node's membership: join, leave, unlock.

"Joined" means joined to *this* swarm (one of its managers' addresses) with *this* role; a failed join
leaves the node clean, and a manager leaves only when that keeps the Raft group right.
"""

from __future__ import annotations

import socket

from ansible_collections.beekeeper.swarm.plugins.module_utils import _api
from ansible_collections.beekeeper.swarm.plugins.module_utils._errors import (
    EngineError,
    InvalidInput,
    Refused,
)
from ansible_collections.beekeeper.swarm.plugins.module_utils._quorum import majority
from ansible_collections.beekeeper.swarm.plugins.module_utils._validate import (
    split_addr,
    validate_addr,
    validate_token,
    validate_unlock_key,
)
from ansible_collections.beekeeper.swarm.plugins.module_utils._wait import wait_until

DEFAULT_LISTEN = "0.0.0.0:2377"


def local_state(engine):
    """(info['Swarm'], role) of the engine's own node; role is manager, worker or None."""
    swarm = _api.info(engine).get("Swarm") or {}
    state = swarm.get("LocalNodeState") or "inactive"
    role = None
    if state == "active":
        role = "manager" if swarm.get("ControlAvailable") else "worker"
    return swarm, role


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


ADDRESSES = (
    # option, a port may follow, what a name means there, 0.0.0.0 allowed
    ("advertise_addr", True, "an IP address or a network interface", False),
    ("listen_addr", True, "an IP address or a network interface", True),
    ("data_path_addr", False, "an IP address or a network interface", False),
)


def validate_addresses(params):
    """The address options swarm_init and swarm_join share, each named in its message."""
    for option, port, names, unspecified in ADDRESSES:
        if params.get(option) not in (None, ""):
            validate_addr(params[option], option, port=port, names=names, unspecified=unspecified)


def validate_join(params):
    """Every check swarm_join can make before it connects. Token and unlock key are checked for their form
    only, and never shown."""
    validate_unlock_key(params.get("unlock_key"))
    if params["state"] == "present":
        missing = [o for o in ("remote_addrs", "join_token") if not params.get(o)]
        if missing:
            raise InvalidInput("%s: required with state: present; give the managers' addresses and the join token." % " and ".join(missing))
        validate_token(params["join_token"])
        for index, addr in enumerate(params["remote_addrs"]):
            validate_addr(addr, "remote_addrs[%d]" % index, names="a manager's IP address or host name", unspecified=False)
        validate_addresses(params)


def join(engine, params, check_mode):
    """swarm_join: be in the swarm at remote_addrs with the given role (or out of any swarm)."""
    validate_join(params)
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


def _compact(body):
    return dict((k, v) for k, v in body.items() if v is not None)

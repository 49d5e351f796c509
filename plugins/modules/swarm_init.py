#!/usr/bin/python
# Copyright: Beekeeper developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: swarm_init
short_description: Create a Docker Swarm, or reconcile the settings of an existing one
version_added: 0.1.0
description:
  - On a node that is in no swarm, creates one (C(docker swarm init)) and, with O(wait) (the default), waits until
    the node is the ready leader. O(force_new_cluster) waits the same way.
  - On a manager of an existing swarm, makes the swarm's changeable settings match the options
    (C(docker swarm update)). An option left out means the engine's default, and the diff shows exactly
    the settings that change.
  - Settings that exist only at creation (O(advertise_addr), O(default_addr_pool), O(subnet_size),
    O(data_path_port), O(election_tick), O(heartbeat_tick)) are never changed on an existing swarm; a
    warning names those that differ.
  - Rotates join tokens and the unlock key on request, and recovers a swarm that lost quorum with O(force_new_cluster).
author:
  - Beekeeper developers (!UNKNOWN)
extends_documentation_fragment:
  - beekeeper.swarm._engine
  - beekeeper.swarm._wait
  - beekeeper.swarm._attributes
  - beekeeper.swarm._attributes.actiongroup_swarm
attributes:
  check_mode:
    support: full
    details: Predicts the change without calling a mutating endpoint.
  diff_mode:
    support: full
    details: Shows the swarm settings before and after.
  idempotent:
    support: partial
    details: Idempotent, except that each run with O(rotate_worker_token), O(rotate_manager_token) or O(rotate_unlock_key) rotates again.
options:
  advertise_addr:
    description:
      - The address other nodes reach this manager at, as C(IP), C(IP:PORT), C(INTERFACE) or C(INTERFACE:PORT).
      - Left out, the engine picks one; give it on hosts with several addresses.
      - Creation only.
    type: str
  listen_addr:
    description: The address the swarm port listens on. Creation only.
    type: str
    default: 0.0.0.0:2377
  data_path_addr:
    description: The address or interface for VXLAN data traffic, to keep it off the management network, without a port
      (that is O(data_path_port)). Creation only.
    type: str
  data_path_port:
    description: The UDP port for VXLAN data traffic, 1024-49151 (the engine uses 4789 if unset or V(0)). Creation only. Engine API 1.40.
    type: int
  default_addr_pool:
    description: CIDR pools that overlay networks take their subnets from. Creation only. Engine API 1.39.
    type: list
    elements: str
  subnet_size:
    description: The prefix length of each overlay network cut from O(default_addr_pool), at most 29 and not shorter than
      any pool's prefix (the engine's limits). Creation only. Engine API 1.39.
    type: int
  availability:
    description: The availability of the first node when the swarm is created (for example V(drain) for a manager that runs no tasks).
    type: str
    choices: [active, pause, drain]
  autolock:
    description:
      - Encrypt the managers' Raft keys with an unlock key, so a restarted manager needs the key to rejoin.
      - Keep the key (returned with O(include_secrets)) in a vault.
    type: bool
    default: false
  cert_expiry:
    description: How long node certificates are valid, as a duration (V(2160h), V(720h)); at least V(1h), the engine's minimum.
    type: str
    default: 2160h
  dispatcher_heartbeat:
    description: How often nodes report to the managers, as a duration.
    type: str
    default: 5s
  task_history_limit:
    description: How many old tasks to keep per service slot.
    type: int
    default: 5
  snapshot_interval:
    description: Raft log entries between snapshots.
    type: int
    default: 10000
  keep_old_snapshots:
    description: How many old Raft snapshots to keep.
    type: int
    default: 0
  log_entries_for_slow_followers:
    description: Raft log entries kept for slow followers after a snapshot.
    type: int
    default: 500
  election_tick:
    description: Raft election tick (ticks without a heartbeat before an election), greater than O(heartbeat_tick). Creation only.
    type: int
    default: 10
  heartbeat_tick:
    description: Raft heartbeat tick, at least 1. Creation only.
    type: int
    default: 1
  labels:
    description: Labels of the swarm itself. The swarm ends with exactly these.
    type: dict
    default: {}
  rotate_worker_token:
    description: Issue a new worker join token; the old one stops working. Changes on every run.
    type: bool
    default: false
  rotate_manager_token:
    description: Issue a new manager join token; the old one stops working. Changes on every run.
    type: bool
    default: false
  rotate_unlock_key:
    description: Issue a new unlock key (needs O(autolock)). Changes on every run.
    type: bool
    default: false
  force_new_cluster:
    description:
      - Recover a swarm that lost quorum - run on one surviving manager, which becomes the only manager of a
        swarm with the same state; the other managers must rejoin.
      - Does nothing (and warns) when the swarm still has a leader, so it is safe to leave in a recovery playbook.
    type: bool
    default: false
  include_secrets:
    description:
      - Return the join tokens and, with O(autolock), the unlock key.
      - "The task must have C(no_log: true); the module refuses otherwise, so the secrets stay out of output and logs."
    type: bool
    default: false
  wait_timeout:  # the rest of its entry, and wait, come from beekeeper.swarm._wait
    default: 120
seealso:
  - module: beekeeper.swarm.swarm_join
  - module: beekeeper.swarm.swarm_info
"""

EXAMPLES = r"""
- name: Create the swarm on the first manager
  beekeeper.swarm.swarm_init:
    advertise_addr: "{{ ansible_host }}"
    default_addr_pool: [10.20.0.0/16]
    subnet_size: 24

- name: Read the join tokens (kept out of output)
  beekeeper.swarm.swarm_init:
    advertise_addr: "{{ ansible_host }}"
    include_secrets: true
  no_log: true
  register: swarm

- name: Keep more task history and shorter certificates
  beekeeper.swarm.swarm_init:
    task_history_limit: 10
    cert_expiry: 720h

- name: Rotate the worker join token
  beekeeper.swarm.swarm_init:
    rotate_worker_token: true

- name: Recover from lost quorum on a surviving manager
  beekeeper.swarm.swarm_init:
    force_new_cluster: true
    advertise_addr: "{{ ansible_host }}"
"""

RETURN = r"""
swarm:
  description: The swarm after the change (predicted in check mode, so absent when creating in check mode).
  returned: when the node is a manager after the task
  type: dict
  contains:
    id:
      description: The cluster ID.
      type: str
      sample: 9zmxgtl3nxovejbgk9sqavexp
    node_id:
      description: The ID of the node the module ran against.
      type: str
    node_addr:
      description: That node's advertised address.
      type: str
    settings:
      description: The swarm settings, named as the options.
      type: dict
      sample: {task_history_limit: 5, cert_expiry: 2160h, autolock: false}
    default_addr_pool:
      description: The overlay address pools.
      type: list
      elements: str
    subnet_size:
      description: The overlay subnet prefix length.
      type: int
    data_path_port:
      description: The VXLAN port.
      type: int
    join_tokens:
      description: The join tokens, C(worker) and C(manager). Only with O(include_secrets) (and C(no_log)).
      type: dict
      returned: with include_secrets
    unlock_key:
      description: The unlock key. Only with O(include_secrets) and O(autolock).
      type: str
      returned: with include_secrets and autolock
actions:
  description: What the module did (or would do in check mode).
  returned: always
  type: list
  elements: str
  sample: ["create swarm"]
"""

from ansible_collections.beekeeper.swarm.plugins.module_utils._init import init, init_argument_spec, validate_init
from ansible_collections.beekeeper.swarm.plugins.module_utils._module import SwarmModule, run


def main():
    module = SwarmModule(argument_spec=init_argument_spec(), supports_check_mode=True)
    run(module, init, validate=validate_init, secrets_option="include_secrets")


if __name__ == "__main__":
    main()

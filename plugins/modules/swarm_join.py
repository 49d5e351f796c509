#!/usr/bin/python
# Copyright: Beekeeper developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: swarm_join
short_description: Join a node to a Docker Swarm, unlock it, or make it leave
version_added: 0.1.0
description:
  - Makes the node the task runs against (O(docker_host)) a member of the swarm whose managers are at
    O(remote_addrs), with the given O(role), and with O(wait) (the default) waits until it is active in the swarm.
  - Idempotent only for I(that) swarm and I(that) role - a node in another swarm, or in this one with the
    other role, is an error unless O(force) (leave, then join). A node stuck C(pending) or C(error) after a
    failed join leaves and joins again. A join that fails leaves the node clean, not C(pending).
  - Unlocks a locked manager (autolock, after a restart) with O(unlock_key), and with O(wait) waits until it is
    active again.
  - With O(state=absent) the node leaves its swarm. A manager leaves only with O(force); demote it first with
    M(beekeeper.swarm.swarm_node) to keep the Raft group right.
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
    details: Predicts the join, leave or unlock without doing it.
  diff_mode:
    support: full
    details: Shows the node's role in the swarm before and after.
  idempotent:
    support: full
    details: Joining again with the same swarm and role changes nothing.
options:
  state:
    description: V(present) to be in the swarm, V(absent) to be in none.
    type: str
    choices: [present, absent]
    default: present
  remote_addrs:
    description:
      - Addresses of managers of the swarm (C(HOST) or C(HOST:PORT), port 2377 by default). Any healthy one will do.
      - Also how the module tells whether the node is already in I(this) swarm. Required with O(state=present).
    type: list
    elements: str
  join_token:
    description:
      - The worker or manager join token (from M(beekeeper.swarm.swarm_init) or M(beekeeper.swarm.swarm_info)
        with C(include_secrets)). Required with O(state=present). Never shown.
    type: str
  role:
    description: The role the node must have; the O(join_token) must be of that role.
    type: str
    choices: [worker, manager]
    default: worker
  advertise_addr:
    description: The address other nodes reach this node at (C(IP), C(IP:PORT), C(INTERFACE)). Give it on multi-NIC hosts.
    type: str
  listen_addr:
    description: The address the swarm port listens on (used if the node is or becomes a manager).
    type: str
    default: 0.0.0.0:2377
  data_path_addr:
    description: The address or interface for VXLAN data traffic, without a port.
    type: str
  availability:
    description: The node's availability when it joins.
    type: str
    choices: [active, pause, drain]
  force:
    description:
      - Leave another swarm (or this one with the other role) and join as asked.
      - With O(state=absent), let a manager leave (the last manager ends the swarm).
    type: bool
    default: false
  unlock_key:
    description:
      - The unlock key of an autolocked swarm; a locked manager is unlocked first. Never shown.
      - With O(state=present), O(remote_addrs) and O(join_token) are still required; a manager that is in this swarm
        with this role once unlocked is left as it is.
    type: str
  wait_timeout:  # the rest of its entry, and wait, come from beekeeper.swarm._wait
    default: 120
seealso:
  - module: beekeeper.swarm.swarm_init
  - module: beekeeper.swarm.swarm_node
"""

EXAMPLES = r"""
# In a play on every node of the swarm (inventory groups swarm_managers and swarm_workers).
- name: Create the swarm on the first manager, keeping the join tokens it returns out of output
  beekeeper.swarm.swarm_init:
    advertise_addr: "{{ ansible_host }}"
    include_secrets: true
  when: inventory_hostname == groups['swarm_managers'][0]
  no_log: true
  register: swarm_created

- name: Join the workers with the worker token swarm_init returned
  beekeeper.swarm.swarm_join:
    remote_addrs: ["{{ hostvars[groups['swarm_managers'][0]].ansible_host }}"]
    join_token: "{{ hostvars[groups['swarm_managers'][0]].swarm_created.swarm.join_tokens.worker }}"
    advertise_addr: "{{ ansible_host }}"
  when: inventory_hostname in groups['swarm_workers']

- name: Or read the tokens with swarm_info, which changes nothing - once for the play, kept out of output
  beekeeper.swarm.swarm_info:
    include_secrets: true
  delegate_to: "{{ groups['swarm_managers'][0] }}"
  run_once: true
  no_log: true
  register: swarm_tokens

- name: Join the other managers with the manager token, one at a time
  beekeeper.swarm.swarm_join:
    remote_addrs: ["{{ hostvars[groups['swarm_managers'][0]].ansible_host }}"]
    join_token: "{{ swarm_tokens.cluster.join_tokens.manager }}"
    role: manager
    advertise_addr: "{{ ansible_host }}"
  throttle: 1
  when: inventory_hostname in groups['swarm_managers'][1:]

- name: Unlock the other managers of an autolocked swarm after their engines restarted
  beekeeper.swarm.swarm_join:
    remote_addrs: ["{{ hostvars[groups['swarm_managers'][0]].ansible_host }}"]
    join_token: "{{ swarm_tokens.cluster.join_tokens.manager }}"
    role: manager
    unlock_key: "{{ vault_swarm_unlock_key }}"
  when: inventory_hostname in groups['swarm_managers'][1:]

# In a play on a node that leaves the swarm.
- name: Demote it first if it is a manager, from the first manager, to keep the Raft group right
  beekeeper.swarm.swarm_node:
    node: "{{ ansible_facts['hostname'] }}"
    role: worker
  delegate_to: "{{ groups['swarm_managers'][0] }}"
  when: inventory_hostname in groups['swarm_managers']

- name: Leave the swarm
  beekeeper.swarm.swarm_join:
    state: absent
"""

RETURN = r"""
role:
  description: The node's role after the task (predicted in check mode); null when in no swarm.
  returned: always
  type: str
  sample: worker
node_id:
  description: The node's ID in the swarm.
  returned: when a join happened or the node was already a member
  type: str
actions:
  description: What the module did (or would do).
  returned: always
  type: list
  elements: str
  sample: ["join as worker"]
"""

from ansible_collections.beekeeper.swarm.plugins.module_utils._args import connection_argument_spec, wait_args
from ansible_collections.beekeeper.swarm.plugins.module_utils._membership import join, validate_join
from ansible_collections.beekeeper.swarm.plugins.module_utils._module import SwarmModule, run


def main():
    argument_spec = connection_argument_spec(
        **wait_args(120),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        remote_addrs=dict(type="list", elements="str"),
        join_token=dict(type="str", no_log=True),
        role=dict(type="str", choices=["worker", "manager"], default="worker"),
        advertise_addr=dict(type="str"),
        listen_addr=dict(type="str", default="0.0.0.0:2377"),
        data_path_addr=dict(type="str"),
        availability=dict(type="str", choices=["active", "pause", "drain"]),
        force=dict(type="bool", default=False),
        unlock_key=dict(type="str", no_log=True),
    )
    module = SwarmModule(argument_spec=argument_spec, supports_check_mode=True)
    run(module, join, validate=validate_join)


if __name__ == "__main__":
    main()

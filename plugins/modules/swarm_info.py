#!/usr/bin/python
# Copyright: Beekeeper developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: swarm_info
short_description: Read a Docker Swarm - cluster, nodes, services, tasks and a health summary
version_added: 0.1.0
description:
  - Reports whether the engine is in a swarm and as what. On a manager, also the cluster, its nodes, and a
    health summary - managers total and reachable, the majority needed, failures tolerated, the leader, nodes
    down, and services whose running tasks are short of the desired count, with their task errors.
  - On a swarm that lost quorum it does not fail - the health says C(quorum_lost), counting the managers this
    node knows and probing their swarm port.
  - Join tokens and the unlock key only with O(include_secrets), on a task with C(no_log).
author:
  - Beekeeper developers (!UNKNOWN)
extends_documentation_fragment:
  - beekeeper.swarm._engine
  - beekeeper.swarm._attributes
  - beekeeper.swarm._attributes.info_module
  - beekeeper.swarm._attributes.actiongroup_swarm
options:
  services:
    description: Return the services (name, mode, replicas, running and desired tasks).
    type: bool
    default: false
  tasks:
    description: Return the tasks.
    type: bool
    default: false
  nodes_filters:
    description: 'Engine filters for the node list, for example C({role: manager}) or C({label: zone=eu-1a}).'
    type: dict
  services_filters:
    description: 'Engine filters for the service list, for example C({label: com.docker.stack.namespace=web}).'
    type: dict
  tasks_filters:
    description: 'Engine filters for the task list, for example C({service: web, desired-state: running}).'
    type: dict
  stack:
    description:
      - Read one stack (deployed by beekeeper.swarm.swarm_stack or C(docker stack deploy)) - its services and, with
        O(tasks), their tasks only, the health of those services, and RV(stack) with its convergence.
      - Combines with O(services_filters) and O(tasks_filters) (not with a C(service) task filter).
    type: str
    version_added: 0.2.0
  include_secrets:
    description: 'Return the join tokens (and the unlock key with autolock). The task must have C(no_log: true).'
    type: bool
    default: false
seealso:
  - module: beekeeper.swarm.swarm_node
"""

EXAMPLES = r"""
- name: Read the cluster and its health
  beekeeper.swarm.swarm_info:
  register: swarm

- name: Fail when the swarm is not healthy
  ansible.builtin.assert:
    that: swarm.health.status == 'healthy'
    fail_msg: "{{ swarm.health }}"

- name: Read the tokens to join more nodes
  beekeeper.swarm.swarm_info:
    include_secrets: true
  no_log: true
  register: swarm_secrets

- name: Is the shop stack converged?
  beekeeper.swarm.swarm_info:
    stack: shop
    tasks: true
  register: shop

- name: Tasks of one service
  beekeeper.swarm.swarm_info:
    tasks: true
    tasks_filters:
      service: web
"""

RETURN = r"""
in_swarm:
  description: Whether the engine is an active member of a swarm.
  returned: always
  type: bool
is_manager:
  description: Whether it is a manager (cluster details need one).
  returned: always
  type: bool
local_node:
  description: The node the module ran against - id, state (inactive, pending, active, error, locked), role, address, error, managers it knows.
  returned: always
  type: dict
swarm:
  description:
    - The swarm - id, settings, address pools, and with O(include_secrets) join_tokens and unlock_key.
    - The same keys as beekeeper.swarm.swarm_init's C(swarm) result, so the join tokens are at C(swarm.join_tokens) in both.
  returned: on a manager with quorum
  type: dict
cluster:
  description: The same dict as RV(swarm), under the name earlier releases gave it.
  returned: on a manager with quorum
  type: dict
nodes:
  description: Nodes - id, hostname, role, availability, state, leader, reachability, address, engine_version, labels.
  returned: on a manager with quorum
  type: list
  elements: dict
health:
  description: >-
    status (healthy, degraded, quorum_lost), quorum, managers_total, managers_reachable, majority_needed,
    failures_tolerated, leader, nodes_total, nodes_down, services_not_converged (name, running, desired,
    errors), source (raft, or probe when there is no leader).
  returned: on a manager
  type: dict
  sample: {status: healthy, quorum: true, managers_total: 3, managers_reachable: 3, majority_needed: 2, failures_tolerated: 1}
services:
  description:
    - Services - id, name, image, mode, replicas, running_tasks, desired_tasks, update_state, labels, and the published ports
      (published, target, protocol, mode).
  returned: with services
  type: list
  elements: dict
stack:
  description:
    - With O(stack) - name, exists, converged (every service runs its desired tasks, and its last update is neither in progress, paused nor rolled back),
      services (name, image, mode, running, desired, update_state) and services_not_converged (names).
  returned: with stack, on a manager with quorum
  type: dict
  sample: {name: shop, exists: true, converged: true, services_not_converged: [],
           services: [{name: shop_web, image: nginx:1.27, mode: Replicated, running: 2, desired: 2, update_state: completed}]}
tasks:
  description: Tasks with node hostname, desired and current state, and error.
  returned: with tasks
  type: list
  elements: dict
"""

from ansible_collections.beekeeper.swarm.plugins.module_utils._args import connection_argument_spec
from ansible_collections.beekeeper.swarm.plugins.module_utils._info import gather, validate
from ansible_collections.beekeeper.swarm.plugins.module_utils._module import SwarmModule, run


def main():
    argument_spec = connection_argument_spec(
        services=dict(type="bool", default=False),
        tasks=dict(type="bool", default=False),
        nodes_filters=dict(type="dict"),
        services_filters=dict(type="dict"),
        tasks_filters=dict(type="dict"),
        stack=dict(type="str"),
        include_secrets=dict(type="bool", default=False),
    )
    module = SwarmModule(argument_spec=argument_spec, supports_check_mode=True)
    run(module, lambda engine, params, check_mode: gather(engine, params), validate=validate, secrets_option="include_secrets")


if __name__ == "__main__":
    main()

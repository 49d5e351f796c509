#!/usr/bin/python
# Copyright: Beekeeper developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: swarm_node
short_description: Manage a swarm node's role, availability and labels, or remove it, without losing quorum
version_added: 0.1.0
description:
  - Runs against a manager (O(docker_host)) and manages one node, named by node ID or hostname.
  - Promotes and demotes (O(role)) and sets O(availability). With O(wait) (the default), a drain waits until the
    node runs no task and every replicated service it ran runs its full count elsewhere, and reports the services
    that could not be rescheduled, with the engine's task errors; a role change waits until the node has joined
    (or left) the managers' Raft group.
  - Quorum guard - refuses a demotion or removal that would leave fewer reachable managers than a majority,
    demoting or removing the last manager, or draining one of several managers when its outage would lose quorum,
    and says the numbers. O(force) overrides.
  - Capacity guard - refuses to drain a node that runs tasks while no other node is active and ready, unless
    O(force). A node that runs no task is drained without this check. The guard looks for another node, not for
    one each task may run on - a task whose placement constraints only the drained node meets
    (C(node.role==manager) on the only manager, for example) stays pending, and with O(wait) the task fails after
    O(wait_timeout) naming it.
  - Draining the only manager is allowed - a single manager has no fault tolerance to protect, and a drain is how
    to keep workloads off the control plane. A drain moves only tasks; the manager stays the leader and keeps
    running the control plane (the API, the Raft store, the scheduler). Its replicated tasks move to the workers,
    and a global service's task on it just stops.
  - With no other node active and ready (a single-node swarm, or every worker drained, paused or down), the
    capacity guard refuses to drain the only manager while it runs tasks. With O(force) it is drained anyway - its
    tasks stop, the replicated ones stay pending with C(no suitable node) until a node is activated or added, and
    with O(wait) the task fails after O(wait_timeout) naming them; the node stays drained.
  - Removing a manager (O(state=absent)) demotes it first and always waits, up to O(wait_timeout), until it has
    left the Raft group.
  - A hostname shared by a live node and a Down twin (a host that rejoined) resolves to the live one, with a
    warning; a hostname shared by two live nodes is an error that lists the node IDs.
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
    details: Predicts the change, including the guards' refusals, without calling a mutating endpoint.
  diff_mode:
    support: full
    details: Shows role, availability and labels before and after.
  idempotent:
    support: full
    details: A node already as declared is left alone.
options:
  node:
    description: The node's ID, hostname, or a unique ID prefix (4 characters or more).
    type: str
    required: true
  state:
    description: V(present) to manage the node, V(absent) to remove it from the swarm (demoted first if a manager).
    type: str
    choices: [present, absent]
    default: present
  role:
    description: V(manager) to promote, V(worker) to demote. Left out, the role is not managed.
    type: str
    choices: [manager, worker]
  availability:
    description: V(active), V(pause) (no new tasks) or V(drain) (tasks move elsewhere). Left out, not managed.
    type: str
    choices: [active, pause, drain]
  labels:
    description:
      - Node labels, for placement constraints (C(node.labels.KEY)). Values are strings (a number or boolean is stored as
        its text; a mapping or a list is refused).
      - Keys use letters, digits, C(.), C(-), C(_) and C(/), starting and ending with a letter or digit.
      - Left out (with O(labels_state=merge) and no O(labels_to_remove)), labels are not managed.
    type: dict
  labels_state:
    description: V(merge) adds and updates O(labels) and keeps others; V(replace) makes the node's labels exactly O(labels).
    type: str
    choices: [merge, replace]
    default: merge
  labels_to_remove:
    description: Label keys to remove.
    type: list
    elements: str
  force:
    description:
      - Override the quorum and capacity guards.
      - With O(state=absent), remove a node that is not Down (the engine forgets it; it should leave too).
    type: bool
    default: false
seealso:
  - module: beekeeper.swarm.swarm_info
  - module: beekeeper.swarm.swarm_join
"""

EXAMPLES = r"""
- name: Label a node for placement
  beekeeper.swarm.swarm_node:
    node: worker-1
    labels:
      zone: eu-1a
      disk: ssd

- name: Drain a node before maintenance, waiting until its tasks run elsewhere
  beekeeper.swarm.swarm_node:
    node: worker-1
    availability: drain
    wait_timeout: 600

- name: Put it back
  beekeeper.swarm.swarm_node:
    node: worker-1
    availability: active

- name: Keep workloads off the only manager - its tasks move to the workers, it stays the leader
  beekeeper.swarm.swarm_node:
    node: manager-1
    availability: drain

- name: Promote a worker
  beekeeper.swarm.swarm_node:
    node: worker-2
    role: manager

- name: Replace a dead manager - demote and remove it by node ID
  beekeeper.swarm.swarm_node:
    node: x7ca9sbrw6q8nc1ij5ibe9axa
    state: absent
"""

RETURN = r"""
node:
  description: The node after the change (predicted in check mode).
  returned: when state is present
  type: dict
  contains:
    id:
      description: Node ID.
      type: str
    hostname:
      description: Hostname.
      type: str
    role:
      description: V(manager) or V(worker).
      type: str
    availability:
      description: V(active), V(pause) or V(drain).
      type: str
    state:
      description: V(ready), V(down), V(unknown) or V(disconnected).
      type: str
    leader:
      description: Whether the node is the Raft leader.
      type: bool
    reachability:
      description: For managers, V(reachable) or V(unreachable); null for workers.
      type: str
    labels:
      description: Node labels.
      type: dict
drain:
  description: What a drain did - the services the node ran and any not rescheduled, with their errors.
  returned: when the node was drained with wait
  type: dict
  sample: {node: worker-1, tasks_left: 0, services: [web], not_rescheduled: []}
actions:
  description: Steps of a removal (demote, remove).
  returned: when state is absent and the node existed
  type: list
  elements: str
"""

from ansible_collections.beekeeper.swarm.plugins.module_utils._args import connection_argument_spec, wait_args
from ansible_collections.beekeeper.swarm.plugins.module_utils._module import SwarmModule, run
from ansible_collections.beekeeper.swarm.plugins.module_utils._nodes import manage, validate


def main():
    argument_spec = connection_argument_spec(
        node=dict(type="str", required=True),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        role=dict(type="str", choices=["manager", "worker"]),
        availability=dict(type="str", choices=["active", "pause", "drain"]),
        labels=dict(type="dict"),
        labels_state=dict(type="str", choices=["merge", "replace"], default="merge"),
        labels_to_remove=dict(type="list", elements="str"),
        force=dict(type="bool", default=False),
        **wait_args(),
    )
    module = SwarmModule(argument_spec=argument_spec, supports_check_mode=True)
    run(module, manage, validate=validate)


if __name__ == "__main__":
    main()

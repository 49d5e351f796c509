#!/usr/bin/python
# Copyright: Beekeeper developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: swarm_wait
short_description: Wait until swarm services have converged - named ones, those with given labels, or all
version_added: 0.1.0
description:
  - Waits until every selected service has converged, in one polling loop over all of them, run against a manager
    (O(docker_host)). Converged means what M(beekeeper.swarm.swarm_service) waits for - replicated - no update in
    progress and exactly the wanted number of tasks running the current spec; global - one running task on every
    ready, active node that matches the constraints; jobs - the current run has its completions.
  - Made for many services changed at once - M(beekeeper.swarm.swarm_service) with O(beekeeper.swarm.swarm_service#module:wait=false)
    in a loop hands every change to the engine at once, which works on them side by side; one M(beekeeper.swarm.swarm_wait)
    then returns when all have converged. Each round reads the service list, the task list and the node list once,
    whatever the number of services.
  - A service the engine gave up on (a paused update; an update it rolled back, once the previous spec runs again) is
    final; the others are still awaited. The task fails once none is left to wait for, or at O(wait_timeout) - one
    message names every service that did not converge, with its progress and the engine's task errors (C(no suitable
    node), image not found, task exited with its code) and the last log lines of up to two failed tasks where the log
    driver keeps them, and RV(services) reports every service, converged or not.
  - The services are selected once, before the wait - a service created meanwhile is not waited for; one removed
    meanwhile fails.
  - Changes nothing.
author:
  - Beekeeper developers (!UNKNOWN)
extends_documentation_fragment:
  - beekeeper.swarm._engine
  - beekeeper.swarm._attributes
  - beekeeper.swarm._attributes.info_module
  - beekeeper.swarm._attributes.actiongroup_swarm
attributes:
  check_mode:
    support: full
    details: Nothing was changed in check mode, so nothing is awaited - the module looks once and reports where each
      service stands (RV(converged) may be V(false)); it does not fail for a service that has not converged. A named
      service that does not exist is a warning (an earlier task of the run may create it) and is skipped.
options:
  services:
    description:
      - The services to wait for, by name or ID (a unique ID prefix, as C(docker service ls) shows, will do).
      - A service that does not exist fails the task before anything is awaited, naming it.
      - Left out together with O(labels), every service in the swarm. An empty list selects none (the task succeeds
        with a warning), so a templated list that comes out empty never means every service.
    type: list
    elements: str
  labels:
    description:
      - Wait for every service that has all these labels (service labels, O(beekeeper.swarm.swarm_service#module:labels)).
        A value of V(null) matches the key whatever its value.
      - Values are strings; quote numbers and booleans.
      - A selection that matches no service succeeds with an empty RV(services) and a warning.
    type: dict
  wait_timeout:
    description:
      - Seconds to wait for all of them together.
      - V(0) looks once and fails unless every service has converged already.
    type: int
    default: 300
notes:
  - O(services) and O(labels) are mutually exclusive.
  - The wait judges each service as it stands - it does not know what changed it. Run it after the change has been
    handed to the engine (the task after the loop) - an update the engine has not started yet whose tasks already look
    current (a change of O(beekeeper.swarm.swarm_service#module:ports) or O(beekeeper.swarm.swarm_service#module:endpoint_mode)
    only) could pass as converged. M(beekeeper.swarm.swarm_service) with its own wait has no such gap.
  - Removed services are not awaited here - remove with M(beekeeper.swarm.swarm_service)'s own wait, which ends when
    the tasks have stopped.
seealso:
  - module: beekeeper.swarm.swarm_service
  - module: beekeeper.swarm.swarm_info
"""

EXAMPLES = r"""
- name: Hand every service to the engine without waiting for each
  beekeeper.swarm.swarm_service:
    name: "{{ item.name }}"
    image: "{{ item.image }}"
    replicas: "{{ item.replicas }}"
    labels:
      com.example.stack: shop
    wait: false
  loop:
    - {name: web, image: registry.example.com/web:2.1, replicas: 4}
    - {name: api, image: registry.example.com/api:1.7, replicas: 2}
    - {name: worker, image: registry.example.com/worker:3, replicas: 3}

- name: Wait once until all of them have converged
  beekeeper.swarm.swarm_wait:
    services: [web, api, worker]
    wait_timeout: 600

- name: The same, by label
  beekeeper.swarm.swarm_wait:
    labels:
      com.example.stack: shop

- name: Every service in the swarm, e.g. after a node came back
  beekeeper.swarm.swarm_wait:
  register: swarm_wait

- name: Services that have the key, whatever its value
  beekeeper.swarm.swarm_wait:
    labels:
      com.example.team: null
"""

RETURN = r"""
converged:
  description: Whether every selected service has converged (only V(false) in check mode, or in a failed result).
  returned: always
  type: bool
  sample: true
services:
  description: Each selected service as the last look saw it, in the order of O(services), else by name. Also in a
    failed result.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: Service name.
      type: str
      sample: web
    id:
      description: Service ID.
      type: str
    kind:
      description: V(replicated), V(global) or V(job).
      type: str
    converged:
      description: Whether this service has converged.
      type: bool
    running:
      description: Tasks running the current spec (for a job, completed tasks of the current run).
      type: int
      sample: 4
    wanted:
      description: Tasks that should run (for a job, the completions it needs).
      type: int
      sample: 4
    update_state:
      description: The engine's update state (C(updating), C(completed), C(paused), C(rollback_completed)...), or
        null when the service was never updated.
      type: str
    errors:
      description: The engine's task errors, newest first, each once, with the node.
      type: list
      elements: str
      sample: ["lab-n2: No such image: registry.example.com/web:2.2"]
    tasks:
      description: Its tasks meant to run (or starting) - id, container_id, slot, node, state, desired_state, message,
        error, exit_code.
      type: list
      elements: dict
"""

from ansible_collections.beekeeper.swarm.plugins.module_utils._args import connection_argument_spec
from ansible_collections.beekeeper.swarm.plugins.module_utils._module import SwarmModule, run
from ansible_collections.beekeeper.swarm.plugins.module_utils._swarm_wait import validate, wait


def main():
    argument_spec = connection_argument_spec(
        services=dict(type="list", elements="str"),
        labels=dict(type="dict"),
        wait_timeout=dict(type="int", default=300),
    )
    module = SwarmModule(argument_spec=argument_spec, supports_check_mode=True, mutually_exclusive=[("services", "labels")])
    run(module, wait, validate=validate)


if __name__ == "__main__":
    main()

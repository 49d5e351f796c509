#!/usr/bin/python
# Copyright: Beekeeper developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: swarm_network
short_description: Manage swarm overlay networks, recreating them safely while services use them
version_added: 0.1.0
description:
  - Runs against a manager (O(docker_host)) and creates, checks or deletes one swarm-scoped network by name -
    attachable, internal, encrypted, with its own subnets, gateways and IP ranges, labels and driver options.
    The ingress network can be customised too (O(ingress)).
  - Needs Engine API 1.41+ (Docker Engine 20.10), the collection's floor; every option here exists at 1.41.
  - The engine cannot change a network in place, so any difference in a compared option means the network is
    deleted and created again. While services use it (their task template names the network) or, for an
    attachable network, containers on this node are attached, that is refused with the list of users, unless
    O(force) - then the module detaches them, recreates the network, reattaches them with the same aliases and
    driver options, waits for the services to converge (O(wait)), and lists each step in RV(actions).
  - Only declared values are compared. The booleans and O(driver) compare with the engine's defaults; an
    O(ipam) config, O(labels) or O(driver_options) left out are not compared (the engine picks a subnet itself),
    and within O(ipam) only the keys given count. The VXLAN ID the engine adds as a driver option never counts.
  - The ingress network - only one may exist, and the swarm changes it only while no service publishes a port in
    ingress mode; such services are refused even with O(force) (they cannot be detached from it).
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
    details: Predicts the change and its RV(actions), including refusals, without calling a mutating endpoint.
  diff_mode:
    support: full
    details: Shows the compared options before and after.
  idempotent:
    support: full
    details: A network already as declared is left alone.
options:
  name:
    description:
      - The network's name - letters and digits, with C(-) or C(_) between them, 63 characters at most.
      - Identifies the network; a network of that name is compared with the other options.
    type: str
    required: true
  state:
    description: V(present) to create or recreate the network as declared, V(absent) to delete it.
    type: str
    choices: [present, absent]
    default: present
  driver:
    description: The network driver. Takes part in idempotency.
    type: str
    default: overlay
  scope:
    description:
      - The network's scope. Overlay networks are always V(swarm); V(local) is only for other drivers.
      - Takes part in idempotency.
    type: str
    choices: [swarm, local]
    default: swarm
  attachable:
    description: Let standalone containers (C(docker run --network)) attach, besides services. Takes part in idempotency.
    type: bool
    default: false
  internal:
    description: No route to outside the network. Takes part in idempotency.
    type: bool
    default: false
  encrypted:
    description:
      - Encrypt the VXLAN traffic between nodes (IPsec; the driver option C(encrypted)). Only with O(driver=overlay).
      - Takes part in idempotency.
    type: bool
    default: false
  ipv6:
    description: Enable IPv6 (C(EnableIPv6)); needed for an IPv6 subnet. Takes part in idempotency.
    type: bool
    default: false
  ingress:
    description:
      - Make this network the swarm's ingress network, the routing mesh for published ports, to customise its subnet
        or options. The swarm has one; delete the default C(ingress) first to use another name.
      - Takes part in idempotency.
    type: bool
    default: false
  ipam:
    description:
      - IP address management. Left out, not compared (the engine picks a subnet).
      - Only the keys given take part in idempotency.
    type: dict
    suboptions:
      driver:
        description: The IPAM driver; the engine's is V(default). Left out, not compared.
        type: str
      config:
        description:
          - Address pools, one per subnet. Left out or empty, the engine picks one and it is not compared; given,
            the network must have exactly these pools, in this order.
        type: list
        elements: dict
        suboptions:
          subnet:
            description: The subnet in CIDR notation, e.g. C(10.10.0.0/24). Every entry of O(ipam.config) needs one.
            type: str
          gateway:
            description: The gateway address, inside O(ipam.config[].subnet). Left out, the engine picks one and it is not compared.
            type: str
          ip_range:
            description: A CIDR inside O(ipam.config[].subnet) that containers get their addresses from.
            type: str
          aux_addresses:
            description: Addresses the IPAM driver must not hand out, as a map of host name to address in the subnet.
            type: dict
  labels:
    description:
      - Network labels, a map of strings. Left out, not compared; given, the network must have exactly these.
    type: dict
  driver_options:
    description:
      - Driver options, a map of strings (C(com.docker.network.driver.mtu) for one). Left out, not compared;
        given, the network must have exactly these (besides C(encrypted), set by O(encrypted), and the VXLAN ID
        the engine adds).
    type: dict
  force:
    description:
      - When the network must be recreated or deleted while services or containers use it, detach them, recreate
        (or delete) it and reattach them. Their tasks restart. Without it, that is refused.
      - Services publishing ports in ingress mode keep the ingress network in use even with O(force).
      - Does not take part in idempotency.
    type: bool
    default: false
  wait_timeout:
    description:
      - Seconds to wait for the old network's endpoints to go away before deleting it, for its deletion and
        re-creation (whatever O(wait) says), and with O(wait) for the reattached services to converge.
      - O(timeout) is something else - it bounds each engine request.
      - Does not take part in idempotency.
notes:
  - Service tasks that use the network on other nodes count as users through their service. Standalone containers
    count only on the node the module talks to - the engine shows no other node's containers.
seealso:
  - module: beekeeper.swarm.swarm_info
"""

EXAMPLES = r"""
- name: An encrypted, attachable overlay with its own subnet
  beekeeper.swarm.swarm_network:
    name: backend
    attachable: true
    encrypted: true
    ipam:
      config:
        - subnet: 10.10.0.0/24
          gateway: 10.10.0.1
    labels:
      com.example.team: payments

- name: An internal network - no route out
  beekeeper.swarm.swarm_network:
    name: db_only
    internal: true

- name: Change the subnet while services use the network (they are detached and reattached)
  beekeeper.swarm.swarm_network:
    name: backend
    attachable: true
    encrypted: true
    ipam:
      config:
        - subnet: 10.11.0.0/24
    force: true
  register: backend

- name: Show what was done
  ansible.builtin.debug:
    var: backend.actions

- name: A bigger ingress network (no service may publish ports in ingress mode meanwhile)
  beekeeper.swarm.swarm_network:
    name: ingress
    ingress: true
    ipam:
      config:
        - subnet: 10.255.0.0/16

- name: Delete a network
  beekeeper.swarm.swarm_network:
    name: db_only
    state: absent
"""

RETURN = r"""
network:
  description: The network after the change (predicted in check mode, where the ID of a new network is null).
  returned: when state is present
  type: dict
  contains:
    id:
      description: Network ID.
      type: str
    name:
      description: Name.
      type: str
    driver:
      description: Driver.
      type: str
    scope:
      description: V(swarm) or V(local).
      type: str
    attachable:
      description: Whether standalone containers can attach.
      type: bool
    internal:
      description: Whether the network has no route out.
      type: bool
    ingress:
      description: Whether this is the swarm's ingress network.
      type: bool
    ipv6:
      description: Whether IPv6 is enabled.
      type: bool
    encrypted:
      description: Whether the overlay traffic is encrypted.
      type: bool
    ipam:
      description: IPAM driver and config (subnet, gateway, ip_range, aux_addresses per pool).
      type: dict
      sample: {driver: default, config: [{subnet: 10.10.0.0/24, gateway: 10.10.0.1, ip_range: null, aux_addresses: {}}]}
    labels:
      description: Labels.
      type: dict
    options:
      description: Driver options as the engine has them (including C(encrypted) and the VXLAN ID).
      type: dict
    services:
      description: Names of the services that use the network (for the ingress network, those publishing in ingress mode).
      type: list
      elements: str
    containers:
      description: Names of the standalone containers attached on this node.
      type: list
      elements: str
actions:
  description: What was done, in order (predicted in check mode).
  returned: always
  type: list
  elements: str
  sample: [detach service web, recreate network, reattach service web]
"""

from ansible_collections.beekeeper.swarm.plugins.module_utils._module import SwarmModule, run
from ansible_collections.beekeeper.swarm.plugins.module_utils._network import manage
from ansible_collections.beekeeper.swarm.plugins.module_utils._network_spec import argument_spec, validate


def main():
    module = SwarmModule(argument_spec=argument_spec(), supports_check_mode=True)
    run(module, manage, validate=validate)


if __name__ == "__main__":
    main()

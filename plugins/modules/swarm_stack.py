#!/usr/bin/python
# Copyright: Beekeeper developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: swarm_stack
short_description: Deploy a Compose file as a swarm stack, as docker stack deploy does, writing only what changed
version_added: 0.2.0
description:
  - Deploys one or more Compose files (or an inline O(definition)) as the stack O(name), run against a manager
    (O(docker_host)). The objects are those C(docker stack deploy) makes - services C(NAME_svc), networks, secrets and
    configs labelled C(com.docker.stack.namespace=NAME), the default network C(NAME_default) - so the docker CLI can
    manage or C(docker stack rm) a stack this module deployed, and this module takes over a stack the CLI deployed
    from the same file without writing anything.
  - The files are read, merged, interpolated and validated on the controller by the action plugin, before anything
    is asked of the engine; errors name the file, the path in it and the fix. Variables come from O(env),
    O(env_files) and the project's C(.env), never silently from the controller's environment.
  - The schema validator's compiled code is kept in the controller user's cache directory
    (C($XDG_CACHE_HOME/beekeeper.swarm), by default C(~/.cache/beekeeper.swarm)), so later runs skip generating it;
    where that directory cannot be written, every run generates it again.
  - Each object is compared with what runs, in the form the engine stores it; an unchanged service, network, secret
    or config is never written (its C(Version.Index) stays, jobs do not run again, the previous spec survives).
  - Services are built and compared by the same option table as M(beekeeper.swarm.swarm_service), and every service
    written is waited for until the cluster has converged, all at once, within O(wait_timeout); a failed wait names
    each failed service with the engine's task errors and the last log lines of up to two failed tasks.
  - Secrets and configs are versioned by content - new content creates C(NAME_key.v2) and rolls exactly the services
    that mount it; the old version is removed once nothing uses it.
author:
  - Beekeeper developers (!UNKNOWN)
extends_documentation_fragment:
  - beekeeper.swarm._engine
  - beekeeper.swarm._wait
  - beekeeper.swarm._attributes
  - beekeeper.swarm._attributes.action
  - beekeeper.swarm._attributes.actiongroup_swarm
attributes:
  action:
    support: full
    details: An action plugin reads the Compose files, env files and the secret and config files on the controller.
  check_mode:
    support: full
    details: Predicts every object created, updated or removed, and the diff, without calling a mutating endpoint.
  diff_mode:
    support: full
    details: Per object (services, networks, secrets, configs), in the options of swarm_service for services.
  idempotent:
    support: full
    details: An unchanged project writes nothing.
options:
  name:
    description: The stack's name (the namespace of its objects). Defaults to the project's top-level C(name).
    type: str
  state:
    description: V(present) deploys; V(absent) removes the stack's services, waits until their tasks are gone, then
      removes its secrets, configs and networks (waiting until the networks are gone). Volumes are never removed.
    type: str
    choices: [present, absent]
    default: present
  files:
    description: Compose files on the controller, merged in order (relative paths are looked up in the role's or
      playbook's C(files/)). Mutually exclusive with O(definition).
    type: list
    elements: path
  definition:
    description: An inline Compose project, a mapping or YAML text.
    type: raw
  project_dir:
    description: The directory relative paths of the project are resolved against (C(env_file), secret and config
      C(file), bind sources, C(.env)). Default the first file's directory, or the playbook's for O(definition).
    type: path
  env:
    description: Variables for C(${VAR}) interpolation and for C(environment) entries without a value; wins over
      O(env_files) and C(.env).
    type: dict
  env_files:
    description: Files of variables (C(.env) syntax) on the controller, later files winning.
    type: list
    elements: path
  dotenv:
    description: Read C(.env) in O(project_dir) when it exists.
    type: bool
    default: true
  use_controller_env:
    description: Also take variables from the controller's environment, as the docker CLI does (last resort).
    type: bool
    default: false
  rules:
    description: V(cli) merges files and interpolates with the docker CLI's rules; V(spec) with the Compose
      Specification's (deep merge, C(${VAR:+alt}), nesting, C(!reset)).
    type: str
    choices: [cli, spec]
    default: cli
  strict:
    description: Fail on every warning (unsupported, deprecated or ignored keys).
    type: bool
    default: false
  prune:
    description: Remove the stack's services the project no longer has (before anything is created, as the CLI does),
      and once the services converged the stack's networks, secrets and configs nothing uses.
    type: bool
    default: false
  resolve_image:
    description:
      - V(never) and V(changed) keep the running image (with its digest) while the file's image is the one the stack
        last deployed; V(always) pins every image to its registry digest and updates only when a digest moved.
    type: str
    choices: [always, changed, never]
    default: changed
  with_registry_auth:
    description: Send the registry credentials of the engine host's Docker config with the specs.
    type: bool
    default: false
  recreate_networks:
    description:
      - A stack network whose definition in the file differs from the one running (driver, options, labels, flags,
        subnets) is refused by default, since the engine cannot change a network in place.
      - V(true) recreates it under its services, as M(beekeeper.swarm.swarm_network) does with C(force=true) - every
        service on it is detached (its tasks restart), the network deleted and created from the file, the services
        reattached and waited for. Services publishing ports in ingress mode on it are refused.
    type: bool
    default: false
  keep_replicas:
    description: Leave the replica count of existing services alone (owned by day-2 scaling, docker/cli#2235). Always
      the case for services labelled C(swarm.cronjob.enable=true).
    type: bool
    default: false
  project:
    description: Internal - the loaded project the action plugin sends. Do not set.
    type: dict
  data:
    description: Internal - the contents of the project's secrets and configs, base64, sent by the action plugin. Do not set.
    type: dict
"""

EXAMPLES = r"""
- name: WordPress and MySQL from the tutorials' compose file
  beekeeper.swarm.swarm_stack:
    name: wordpress
    files: [stacks/wordpress/compose.yml]
    env:
      WORDPRESS_VERSION: latest
    prune: true

- name: See what a deploy would change
  beekeeper.swarm.swarm_stack:
    name: wordpress
    files: [stacks/wordpress/compose.yml]
  check_mode: true
  diff: true

- name: Remove the stack
  beekeeper.swarm.swarm_stack:
    name: wordpress
    state: absent
"""

RETURN = r"""
stack:
  description: The stack's objects and what happened to each (predicted in check mode).
  returned: always
  type: dict
  contains:
    name:
      description: The stack's name.
      type: str
    services:
      description: Per service (by its name in the file) - changed, action, id, version, update_state, image, and
        running/wanted once waited for.
      type: dict
    networks:
      description: Per network - changed, action.
      type: dict
    secrets:
      description: Per secret key - changed, action.
      type: dict
    configs:
      description: Per config key - changed, action.
      type: dict
changes:
  description: The options that change, per object (C(services.web.image)).
  returned: when state is present
  type: list
  elements: str
pruned:
  description: The objects removed by pruning (or that would be, in check mode).
  returned: when state is present
  type: list
  elements: str
removed:
  description: The objects removed with O(state=absent).
  returned: when state is absent
  type: list
  elements: str
warnings_compose:
  description: The loader's warnings (also shown as task warnings).
  returned: when the loader warned
  type: list
  elements: str
"""

from ansible_collections.beekeeper.swarm.plugins.module_utils._args import connection_argument_spec, wait_args
from ansible_collections.beekeeper.swarm.plugins.module_utils._module import SwarmModule, run
from ansible_collections.beekeeper.swarm.plugins.module_utils._stack import manage

OPTIONS = dict(
    name=dict(type="str"),
    state=dict(type="str", choices=["present", "absent"], default="present"),
    files=dict(type="list", elements="path"),
    definition=dict(type="raw"),
    project_dir=dict(type="path"),
    env=dict(type="dict", no_log=False),
    env_files=dict(type="list", elements="path"),
    dotenv=dict(type="bool", default=True),
    use_controller_env=dict(type="bool", default=False),
    rules=dict(type="str", choices=["cli", "spec"], default="cli"),
    strict=dict(type="bool", default=False),
    prune=dict(type="bool", default=False),
    resolve_image=dict(type="str", choices=["always", "changed", "never"], default="changed"),
    with_registry_auth=dict(type="bool", default=False),
    keep_replicas=dict(type="bool", default=False),
    recreate_networks=dict(type="bool", default=False),
    project=dict(type="dict"),
    data=dict(type="dict", no_log=True),
)


def main():
    module = SwarmModule(argument_spec=connection_argument_spec(**OPTIONS, **wait_args()), supports_check_mode=True,
                         required_if=[("state", "present", ("name",))])
    run(module, manage)


if __name__ == "__main__":
    main()

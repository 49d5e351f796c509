#!/usr/bin/python
# Copyright: Beekeeper developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: swarm_config
short_description: Manage a swarm config as versions of a logical name, rotating it through the services that use it
version_added: 0.1.0
description:
  - Runs against a manager (O(docker_host)), Engine API 1.41+.
  - The engine never changes a config's data, so a config is a series of versions of a logical name
    (C(nginx_conf.v1), C(nginx_conf.v2)...); the newest is the current one. A service made with beekeeper.swarm.swarm_service
    names the logical name in its C(configs) (C(source=nginx_conf)) and gets the current version; a new version keeps
    the target inside the task.
  - New content creates the next version, repoints every service that uses the logical name, waits for them to converge
    and prunes old versions beyond O(keep) that no service uses (O(rotate)). The same content changes nothing.
  - With O(wait) (the default), the services repointed - or, with O(state=absent) and O(force), detached - are
    waited for until they converge, within one O(wait_timeout) for them all, before anything is pruned or removed.
  - Content comes inline (O(data), base64 with O(data_is_b64)) or from a file on the controller or on the node (O(src)).
    It never appears in results, diffs, warnings or logs; at most 1000 KB (the engine's limit).
  - A config can be a Go template (O(templating)), rendered by the engine for each task
    (C({{ .Service.Name }}), C({{ .Task.Slot }}), C({{ env "VAR" }}), C({{ secret "name" }})...).
  - Labels are updated in place.
author:
  - Beekeeper developers (!UNKNOWN)
extends_documentation_fragment:
  - beekeeper.swarm._engine
  - beekeeper.swarm._versioned
  - beekeeper.swarm._wait
  - beekeeper.swarm._attributes
  - beekeeper.swarm._attributes.action
  - beekeeper.swarm._attributes.actiongroup_swarm
attributes:
  action:
    support: full
    details: An action plugin reads a controller O(src) and passes it to the module as base64.
  check_mode:
    support: full
    details: Predicts the versions created, the services repointed and the versions pruned (hashing the content locally)
      without calling a mutating endpoint.
  diff_mode:
    support: full
    details: Shows the current version, its user labels, templating and the versions kept, before and after; never the
      data or its hash.
  idempotent:
    support: full
    details: The same content, templating and labels change nothing; the content is compared by its SHA-256.
options:
  templating:
    description:
      - V(golang) makes the engine render the content as a Go template for each task (Engine API 1.37, below the
        collection's floor). Left out, the content is used as it is.
      - Takes part in idempotency - the engine cannot change it on an existing config, so a change creates a new version.
    type: str
    choices: [golang]
seealso:
  - module: beekeeper.swarm.swarm_secret
"""

EXAMPLES = r"""
- name: An nginx configuration from the role's templates, rendered by Ansible first
  beekeeper.swarm.swarm_config:
    name: nginx_conf
    data: "{{ lookup('ansible.builtin.template', 'nginx.conf.j2') }}"
    labels:
      app: shop

- name: A file on the controller (files/ of the role or playbook), keeping two old versions
  beekeeper.swarm.swarm_config:
    name: app_settings
    src: settings.toml
    keep: 2

- name: A file already on the manager
  beekeeper.swarm.swarm_config:
    name: app_settings
    src: /srv/shop/settings.toml
    remote_src: true

- name: A Go template the engine renders for each task
  beekeeper.swarm.swarm_config:
    name: greeting
    data: "{% raw %}Hello from {{ .Service.Name }}, task {{ .Task.Slot }}{% endraw %}"
    templating: golang

- name: Remove every version (refused while services use it)
  beekeeper.swarm.swarm_config:
    name: nginx_conf
    state: absent
"""

RETURN = r"""
# Kept the same as swarm_secret's RETURN except where the kinds differ: the top-level key, the ID's kind,
# templating (configs only) and the samples. Not shared: a RETURN doc fragment needs ansible-core 2.20, and
# ansible-core 2.19 (which this collection supports) fails to render a RETURN that extends one.
config:
  description: The current version after the change (predicted in check mode, with a null ID for a version to be created).
    Never its data nor its hash.
  returned: when state is present
  type: dict
  contains:
    id:
      description: Config ID.
      type: str
    name:
      description: The object's name, C(LOGICAL.vN) (or the plain name of an adopted object).
      type: str
    logical_name:
      description: The logical name.
      type: str
    version:
      description: Version number; 0 for an adopted plain object.
      type: int
    labels:
      description: User labels (without the collection's own C(com.beekeeper.swarm.*) labels).
      type: dict
    created_at:
      description: When the engine created it.
      type: str
    updated_at:
      description: When the engine last updated it (its labels).
      type: str
    services:
      description: Names of the services that use this version.
      type: list
      elements: str
    versions:
      description: Every object of the logical name, oldest first - name, version, id and the services that use it.
      type: list
      elements: dict
    templating:
      description: V(golang) for a Go template, else null.
      type: str
  sample:
    id: 3ucy9bj4wjbr8bzr7s9k2ztvq
    name: nginx_conf.v2
    logical_name: nginx_conf
    version: 2
    labels: {app: shop}
    created_at: "2026-01-10T09:00:00.000000000Z"
    updated_at: "2026-01-10T09:00:00.000000000Z"
    services: [shop_web]
    templating: null
    versions:
      - {name: nginx_conf.v1, version: 1, id: 8kd0cgn1s5ujt3ztjd3y0hq5c, services: []}
      - {name: nginx_conf.v2, version: 2, id: 3ucy9bj4wjbr8bzr7s9k2ztvq, services: [shop_web]}
actions:
  description: What was done (or would be, in check mode), in order.
  returned: always
  type: list
  elements: str
  sample: [create nginx_conf.v2, repoint service shop_web, prune nginx_conf.v1]
"""

from ansible_collections.beekeeper.swarm.plugins.module_utils._module import SwarmModule, run
from ansible_collections.beekeeper.swarm.plugins.module_utils._rotation import argument_spec, manage, validator


def main():
    module = SwarmModule(argument_spec=argument_spec("config"), supports_check_mode=True)
    run(module, lambda engine, params, check_mode: manage("config", engine, params, check_mode), validate=validator("config"))


if __name__ == "__main__":
    main()

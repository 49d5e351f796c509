# Copyright: Beekeeper developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# Private to this collection: a doc fragment other collections must not use; it may change at any time.

from __future__ import annotations


class ModuleDocFragment:
    # How every beekeeper.swarm module reaches a Docker engine.
    DOCUMENTATION = r"""
options:
  docker_host:
    description:
      - The engine to talk to, as the Docker SDK takes it.
      - C(unix:///var/run/docker.sock) on the node the task runs on (the default);
        C(tcp://HOST:2376) with TLS; C(ssh://USER@HOST) to reach a node's engine from the
        controller over SSH (paramiko), so the node needs no Python Docker SDK.
      - If not set, the environment variable E(DOCKER_HOST) is used.
    type: str
    default: unix:///var/run/docker.sock
  tls:
    description: Use TLS to talk to a C(tcp://) engine, without verifying its certificate unless O(validate_certs).
    type: bool
    default: false
  validate_certs:
    description: Use TLS and verify the engine's certificate against O(ca_path).
    type: bool
    default: false
  ca_path:
    description: The CA certificate that signed the engine's certificate.
    type: path
  client_cert:
    description: The client certificate for TLS.
    type: path
  client_key:
    description: The key of O(client_cert).
    type: path
  api_version:
    description:
      - The Engine API version to speak. V(auto) negotiates the engine's own.
      - Options newer than the negotiated version fail with the version they need.
      - The oldest supported version is 1.41 (Docker Engine 20.10).
    type: str
    default: auto
  timeout:
    description:
      - Seconds to wait for each engine request, and only that. How long a module waits for the cluster after a
        change is its C(wait_timeout) option, in the modules that wait.
      - A request to a swarm without quorum fails after this long with a quorum error instead of hanging.
    type: int
    default: 60
  use_ssh_client:
    description: For C(ssh://) hosts, use the system's C(ssh) client instead of paramiko.
    type: bool
    default: false
requirements:
  - Docker SDK for Python 5.0.3 or newer (Debian and Ubuntu package C(python3-docker)) where the module runs.
  - paramiko for C(ssh://) hosts.
  - Docker Engine 20.10 (API 1.41) or newer.
notes:
  - The modules talk to the Engine API; they never run the C(docker) command line.
"""

# Copyright: Beekeeper developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to this collection: the argument-spec parts every module shares (connection, wait)."""

from __future__ import annotations

from ansible.module_utils.basic import env_fallback

from ansible_collections.beekeeper.swarm.plugins.module_utils._client import DEFAULT_HOST

CONNECTION_ARGS = dict(
    docker_host=dict(type="str", default=DEFAULT_HOST, fallback=(env_fallback, ["DOCKER_HOST"])),
    tls=dict(type="bool", default=False),
    validate_certs=dict(type="bool", default=False),
    ca_path=dict(type="path"),
    client_cert=dict(type="path"),
    client_key=dict(type="path"),
    api_version=dict(type="str", default="auto"),
    timeout=dict(type="int", default=60),
    use_ssh_client=dict(type="bool", default=False),
)


def wait_args(timeout=300):
    """``wait`` (until the cluster has converged on the change) and ``wait_timeout`` (seconds)."""
    return dict(wait=dict(type="bool", default=True), wait_timeout=dict(type="int", default=timeout))


def connection_argument_spec(**options):
    """The common connection options merged with a module's own options."""
    spec = dict((k, dict(v)) for k, v in CONNECTION_ARGS.items())
    spec.update(options)
    return spec

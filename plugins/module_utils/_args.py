# Copyright: Beekeeper developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to this collection: the argument-spec parts every module shares (connection, wait), and
their validation, which runs before the module connects to anything."""

from __future__ import annotations

import os
import re
from urllib.parse import urlsplit

from ansible.module_utils.basic import env_fallback

from ansible_collections.beekeeper.swarm.plugins.module_utils._client import DEFAULT_HOST
from ansible_collections.beekeeper.swarm.plugins.module_utils._errors import InvalidInput

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
# The schemes the Docker SDK connects over; a bare host:port means tcp.
SCHEMES = ("unix", "tcp", "http", "https", "ssh", "npipe")
API_VERSION_RE = re.compile(r"\A(?:auto|[1-9][0-9]?\.[0-9]{1,3})\Z")
# Seconds: an HTTP read timeout and a wait of a week at most (larger values overflow the SDK's and the
# engine's time arithmetic, and no rollout needs them).
MAX_TIMEOUT = 86400
MAX_WAIT_TIMEOUT = 7 * 86400
PEM_FILES = dict(ca_path="ca", client_cert="cert", client_key="key")
HOST_EXAMPLES = "e.g. unix:///var/run/docker.sock, tcp://10.0.0.1:2376 or ssh://admin@10.0.0.1"


def wait_args(timeout=300):
    """``wait`` (until the cluster has converged on the change) and ``wait_timeout`` (seconds)."""
    return dict(wait=dict(type="bool", default=True), wait_timeout=dict(type="int", default=timeout))


def connection_argument_spec(**options):
    """The common connection options merged with a module's own options."""
    spec = dict((k, dict(v)) for k, v in CONNECTION_ARGS.items())
    spec.update(options)
    return spec


def check_seconds(params, option, low, high, example):
    value = params.get(option)
    if value is not None and not low <= value <= high:
        raise InvalidInput("%s: %s is out of range; use %d to %d seconds, e.g. %s: %s." % (option, value, low, high, option, example))


def _host_scheme(host):
    """The scheme of a docker_host, or InvalidInput naming what is wrong with it."""
    if "\x00" in host or not host.strip() or host != host.strip():
        raise InvalidInput("docker_host: %r is not an engine address; write a URL without spaces, %s." % (host, HOST_EXAMPLES))
    if "://" not in host:
        host = "tcp://" + host
    try:
        url = urlsplit(host)
        port = url.port
    except ValueError as exc:
        raise InvalidInput("docker_host: '%s' is not an engine address (%s); write %s." % (host, exc, HOST_EXAMPLES)) from None
    if url.scheme not in SCHEMES:
        raise InvalidInput("docker_host: '%s' has the scheme '%s', which the Docker SDK does not speak; use one of %s, %s."
                           % (host, url.scheme, ", ".join(s + "://" for s in SCHEMES), HOST_EXAMPLES))
    if url.scheme in ("unix", "npipe"):
        if not url.path:
            raise InvalidInput("docker_host: '%s' names no socket; write the socket's path, e.g. unix:///var/run/docker.sock." % host)
    elif not url.hostname:
        raise InvalidInput("docker_host: '%s' names no host; write %s." % (host, HOST_EXAMPLES))
    elif port == 0:
        raise InvalidInput("docker_host: '%s' has port 0; use the engine's port, e.g. tcp://%s:2376." % (host, url.hostname))
    return url.scheme


def validate_connection(params):
    """The connection options as the module will use them; InvalidInput naming the option, else warnings
    for options that the address makes meaningless (TLS over a unix socket)."""
    warnings = []
    scheme = _host_scheme(params.get("docker_host") or DEFAULT_HOST)
    version = params.get("api_version") or "auto"
    if not API_VERSION_RE.match(version):
        raise InvalidInput("api_version: '%s' is not an Engine API version; write auto (negotiate with the engine) or "
                           "MAJOR.MINOR, e.g. api_version: '1.43'." % version)
    check_seconds(params, "timeout", 1, MAX_TIMEOUT, 60)
    check_seconds(params, "wait_timeout", 0, MAX_WAIT_TIMEOUT, 300)
    tls_options = [k for k in ("tls", "validate_certs", "ca_path", "client_cert", "client_key") if params.get(k)]
    if scheme in ("unix", "npipe", "ssh") and tls_options:
        warnings.append("%s: ignored, because docker_host '%s' connects over %s, which TLS does not apply to; remove %s, or point "
                        "docker_host at the engine's TLS port, e.g. tcp://10.0.0.1:2376."
                        % (", ".join(tls_options), params.get("docker_host"), scheme, "it" if len(tls_options) == 1 else "them"))
    elif params.get("tls") or params.get("validate_certs"):
        if bool(params.get("client_cert")) != bool(params.get("client_key")):
            given, missing = ("client_cert", "client_key") if params.get("client_cert") else ("client_key", "client_cert")
            raise InvalidInput("%s: TLS client authentication needs both files, and only %s is set; set %s too, or remove %s."
                               % (missing, given, missing, given))
        for option in PEM_FILES:
            path = params.get(option)
            if path and ("\x00" in path or not os.path.isfile(path)):
                raise InvalidInput("%s: %r is not a file on the host the module runs on; give the path of the PEM file there, "
                                   "e.g. %s: /etc/docker/certs/%s.pem." % (option, path, option, PEM_FILES[option]))
    if params.get("use_ssh_client") and scheme != "ssh":
        warnings.append("use_ssh_client: ignored, because docker_host '%s' is not an ssh:// address; remove it, or use "
                        "docker_host: ssh://user@host." % params.get("docker_host"))
    return warnings

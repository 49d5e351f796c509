# Copyright: Beekeeper developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to this collection: the one Engine API client every module uses.

The Docker SDK's low-level ``APIClient`` is the transport only (connection, TLS, ``ssh://``
through paramiko, API version negotiation). Requests and responses are Engine-API-shaped
dicts, so a field the SDK has no helper for still travels.
"""

from __future__ import annotations

import json
import re

from ansible_collections.beekeeper.swarm.plugins.module_utils._errors import (
    ApiVersionError,
    EngineError,
    NotFound,
    NotInSwarm,
    QuorumLost,
    SwarmError,
)

try:
    import docker
    from docker.errors import APIError, DockerException
    from requests.exceptions import ConnectionError as RequestsConnectionError
    from requests.exceptions import ReadTimeout

    HAS_DOCKER = True
    DOCKER_IMPORT_ERROR = None
except ImportError as exc:  # pragma: no cover - reported by Engine()
    HAS_DOCKER = False
    DOCKER_IMPORT_ERROR = exc

    # Stand-ins so the module still imports; Engine() fails before any request could raise them.
    class APIError(Exception):  # type: ignore[no-redef]
        pass

    class DockerException(Exception):  # type: ignore[no-redef]
        pass

    class RequestsConnectionError(Exception):  # type: ignore[no-redef]
        pass

    class ReadTimeout(Exception):  # type: ignore[no-redef]
        pass

MIN_API = "1.41"
VERSION_RE = re.compile(r"^v?(\d+)\.(\d+)")
DEFAULT_HOST = "unix:///var/run/docker.sock"


QUORUM_SIGNS = (
    "does not have a leader",
    "context deadline exceeded",
    "DeadlineExceeded",
    "no elected cluster leader",
    # A leader that has just lost its majority fails the write it holds with this (Engine 20.10:
    # "rpc error: code = Unknown desc = raft: failed to process the request: node lost leader status").
    "lost leader status",
)
QUORUM_FIX = (
    "the swarm has no leader, so quorum is lost: start the managers that are down, or recover "
    "with beekeeper.swarm.swarm_init force_new_cluster: true on a surviving manager"
)
# Said when the leader lost its majority while it held the write: the entry may already sit in a
# manager's Raft log and be committed once quorum returns (seen on Engine 20.10: a node label whose
# update failed like this was set after the managers came back).
IN_FLIGHT_SIGN = "lost leader status"
IN_FLIGHT_NOTE = (
    " The engine had taken the change before it lost its leader, so the change may still be applied "
    "when quorum returns: read the state again before retrying."
)


def _ssh_errors(host):
    """paramiko's errors: an ssh:// client connects while it is made, and the SDK lets them through unwrapped."""
    if not str(host).startswith("ssh://"):
        return ()
    try:
        from paramiko.ssh_exception import SSHException
    except ImportError:
        return ()
    return (SSHException,)


def version_tuple(version):
    """'1.41' -> (1, 41); '1.45-rc1' -> (1, 45): only the leading major.minor counts, so a pre-release
    never sorts above the next release. Raise ValueError for text that does not start with one."""
    match = VERSION_RE.match(str(version).strip())
    if not match:
        raise ValueError("invalid Engine API version %r" % (version,))
    return int(match.group(1)), int(match.group(2))


def is_quorum_message(text):
    return any(sign in text for sign in QUORUM_SIGNS)


class Engine:
    """A connection to one Docker engine."""

    def __init__(self, params):
        if not HAS_DOCKER:
            raise SwarmError(
                "The Docker SDK for Python is needed where this module runs (Debian/Ubuntu: "
                "apt-get install python3-docker; elsewhere: pip install docker), or reach the "
                "engine from the controller with docker_host: ssh://user@host. Import error: %s"
                % DOCKER_IMPORT_ERROR
            )
        self.host = params["docker_host"]
        self.timeout = params["timeout"]
        kwargs = dict(base_url=self.host, version=params["api_version"] or "auto", timeout=self.timeout)
        try:
            if params.get("tls") or params.get("validate_certs"):
                client_cert = None
                if params.get("client_cert") or params.get("client_key"):
                    client_cert = (params.get("client_cert"), params.get("client_key"))
                kwargs["tls"] = docker.tls.TLSConfig(
                    client_cert=client_cert, ca_cert=params.get("ca_path"), verify=params.get("validate_certs")
                )
            if params.get("use_ssh_client"):
                kwargs["use_ssh_client"] = True
            self.api = docker.APIClient(**kwargs)
        except (DockerException, OSError, ValueError) + _ssh_errors(self.host) as exc:
            # _args.validate_connection refuses what it can name; this is what only connecting finds.
            raise EngineError(
                "Failed to connect to the Docker engine at '%s': %s. Check that the engine runs there "
                "and that docker_host is right%s." % (
                    self.host, exc,
                    "; over ssh://, that known_hosts has the host's key and the SSH key is in ~/.ssh/config or an agent"
                    if str(self.host).startswith("ssh://") else "")
            ) from exc
        self.api_version = self.api.api_version
        if version_tuple(self.api_version) < version_tuple(MIN_API):
            raise ApiVersionError(
                "Engine API %s at '%s' is older than %s (Docker Engine 20.10), the oldest this collection "
                "supports; upgrade the engine." % (self.api_version, self.host, MIN_API)
            )

    # -- version gates -------------------------------------------------------------------

    def supports(self, min_api):
        return version_tuple(self.api_version) >= version_tuple(min_api)

    def require(self, option, min_api):
        if not self.supports(min_api):
            raise ApiVersionError(
                "Engine API %s is too old for %s (needs %s)." % (self.api_version, option, min_api)
            )

    # -- requests --------------------------------------------------------------------------

    def request(self, method, path, what, body=None, params=None, timeout=None, headers=None):
        """Call the Engine API; ``what`` reads like 'update node 'n1'' in error messages."""
        url = self.api._url(path)
        kwargs = dict(params=params)
        if headers:
            kwargs["headers"] = dict(headers)
        if timeout is not None:
            kwargs["timeout"] = timeout
        try:
            if method == "GET":
                resp = self.api._get(url, **kwargs)
            elif method == "DELETE":
                resp = self.api._delete(url, **kwargs)
            elif body is None:
                resp = self.api._post(url, **kwargs)
            else:
                resp = self.api._post_json(url, data=body, **kwargs)
            self.api._raise_for_status(resp)
        except APIError as exc:
            raise self._translate(exc, what) from exc
        except ReadTimeout:
            raise QuorumLost(
                "Failed to %s: the engine at '%s' did not answer within %ss. A swarm without quorum "
                "hangs like this: %s." % (what, self.host, timeout or self.timeout, QUORUM_FIX)
            ) from None
        except (RequestsConnectionError, DockerException) as exc:
            raise EngineError("Failed to %s: cannot reach the engine at '%s': %s" % (what, self.host, exc)) from exc
        text = resp.text
        return json.loads(text) if text and text.strip() else None

    def get(self, path, what, params=None, headers=None):
        return self.request("GET", path, what, params=params, headers=headers)

    def get_bytes(self, path, what, params=None, timeout=None):
        """A GET whose answer is not JSON (a log stream): its body as bytes."""
        try:
            resp = self.api._get(self.api._url(path), params=params, timeout=timeout or self.timeout)
            self.api._raise_for_status(resp)
        except APIError as exc:
            raise self._translate(exc, what) from exc
        except (ReadTimeout, RequestsConnectionError, DockerException) as exc:
            raise EngineError("Failed to %s: no answer from the engine at '%s': %s" % (what, self.host, exc)) from exc
        return resp.content

    def post(self, path, what, body=None, params=None, timeout=None, headers=None):
        return self.request("POST", path, what, body=body, params=params, timeout=timeout, headers=headers)

    def registry_auth(self, image):
        """The X-Registry-Auth header for an image's registry, from the engine host's Docker config
        (``docker login`` there), or None when it has no credentials for that registry."""
        try:
            from docker import auth
        except ImportError:  # pragma: no cover - Engine() already needs the SDK
            return None
        registry = auth.resolve_repository_name(image.split("@", 1)[0])[0]
        header = auth.get_config_header(self.api, registry)
        return {"X-Registry-Auth": header} if header else None

    def delete(self, path, what, params=None):
        return self.request("DELETE", path, what, params=params)

    @staticmethod
    def _translate(exc, what):
        said = (getattr(exc, "explanation", None) or str(exc)).strip()
        if isinstance(said, bytes):
            said = said.decode("utf-8", "replace")
        status = getattr(getattr(exc, "response", None), "status_code", None)
        msg = "Failed to %s: %s" % (what, said)
        if is_quorum_message(said):
            # The engine's own text may end with a full stop ("... managers are online."): one is enough.
            note = IN_FLIGHT_NOTE if IN_FLIGHT_SIGN in said else ""
            return QuorumLost("%s. Quorum lost: %s.%s" % (msg.rstrip("."), QUORUM_FIX, note), engine_said=said)
        if status == 404:
            return NotFound(msg, engine_said=said)
        if "not part of a swarm" in said or "not a swarm manager" in said:
            return NotInSwarm(
                "%s. Run this against a manager of the swarm (docker_host), or form the swarm first "
                "with beekeeper.swarm.swarm_init." % msg.rstrip("."),
                engine_said=said,
            )
        return EngineError(msg, engine_said=said, status=status)

    # -- common reads ----------------------------------------------------------------------

    def info(self):
        return self.get("/info", "read engine info")

    @staticmethod
    def filters(**filters):
        """Engine list filters as the API wants them: a JSON map of name -> list of values."""
        clean = {}
        for key, value in filters.items():
            if value is None:
                continue
            values = value if isinstance(value, (list, tuple)) else [value]
            clean[key.replace("_", "-")] = [str(v) for v in values]
        return {"filters": json.dumps(clean)} if clean else None

# Copyright: Beekeeper developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests for _args.validate_connection: the connection options, checked before any engine is reached."""

from __future__ import annotations

import pytest

from ansible_collections.beekeeper.swarm.plugins.module_utils._args import CONNECTION_ARGS, validate_connection
from ansible_collections.beekeeper.swarm.plugins.module_utils._errors import InvalidInput


def params(**given):
    out = dict((k, v.get("default")) for k, v in CONNECTION_ARGS.items())
    out.update(given)
    return out


@pytest.fixture
def pem(tmp_path):
    for name in ("ca", "cert", "key"):
        (tmp_path / (name + ".pem")).write_text("-----BEGIN-----\n")
    return tmp_path


REFUSED = [
    (dict(api_version="abc"),
     "api_version: 'abc' is not an Engine API version; write auto (negotiate with the engine) or MAJOR.MINOR, e.g. api_version: '1.43'."),
    (dict(api_version="1"),
     "api_version: '1' is not an Engine API version; write auto (negotiate with the engine) or MAJOR.MINOR, e.g. api_version: '1.43'."),
    (dict(api_version="1.4²"),
     "api_version: '1.4²' is not an Engine API version; write auto (negotiate with the engine) or MAJOR.MINOR, e.g. api_version: '1.43'."),
    (dict(api_version="1.41\n"),
     "api_version: '1.41\n' is not an Engine API version; write auto (negotiate with the engine) or MAJOR.MINOR, e.g. api_version: '1.43'."),
    (dict(docker_host="tcp://[::1"),
     "docker_host: 'tcp://[::1' is not an engine address (Invalid IPv6 URL); write e.g. unix:///var/run/docker.sock, "
     "tcp://10.0.0.1:2376 or ssh://admin@10.0.0.1."),
    (dict(docker_host="tcp://10.0.0.1:99999"),
     "docker_host: 'tcp://10.0.0.1:99999' is not an engine address (Port out of range 0-65535); write e.g. "
     "unix:///var/run/docker.sock, tcp://10.0.0.1:2376 or ssh://admin@10.0.0.1."),
    (dict(docker_host="ftp://10.0.0.1"),
     "docker_host: 'ftp://10.0.0.1' has the scheme 'ftp', which the Docker SDK does not speak; use one of unix://, tcp://, http://, "
     "https://, ssh://, npipe://, e.g. unix:///var/run/docker.sock, tcp://10.0.0.1:2376 or ssh://admin@10.0.0.1."),
    (dict(docker_host="unix://"),
     "docker_host: 'unix://' names no socket; write the socket's path, e.g. unix:///var/run/docker.sock."),
    (dict(docker_host="tcp://:2376"),
     "docker_host: 'tcp://:2376' names no host; write e.g. unix:///var/run/docker.sock, tcp://10.0.0.1:2376 or ssh://admin@10.0.0.1."),
    (dict(docker_host="unix:///var/run/docker.sock\x00"),
     "docker_host: 'unix:///var/run/docker.sock\\x00' is not an engine address; write a URL without spaces, e.g. "
     "unix:///var/run/docker.sock, tcp://10.0.0.1:2376 or ssh://admin@10.0.0.1."),
    (dict(timeout=2 ** 64),
     "timeout: 18446744073709551616 is out of range; use 1 to 86400 seconds, e.g. timeout: 60."),
    (dict(timeout=0), "timeout: 0 is out of range; use 1 to 86400 seconds, e.g. timeout: 60."),
    (dict(wait_timeout=-1), "wait_timeout: -1 is out of range; use 0 to 604800 seconds, e.g. wait_timeout: 300."),
    (dict(docker_host="tcp://10.0.0.1:2376", tls=True, client_cert="/etc/docker/cert.pem"),
     "client_key: TLS client authentication needs both files, and only client_cert is set; set client_key too, or remove client_cert."),
    (dict(docker_host="tcp://10.0.0.1:2376", tls=True, client_key="/etc/docker/key.pem"),
     "client_cert: TLS client authentication needs both files, and only client_key is set; set client_cert too, or remove client_key."),
    (dict(docker_host="tcp://10.0.0.1:2376", tls=True, ca_path="/nonexistent/ca.pem"),
     "ca_path: '/nonexistent/ca.pem' is not a file on the host the module runs on; give the path of the PEM file there, "
     "e.g. ca_path: /etc/docker/certs/ca.pem."),
]


@pytest.mark.parametrize("given, message", REFUSED)
def test_refused_with_the_option_named(given, message):
    with pytest.raises(InvalidInput) as exc:
        validate_connection(params(**given))
    assert exc.value.msg == message


def test_missing_client_key_file_is_named(pem):
    with pytest.raises(InvalidInput) as exc:
        validate_connection(params(docker_host="tcp://10.0.0.1:2376", tls=True, client_cert=str(pem / "cert.pem"),
                                   client_key=str(pem / "missing.pem")))
    assert exc.value.msg.startswith("client_key: '%s' is not a file on the host the module runs on;" % (pem / "missing.pem"))


ACCEPTED = [
    dict(),
    dict(api_version="1.41"),
    dict(api_version="auto"),
    dict(docker_host="tcp://10.0.0.1:2376"),
    dict(docker_host="10.0.0.1:2375"),
    dict(docker_host="ssh://admin@10.0.0.1"),
    dict(docker_host="tcp://[fd00::1]:2376"),
    dict(docker_host="unix:///run/user/1000/docker.sock"),
    dict(wait_timeout=0, timeout=1),
]


@pytest.mark.parametrize("given", ACCEPTED)
def test_accepted_without_warnings(given):
    assert validate_connection(params(**given)) == []


def test_tls_files_that_exist_are_accepted(pem):
    given = params(docker_host="tcp://10.0.0.1:2376", tls=True, validate_certs=True, ca_path=str(pem / "ca.pem"),
                   client_cert=str(pem / "cert.pem"), client_key=str(pem / "key.pem"))
    assert validate_connection(given) == []


@pytest.mark.parametrize("given, warning", [
    (dict(tls=True),
     "tls: ignored, because docker_host 'unix:///var/run/docker.sock' connects over unix, which TLS does not apply to; remove it, "
     "or point docker_host at the engine's TLS port, e.g. tcp://10.0.0.1:2376."),
    (dict(docker_host="ssh://admin@10.0.0.1", tls=True, ca_path="/etc/ca.pem"),
     "tls, ca_path: ignored, because docker_host 'ssh://admin@10.0.0.1' connects over ssh, which TLS does not apply to; remove them, "
     "or point docker_host at the engine's TLS port, e.g. tcp://10.0.0.1:2376."),
    (dict(use_ssh_client=True),
     "use_ssh_client: ignored, because docker_host 'unix:///var/run/docker.sock' is not an ssh:// address; remove it, or use "
     "docker_host: ssh://user@host."),
])
def test_options_the_address_ignores_are_warned_about(given, warning):
    assert validate_connection(params(**given)) == [warning]

# Copyright: Beekeeper developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests for _compose_syntax: the Go parsers the CLI uses for short ports (nat.ParsePortSpec), short volumes
(volumespec.Parse), durations (time.ParseDuration) and image references (distribution/reference)."""

from __future__ import annotations

import pytest

from ansible_collections.beekeeper.swarm.plugins.plugin_utils._compose_syntax import go_duration, go_quote, image_error, parse_volume_spec, port_configs


def _p(target, published, protocol="tcp"):
    return dict(target=target, published=published, protocol=protocol, mode="ingress")


PORTS = [
    ("80", [_p(80, None)], []),
    ("8080:80", [_p(80, 8080)], []),
    ("22:22", [_p(22, 22)], []),  # [verified: published 22 / target 22]
    ("53:53/udp", [_p(53, 53, "udp")], []),
    ("53:53/UDP", [_p(53, 53, "udp")], []),
    ("80/", [_p(80, None)], []),
    ("7000-7001:7000-7001", [_p(7000, 7000), _p(7001, 7001)], []),
    ("8000-8002:80", [_p(80, 8000), _p(80, 8001), _p(80, 8002)], []),  # one target, a published range: one port per number
    ("9-11", [_p(10, None), _p(11, None), _p(9, None)], []),  # sorted as Go sorts "10/tcp" < "11/tcp" < "9/tcp"
    ("127.0.0.1:8080:80", [_p(80, 8080)], ["ignoring IP-address (127.0.0.1:8080:80/tcp) service will listen on '0.0.0.0'"]),
    ("[::1]:80:80", [_p(80, 80)], ["ignoring IP-address ([::1]:80:80/tcp) service will listen on '0.0.0.0'"]),
    ("0.0.0.0:80:80", [_p(80, 80)], []),
    ("127.0.0.1::80", [_p(80, None)], ["ignoring IP-address (127.0.0.1::80/tcp) service will listen on '0.0.0.0'"]),
]


@pytest.mark.parametrize("spec,configs,warnings", PORTS)
def test_short_ports(spec, configs, warnings):
    assert port_configs(spec) == (configs, warnings)


@pytest.mark.parametrize("spec,message", [
    ("80/xyz", "invalid proto: xyz"), ("", "no port specified: <empty>"), ("abc", "invalid containerPort: abc"),
    ("x:80", "invalid hostPort: x"), ("1.2.3:80:80", "invalid IP address: 1.2.3"), ("8000-8001:80-82", "invalid ranges specified"),
    ("70000", "invalid containerPort: 70000"), ("9-8", "invalid containerPort: 9-8"),
])
def test_short_port_errors(spec, message):
    with pytest.raises(ValueError, match=message):
        port_configs(spec)


def _v(kind, source, target, read_only=False, **extra):
    return dict(type=kind, source=source, target=target, read_only=read_only, **extra)


VOLUMES = [
    ("/data", _v("volume", "", "/data")),
    ("data:/data", _v("volume", "data", "/data")),
    ("data:/data:ro", _v("volume", "data", "/data", True)),
    ("data:/data:nocopy", _v("volume", "data", "/data", volume=dict(nocopy=True))),
    ("/host:/c:rw", _v("bind", "/host", "/c")),
    ("./conf:/c:ro,rshared", _v("bind", "./conf", "/c", True, bind=dict(propagation="rshared"))),
    ("~/x:/x:z", _v("bind", "~/x", "/x")),  # z (SELinux) is ignored, as the CLI ignores unknown options
    ("C:\\data:/data", _v("bind", "C:\\data", "/data")),
    ("\\\\pipe\\x:/p", _v("bind", "\\\\pipe\\x", "/p")),
    ("ab", _v("volume", "", "ab")),
]


@pytest.mark.parametrize("spec,volume", VOLUMES)
def test_short_volumes(spec, volume):
    assert parse_volume_spec(spec) == volume


@pytest.mark.parametrize("spec,message", [
    ("", "invalid empty volume spec"), ("ab::/b", "invalid spec: ab::/b: empty section between colons"),
    ("/a:/b:ro:x", "invalid spec: /a:/b:ro:x: too many colons"),
])
def test_short_volume_errors(spec, message):
    with pytest.raises(ValueError, match=message):
        parse_volume_spec(spec)


@pytest.mark.parametrize("text,ns", [("0", 0), ("1m30s", 90 * 10 ** 9), ("-1.5h", -5400 * 10 ** 9), (".5s", 5 * 10 ** 8), ("300ms", 3 * 10 ** 8),
                                     ("1h2m3s4ms5us6ns", 3723004005006), ("1µs", 1000), ("+2s", 2 * 10 ** 9)])
def test_durations(text, ns):
    assert go_duration(text) == ns


@pytest.mark.parametrize("text,message", [("", 'time: invalid duration ""'), ("1", 'time: missing unit in duration "1"'),
                                          ("1x", 'time: unknown unit "x" in duration "1x"'), (".s", 'time: invalid duration ".s"'),
                                          ("10", 'time: missing unit in duration "10"')])
def test_duration_errors(text, message):
    with pytest.raises(ValueError, match="^%s$" % message):
        go_duration(text)


@pytest.mark.parametrize("image,error", [
    ("nginx", None), ("nginx:1.27", None), ("localhost:5000/a/b:t", None), ("reg.io/team/app@sha256:" + "a" * 64, None), ("a" * 64, None),
    ("Nginx", "invalid reference format: repository name (Nginx) must be lowercase"),
    ("reg.io:5000/A/b:t", "invalid reference format: repository name (A/b) must be lowercase"),
    ("x:y:z", "invalid reference format"), ("a b", "invalid reference format"), ("", "invalid reference format"),
    ("a" * 256, "repository name must not be more than 255 characters"),
])
def test_image_references(image, error):
    assert image_error(image) == error


def test_go_quote():
    assert go_quote('a"b\\c\n\x01é') == '"a\\"b\\\\c\\n\\x01é"'

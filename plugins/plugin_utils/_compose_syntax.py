# Copyright: Beekeeper developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to this collection: the value syntaxes docker/cli parses with Go libraries, ported.

- ``parse_port_spec`` / ``port_configs``: go-connections ``nat.ParsePortSpec`` and swarmopts
  ``ConvertPortToPortConfig`` (short port syntax ``[ip:][published:]target[/proto]``, ranges);
- ``parse_volume_spec``: the CLI's ``volumespec.Parse`` (short volume syntax ``src:dst[:opts]``);
- ``go_duration``: Go's ``time.ParseDuration`` (the schema's ``duration`` format);
- ``image_error``: distribution/reference ``ParseAnyReference``;
- ``go_quote``: Go's ``%#v`` of a string, as the CLI's messages quote values.

Functions raise ``ValueError`` with Go's message; callers add the file and path.
"""

from __future__ import annotations

import ipaddress
import re
from fractions import Fraction

PROPAGATIONS = ("private", "rprivate", "shared", "rshared", "slave", "rslave")
_UNITS = {"ns": 1, "us": 10 ** 3, "\u00b5s": 10 ** 3, "\u03bcs": 10 ** 3, "ms": 10 ** 6, "s": 10 ** 9, "m": 60 * 10 ** 9, "h": 3600 * 10 ** 9}
_NUMBER = re.compile(r"([0-9]*)(?:\.([0-9]*))?")
_UNIT = re.compile(r"[^0-9.]*")
_ESCAPES = dict(zip("\a\b\f\n\r\t\v", "abfnrtv", strict=True))


def go_quote(text):
    """Go's ``%#v`` / ``strconv.Quote`` of a string."""
    out = []
    for char in text:
        if char in '"\\':
            out.append("\\" + char)
        elif char in _ESCAPES:
            out.append("\\" + _ESCAPES[char])
        elif char.isprintable():
            out.append(char)
        elif ord(char) < 0x80:
            out.append("\\x%02x" % ord(char))
        elif ord(char) < 0x10000:
            out.append("\\u%04x" % ord(char))
        else:
            out.append("\\U%08x" % ord(char))
    return '"%s"' % "".join(out)


def go_duration(text):
    """``time.ParseDuration``: nanoseconds (an int), or ValueError with Go's message."""
    quoted = go_quote(str(text))
    rest = text if isinstance(text, str) else ""
    negative = rest[:1] == "-"
    rest = rest[1:] if rest[:1] in ("+", "-") else rest
    if rest == "0":
        return 0
    if not rest:
        raise ValueError("time: invalid duration " + quoted)
    total = Fraction(0)
    while rest:
        m = _NUMBER.match(rest)
        if not m.group(1) and not m.group(2):
            raise ValueError("time: invalid duration " + quoted)
        rest = rest[m.end():]
        unit = _UNIT.match(rest).group(0)
        if not unit:
            raise ValueError("time: missing unit in duration " + quoted)
        if unit not in _UNITS:
            raise ValueError("time: unknown unit %s in duration %s" % (go_quote(unit), quoted))
        rest = rest[len(unit):]
        total += Fraction(m.group(1) or "0") * _UNITS[unit]
        if m.group(2):
            total += Fraction(int(m.group(2)), 10 ** len(m.group(2))) * _UNITS[unit]
    if total > 2 ** 63 - 1:
        raise ValueError("time: invalid duration " + quoted)
    return -int(total) if negative else int(total)


def _parse_uint16(text):
    if not text.isdigit() or not text.isascii() or int(text) > 65535:
        raise ValueError("strconv.ParseUint: parsing %s: invalid syntax" % go_quote(text))
    return int(text)


def parse_port_range(text):
    """``nat.ParsePortRange``: (start, end); a third ``-`` part is ignored, as in Go."""
    if text == "":
        raise ValueError("empty string specified for ports")
    if "-" not in text:
        port = _parse_uint16(text)
        return port, port
    parts = text.split("-")
    start, end = _parse_uint16(parts[0]), _parse_uint16(parts[1])
    if end < start:
        raise ValueError("invalid range specified for port: " + text)
    return start, end


def _split_parts(raw):
    parts = raw.split(":")
    if len(parts) == 1:
        return "", "", parts[0]
    if len(parts) == 2:
        return "", parts[0], parts[1]
    if len(parts) == 3:
        return parts[0], parts[1], parts[2]
    return ":".join(parts[:-2]), parts[-2], parts[-1]


def _split_proto(raw):
    parts = raw.split("/")
    if not raw or not parts[0]:
        return "", ""
    if len(parts) == 1:
        return "tcp", raw
    if not parts[1]:
        return "tcp", parts[0]
    return parts[1], parts[0]


def parse_port_spec(raw):
    """``nat.ParsePortSpec``: a list of ((target, proto), host_ip, host_port) mappings."""
    ip, host_port, container = _split_parts(raw)
    proto, container = _split_proto(container)
    if container == "":
        raise ValueError("no port specified: %s<empty>" % raw)
    proto = proto.lower()
    if proto not in ("tcp", "udp", "sctp"):
        raise ValueError("invalid proto: " + proto)
    if ip.startswith("["):
        if not ip.endswith("]"):
            raise ValueError("invalid IP address %s: missing ']' in address" % ip)
        ip = ip[1:-1]
    if ip:
        try:
            ipaddress.ip_address(ip)
        except ValueError:
            raise ValueError("invalid IP address: " + ip) from None
    try:
        start, end = parse_port_range(container)
    except ValueError:
        raise ValueError("invalid containerPort: " + container) from None
    host_start = host_end = 0
    if host_port:
        try:
            host_start, host_end = parse_port_range(host_port)
        except ValueError:
            raise ValueError("invalid hostPort: " + host_port) from None
        if end - start != host_end - host_start and end != start:
            raise ValueError("invalid ranges specified for container and host Ports: %s and %s" % (container, host_port))
    count = end - start + 1
    out = []
    for i in range(count):
        host = ""
        if host_port:
            host = str(host_start + i)
            if count == 1 and host_start != host_end:
                host += "-%d" % host_end
        out.append(((start + i, proto), ip, host))
    return out


def port_configs(raw):
    """A short-syntax port as the CLI's loader expands it (``toServicePortConfigs``): (configs, ignored-IP warnings).

    Container ports come sorted as Go sorts their ``"80/tcp"`` strings; a published range with one target gives
    one config per published port; protocol and mode are always set; no published port is None."""
    bindings = {}
    for port, ip, host in parse_port_spec(raw):
        bindings.setdefault(port, []).append((ip, host))
    configs, warnings = [], []
    for port in sorted(bindings, key=lambda p: "%d/%s" % p):
        target, proto = port
        for ip, host in bindings[port]:
            if ip and not ipaddress.ip_address(ip).is_unspecified:
                joined = "[%s]:%s" % (ip, host) if ":" in ip else "%s:%s" % (ip, host)
                warnings.append("ignoring IP-address (%s:%d/%s) service will listen on '0.0.0.0'" % (joined, target, proto))
            try:
                first, last = parse_port_range(host)
            except ValueError:
                if host:
                    raise ValueError("invalid hostport binding (%s) for port (%d)" % (host, target)) from None
                first = last = 0
            for published in range(first, last + 1):
                configs.append(dict(target=target, published=published or None, protocol=proto, mode="ingress"))
    return configs, warnings


def _is_windows_drive(buffer, char):
    return char == ":" and len(buffer) == 1 and buffer[0].isalpha()


def _is_file_path(source):
    if source[0] in "./~":
        return True
    if len(source) == 1:
        return False
    if source.startswith("\\\\"):
        return True
    return _is_windows_drive(source[0], source[1])


def parse_volume_spec(spec):
    """``volumespec.Parse``: the long form of a short-syntax volume, or ValueError with the CLI's message."""
    volume = dict(type="", source="", target="", read_only=False)
    if not spec:
        raise ValueError("invalid empty volume spec")
    if len(spec.encode("utf-8")) <= 2:
        volume.update(type="volume", target=spec)
        return volume
    buffer = ""
    for char in spec + "\0":
        if _is_windows_drive(buffer, char):
            buffer += char
        elif char in (":", "\0"):
            if not buffer:
                raise ValueError("invalid spec: %s: empty section between colons" % spec)
            if not volume["source"] and char == "\0":
                volume["target"] = buffer
            elif not volume["source"]:
                volume["source"] = buffer
            elif not volume["target"]:
                volume["target"] = buffer
            elif char == ":":
                raise ValueError("invalid spec: %s: too many colons" % spec)
            else:
                for option in buffer.split(","):
                    if option in ("ro", "rw"):
                        volume["read_only"] = option == "ro"
                    elif option == "nocopy":
                        volume["volume"] = dict(nocopy=True)
                    elif option in PROPAGATIONS:
                        volume["bind"] = dict(propagation=option)
            buffer = ""
        else:
            buffer += char
    volume["type"] = "bind" if volume["source"] and _is_file_path(volume["source"]) else "volume"
    return volume


# distribution/reference's grammar (reference/regexp.go).
_ALNUM = r"[a-z0-9]+"
_PATH = _ALNUM + r"(?:(?:[._]|__|[-]+)" + _ALNUM + r")*"
_DOMAIN_PART = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
_DOMAIN = r"(?:" + _DOMAIN_PART + r"(?:\." + _DOMAIN_PART + r")*|\[[a-fA-F0-9:]+\])(?::[0-9]+)?"
_REFERENCE = re.compile(r"((?:" + _DOMAIN + r"/)?" + _PATH + r"(?:/" + _PATH + r")*)(?::[\w][\w.-]{0,127})?"
                        r"(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?\Z", re.ASCII)
_IDENTIFIER = re.compile(r"(?:sha256:)?[a-f0-9]{64}\Z|sha384:[a-f0-9]{96}\Z|sha512:[a-f0-9]{128}\Z")


def image_error(image):
    """None when ``reference.ParseAnyReference`` takes ``image``, else its error message."""
    if _IDENTIFIER.match(image):
        return None
    slash = image.find("/")
    first = image[:slash]
    official = slash < 0 or ("." not in first and ":" not in first and first != "localhost" and first.lower() == first)
    remote = (image if official else image[slash + 1:]).split(":", 1)[0]
    if remote.lower() != remote:
        return "invalid reference format: repository name (%s) must be lowercase" % remote
    m = _REFERENCE.match(image)
    if not m:
        return "invalid reference format"
    if len(m.group(1)) > 255:
        return "repository name must not be more than 255 characters"
    return None

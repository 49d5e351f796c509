# Copyright: Beekeeper developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to this collection: swarm_network's table, validation, comparison and views (pure).

The engine cannot update a network: any difference in a compared field means delete and create.
The comparison is one table (TABLE): each option, where it lives in the engine's network object,
how it is compared, the engine's default and the first Engine API that has it. Only declared
values are compared, with the engine's defaults filled in for the booleans and the driver; an
IPAM config, labels or driver options left out are whatever the engine has (it picks a subnet
itself), and the driver option the engine adds (the VXLAN ID) never counts.
"""

from __future__ import annotations

import copy
import ipaddress
import re

from ansible_collections.beekeeper.swarm.plugins.module_utils import _table
from ansible_collections.beekeeper.swarm.plugins.module_utils._args import connection_argument_spec, wait_args
from ansible_collections.beekeeper.swarm.plugins.module_utils._errors import InvalidInput, Refused
from ansible_collections.beekeeper.swarm.plugins.module_utils._table import Field
from ansible_collections.beekeeper.swarm.plugins.module_utils._validate import shown, validate_labels, validate_option_keys, validate_word

# swarmkit's rule for object names (controlapi validateAnnotations), 63 characters at most.
# Written without nested repetition, which backtracks exponentially on a long name that ends badly.
NAME_RE = re.compile(r"[A-Za-z0-9]+(?:[-_]+[A-Za-z0-9]+)*\Z")


ENCRYPTED = "encrypted"


# Networks every engine has of its own, refused by name before any call. The swarm's ingress network is
# not among them: it is managed with ingress: true, and guard_ingress_kept refuses it otherwise.
BUILTIN = ("bridge", "host", "none", "docker_gwbridge")


# Driver options the engine adds on its own: they count only when the user declares them.
ENGINE_OPTIONS = ("com.docker.network.driver.overlay.vxlanid_list",)


IPAM_KEYS = (("subnet", "Subnet"), ("gateway", "Gateway"), ("ip_range", "IPRange"), ("aux_addresses", "AuxiliaryAddresses"))


# Task states after which a task holds no endpoint on the network any more.
ENDED = ("complete", "shutdown", "failed", "rejected", "remove", "orphaned")


# What the engine says while endpoints of a deleted network are still being released.
BUSY_SIGNS = ("in use", "active endpoints", "has active", "already exists")


# option -> where it lives in the engine's network object, how it is compared, engine default, min API,
# argument spec. Everything here exists at Engine API 1.41, the collection's floor. Only declared values
# are compared (an undeclared one is None); ``project`` limits the engine's value to what is declared.
def _project_options(have, want):
    declared = want or {}
    return dict((k, v) for k, v in (have or {}).items() if k not in ENGINE_OPTIONS or k in declared)


def _project_ipam(have, want):
    return _ipam_projection(have, want)


TABLE = (
    Field("driver", ("Driver",), "value", default="overlay", min_api="1.41"),
    Field("scope", ("Scope",), "value", default="swarm", min_api="1.41", choices=["swarm", "local"]),
    Field("attachable", ("Attachable",), "bool", default=False, min_api="1.41"),
    Field("internal", ("Internal",), "bool", default=False, min_api="1.41"),
    Field("ingress", ("Ingress",), "bool", default=False, min_api="1.41"),
    Field("ipv6", ("EnableIPv6",), "bool", default=False, min_api="1.41"),
    Field("encrypted", ("Options",), "encrypted", default=False, min_api="1.41"),
    Field("driver_options", ("Options",), "options", min_api="1.41", project=_project_options),
    Field("labels", ("Labels",), "dict", min_api="1.41"),
    Field("ipam", ("IPAM",), "ipam", min_api="1.41", project=_project_ipam, same=lambda have, want: _ipam_same(want, have), options=dict(
        driver=dict(type="str"),
        config=dict(type="list", elements="dict", options=dict(
            subnet=dict(type="str"),
            gateway=dict(type="str"),
            ip_range=dict(type="str"),
            aux_addresses=dict(type="dict"),
        )),
    )),
)


OPTIONS = tuple(f.option for f in TABLE)


def _string_map(value, option):
    validate_option_keys(value or {}, option, "com.docker.network.driver.mtu")
    for key, item in (value or {}).items():
        if isinstance(item, (dict, list)):
            raise InvalidInput("%s.%s: %s is not an option value; driver option values are strings, e.g. '1400'."
                               % (option, key, "a mapping" if isinstance(item, dict) else "a list"))
        if not isinstance(item, str):
            raise InvalidInput(
                "%s.%s: %r is not a string (%s); quote it in YAML (for example '%s')."
                % (option, key, item, type(item).__name__, str(item).lower() if isinstance(item, bool) else item)
            )


def _network(text, where):
    # Python also reads a bare address (as a /32) and a netmask after the '/'; the engine takes PREFIX/LENGTH only.
    if not re.search(r"/[0-9]{1,3}\Z", str(text)):
        raise InvalidInput("%s: %s is not a valid subnet; use CIDR notation, for example 10.10.0.0/24." % (where, shown(text)))
    try:
        return ipaddress.ip_network(str(text), strict=True)
    except ValueError:
        try:
            net = ipaddress.ip_network(str(text), strict=False)
        except ValueError:
            raise InvalidInput("%s: %s is not a valid subnet; use CIDR notation, for example 10.10.0.0/24." % (where, shown(text))) from None
        raise InvalidInput("%s: %s has host bits set; use the network address, %s." % (where, text, net)) from None


def _address(text, where, fix):
    if isinstance(text, (dict, list)):
        raise InvalidInput("%s: %s is not an IP address; %s" % (where, "a mapping" if isinstance(text, dict) else "a list", fix))
    try:
        if isinstance(text, bool) or "%" in str(text):  # no zone index (fe80::1%eth0) for the engine
            raise ValueError(text)
        return ipaddress.ip_address(str(text))
    except ValueError:
        raise InvalidInput("%s: %s is not an IP address; %s" % (where, shown(text), fix)) from None


def _validate_ipam_config(index, entry, ipv6):
    where = "ipam.config[%d]" % index
    unknown = sorted(set(entry) - set(k for k, _a in IPAM_KEYS))
    if unknown:
        raise InvalidInput("%s: unknown key %s; use subnet, gateway, ip_range and aux_addresses." % (where, ", ".join(unknown)))
    subnet = entry.get("subnet")
    if subnet in (None, ""):
        # The engine takes a pool without a subnet and fails on it: "Invalid subnet : invalid CIDR address".
        raise InvalidInput("%s.subnet: missing; every ipam.config entry needs a subnet in CIDR notation, e.g. "
                           "{subnet: 10.10.0.0/24}, or leave ipam.config out and the engine picks one." % where)
    net = _network(subnet, where + ".subnet")
    if net.version == 6 and not ipv6:
        raise InvalidInput("%s.subnet: %s is an IPv6 subnet; set ipv6: true too." % (where, subnet))
    gateway = entry.get("gateway")
    if gateway is not None:
        addr = _address(gateway, where + ".gateway", "use an address in subnet %s or leave gateway out." % net)
        if addr.version != net.version or addr not in net:
            raise InvalidInput("%s.gateway: %s is not inside subnet %s; pick an address in the subnet or leave gateway out." % (where, gateway, net))
    ip_range = entry.get("ip_range")
    if ip_range is not None:
        rng = _network(ip_range, where + ".ip_range")
        if rng.version != net.version or not rng.subnet_of(net):
            raise InvalidInput("%s.ip_range: %s is not inside subnet %s; use a range within the subnet or leave ip_range out." % (where, ip_range, net))
    aux = entry.get("aux_addresses")
    if aux is not None and not isinstance(aux, dict):
        raise InvalidInput("%s.aux_addresses: use a map of host name to address, for example {router: %s}." % (where, next(net.hosts(), net[0])))
    for host, text in (aux or {}).items():
        if not str(host).strip():
            raise InvalidInput("%s.aux_addresses: a host name is empty; name each address, e.g. {router: %s}." % (where, next(net.hosts(), net[0])))
        key = "%s.aux_addresses.%s" % (where, host)
        addr = _address(text, key, "use an address in subnet %s." % net)
        if addr.version != net.version or addr not in net:
            raise InvalidInput("%s: %s is not inside subnet %s; pick an address in the subnet." % (key, text, net))


def validate(params):
    """Every check that needs no engine: raise InvalidInput naming the field and the fix."""
    name = params.get("name") or ""
    if len(name) > 63:
        raise InvalidInput("name: '%s' is %d characters long; use 63 or fewer." % (name, len(name)))
    if not NAME_RE.match(name):
        raise InvalidInput(
            "name: %s is not a valid network name; use letters and digits, with '-' or '_' between them "
            "(for example app_backend)." % shown(name)
        )
    if name in BUILTIN:
        raise InvalidInput(
            "name: '%s' is a network the engine makes on every node itself, not a swarm overlay network this module manages; "
            "use another name." % name
        )
    for option in ("driver", "ipam.driver"):
        value = params.get("driver") if option == "driver" else (params.get("ipam") or {}).get("driver")
        if value:
            validate_word(value, option, "overlay" if option == "driver" else "default")
    driver = params.get("driver") or "overlay"
    if params.get("encrypted") and driver != "overlay":
        raise InvalidInput("encrypted: only overlay networks can be encrypted (driver is %s); use driver: overlay or leave encrypted out." % driver)
    if driver == "overlay" and (params.get("scope") or "swarm") != "swarm":
        raise InvalidInput("scope: overlay networks are swarm-scoped; leave scope out or set it to swarm.")
    if params.get("ingress") and params.get("attachable"):
        raise InvalidInput("attachable: the ingress network cannot be attachable; leave attachable out (or false).")
    if params.get("ingress") and driver != "overlay":
        raise InvalidInput("ingress: the ingress network must use the overlay driver; leave driver out or set it to overlay.")
    validate_labels(params.get("labels"), strings=True)
    _string_map(params.get("driver_options"), "driver_options")
    if ENCRYPTED in (params.get("driver_options") or {}):
        raise InvalidInput("driver_options: 'encrypted' is set by the encrypted option; remove it from driver_options and use encrypted: true.")
    ipam = params.get("ipam") or {}
    for index, entry in enumerate(ipam.get("config") or []):
        _validate_ipam_config(index, entry or {}, params.get("ipv6"))
    subnets = [_network(e["subnet"], "ipam.config[%d].subnet" % i) for i, e in enumerate(ipam.get("config") or []) if (e or {}).get("subnet")]
    for i, one in enumerate(subnets):
        for other in subnets[i + 1:]:
            if one.version == other.version and one.overlaps(other):
                raise InvalidInput("ipam.config: subnets %s and %s overlap; give each config its own subnet." % (one, other))


def _ipam_entry(entry):
    """A user's IPAM config entry -> the declared keys only, aux_addresses as a string map."""
    out = {}
    for key, _field in IPAM_KEYS:
        value = (entry or {}).get(key)
        if value is None:
            continue
        out[key] = dict((str(k), str(v)) for k, v in value.items()) if key == "aux_addresses" else str(value)
    return out


def desired(params):
    """{option: wanted value} in user units; None means 'not declared, not compared'."""
    want = {}
    for field in TABLE:
        value = params.get(field.option)
        if value is None:
            value = field.default
        if value is None:
            want[field.option] = None
        elif field.kind == "bool" or field.kind == "encrypted":
            want[field.option] = bool(value)
        elif field.kind in ("dict", "options"):
            want[field.option] = dict((str(k), str(v)) for k, v in value.items())
        elif field.kind == "ipam":
            ipam = {}
            if value.get("driver") is not None:
                ipam["driver"] = value["driver"]
            if value.get("config"):
                ipam["config"] = [_ipam_entry(e) for e in value["config"]]
            want[field.option] = ipam or None
        else:
            want[field.option] = value
    return want


def ipam_view(net):
    ipam = net.get("IPAM") or {}
    config = []
    for entry in ipam.get("Config") or []:
        one = {}
        for key, api in IPAM_KEYS:
            value = entry.get(api)
            one[key] = dict(value or {}) if key == "aux_addresses" else (value or None)
        config.append(one)
    return dict(driver=ipam.get("Driver") or "default", config=config)


def _engine_value(field, net):
    """The network's value for one field, in user units, before projection onto what is declared."""
    if field.kind == "encrypted":
        return ENCRYPTED in (net.get("Options") or {})
    if field.kind == "options":
        return dict((k, v) for k, v in (net.get("Options") or {}).items() if k != ENCRYPTED)
    if field.kind == "dict":
        return dict(net.get(field.path[0]) or {})
    if field.kind == "ipam":
        return ipam_view(net)
    value = net.get(field.path[0])
    if field.kind == "bool":
        return bool(value)
    if value in (None, "") and field.default is not None:
        return field.default
    return value


def current(field, net, want=None):
    """The network's value for one field, in user units; ``want`` limits what counts (options, ipam)."""
    value = _engine_value(field, net)
    return field.project(value, want) if field.project is not None else value


def _ipam_projection(view, want):
    """The current IPAM restricted to what ``want`` declares: the driver if declared, each config entry's declared keys."""
    if not want:
        return view
    out = {}
    if "driver" in want:
        out["driver"] = view["driver"]
    if "config" in want:
        keys = set()
        for entry in want["config"]:
            keys.update(entry)
        out["config"] = [dict((k, v) for k, v in entry.items() if k in keys and v not in (None, {})) for entry in view["config"]]
    return out


def compare(want, net):
    """The declared options the network has otherwise (user units)."""
    have = dict((f.option, _engine_value(f, net)) for f in TABLE)
    return _table.compare(want, have, TABLE, declared_only=True)


def argument_spec():
    """swarm_network's whole argument spec, the table's options with their engine defaults."""
    return connection_argument_spec(
        name=dict(type="str", required=True),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        force=dict(type="bool", default=False),
        **_table.argument_spec(TABLE, defaults=True),
        **wait_args(),
    )


def _ipam_same(want, have):
    if "driver" in want and want["driver"] != have.get("driver"):
        return False
    if "config" in want:
        configs = have.get("config") or []
        if len(configs) != len(want["config"]):
            return False
        for wanted, got in zip(want["config"], configs, strict=False):
            for key, value in wanted.items():
                if key == "aux_addresses":
                    if value != (got.get(key) or {}):
                        return False
                elif not _same_address(value, got.get(key)):
                    return False
    return True


def _same_address(one, two):
    """'10.0.0.0/24' vs the engine's spelling; IPv6 addresses compare by value, not text."""
    if one == two:
        return True
    if one is None or two is None:
        return False
    try:
        if "/" in str(one):
            return ipaddress.ip_network(str(one), strict=False) == ipaddress.ip_network(str(two), strict=False)
        return ipaddress.ip_address(str(one)) == ipaddress.ip_address(str(two))
    except ValueError:
        return False


def declared_view(want, net):
    """(before, after) for the diff: only the compared options; ``net`` None means absent."""
    before, after = {}, {}
    for field in TABLE:
        value = want.get(field.option)
        if value is None:
            continue
        after[field.option] = copy.deepcopy(value)
        if net is not None:
            before[field.option] = current(field, net, value)
    return before, after


def create_body(params, want):
    """The POST /networks/create body for the wanted network."""
    options = dict(want.get("driver_options") or {})
    if want.get("encrypted"):
        options[ENCRYPTED] = ""
    body = dict(
        Name=params["name"],
        CheckDuplicate=True,
        Driver=want["driver"],
        Scope=want["scope"],
        Attachable=want["attachable"],
        Internal=want["internal"],
        Ingress=want["ingress"],
        EnableIPv6=want["ipv6"],
        Options=options,
        Labels=dict(want.get("labels") or {}),
    )
    ipam = want.get("ipam") or {}
    body["IPAM"] = dict(Driver=ipam.get("driver") or "default", Options={}, Config=[])
    for entry in ipam.get("config") or []:
        body["IPAM"]["Config"].append(dict((api, entry[key]) for key, api in IPAM_KEYS if key in entry))
    return body


def network_view(net, services=None, containers=None):
    """The user-facing network: what the module returns as ``network``."""
    options = dict(net.get("Options") or {})
    return dict(
        id=net.get("Id"),
        name=net.get("Name"),
        driver=net.get("Driver"),
        scope=net.get("Scope"),
        attachable=bool(net.get("Attachable")),
        internal=bool(net.get("Internal")),
        ingress=bool(net.get("Ingress")),
        ipv6=bool(net.get("EnableIPv6")),
        encrypted=ENCRYPTED in options,
        ipam=ipam_view(net),
        labels=dict(net.get("Labels") or {}),
        options=options,
        services=sorted(services or []),
        containers=sorted(containers or []),
    )


def predicted(params, want, net=None):
    """The engine-shaped network a create would give, as far as it is known before the engine picks."""
    body = create_body(params, want)
    body["Id"] = None
    if net is not None and not (want.get("ipam") or {}).get("config") and body["IPAM"]["Driver"] == (net.get("IPAM") or {}).get("Driver", "default"):
        body["IPAM"]["Config"] = copy.deepcopy((net.get("IPAM") or {}).get("Config") or [])
    if net is not None and want.get("labels") is None:
        body["Labels"] = dict(net.get("Labels") or {})
    if net is not None and want.get("driver_options") is None:
        body["Options"] = dict((k, v) for k, v in (net.get("Options") or {}).items() if k != ENCRYPTED and k not in ENGINE_OPTIONS)
        if want.get("encrypted"):
            body["Options"][ENCRYPTED] = ""
    return body


def ingress_ports(service):
    """Whether a service publishes a port in ingress mode (the default mode)."""
    ports = (((service.get("Spec") or {}).get("EndpointSpec") or {}).get("Ports")) or []
    return any((p.get("PublishMode") or "ingress") == "ingress" and p.get("PublishedPort") for p in ports)


def service_networks(spec):
    """The network attachments of a service spec: TaskTemplate.Networks, or the deprecated top-level Networks."""
    return (spec.get("TaskTemplate") or {}).get("Networks") or spec.get("Networks") or []


def attached(service, net):
    return any(n.get("Target") in (net["Id"], net["Name"]) for n in service_networks(service.get("Spec") or {}))


def _names(items):
    return ", ".join(items)


def _service_name(service):
    return (service.get("Spec") or {}).get("Name") or service.get("ID")


def guard_ingress_kept(net, want):
    """A task that names the ingress network but leaves ``ingress`` out would replace it with a plain network."""
    if net.get("Ingress") and not want.get("ingress"):
        raise Refused(
            "Refusing to recreate ingress network '%s' as a plain network: set ingress: true to customise it, or delete "
            "it first (state: absent) if the swarm should have no ingress network." % net["Name"]
        )


def _users_text(services, containers):
    """'service web', 'services a, b and container c' - and whether the verb takes a plural."""
    parts = []
    if services:
        parts.append("%s %s" % ("service" if len(services) == 1 else "services", _names(sorted(_service_name(s) for s in services))))
    if containers:
        parts.append("%s %s" % ("container" if len(containers) == 1 else "containers", _names(sorted(c["name"] for c in containers))))
    return " and ".join(parts), len(services) + len(containers) > 1


def guard_users(net, verb, changed, services, publishing, containers, force):
    name = net["Name"]
    what = " to change %s" % _names(changed) if changed else ""
    if publishing:
        text, plural = _users_text(publishing, [])
        raise Refused(
            "Refusing to %s ingress network '%s'%s: %s %s ports in ingress mode, and the swarm changes its ingress network "
            "only while no service does (force cannot detach them). Remove those ports or publish them with mode: host, "
            "then run again." % (verb, name, what, text, "publish" if plural else "publishes")
        )
    if (services or containers) and not force:
        text, plural = _users_text(services, containers)
        if verb == "recreate":
            raise Refused(
                "Refusing to recreate network '%s'%s: %s %s it, and the engine cannot change a network in place. "
                "Set force: true to detach, recreate the network and reattach (tasks restart), "
                "or detach them yourself first." % (name, what, text, "use" if plural else "uses")
            )
        raise Refused(
            "Refusing to delete network '%s': %s %s it. Detach them first, or set force: true to detach them and "
            "delete the network." % (name, text, "use" if plural else "uses")
        )


def allocated(net, body):
    """Whether the engine shows the network as allocated: its subnets, and every driver option it was created with."""
    options = net.get("Options") or {}
    return bool((net.get("IPAM") or {}).get("Config")) and all(key in options for key in body.get("Options") or {})

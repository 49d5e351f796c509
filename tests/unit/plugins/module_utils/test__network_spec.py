# Copyright: Beekeeper developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests for _network: validation, the declared-only comparison with engine defaults, the create body."""

from __future__ import annotations

import copy

import pytest

from ansible_collections.beekeeper.swarm.plugins.module_utils import _network_spec as _network
from ansible_collections.beekeeper.swarm.plugins.module_utils._errors import InvalidInput, Refused


def params(**kw):
    """Module params as AnsibleModule hands them over (defaults filled, suboptions None when left out)."""
    base = dict(name="backend", state="present", driver="overlay", scope="swarm", attachable=False, internal=False,
                encrypted=False, ipv6=False, ingress=False, ipam=None, labels=None, driver_options=None,
                force=False, wait=True, wait_timeout=300)
    base.update(kw)
    return base


def pool(subnet=None, gateway=None, ip_range=None, aux_addresses=None):
    return dict(subnet=subnet, gateway=gateway, ip_range=ip_range, aux_addresses=aux_addresses)


# What Engine 20.10 returns for `docker network create -d overlay --attachable --opt encrypted
# --subnet 10.20.0.0/24 --gateway 10.20.0.1 --label a=b tnet` (read on the lab).
ENGINE_NET = {
    "Name": "tnet", "Id": "ujgpvf8fqmhcnszjsfwlkvnbw", "Scope": "swarm", "Driver": "overlay", "EnableIPv6": False,
    "IPAM": {"Driver": "default", "Options": None, "Config": [{"Subnet": "10.20.0.0/24", "Gateway": "10.20.0.1"}]},
    "Internal": False, "Attachable": True, "Ingress": False, "ConfigFrom": {"Network": ""}, "ConfigOnly": False,
    "Containers": None, "Options": {"com.docker.network.driver.overlay.vxlanid_list": "4097", "encrypted": ""},
    "Labels": {"a": "b"},
}
# `docker network create -d overlay plain`: the engine picked the subnet, no labels (null).
ENGINE_PLAIN = {
    "Name": "plain", "Id": "i39w4v783wei42aismymwceo3", "Scope": "swarm", "Driver": "overlay", "EnableIPv6": False,
    "IPAM": {"Driver": "default", "Options": None, "Config": [{"Subnet": "10.0.1.0/24", "Gateway": "10.0.1.1"}]},
    "Internal": False, "Attachable": False, "Ingress": False, "Options": {"com.docker.network.driver.overlay.vxlanid_list": "4098"},
    "Labels": None,
}

# -- validation ---------------------------------------------------------------------------------------

GOOD = [
    params(),
    params(name="a_b-c9"),
    params(name="a" * 63),
    params(ipam=dict(driver=None, config=[pool("10.10.0.0/24", "10.10.0.1", "10.10.0.128/25", {"router": "10.10.0.2"})])),
    params(ipam=dict(driver=None, config=[pool("10.10.0.0/24"), pool("10.11.0.0/24")])),
    params(ipv6=True, ipam=dict(driver=None, config=[pool("fd00:1::/64", "fd00:1::1")])),
    params(encrypted=True, labels={"com.example.team": "payments"}, driver_options={"com.docker.network.driver.mtu": "1400"}),
    params(driver="macvlan", scope="local"),
    params(name="ingress", ingress=True, ipam=dict(driver=None, config=[pool("10.255.0.0/16")])),
]


@pytest.mark.parametrize("value", GOOD, ids=range(len(GOOD)))
def test_validate_good(value):
    _network.validate(value)


NO_SUBNET = ("ipam.config[%d].subnet: missing; every ipam.config entry needs a subnet in CIDR notation, e.g. {subnet: 10.10.0.0/24}, "
             "or leave ipam.config out and the engine picks one.")

BAD = [
    (params(name="my.net"), "name: 'my.net' is not a valid network name; use letters and digits, with '-' or '_' between them (for example app_backend)."),
    (params(name="-x"), "name: '-x' is not a valid network name; use letters and digits, with '-' or '_' between them (for example app_backend)."),
    (params(name="a--"), "name: 'a--' is not a valid network name; use letters and digits, with '-' or '_' between them (for example app_backend)."),
    (params(name="a" * 64), "name: '%s' is 64 characters long; use 63 or fewer." % ("a" * 64)),
    (params(name="a" * 40 + "!"),
     "name: '%s!' is not a valid network name; use letters and digits, with '-' or '_' between them (for example app_backend)." % ("a" * 40)),
    (params(ipam=dict(driver=None, config=[pool("10.10.0.0/33")])),
     "ipam.config[0].subnet: '10.10.0.0/33' is not a valid subnet; use CIDR notation, for example 10.10.0.0/24."),
    (params(ipam=dict(driver=None, config=[pool("banana")])),
     "ipam.config[0].subnet: 'banana' is not a valid subnet; use CIDR notation, for example 10.10.0.0/24."),
    (params(ipam=dict(driver=None, config=[pool("10.10.0.5/24")])),
     "ipam.config[0].subnet: 10.10.0.5/24 has host bits set; use the network address, 10.10.0.0/24."),
    (params(ipam=dict(driver=None, config=[pool("10.10.0.0/24", "10.9.0.1")])),
     "ipam.config[0].gateway: 10.9.0.1 is not inside subnet 10.10.0.0/24; pick an address in the subnet or leave gateway out."),
    (params(ipam=dict(driver=None, config=[pool("10.10.0.0/24"), pool("10.11.0.0/24", "10.11.1.1")])),
     "ipam.config[1].gateway: 10.11.1.1 is not inside subnet 10.11.0.0/24; pick an address in the subnet or leave gateway out."),
    (params(ipam=dict(driver=None, config=[pool("10.10.0.0/24", "10.10.0.300")])),
     "ipam.config[0].gateway: '10.10.0.300' is not an IP address; use an address in subnet 10.10.0.0/24 or leave gateway out."),
    (params(ipam=dict(driver=None, config=[pool(None, "10.10.0.1")])), NO_SUBNET % 0),
    # The issue: the engine said "Invalid subnet : invalid CIDR address:".
    (params(ipam=dict(config=[{}])), NO_SUBNET % 0),
    (params(ipam=dict(driver=None, config=[pool("10.10.0.0/24"), pool("")])), NO_SUBNET % 1),
    (params(ipam=dict(driver=None, config=[pool("10.10.0.0")])),
     "ipam.config[0].subnet: '10.10.0.0' is not a valid subnet; use CIDR notation, for example 10.10.0.0/24."),
    (params(ipam=dict(driver=None, config=[pool("10.10.0.0/255.255.255.0")])),
     "ipam.config[0].subnet: '10.10.0.0/255.255.255.0' is not a valid subnet; use CIDR notation, for example 10.10.0.0/24."),
    (params(ipam=dict(driver=None, config=[pool("10.10.0.0/24\n")])),
     "ipam.config[0].subnet: '10.10.0.0/24\\n' is not a valid subnet; use CIDR notation, for example 10.10.0.0/24."),
    (params(ipam=dict(driver=None, config=[pool("10.10.0.0/24", "10.10.0.1/24")])),
     "ipam.config[0].gateway: '10.10.0.1/24' is not an IP address; use an address in subnet 10.10.0.0/24 or leave gateway out."),
    (params(ipv6=True, ipam=dict(driver=None, config=[pool("fd00:1::/64", "fd00:1::1%eth0")])),
     "ipam.config[0].gateway: 'fd00:1::1%eth0' is not an IP address; use an address in subnet fd00:1::/64 or leave gateway out."),
    (params(ipam=dict(driver=None, config=[pool("10.10.0.0/24", None, "10.10.0.128")])),
     "ipam.config[0].ip_range: '10.10.0.128' is not a valid subnet; use CIDR notation, for example 10.10.0.0/24."),
    (params(ipam=dict(driver=None, config=[pool("10.10.0.0/24", aux_addresses={"router": "banana"})])),
     "ipam.config[0].aux_addresses.router: 'banana' is not an IP address; use an address in subnet 10.10.0.0/24."),
    (params(ipam=dict(driver=None, config=[pool("10.10.0.0/24", aux_addresses={"router": ["10.10.0.2"]})])),
     "ipam.config[0].aux_addresses.router: a list is not an IP address; use an address in subnet 10.10.0.0/24."),
    (params(ipam=dict(driver=None, config=[pool("10.10.0.0/24", aux_addresses={"": "10.10.0.2"})])),
     "ipam.config[0].aux_addresses: a host name is empty; name each address, e.g. {router: 10.10.0.1}."),
    (params(name="backend\n"),
     "name: 'backend\\n' is not a valid network name; use letters and digits, with '-' or '_' between them (for example app_backend)."),
    (params(labels={"zone": {"x": 1}}), "labels.zone: a mapping is not a label value; label values are strings, e.g. labels: {zone: 'eu-1'}."),
    (params(labels={"zone\n": "a"}),
     "labels: 'zone\\n' is not a valid label key; use letters, digits, '.', '-', '_' and '/', starting and ending with a letter or digit "
     "(for example com.example.zone)."),
    (params(driver_options={"com.docker.network.driver.mtu": {"x": 1}}),
     "driver_options.com.docker.network.driver.mtu: a mapping is not an option value; driver option values are strings, e.g. '1400'."),
    (params(driver_options={"mtu ": "1400"}),
     "driver_options: the key 'mtu ' is not an option name; use letters, digits and '.', '-', '_', ':', '/', e.g. com.docker.network.driver.mtu."),
    (params(ipam=dict(driver=None, config=[pool("10.10.0.0/24", None, "10.10.1.0/25")])),
     "ipam.config[0].ip_range: 10.10.1.0/25 is not inside subnet 10.10.0.0/24; use a range within the subnet or leave ip_range out."),
    (params(ipam=dict(driver=None, config=[pool("10.10.0.0/24", None, "10.10.0.0/16")])),
     "ipam.config[0].ip_range: 10.10.0.0/16 is not inside subnet 10.10.0.0/24; use a range within the subnet or leave ip_range out."),
    (params(ipam=dict(driver=None, config=[pool("10.10.0.0/24", None, "10.10.0.1/25")])),
     "ipam.config[0].ip_range: 10.10.0.1/25 has host bits set; use the network address, 10.10.0.0/25."),
    (params(ipam=dict(driver=None, config=[pool("10.10.0.0/24", aux_addresses={"router": "10.20.0.2"})])),
     "ipam.config[0].aux_addresses.router: 10.20.0.2 is not inside subnet 10.10.0.0/24; pick an address in the subnet."),
    (params(ipam=dict(driver=None, config=[pool("10.10.0.0/16"), pool("10.10.1.0/24")])),
     "ipam.config: subnets 10.10.0.0/16 and 10.10.1.0/24 overlap; give each config its own subnet."),
    (params(ipam=dict(driver=None, config=[pool("fd00:1::/64")])),
     "ipam.config[0].subnet: fd00:1::/64 is an IPv6 subnet; set ipv6: true too."),
    (params(ipv6=True, ipam=dict(driver=None, config=[pool("fd00:1::/64", "10.0.0.1")])),
     "ipam.config[0].gateway: 10.0.0.1 is not inside subnet fd00:1::/64; pick an address in the subnet or leave gateway out."),
    (params(driver="bridge", encrypted=True),
     "encrypted: only overlay networks can be encrypted (driver is bridge); use driver: overlay or leave encrypted out."),
    (params(scope="local"), "scope: overlay networks are swarm-scoped; leave scope out or set it to swarm."),
    (params(ingress=True, attachable=True), "attachable: the ingress network cannot be attachable; leave attachable out (or false)."),
    (params(ingress=True, driver="bridge"), "ingress: the ingress network must use the overlay driver; leave driver out or set it to overlay."),
    (params(labels={"tier": 3}), "labels.tier: 3 is not a string (int); quote it in YAML (for example '3')."),
    (params(labels={"on": True}), "labels.on: True is not a string (bool); quote it in YAML (for example 'true')."),
    (params(labels={"-bad": "x"}),
     "labels: '-bad' is not a valid label key; use letters, digits, '.', '-', '_' and '/', starting and ending with a letter or digit "
     "(for example com.example.zone)."),
    (params(driver_options={"com.docker.network.driver.mtu": 1400}),
     "driver_options.com.docker.network.driver.mtu: 1400 is not a string (int); quote it in YAML (for example '1400')."),
    (params(driver_options={"": "x"}), "driver_options: a key is empty; every key needs a name."),
    (params(name="docker_gwbridge"), "name: 'docker_gwbridge' is a network the engine makes on every node itself, not a swarm overlay "
                                     "network this module manages; use another name."),
    (params(name="bridge", state="absent"), "name: 'bridge' is a network the engine makes on every node itself, not a swarm overlay "
                                            "network this module manages; use another name."),
    (params(driver_options={"encrypted": ""}),
     "driver_options: 'encrypted' is set by the encrypted option; remove it from driver_options and use encrypted: true."),
]


@pytest.mark.parametrize("value, message", BAD, ids=[m[:50] for _v, m in BAD])
def test_validate_bad(value, message):
    with pytest.raises(InvalidInput) as err:
        _network.validate(value)
    assert err.value.msg == message


# -- comparison -------------------------------------------------------------------------------------------

SAME_AS_TNET = dict(attachable=True, encrypted=True, labels={"a": "b"})

COMPARE = [
    # declared params, network, expected changed options
    (SAME_AS_TNET, ENGINE_NET, []),
    (dict(SAME_AS_TNET, ipam=dict(driver=None, config=[pool("10.20.0.0/24", "10.20.0.1")])), ENGINE_NET, []),
    # a gateway left out is whatever the engine picked
    (dict(SAME_AS_TNET, ipam=dict(driver=None, config=[pool("10.20.0.0/24")])), ENGINE_NET, []),
    (dict(SAME_AS_TNET, ipam=dict(driver="default", config=None)), ENGINE_NET, []),
    (dict(SAME_AS_TNET, ipam=dict(driver=None, config=[])), ENGINE_NET, []),
    (dict(SAME_AS_TNET, ipam=dict(driver=None, config=[pool("10.21.0.0/24")])), ENGINE_NET, ["ipam"]),
    (dict(SAME_AS_TNET, ipam=dict(driver=None, config=[pool("10.20.0.0/24", "10.20.0.254")])), ENGINE_NET, ["ipam"]),
    (dict(SAME_AS_TNET, ipam=dict(driver=None, config=[pool("10.20.0.0/24"), pool("10.22.0.0/24")])), ENGINE_NET, ["ipam"]),
    (dict(SAME_AS_TNET, ipam=dict(driver="other", config=None)), ENGINE_NET, ["ipam"]),
    (dict(SAME_AS_TNET, ipam=dict(driver=None, config=[pool("10.20.0.0/24", ip_range="10.20.0.0/25")])), ENGINE_NET, ["ipam"]),
    # the engine's VXLAN ID does not count; declared driver options must match exactly
    (dict(SAME_AS_TNET, driver_options={}), ENGINE_NET, []),
    (dict(SAME_AS_TNET, driver_options={"com.docker.network.driver.overlay.vxlanid_list": "4097"}), ENGINE_NET, []),
    (dict(SAME_AS_TNET, driver_options={"com.docker.network.driver.overlay.vxlanid_list": "5000"}), ENGINE_NET, ["driver_options"]),
    (dict(SAME_AS_TNET, driver_options={"com.docker.network.driver.mtu": "1400"}), ENGINE_NET, ["driver_options"]),
    # labels declared must match exactly; left out, not compared
    (dict(SAME_AS_TNET, labels={"a": "c"}), ENGINE_NET, ["labels"]),
    (dict(SAME_AS_TNET, labels={}), ENGINE_NET, ["labels"]),
    (dict(attachable=True, encrypted=True), ENGINE_NET, []),
    # booleans left out mean the engine default (false)
    ({}, ENGINE_NET, ["attachable", "encrypted"]),
    (dict(SAME_AS_TNET, internal=True), ENGINE_NET, ["internal"]),
    (dict(SAME_AS_TNET, ipv6=True), ENGINE_NET, ["ipv6"]),
    (dict(SAME_AS_TNET, ingress=True, attachable=False), ENGINE_NET, ["attachable", "ingress"]),
    (dict(SAME_AS_TNET, driver="weave"), ENGINE_NET, ["driver"]),
    ({}, ENGINE_PLAIN, []),
    (dict(labels={}), ENGINE_PLAIN, []),
    (dict(labels={"x": "y"}), ENGINE_PLAIN, ["labels"]),
    (dict(ipam=dict(driver=None, config=[pool("10.0.1.0/24")])), ENGINE_PLAIN, []),
]


@pytest.mark.parametrize("declared, net, changed", COMPARE, ids=range(len(COMPARE)))
def test_compare(declared, net, changed):
    want = _network.desired(params(**declared))
    assert _network.compare(want, net).options() == changed


def test_ipv6_addresses_compare_by_value():
    net = copy.deepcopy(ENGINE_PLAIN)
    net["EnableIPv6"] = True
    net["IPAM"]["Config"].append({"Subnet": "fd00:1:0:0::/64", "Gateway": "fd00:1::1"})
    want = _network.desired(params(ipv6=True, ipam=dict(driver=None, config=[pool("10.0.1.0/24"), pool("fd00:1::/64", "fd00:1:0::1")])))
    assert not _network.compare(want, net)


def test_diff_shows_declared_fields_only():
    want = _network.desired(params(attachable=True, encrypted=True, labels={"a": "c"}, ipam=dict(driver=None, config=[pool("10.20.0.0/24")])))
    before, after = _network.declared_view(want, ENGINE_NET)
    assert before == dict(driver="overlay", scope="swarm", attachable=True, internal=False, ingress=False, ipv6=False, encrypted=True,
                          labels={"a": "b"}, ipam={"config": [{"subnet": "10.20.0.0/24"}]})
    assert after == dict(driver="overlay", scope="swarm", attachable=True, internal=False, ingress=False, ipv6=False, encrypted=True,
                         labels={"a": "c"}, ipam={"config": [{"subnet": "10.20.0.0/24"}]})
    assert "driver_options" not in before


def test_diff_of_a_new_network():
    before, after = _network.declared_view(_network.desired(params()), None)
    assert before == {}
    assert after == dict(driver="overlay", scope="swarm", attachable=False, internal=False, ingress=False, ipv6=False, encrypted=False)


def test_create_body():
    p = params(attachable=True, encrypted=True, labels={"a": "b"}, driver_options={"com.docker.network.driver.mtu": "1400"},
               ipam=dict(driver=None, config=[pool("10.20.0.0/24", "10.20.0.1", aux_addresses={"r": "10.20.0.2"})]))
    assert _network.create_body(p, _network.desired(p)) == dict(
        Name="backend", CheckDuplicate=True, Driver="overlay", Scope="swarm", Attachable=True, Internal=False, Ingress=False,
        EnableIPv6=False, Options={"com.docker.network.driver.mtu": "1400", "encrypted": ""}, Labels={"a": "b"},
        IPAM=dict(Driver="default", Options={}, Config=[dict(Subnet="10.20.0.0/24", Gateway="10.20.0.1", AuxiliaryAddresses={"r": "10.20.0.2"})]),
    )


def test_predicted_keeps_what_is_not_declared():
    p = params(name="tnet", attachable=True, encrypted=True, internal=True)
    view = _network.network_view(_network.predicted(p, _network.desired(p), ENGINE_NET))
    assert view["id"] is None
    assert view["internal"] is True and view["encrypted"] is True
    assert view["labels"] == {"a": "b"}
    assert view["ipam"] == dict(driver="default", config=[dict(subnet="10.20.0.0/24", gateway="10.20.0.1", ip_range=None, aux_addresses={})])
    assert view["options"] == {"encrypted": ""}


def test_network_view():
    assert _network.network_view(ENGINE_NET, ["web"], []) == dict(
        id="ujgpvf8fqmhcnszjsfwlkvnbw", name="tnet", driver="overlay", scope="swarm", attachable=True, internal=False, ingress=False,
        ipv6=False, encrypted=True, ipam=dict(driver="default", config=[dict(subnet="10.20.0.0/24", gateway="10.20.0.1", ip_range=None, aux_addresses={})]),
        labels={"a": "b"}, options={"com.docker.network.driver.overlay.vxlanid_list": "4097", "encrypted": ""}, services=["web"], containers=[],
    )


SERVICES = [
    ({"Spec": {"TaskTemplate": {"Networks": [{"Target": "ujgpvf8fqmhcnszjsfwlkvnbw", "Aliases": ["foo"]}]}}}, True, False),
    ({"Spec": {"TaskTemplate": {"Networks": [{"Target": "other"}]}}}, False, False),
    ({"Spec": {"Networks": [{"Target": "tnet"}]}}, True, False),
    ({"Spec": {"TaskTemplate": {}, "EndpointSpec": {"Ports": [{"TargetPort": 80, "PublishedPort": 8080}]}}}, False, True),
    ({"Spec": {"TaskTemplate": {}, "EndpointSpec": {"Ports": [{"TargetPort": 80, "PublishedPort": 8080, "PublishMode": "host"}]}}}, False, False),
]


@pytest.mark.parametrize("service, is_attached, publishes", SERVICES, ids=range(len(SERVICES)))
def test_service_use(service, is_attached, publishes):
    assert _network.attached(service, ENGINE_NET) is is_attached
    assert _network.ingress_ports(service) is publishes


def test_ingress_is_not_replaced_by_a_plain_network():
    ingress = dict(ENGINE_PLAIN, Name="ingress", Ingress=True)
    with pytest.raises(Refused) as err:
        _network.guard_ingress_kept(ingress, _network.desired(params(name="ingress")))
    assert err.value.msg == (
        "Refusing to recreate ingress network 'ingress' as a plain network: set ingress: true to customise it, or delete "
        "it first (state: absent) if the swarm should have no ingress network.")
    _network.guard_ingress_kept(ingress, _network.desired(params(name="ingress", ingress=True)))
    _network.guard_ingress_kept(ENGINE_PLAIN, _network.desired(params(name="plain")))


def test_a_network_is_allocated_once_the_engine_shows_its_subnet_and_options():
    body = {"Options": {"com.docker.network.driver.mtu": "1400", "encrypted": ""}}
    # What the engine shows of a swarm network before its allocator ran: no subnet, no driver options.
    assert not _network.allocated({"IPAM": {"Driver": "default", "Config": []}, "Options": None}, body)
    assert not _network.allocated({"IPAM": {"Config": [{"Subnet": "10.0.2.0/24"}]}, "Options": {"encrypted": ""}}, body)
    allocated = {"IPAM": {"Config": [{"Subnet": "10.0.2.0/24"}]},
                 "Options": {"com.docker.network.driver.mtu": "1400", "encrypted": "",
                             "com.docker.network.driver.overlay.vxlanid_list": "4101"}}
    assert _network.allocated(allocated, body)
    assert _network.allocated({"IPAM": {"Config": [{"Subnet": "10.0.3.0/24"}]}, "Options": {}}, {"Options": {}})

"""The VM lab's pure logic: interface names, the rules down must find again, the bridge's counters."""

from __future__ import annotations

import pytest

from beekeeper_lab import vms
from beekeeper_lab.host import LabError

# `iptables -L FORWARD -v -x -n` as the lab host printed it, with a second lab's rules beside it.
LISTING = """\
Chain FORWARD (policy DROP 0 packets, 0 bytes)
    pkts      bytes target     prot opt in     out     source               destination
      52     9360            50   --  bkv-vm bkv-vm  0.0.0.0/0            0.0.0.0/0            /* bk-lab:vm */ /* esp */
       3      450            17   --  bkv-vm bkv-vm  0.0.0.0/0            0.0.0.0/0            udp dpt:4789 /* bk-lab:vm */ /* vxlan */
     900    81000 ACCEPT     0    --  bkv-vm bkv-vm  0.0.0.0/0            0.0.0.0/0            /* bk-lab:vm */
       7      700            50   --  bkv-vm2 bkv-vm2  0.0.0.0/0            0.0.0.0/0            /* bk-lab:vm2 */ /* esp */
       0        0 DOCKER-USER  0    --  *      *       0.0.0.0/0            0.0.0.0/0
"""


def test_interface_names_fit_the_kernel_limit():
    assert vms.bridge("site-vm") == "bkv-site-vm"
    assert vms.tap("site-vm-n3") == "bkt-site-vm-3"
    assert all(len(name) <= 15 for name in (vms.bridge("site-vm"), vms.tap("site-vm-n9")))


@pytest.mark.parametrize("lab", ["a-much-longer-lab", "bad_name", "sp ace", ""])
def test_lab_names_that_cannot_name_interfaces_are_refused(lab):
    with pytest.raises(LabError, match="VM lab name"):
        vms.check_name(lab, 3)


def test_every_rule_carries_the_lab_comment_and_the_counters_come_first():
    rules = vms.rules("vm", "10.89.10.0/24")
    assert all("bk-lab:vm" in rule for _table, rule in rules)
    counters = [i for i, (_table, rule) in enumerate(rules) if "-j" not in rule]
    accepts = [i for i, (_table, rule) in enumerate(rules) if "ACCEPT" in rule]
    assert counters and max(counters) < min(accepts)
    assert ("nat", ("POSTROUTING", "-s", "10.89.10.0/24", "!", "-o", "bkv-vm", "-m", "comment", "--comment",
                    "bk-lab:vm", "-j", "MASQUERADE")) in rules


def test_counters_are_read_for_one_lab_only():
    assert vms.count_traffic("vm", LISTING) == {"esp": 52, "vxlan": 3}
    assert vms.count_traffic("vm2", LISTING) == {"esp": 7, "vxlan": 0}
    assert vms.count_traffic("other", LISTING) == {"esp": 0, "vxlan": 0}


def test_tcg_unless_the_host_has_real_kvm(monkeypatch):
    monkeypatch.setenv("BEEKEEPER_VM_ACCEL", "tcg")
    assert vms.accel()[:2] == ("-accel", "tcg,tb-size=128")
    monkeypatch.setenv("BEEKEEPER_VM_ACCEL", "kvm")
    assert vms.accel() == ("-accel", "kvm", "-cpu", "host")


def test_mac_addresses_follow_the_node_address():
    assert vms.mac("10.89.10.12") == "52:54:0a:59:0a:0c"

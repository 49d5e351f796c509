# Copyright: Beekeeper developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests for _module: a mapping option given another shape fails with the option's name, in a real module run."""

from __future__ import annotations

import contextlib
import io
import json

import pytest
from ansible.module_utils.testing import patch_module_args

from ansible_collections.beekeeper.swarm.plugins.module_utils._module import shape_errors
from ansible_collections.beekeeper.swarm.plugins.modules import swarm_network, swarm_service

SPEC = dict(
    healthcheck=dict(type="dict", options=dict(test=dict(type="raw"), interval=dict(type="str"))),
    networks=dict(type="list", elements="dict", options=dict(name=dict(type="str", required=True), aliases=dict(type="list"))),
    labels=dict(type="dict"),
)


@pytest.mark.parametrize("params, errors", [
    (dict(healthcheck="x"), ["healthcheck: 'x' is a string, not a mapping; write it as a mapping, e.g. healthcheck: {test: ..., interval: ...}."]),
    (dict(healthcheck=5), ["healthcheck: 5 is a number, not a mapping; write it as a mapping, e.g. healthcheck: {test: ..., interval: ...}."]),
    (dict(networks="net"), ["networks: 'net' is a string, not a list of mappings; write a list, e.g. networks: [{name: ...}]."]),
    (dict(networks=["net", {"name": "x"}]),
     ["networks[0]: 'net' is a string, not a mapping; write each item as a mapping, e.g. networks: [{name: ...}]."]),
    (dict(labels=["a"]), ["labels: ['a'] is a list, not a mapping; write it as a mapping, e.g. labels: {key: value}."]),
    # What ansible-core itself turns into a mapping is left to it.
    (dict(healthcheck='{"test": "true"}', labels="a=b", networks=["name=x"]), []),
    (dict(healthcheck=dict(test="true"), networks=[dict(name="x")], labels=dict(a="b")), []),
])
def test_shape_errors(params, errors):
    assert shape_errors(params, SPEC) == errors


def run(module, args):
    out = io.StringIO()
    args = dict(args, docker_host="unix:///nonexistent/docker.sock")
    with patch_module_args(args), contextlib.redirect_stdout(out), pytest.raises(SystemExit):
        module.main()
    return json.loads(out.getvalue())


@pytest.mark.parametrize("module, args, message", [
    (swarm_service, dict(name="web", image="nginx", healthcheck="x"),
     "healthcheck: 'x' is a string, not a mapping; write it as a mapping, e.g. healthcheck: {test: ..., interval: ...}."),
    (swarm_service, dict(name="web", image="nginx", restart_policy=5),
     "restart_policy: 5 is a number, not a mapping; write it as a mapping, e.g. restart_policy: {condition: ..., delay: ...}."),
    (swarm_service, dict(name="web", image="nginx", networks="net"),
     "networks: 'net' is a string, not a list of mappings; write a list, e.g. networks: [{name: ...}]."),
    (swarm_service, dict(name="web", image="nginx", update_config=dict(delay="5s"), mounts=[dict(target="/x", volume_options=3)]),
     "mounts[0].volume_options: 3 is a number, not a mapping; write it as a mapping, e.g. mounts[0].volume_options: {key: value}."),
    (swarm_network, dict(name="net", ipam="default"),
     "ipam: 'default' is a string, not a mapping; write it as a mapping, e.g. ipam: {driver: ..., config: ...}."),
])
def test_a_module_names_the_option(module, args, message):
    result = run(module, args)
    assert result["failed"] is True
    assert result["msg"] == message


def test_the_connection_is_checked_before_connecting():
    result = run(swarm_service, dict(name="web", image="nginx", api_version="abc"))
    assert result["msg"].startswith("api_version: 'abc' is not an Engine API version;")


def test_valid_input_reaches_the_connection():
    result = run(swarm_service, dict(name="web", image="nginx"))
    assert result["msg"].startswith("Failed to connect to the Docker engine at 'unix:///nonexistent/docker.sock'")

# Copyright: Beekeeper developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests for _info.validate: the shape of swarm_info's filters."""

from __future__ import annotations

import pytest

from ansible_collections.beekeeper.swarm.plugins.module_utils import _info
from ansible_collections.beekeeper.swarm.plugins.module_utils._errors import InvalidInput


def test_validate_accepts():
    _info.validate(dict(nodes_filters={"role": "manager"}, services_filters={"label": ["a=b", "c"]}, tasks_filters=None))


@pytest.mark.parametrize("params, message", [
    (dict(nodes_filters={"role": {"x": 1}}), "nodes_filters.role: give a string or a list of strings, e.g. nodes_filters: {role: value}."),
    (dict(tasks_filters={"node": [["a"]]}), "tasks_filters.node: give a string or a list of strings, e.g. tasks_filters: {node: value}."),
    (dict(services_filters={"name": None}),
     "services_filters.name: give a string or a list of strings, e.g. services_filters: {name: value}."),
    (dict(nodes_filters={"": "x"}), "nodes_filters: a filter name is empty; e.g. nodes_filters: {label: com.example.zone=eu-1}."),
], ids=["a mapping", "a nested list", "null", "an empty name"])
def test_validate_refuses(params, message):
    with pytest.raises(InvalidInput) as err:
        _info.validate(params)
    assert err.value.msg == message

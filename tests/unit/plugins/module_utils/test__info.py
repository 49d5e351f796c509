# Copyright: Beekeeper developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests for _info: the shape of swarm_info's filters and its stack summary."""

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
    (dict(stack=""), "stack: '' is not a stack name; give the name it was deployed with, e.g. stack: shop."),
    (dict(stack="a=b"), "stack: 'a=b' is not a stack name; give the name it was deployed with, e.g. stack: shop."),
    (dict(stack="shop", tasks_filters={"service": "web"}),
     "tasks_filters.service: with stack, the tasks are the stack's services' tasks; remove the service filter, or filter by name instead."),
], ids=["a mapping", "a nested list", "null", "an empty name", "an empty stack", "a label for a stack", "stack and a service filter"])
def test_validate_refuses(params, message):
    with pytest.raises(InvalidInput) as err:
        _info.validate(params)
    assert err.value.msg == message


def test_stack_label_joins_the_services_filters():
    assert _info._with_stack(dict(stack="shop", services_filters={"label": "tier=web", "mode": "replicated"})) == {
        "label": ["tier=web", "com.docker.stack.namespace=shop"], "mode": "replicated"}
    assert _info._with_stack(dict(stack="shop")) == {"label": ["com.docker.stack.namespace=shop"]}


def _svc(name, running, desired, update_state=None):
    return dict(id=name, name=name, image="busybox", mode="Replicated", replicas=desired, running_tasks=running,
                desired_tasks=desired, update_state=update_state, labels={})


@pytest.mark.parametrize("services, short, converged, not_converged", [
    ([_svc("s_web", 2, 2, "completed"), _svc("s_db", 1, 1)], [], True, []),
    ([_svc("s_web", 2, 2, "updating")], [], False, ["s_web"]),
    ([_svc("s_web", 2, 2, "rollback_paused"), _svc("s_db", 0, 1)], [dict(name="s_db")], False, ["s_db", "s_web"]),
    ([_svc("s_web", 2, 2, "rollback_completed")], [], False, ["s_web"]),
    ([], [], False, []),
], ids=["running what it should", "an update in progress", "paused and short", "rolled back", "no such stack"])
def test_stack_summary(services, short, converged, not_converged):
    summary = _info.stack_summary("s", services, short)
    assert (summary["exists"], summary["converged"], summary["services_not_converged"]) == (bool(services), converged, not_converged)
    assert [s["name"] for s in summary["services"]] == sorted(s["name"] for s in services)

# Copyright: Beekeeper developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests for _nodes.validate: what swarm_node refuses before it connects."""

from __future__ import annotations

import pytest

from ansible_collections.beekeeper.swarm.plugins.module_utils import _nodes
from ansible_collections.beekeeper.swarm.plugins.module_utils._errors import InvalidInput

KEY = ("labels: %r is not a valid label key; use letters, digits, '.', '-', '_' and '/', starting and ending with a letter or "
       "digit (for example com.example.zone).")


def params(**kw):
    base = dict(node="worker-1", state="present", role=None, availability=None, labels=None, labels_state="merge",
                labels_to_remove=None, force=False, wait=True, wait_timeout=300)
    base.update(kw)
    return base


@pytest.mark.parametrize("value", [
    params(), params(labels={"com.example.zone": "eu-1", "rack": 3, "ssd": True, "empty": None}),
    params(labels_to_remove=["zone"]), params(node="3f2c1a"),
], ids=["nothing", "labels", "remove", "an ID"])
def test_validate_accepts(value):
    _nodes.validate(value)


BAD = [
    # The issue: swarm_node set the label "zone\n"; a mapping value became the text "{'x': 1}".
    ("a key with a newline", params(labels={"zone\n": "a"}), KEY % "zone\n"),
    ("a mapping value", params(labels={"zone": {"x": 1}}),
     "labels.zone: a mapping is not a label value; label values are strings, e.g. labels: {zone: 'eu-1'}."),
    ("a list value", params(labels={"zone": ["a", "b"]}),
     "labels.zone: a list is not a label value; label values are strings, e.g. labels: {zone: 'eu-1'}."),
    ("an empty key", params(labels={"": "a"}), "labels: a key is empty; every key needs a name."),
    ("a key with a space", params(labels={"my zone": "a"}), KEY % "my zone"),
    ("remove an empty key", params(labels_to_remove=["zone", ""]),
     "labels_to_remove[1]: a key is empty; give the label key to remove, e.g. com.example.zone."),
    ("set and remove", params(labels={"zone": "a"}, labels_to_remove=["zone"]),
     "labels_to_remove: 'zone' is also in labels; keep it in one of the two."),
    ("an empty node", params(node=""), "node: '' is not a node; give its hostname or ID, e.g. node: worker-1."),
    ("a node with a newline", params(node="worker-1\n"), "node: 'worker-1\\n' is not a node; give its hostname or ID, e.g. node: worker-1."),
]


@pytest.mark.parametrize("value, message", [c[1:] for c in BAD], ids=[c[0] for c in BAD])
def test_validate_refuses(value, message):
    with pytest.raises(InvalidInput) as err:
        _nodes.validate(value)
    assert err.value.msg == message

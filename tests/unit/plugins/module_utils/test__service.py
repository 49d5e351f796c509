# Copyright: Beekeeper developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests for _service: the diff a change shows."""

from __future__ import annotations

from ansible_collections.beekeeper.swarm.plugins.module_utils._service import _diff


def test_diff_of_an_update_shows_only_what_changes():
    before = {"image": "web:1", "replicas": 1, "env": ["A=1"]}
    after = {"image": "web:1", "replicas": 5, "env": ["A=1"]}
    assert _diff(before, after) == {"before": {"replicas": 1}, "after": {"replicas": 5}}


def test_diff_shows_an_option_only_one_side_has():
    # replicated -> global: the view of a global service has no replicas.
    before = {"mode": "replicated", "replicas": 3, "image": "web:1"}
    after = {"mode": "global", "image": "web:1"}
    assert _diff(before, after) == {"before": {"mode": "replicated", "replicas": 3}, "after": {"mode": "global", "replicas": None}}


def test_diff_of_a_create_or_remove_is_the_whole_spec():
    spec = {"image": "web:1", "replicas": 1}
    assert _diff({}, spec) == {"before": {}, "after": spec}
    assert _diff(spec, {}) == {"before": spec, "after": {}}


def test_diff_of_nothing_changed_is_empty():
    spec = {"image": "web:1", "replicas": 1}
    assert _diff(spec, dict(spec)) == {"before": {}, "after": {}}

# Copyright: Beekeeper developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests for _wait's pacing: fine looks while most changes converge, fewer in a long wait."""

from __future__ import annotations

import itertools

from ansible_collections.beekeeper.swarm.plugins.module_utils._wait import pauses


def test_pauses_are_short_for_the_first_seconds_then_grow_to_a_second():
    got = list(itertools.islice(pauses(), 40))
    assert got[:15] == [0.2] * 15  # 3 s of looks 0.2 s apart: a new task starts in 1-2 s
    assert got[15] == 0.2 * 1.5 and got[16] > got[15]
    assert max(got) == 1.0 and got[-1] == 1.0


def test_a_fixed_interval_stays_fixed():
    assert list(itertools.islice(pauses(interval=2.5), 30)) == [2.5] * 30

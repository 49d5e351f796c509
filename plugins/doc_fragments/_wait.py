# Copyright: Beekeeper developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# Private to this collection: a doc fragment other collections must not use; it may change at any time.

from __future__ import annotations


class ModuleDocFragment:
    # wait and wait_timeout. What a module waits for is said in its own description (a module's
    # option entry replaces the fragment's description, it cannot add to it). A module whose
    # wait_timeout default differs sets only `default:` on its own wait_timeout entry.
    DOCUMENTATION = r"""
options:
  wait:
    description:
      - Wait until the cluster has done what the task started - the module's description says what that is - and
        fail, with what the engine reports, when it has not within O(wait_timeout).
      - V(false) returns as soon as the engine has accepted the change.
      - Does not take part in idempotency.
    type: bool
    default: true
  wait_timeout:
    description:
      - Seconds to wait with O(wait), for everything the task waits for together.
      - O(timeout) is something else - it bounds each engine request.
      - Does not take part in idempotency.
    type: int
    default: 300
"""

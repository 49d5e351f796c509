# Copyright: Beekeeper developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# Private to this collection: a doc fragment other collections must not use; it may change at any time.

from __future__ import annotations


class ModuleDocFragment:
    # What check_mode, diff_mode and idempotent mean. A module gives each its support and, in
    # details, what it does for that module.
    DOCUMENTATION = r"""
options: {}
attributes:
  check_mode:
    description: Can run in C(check_mode) and predict whether it would change anything, without changing the swarm.
  diff_mode:
    description: Returns what changed (or would change, in C(check_mode)) as C(diff.before) and C(diff.after) when run
      with C(--diff).
  idempotent:
    description:
      - Run twice in a row outside check mode with the same options, the second run reports no change.
      - This assumes the swarm has not changed in a relevant way in between.
"""

    # With DOCUMENTATION, for a module that only reads (swarm_info): check_mode, diff_mode and idempotent.
    INFO_MODULE = r"""
options: {}
attributes:
  check_mode:
    support: full
    details: Reads only, so it runs the same in check mode.
  diff_mode:
    support: N/A
    details: Changes nothing, so there is no diff.
  idempotent:
    support: full
    details: Reads only.
"""

    # With DOCUMENTATION, for a module with an action plugin (swarm_secret, swarm_config); the module
    # says in details what the action plugin does.
    ACTION = r"""
options: {}
attributes:
  action:
    description: Has an action plugin that runs on the controller first, so part of the work happens there.
    support: full
"""

    # Every module listed under action_groups.swarm in meta/runtime.yml.
    ACTIONGROUP_SWARM = r"""
options: {}
attributes:
  action_group:
    description: Use C(group/beekeeper.swarm.swarm) in C(module_defaults) to set defaults for this module, for example
      the connection options, once for every beekeeper.swarm module of a play.
    support: full
    membership:
      - beekeeper.swarm.swarm
"""

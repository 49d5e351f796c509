# Copyright: Beekeeper developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to this collection: what every module's main() does around its logic."""

from __future__ import annotations

from ansible_collections.beekeeper.swarm.plugins.module_utils._client import Engine
from ansible_collections.beekeeper.swarm.plugins.module_utils._errors import SwarmError


def run(module, logic, secrets_option=None):
    """Connect, run ``logic(engine, params, check_mode)``, and turn typed errors into fail_json.

    ``secrets_option`` names an option that makes the result carry tokens or keys: it is
    refused unless the task itself has ``no_log: true``, so they never reach output or logs.
    """
    if secrets_option and module.params.get(secrets_option) and not module.no_log:
        module.fail_json(
            msg="%s: true returns join tokens and the unlock key; set no_log: true on this task so they stay "
                "out of output and logs." % secrets_option
        )
    try:
        engine = Engine(module.params)
        result = logic(engine, module.params, module.check_mode)
    except SwarmError as exc:
        module.fail_json(msg=exc.msg, **exc.details)
    for warning in result.pop("warnings", None) or []:
        module.warn(warning)
    if not module._diff:
        result.pop("diff", None)
    module.exit_json(**result)

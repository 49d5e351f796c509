# Copyright: Beekeeper developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin for beekeeper.swarm.swarm_config: reads a controller ``src`` and passes it on as base64 ``data``."""

from __future__ import annotations

from ansible_collections.beekeeper.swarm.plugins.action.swarm_secret import ActionModule as SecretAction


class ActionModule(SecretAction):
    KIND = "config"

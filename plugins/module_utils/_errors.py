# Copyright: Beekeeper developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to this collection: typed errors raised by module_utils, turned into fail_json by main()."""

from __future__ import annotations


class SwarmError(Exception):
    """Base class. ``details`` is returned beside ``msg`` in the failed result."""

    def __init__(self, msg, **details):
        super().__init__(msg)
        self.msg = msg
        self.details = details


class InvalidInput(SwarmError):
    """A parameter is wrong; the message names the field and the fix. Raised before any change."""


class ApiVersionError(SwarmError):
    """An option needs a newer Engine API than the engine speaks."""


class EngineError(SwarmError):
    """The engine refused or failed a call; the message carries what it said."""


class NotFound(EngineError):
    """The object does not exist."""


class QuorumLost(EngineError):
    """The swarm has no leader: managers are down and no change can be made."""


class NotInSwarm(EngineError):
    """The engine is not part of a swarm (or is not a manager) where one is needed."""


class Refused(SwarmError):
    """A guard refused the change (quorum, last manager, capacity); ``force`` overrides."""


class ConvergenceTimeout(SwarmError):
    """The change was made but the cluster did not converge within the timeout."""

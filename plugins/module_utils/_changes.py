# Copyright: Beekeeper developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to this collection: what changes, in the user's units, for diffs and results.

A :class:`Change` is one option with its value before and after (``None`` on one side: the option
appears or goes). :class:`Changes` collects them, merges another object's under a prefix
(``services.web`` + ``image`` -> ``services.web.image``) so many objects give one readable diff, and
renders the Ansible diff: only what changes, both sides, nested like the options.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any


class Change:
    __slots__ = ("option", "before", "after", "path")

    def __init__(self, option: str, before: Any, after: Any, path: tuple | None = None) -> None:
        self.option = option
        self.before = before
        self.after = after
        self.path = path

    def __repr__(self) -> str:
        return "Change(%r, %r, %r)" % (self.option, self.before, self.after)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Change) and (self.option, self.before, self.after) == (other.option, other.before, other.after)


class Changes:
    """An ordered set of changes; false when empty."""

    def __init__(self, items: list[Change] | None = None) -> None:
        self.items: list[Change] = list(items or [])

    def add(self, option: str, before: Any, after: Any, path: tuple | None = None) -> Changes:
        self.items.append(Change(option, copy.deepcopy(before), copy.deepcopy(after), path))
        return self

    def merge(self, other: Changes, prefix: str | None = None) -> Changes:
        """Take ``other``'s changes, their options under ``prefix`` (``services.web``)."""
        for change in other:
            self.items.append(Change("%s.%s" % (prefix, change.option) if prefix else change.option, change.before, change.after, change.path))
        return self

    @classmethod
    def between(cls, before: dict | None, after: dict | None) -> Changes:
        """The top-level options whose values differ between two views (either may be empty: created,
        removed), including an option only one side has (replicas, when a service leaves replicated)."""
        before, after = before or {}, after or {}
        keys = list(after) + [k for k in before if k not in after]
        return cls([Change(k, before.get(k), after.get(k)) for k in keys if before.get(k) != after.get(k)])

    def __iter__(self) -> Iterator[Change]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def __bool__(self) -> bool:
        return bool(self.items)

    def options(self) -> list[str]:
        return [c.option for c in self.items]

    def top_level(self) -> list[str]:
        """The top-level options that change, sorted (``update_config`` for ``update_config.delay``)."""
        return sorted(set(c.option.split(".")[0] for c in self.items))

    def get(self, option: str) -> Change | None:
        return next((c for c in self.items if c.option == option), None)

    def diff(self) -> dict[str, dict]:
        """The Ansible diff: {before: {...}, after: {...}} of the changed options only, nested at their dots."""
        before: dict = {}
        after: dict = {}
        for change in self.items:
            _set(before, change.option, change.before)
            _set(after, change.option, change.after)
        return dict(before=before, after=after)


def _set(holder: dict, option: str, value: Any) -> None:
    parts = option.split(".")
    for part in parts[:-1]:
        holder = holder.setdefault(part, {})
    holder[parts[-1]] = copy.deepcopy(value)


def whole(before: dict | None, after: dict | None) -> dict[str, dict]:
    """The diff of an object created or removed: the whole object on its side, nothing on the other."""
    return dict(before=copy.deepcopy(before or {}), after=copy.deepcopy(after or {}))

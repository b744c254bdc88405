"""SPEC "Which version wins", as a pure decision.

Versions of one story are ordered by `VersionKey(version_created, version or 0, content_hash)`;
the greatest is current. The store enforces the same rule in its write statement (a conditional
upsert, `worker.store.writes`), so it holds however many workers race; this function is what the
pipeline uses to know what a version will do before writing, and what tests state the rule with.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from worker.model import VersionKey


class Change(str, Enum):
    NEW = "new"  # the first version of a story
    UPDATED = "updated"  # greater than the current version: becomes current
    UNCHANGED = "unchanged"  # equal to the current version: a no-op
    STALE = "stale"  # lower than the current version: history only


@dataclass(frozen=True)
class MergeDecision:
    change: Change

    @property
    def becomes_current(self) -> bool:
        return self.change in (Change.NEW, Change.UPDATED)


def decide_merge(current: VersionKey | None, incoming: VersionKey) -> MergeDecision:
    """Decide how an incoming version changes its story.

    Pure: reads nothing, writes nothing; the store applies the decision.
    SPEC "Which version wins": the greater VersionKey is current, an equal key
    is a no-op, a lower key only joins history.
    """
    if current is None:
        return MergeDecision(Change.NEW)
    if incoming > current:
        return MergeDecision(Change.UPDATED)
    if incoming == current:
        return MergeDecision(Change.UNCHANGED)
    return MergeDecision(Change.STALE)

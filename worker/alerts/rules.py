"""Which alert rules a change of a story fires (SPEC "Alerts", "Feed and alert configuration").

Pure: the pipeline hands each version that became current, the rules in force and whether the
story is new; the store records what fires, in the same transaction (`worker.store.alerts`).

The change is classified from the version itself, as the change feed's trigger does
(migration 0008), except that alerts speak the SPEC's alert words: a kill (canceled, or
signalled `kill`) is `kill` even on a first version, a first version is `new`, a signalled
correction is `correction`, anything else `update` (a version that withholds a story is an
`update` whose story says `withheld`; the change feed calls it `withheld`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from worker.model import Story, VersionKey

if TYPE_CHECKING:  # the configuration (pydantic) is not imported to store stories
    from worker.alerts.rule_config import AlertRule


@dataclass(frozen=True)
class Firing:
    """One alert to record: `rule` fired on `change` of the story's version `key`."""

    rule: str
    story_id: int
    change: str
    key: VersionKey


def feed_change(story: Story, first: bool) -> str:
    """The change feed's word for a version that became current (the trigger's rule)."""
    if story.pubstatus == "canceled" or "kill" in story.signals:
        return "kill"
    if story.pubstatus == "withheld":
        return "withheld"
    if first:
        return "new"
    return "correction" if "correction" in story.signals else "update"


def alert_change(story: Story, first: bool) -> str:
    """The alert's word for a version that became current: new, update, correction or kill."""
    if story.pubstatus == "canceled" or "kill" in story.signals:
        return "kill"
    if first:
        return "new"
    return "correction" if "correction" in story.signals else "update"


def rule_matches(rule: AlertRule, change: str, story: Story) -> bool:
    """Every condition the rule gives holds for this change of this story."""
    when = rule.when
    if change not in when.changes:
        return False
    if when.urgency_at_most is not None and (story.urgency is None
                                             or story.urgency > when.urgency_at_most):
        return False
    if when.signals_any is not None and not set(when.signals_any) & set(story.signals):
        return False
    if when.providers is not None and story.provider not in when.providers:
        return False
    if when.keywords_any is not None:
        pattern = _keywords(tuple(when.keywords_any))
        if pattern is None or not (pattern.search(story.headline)
                                   or pattern.search(story.body_text)):
            return False
    return True


def fired_rules(rules: Iterable[AlertRule], story_id: int, change: str,
                story: Story) -> list[Firing]:
    """The alerts this change fires, one per matching rule, in the rules' order."""
    return [Firing(rule.name, story_id, change, story.key) for rule in rules
            if getattr(rule, "webhook", None) and not getattr(rule, "feed_events", None)
            and rule_matches(rule, change, story)]


@lru_cache(maxsize=256)
def _keywords(words: tuple[str, ...]) -> re.Pattern[str] | None:
    """Any of the words or phrases, whole, case-insensitive (`war` is not in `software`)."""
    alternatives = [r"\s+".join(map(re.escape, w.split())) for w in words if w.strip()]
    if not alternatives:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)", re.IGNORECASE)

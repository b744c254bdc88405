"""An alert rule of the configuration file (SPEC "Alerts", "Feed health"): what it fires on
and where it is delivered, validated with the rest of the file (`worker.config`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from worker.model import SIGNALS
from worker.secrets import expand

FEED_EVENTS = ("failing", "quiet", "recovered")  # SPEC "Feed health"
#: the changes an alert rule may name (SPEC "Alerts"), and those it fires on by default
CHANGES = ("new", "update", "correction", "kill", "embargo_lifted")
DEFAULT_CHANGES = ("new", "update", "correction", "kill")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _check_known(values: list[str] | None, known: tuple[str, ...], what: str) -> None:
    """ValueError naming the first of the values that is not one of `known`."""
    for value in values or ():
        if value not in known:
            raise ValueError(f"unknown {what} {value!r}; known: {', '.join(known)}")


class AlertWhen(_Strict):
    urgency_at_most: int | None = Field(default=None, ge=1, le=9)
    signals_any: list[str] | None = None
    providers: list[str] | None = None
    keywords_any: list[str] | None = None
    changes: list[str] = Field(default_factory=lambda: list(DEFAULT_CHANGES))

    @field_validator("signals_any")
    @classmethod
    def _known_signals(cls, signals: list[str] | None) -> list[str] | None:
        _check_known(signals, SIGNALS, "signal")
        return signals

    @field_validator("changes")
    @classmethod
    def _known_changes(cls, changes: list[str]) -> list[str]:
        _check_known(changes, CHANGES, "change")
        return changes


class AlertRule(_Strict):
    """One alert rule: every condition in `when` must hold; delivered to `webhook`. A rule
    with `feed_events` instead fires on feeds' health transitions (SPEC "Feed health")."""

    name: str = Field(min_length=1)
    when: AlertWhen = Field(default_factory=AlertWhen)
    feed_events: list[str] | None = None
    webhook: str
    secret: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _when_or_feed_events(cls, raw: Any) -> Any:
        if isinstance(raw, dict) and raw.get("feed_events") is not None and "when" in raw:
            raise ValueError("when/feed_events: give either when or feed_events, not both")
        return raw

    @field_validator("feed_events")
    @classmethod
    def _known_feed_events(cls, events: list[str] | None) -> list[str] | None:
        _check_known(events, FEED_EVENTS, "feed event")
        return events

    @field_validator("webhook")
    @classmethod
    def _http_url(cls, url: str) -> str:
        if not url.startswith(("http://", "https://")):
            raise ValueError("must be an http:// or https:// URL")
        return url

    def resolved_secret(self, environ: Mapping[str, str]) -> str | None:
        if self.secret is None:
            return None
        return expand(self.secret, environ, f"alert {self.name!r}: secret")

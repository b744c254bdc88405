"""The API's response models: what `/openapi.json` documents and every answer is checked against.

A story is exactly `wire stories --json` (SPEC "The normalized story" plus the store's
`story_id`, `cluster_id`, `received_at`, `updated_at`).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

ChangeKind = Literal["new", "update", "correction", "kill", "withheld", "embargo_lifted"]


class StoryFields(BaseModel):
    provider: str
    guid: str
    version: int | None
    version_created: str = Field(description="ISO 8601 in UTC with a Z")
    first_created: str | None
    pubstatus: Literal["usable", "withheld", "canceled"]
    embargoed: str | None
    urgency: int | None = Field(description="IPTC urgency, 1 (flash) to 9")
    signals: list[str]
    headline: str
    slugline: str | None
    byline: str | None
    dateline: str | None
    language: str | None
    body_html: str
    body_text: str
    subjects: list[str]
    keywords: list[str]
    credits: list[str]
    link: str | None
    word_count: int
    content_hash: str
    story_id: int


class Story(StoryFields):
    """A story's current version, as `wire stories --json`."""

    cluster_id: int | None
    received_at: str
    updated_at: str


class Version(StoryFields):
    """One version of a story, as `wire versions --json`."""

    current: bool
    received_at: str


class StoryPage(BaseModel):
    stories: list[Story]
    next: str | None = Field(description="pass as `cursor` for the next page; null on the last")


class VersionList(BaseModel):
    versions: list[Version]


class Cluster(BaseModel):
    cluster_id: int
    stories: list[Story]


class Change(BaseModel):
    cursor: str = Field(description="this change's position; `after` it resumes behind it")
    change: ChangeKind
    story: Story = Field(description="the story as of the version this change made current")


class ChangePage(BaseModel):
    changes: list[Change]
    next: str = Field(description="pass as `after` to get the changes that follow")


class Delivery(BaseModel):
    """What every alert carries of its delivery."""

    fired_at: str
    outcome: Literal["pending", "delivered", "failed"]
    attempts: int
    delivered_at: str | None
    last_status: int | None = Field(description="the receiver's last HTTP status")
    last_error: str | None


class Alert(Delivery):
    id: int
    rule: str
    change: ChangeKind
    story: Story


class FeedAlert(Delivery):
    """An alert of a `feed_events` rule: the feed's health changed."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(description="`feed-<n>`, as its deliveries' `X-Wire-Delivery`")
    rule: str
    event: Literal["failing", "quiet", "recovered"]
    feed: dict[str, Any] = Field(description="the feed as `wire feeds --json` showed it then")


class AlertList(BaseModel):
    alerts: list[Alert]
    feed_alerts: list[FeedAlert] = Field(
        description="alerts of `feed_events` rules, newest first (same `since` and `limit`)")


class Feed(BaseModel):
    """One feed as `wire feeds --json`."""

    model_config = ConfigDict(extra="allow")

    name: str
    provider: str | None
    source: str
    format: str
    interval: float
    enabled: bool
    last_poll: str | None
    last_success: str | None
    outcome: str | None
    error: str | None
    consecutive_failures: int
    health: Literal["ok", "failing", "quiet"] = Field(description=(
        "failing from the third consecutive failed poll; quiet after `quiet_after` seconds "
        "without a new or updated story"))
    last_story: str | None = Field(description="when a poll last brought a new or updated story")
    next_poll: str | None


class FeedList(BaseModel):
    feeds: list[Feed]


class Health(BaseModel):
    status: Literal["ok"]


class Readiness(BaseModel):
    status: Literal["ready", "not ready"]
    store: str
    broker: str


class Error(BaseModel):
    error: str = Field(description="what is wrong, naming the parameter")
    parameter: str | None = None

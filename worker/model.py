"""Frozen value types that flow through the pipeline.

fetch -> Document -> parse -> ItemData (as found) -> normalize -> Story (the SPEC keys)
-> merge/store -> IngestCounts.

Nothing here does I/O; every stage takes and returns these values.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from worker.errors import ItemError

SIGNALS = ("update", "correction", "kill", "advisory", "breaking")


@dataclass(frozen=True)
class Document:
    """What one fetch returns: the raw bytes of one document and where they came from.

    `name` is what errors and logs call the document (a path, a URL, or `feed:<name>/<file>`).
    `content_type` is the HTTP header when there was one; `base_url` resolves relative links.
    """

    name: str
    content: bytes
    content_type: str | None = None
    base_url: str | None = None
    received_at: datetime | None = None


@dataclass(frozen=True)
class ItemData:
    """One item as a format module found it, before normalization.

    Format modules fill what their format states and leave the rest at the defaults; they do not
    sanitize HTML, parse dates or hash anything (normalize does). Conventions:

    - dates: the raw string as written (`version_created="20171014T214142Z"`), or an aware or
      naive `datetime` when the format library already parsed it (feedparser);
    - `pubstatus`: the raw word (`"stat:canceled"`, `"Canceled"`, `"killed"`); normalize maps it;
    - `urgency`: already on the IPTC 1..9 scale; each format module maps its own scale with
      `worker.normalize.urgency` and documents it;
    - `signals`: already in the SPEC vocabulary (`update`, `correction`, `kill`, `advisory`,
      `breaking`);
    - body: `body_html` (untrusted HTML or XHTML fragment) or, when the format carries plain
      text only, `body_text` (paragraphs separated by blank lines);
    - `provider`: what the document itself says, if anything (a CLI/feed provider wins).
    """

    guid: str | None = None
    version: int | None = None
    version_created: str | datetime | None = None
    first_created: str | datetime | None = None
    pubstatus: str | None = None
    embargoed: str | datetime | None = None
    urgency: int | None = None
    signals: tuple[str, ...] = ()
    headline: str | None = None
    slugline: str | None = None
    byline: str | None = None
    dateline: str | None = None
    language: str | None = None
    body_html: str | None = None
    body_text: str | None = None
    subjects: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    credits: tuple[str, ...] = ()
    link: str | None = None
    provider: str | None = None
    #: where the item sits in its document, for error messages (`item 3`, `urn:ap:123`)
    ref: str | None = None


@dataclass(frozen=True)
class ParsedDocument:
    """What a format module returns: the items it could read and the ones it could not."""

    format: str
    items: tuple[ItemData, ...]
    problems: tuple[ItemError, ...] = ()
    #: things skipped on purpose (pictures, packages), said in the log, never an error
    skipped: tuple[str, ...] = ()


@dataclass(frozen=True)
class Story:
    """One normalized version of a story: exactly the SPEC keys, nothing else.

    `version_created`, `first_created` and `embargoed` are aware UTC datetimes here; `as_json`
    renders them in the SPEC form (`2017-10-14T21:41:42Z`).
    """

    provider: str
    guid: str
    version: int | None
    version_created: datetime
    first_created: datetime | None
    pubstatus: str
    embargoed: datetime | None
    urgency: int | None
    signals: tuple[str, ...]
    headline: str
    slugline: str | None
    byline: str | None
    dateline: str | None
    language: str | None
    body_html: str
    body_text: str
    subjects: tuple[str, ...]
    keywords: tuple[str, ...]
    credits: tuple[str, ...]
    link: str | None
    word_count: int
    content_hash: str
    #: True when the item carried no usable timestamp and version_created is the received time
    inferred_time: bool = field(default=False, compare=False)

    @property
    def key(self) -> VersionKey:
        return VersionKey(self.version_created, self.version or 0, self.content_hash)

    def as_json(self) -> dict[str, Any]:
        """The SPEC JSON object, keys in SPEC order."""
        out: dict[str, Any] = {}
        for name in STORY_KEYS:
            value = getattr(self, name)
            if isinstance(value, datetime):
                value = format_time(value)
            elif isinstance(value, tuple):
                value = list(value)
            out[name] = value
        return out

    def replace(self, **changes: Any) -> Story:
        return dataclasses.replace(self, **changes)


@dataclass(frozen=True, order=True)
class VersionKey:
    """SPEC "Which version wins": versions are ordered by this key; the greatest is current."""

    version_created: datetime
    version: int
    content_hash: str


@dataclass
class IngestCounts:
    """The `wire ingest` counts (SPEC "Command line")."""

    new: int = 0
    updated: int = 0
    unchanged: int = 0
    stale: int = 0
    duplicates: int = 0
    errors: int = 0

    def add(self, other: IngestCounts) -> None:
        for f in dataclasses.fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))

    def as_json(self) -> dict[str, int]:
        return dataclasses.asdict(self)


#: SPEC "The normalized story": the keys of `wire parse` output, in order (Story's fields)
STORY_KEYS: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(Story)
                                    if f.name != "inferred_time")


def format_time(value: datetime) -> str:
    """SPEC time form: ISO 8601 in UTC with a `Z`, whole seconds unless the source had more."""
    from datetime import timezone

    utc = value.astimezone(timezone.utc) if value.tzinfo else value
    if utc.microsecond:
        return utc.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return utc.strftime("%Y-%m-%dT%H:%M:%SZ")

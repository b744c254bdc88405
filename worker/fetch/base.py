"""The one small interface every delivery protocol implements (SPEC "Delivery protocols").

A poll asks its feed's source for what is new after the feed's kept position, stores each
document in a transaction that also writes the position the source gave with it, and only
after that commit acknowledges the document to the source:

    source = open_source(feed, context)                # worker.fetch.PROTOCOLS[feed.protocol]
    batch = source.fetch(position)                     # what is new after `position`
    for fetched in batch.documents:                    # lazily: the poll may stop at its deadline
        with one transaction:                          # worker.tasks.poll
            store the document's stories
            feeds.position = fetched.position          # when not None
        source.acknowledge(fetched, error)             # after the commit: delete, move, ...
    source.close()

So a crash at any point loses nothing (nothing is acknowledged before its stories are stored)
and re-delivery is a no-op (the merge rule). A document that cannot be read is still
acknowledged, with its `error` (a drop folder moves it to `failed/`): it is archived and
recorded, and must never stop its feed (but see `Fetched.retry_on_failure`).

A module per protocol (`http`, `folder`, ...) exposes `open_source(feed, context) -> Source`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

import httpx
from sqlalchemy import Engine

from worker.model import Document

#: a feed's position: a JSON object kept in the store (`feeds.position`), the source's own shape
Position = Mapping[str, Any]


@dataclass(frozen=True)
class Fetched:
    """One document a source delivered, and what storing it moves the feed to."""

    document: Document
    #: the feed's position once this document is stored, written in the same transaction;
    #: None keeps the position as it is
    position: Position | None = None
    #: what `acknowledge` needs (a queue receipt, a remote path); never stored or logged
    receipt: Any = None
    #: the source could not read this document at all (an unreadable file): it is recorded
    #: and acknowledged as failed like a document that does not parse
    error: str | None = None
    #: when the document fails, keep the old position, so the next poll fetches it again and
    #: the feed shows as failing until the agency fixes it (an HTTP feed). False for sources
    #: that would otherwise deliver a poison document for ever (queues, cursors, folders): its
    #: position moves on and it is acknowledged with its error (it stays in the archive).
    retry_on_failure: bool = False


@dataclass
class Batch:
    """What one fetch found: documents to store, or why there were none."""

    documents: Iterable[Fetched] = ()
    #: the position to keep at the end of the poll, read once the documents are done (so a
    #: source may set it as it delivers): the validators of a 304, what is left to acknowledge;
    #: None keeps the position the documents left
    position: Position | None = None
    #: why nothing was delivered (`304`, `etag`, `body`, `no files`), for the poll's outcome
    unchanged: str | None = None
    #: the source's own pacing in seconds (a `retry-after`); None polls again after the interval
    next_poll_in: float | None = None
    #: figures for the poll's log line (`files`, `pages`, ...)
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class FetchContext:
    """What a source may use during one poll; read at the edge, passed down."""

    #: the worker process's pooled HTTP client (`worker.fetch.http.make_client`)
    client: httpx.Client
    #: the environment, for `${NAME}` in URLs, headers, passwords and auth (`worker.config`)
    environment: Mapping[str, str]
    max_bytes: int
    now: datetime
    #: `time.monotonic()` value after which a source should deliver no further document
    deadline: float
    #: the store, for state every worker shares (a token kept until it expires)
    store: Engine


class Source(Protocol):
    """A feed's delivery protocol, opened for one poll."""

    def fetch(self, position: Position) -> Batch:
        """What is new after `position`; raises FeedError (naming the feed) when it fails."""
        ...

    def acknowledge(self, fetched: Fetched, error: str | None) -> None:
        """Tell the source a document is stored (`error` None) or was refused (`error` says
        why); called only after the commit that stored it."""
        ...

    def close(self) -> None:
        """Release what the poll opened (connections, sessions)."""
        ...

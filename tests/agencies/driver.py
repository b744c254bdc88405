"""Drive a source the way the poll does, without Celery: fetch, "store", acknowledge."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime
from types import ModuleType
from typing import Any

from sqlalchemy import Engine

from worker.config import FeedConfig, parse_config
from worker.errors import DocumentError, FeedError
from worker.fetch.base import Batch, FetchContext
from worker.fetch.http import make_client
from worker.model import Document, Story
from worker.pipeline import ParseOptions, parse_stories


def feed_of(env: dict[str, str], **keys: Any) -> FeedConfig:
    return parse_config({"feeds": [{"name": "wire", "interval": 30, **keys}]}, "test", env).feeds[0]


def context(env: dict[str, str], store: Engine, now: datetime,
            deadline: float = 60.0) -> FetchContext:
    return FetchContext(client=make_client(), environment=env, max_bytes=16 * 1024 * 1024,
                        now=now, deadline=time.monotonic() + deadline, store=store)


@dataclass
class Poll:
    position: dict[str, Any]
    batch: Batch | None = None
    documents: list[Document] = field(default_factory=list)
    stories: list[Story] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    failure: FeedError | None = None


def poll(module: ModuleType, feed: FeedConfig, ctx: FetchContext, position: dict[str, Any],
         acknowledge: bool = True, stop_after: int | None = None) -> Poll:
    """One poll: every document parsed ("stored") with its position, then acknowledged.

    `acknowledge=False` is a worker that died after each commit, before the acknowledgement;
    `stop_after=N` one that died after storing N documents.
    """
    out = Poll(dict(position))
    source = module.open_source(feed, ctx)
    try:
        out.batch = source.fetch(out.position)
        for fetched in out.batch.documents:
            error = None
            try:
                if fetched.error is not None:  # as the poll does (worker.polls.store_fetched)
                    raise DocumentError(fetched.document.name, fetched.error)
                stories, _ = parse_stories(fetched.document, ParseOptions(), ctx.now)
                out.stories += stories
            except DocumentError as e:
                error = str(e)
                out.errors.append(error)
            out.documents.append(fetched.document)
            if fetched.position is not None:
                out.position = dict(fetched.position)
            if stop_after is not None and len(out.documents) >= stop_after:
                return out
            if acknowledge:
                source.acknowledge(fetched, error)
        if out.batch.position is not None:
            out.position = dict(out.batch.position)
    except FeedError as e:
        out.failure = e
    finally:
        source.close()
    return out

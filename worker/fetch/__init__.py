"""Getting documents: one module per delivery protocol behind `worker.fetch.base.Source`.

`PROTOCOLS` maps a feed's `protocol` to its module; each module exposes
`open_source(feed, context) -> Source`.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from worker.config import FeedConfig
    from worker.fetch.base import FetchContext, Source

PROTOCOLS: dict[str, str] = {
    "http": "worker.fetch.http",
    "folder": "worker.fetch.folder",
    "ap-media": "worker.fetch.ap_media",
    "dpa-wireq": "worker.fetch.wireq",
    "reuters-connect": "worker.fetch.reuters",
    "ftp": "worker.fetch.ftp",
    "ftps": "worker.fetch.ftp",
    "sftp": "worker.fetch.ftp",
}


def open_source(protocol: str, feed: FeedConfig, context: FetchContext) -> Source:
    """The source of `feed` for one poll, by its protocol's module."""
    module = importlib.import_module(PROTOCOLS[protocol])
    return module.open_source(feed, context)  # type: ignore[no-any-return]

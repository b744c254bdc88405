"""The whole error tree.

One root, `WireError`, with branches by subject. Every error keeps its subject as attributes and
passes every argument to `super().__init__`, so it pickles through Celery. The message names the
thing and the problem: `nitf: drop/ap/0413.xml: item 'urn:ap:123': no headline`.
"""

from __future__ import annotations


class WireError(Exception):
    """Root of every error wire-ingest raises on purpose."""


class ConfigError(WireError):
    """The feed/alert configuration or the environment is invalid."""

    def __init__(self, source: str, message: str) -> None:
        super().__init__(source, message)
        self.source = source
        self.message = message

    def __str__(self) -> str:
        return f"{self.source}: {self.message}"


class FeedError(WireError):
    """A feed could not be fetched (network, HTTP status, size, timeout)."""

    def __init__(self, feed: str, message: str, retry_after: float | None = None) -> None:
        super().__init__(feed, message, retry_after)
        self.feed = feed
        self.message = message
        self.retry_after = retry_after

    def __str__(self) -> str:
        return f"{self.feed}: {self.message}"


class DocumentError(WireError):
    """A whole document cannot be read: unknown format, malformed, unsafe or too large."""

    def __init__(self, document: str, message: str, format: str | None = None) -> None:
        super().__init__(document, message, format)
        self.document = document
        self.message = message
        self.format = format

    def __str__(self) -> str:
        prefix = f"{self.format}: " if self.format else ""
        return f"{prefix}{self.document}: {self.message}"


class UnknownFormat(DocumentError):
    """The format of a document cannot be detected, or a named format does not exist."""


class ItemError(WireError):
    """One item of a document cannot be read; the rest of the document goes on.

    A format module raises it with the message alone, for data it finds wrong (`no guid`);
    the loop over the document's items adds the document and the item (`about`).
    """

    def __init__(self, message: str, document: str | None = None, item: str | None = None
                 ) -> None:
        super().__init__(message, document, item)
        self.message = message
        self.document = document
        self.item = item

    def about(self, document: str, item: str) -> ItemError:
        """The same error, naming the document and the item it is about."""
        return ItemError(self.message, document, item)

    def __str__(self) -> str:
        if self.document is None:
            return self.message
        return f"{self.document}: item {self.item!r}: {self.message}"


class StoreError(WireError):
    """The store cannot be used as it is (outdated schema, unreachable)."""

    def __init__(self, url: str, message: str) -> None:
        super().__init__(url, message)
        self.url = url
        self.message = message

    def __str__(self) -> str:
        return f"store {self.url}: {self.message}"


class OutdatedSchema(StoreError):
    """The store's schema is older than this version of wire-ingest: run `wire migrate`."""

"""The format registry: `--format` name -> module, in detection order.

Detection asks each module of the document's family in this order; put the more specific
formats of a family before the general ones (AP and dpa JSON before ninjs; the plain-text
aggregator format last, it takes any text). Every module listed is a `FormatModule`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal, Protocol

if TYPE_CHECKING:
    from worker.model import Document, ParsedDocument


class FormatModule(Protocol):
    """What a format module exposes (a module, typed as this protocol)."""

    #: the `--format` name
    NAME: str
    #: how the document is decoded before `matches` and `parse` see it
    FAMILY: Literal["xml", "json", "text"]

    def matches(self, decoded: Any) -> bool:
        """Whether this decoded document (`worker.parse.Decoded`) is in this format."""
        ...

    def parse(self, document: Document, decoded: Any) -> ParsedDocument:
        """Every item of the document; DocumentError when the document cannot be read."""
        ...


FORMATS: dict[str, str] = {
    "newsml": "worker.parse.newsml",
    "nitf": "worker.parse.nitf",
    "rss": "worker.parse.rss",
    "reuters": "worker.parse.reuters",
    "apmedia": "worker.parse.apmedia",
    "dpa": "worker.parse.dpa",
    "ninjs": "worker.parse.ninjs",
    "anpa": "worker.parse.anpa",
    "iptc7901": "worker.parse.iptc7901",
    "text": "worker.parse.text",
}

#: other names `--format` takes for the same modules
ALIASES: dict[str, str] = {
    "newsml-g2": "newsml",
    "g2": "newsml",
    "atom": "rss",
    "ap": "apmedia",
    "digitalwires": "dpa",
    "reuters-connect": "reuters",
}


def format_names() -> list[str]:
    """Every name `--format` takes."""
    return sorted([*FORMATS, *ALIASES])

"""The naive worker the benchmark compares against, measured in the same run.

What a first version of such a worker typically does (docs/design.md "Libraries and costs"): fetch the
whole feed every poll (no conditional GET), parse it with feedparser's defaults (its own HTML
sanitizer and relative-URI resolution on), clean every body again with BeautifulSoup, hash it,
run near-duplicate detection on it (datasketch MinHash over word 3-shingles, an in-memory
MinHashLSH per process), and store each item through the SQLAlchemy ORM with a commit per item:
everything again on every poll, changed or not.

NewsML-G2 is not a feed feedparser reads: the naive worker reads it with BeautifulSoup's XML
parser (lxml-xml) instead, the usual choice when one already uses BeautifulSoup.

The baseline keeps its own tables (`naive_stories`), so it never touches the product's store.
"""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime

import feedparser
import httpx
from bs4 import BeautifulSoup
from datasketch import MinHash, MinHashLSH
from sqlalchemy import Integer, String, Text, UniqueConstraint, create_engine, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from bench.naive_clean import clean

_WORD = re.compile(r"\w+")


class Base(DeclarativeBase):
    pass


class NaiveStory(Base):
    __tablename__ = "naive_stories"
    __table_args__ = (UniqueConstraint("provider", "guid"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    provider: Mapped[str] = mapped_column(String(64))
    guid: Mapped[str] = mapped_column(Text)
    version_created: Mapped[str] = mapped_column(String(40))
    headline: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    body_text: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64))
    cluster_id: Mapped[int | None] = mapped_column(Integer)


def _entries_rss(content: bytes) -> list[dict[str, str]]:
    parsed = feedparser.parse(content)
    out = []
    for e in parsed.entries:
        body = (e.get("content") or [{}])[0].get("value") or e.get("summary", "")
        out.append({"guid": e.get("id") or e.get("link"), "headline": e.get("title", ""),
                    "version_created": e.get("updated") or e.get("published", ""), "body": body})
    return out


def _entries_newsml(content: bytes) -> list[dict[str, str]]:
    soup = BeautifulSoup(content, "lxml-xml")
    out = []
    for item in soup.find_all("newsItem"):
        body = item.find("body")
        out.append({
            "guid": item["guid"],
            "headline": item.find("headline").get_text(),
            "version_created": item.find("versionCreated").get_text(),
            "body": "".join(str(c) for c in body.contents) if body else "",
        })
    return out


class NaiveWorker:
    """One naive worker process: HTTP client, ORM session factory, in-memory LSH."""

    def __init__(self, db_url: str) -> None:
        self.engine = create_engine(db_url)
        Base.metadata.create_all(self.engine)
        self.client = httpx.Client(timeout=30)
        self.lsh = MinHashLSH(threshold=0.4, num_perm=128)

    def close(self) -> None:
        self.client.close()
        self.engine.dispose()

    def poll(self, url: str, fmt: str, provider: str) -> int:
        """Fetch, parse, clean, hash, dedup and store every item; returns how many were new."""
        content = self.client.get(url).content
        entries = _entries_rss(content) if fmt == "rss" else _entries_newsml(content)
        new = 0
        with Session(self.engine) as session:
            for entry in entries:
                body_html, body_text = clean(entry["body"])
                digest = hashlib.sha256(
                    (entry["headline"] + "\n" + body_text).encode("utf-8")
                ).hexdigest()
                words = _WORD.findall(body_text.lower())
                mh = MinHash(num_perm=128)
                mh.update_batch(
                    [" ".join(words[i:i + 3]).encode() for i in range(len(words) - 2)]
                )
                similar = self.lsh.query(mh)
                row = session.scalars(
                    select(NaiveStory).where(NaiveStory.provider == provider,
                                             NaiveStory.guid == entry["guid"])
                ).one_or_none()
                if row is None:
                    row = NaiveStory(provider=provider, guid=entry["guid"])
                    session.add(row)
                    new += 1
                key = f"{provider}|{entry['guid']}"
                if row.content_hash != digest:
                    row.version_created = entry["version_created"]
                    row.headline = entry["headline"]
                    row.body_html = body_html
                    row.body_text = body_text
                    row.content_hash = digest
                    if key not in self.lsh:
                        self.lsh.insert(key, mh)
                    row.cluster_id = None if not similar else len(similar)
                session.commit()
        return new


def now() -> datetime:
    return datetime.now(UTC)

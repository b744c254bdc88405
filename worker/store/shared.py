"""State the delivery protocols share across workers: access tokens, and the document archive.

- `source_tokens`: an OAuth2 access token per set of client credentials (Reuters Connect), kept
  until it expires so that every worker uses the one token instead of asking for its own at
  every poll (the agency's guide: "do not get a new token for every call"). The row is keyed by
  a hash of the token URL, client id, audience and scope, never by the credentials themselves.
  The token is the one secret the store holds (it expires; the client secret never is stored).
- `archive_documents`: every fetched document once per feed (content-addressed: the xxh3-128
  + SHA-256 of its bytes), with the feed, the first fetch time, the name and what the parse
  needs again (`worker.archive`, `wire reparse`).
- `archive_blobs`: the compressed bytes, when the archive lives in the store (PostgreSQL's
  default); a folder archive keeps them in files instead.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Engine, Integer, LargeBinary, String, Text, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column

from worker.store.models import Base, Id, Json, UTCDateTime


class SourceTokenRow(Base):
    __tablename__ = "source_tokens"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    token: Mapped[str] = mapped_column(Text)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ArchivedDocumentRow(Base):
    __tablename__ = "archive_documents"
    __table_args__ = (UniqueConstraint("feed", "digest", name="uq_archive_documents_feed_digest"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    feed: Mapped[str] = mapped_column(String(200))
    digest: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(Text)
    content_type: Mapped[str | None] = mapped_column(Text)
    size: Mapped[int] = mapped_column(Integer)
    #: the parse options of the feed when it was fetched (format, provider, timezone)
    options: Mapped[dict[str, Any]] = mapped_column(Json)
    fetched_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class ArchiveBlobRow(Base):
    __tablename__ = "archive_blobs"

    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)


def insert_of(engine: Any) -> Any:
    """The dialect's INSERT (with ON CONFLICT); the dialect module is imported when used, not
    by every command that imports the models."""
    if engine.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert


def load_token(engine: Engine, key: str, valid_after: datetime) -> str | None:
    """The kept token for `key` if it is still valid at `valid_after`."""
    with engine.connect() as conn:
        row = conn.execute(select(SourceTokenRow.token, SourceTokenRow.expires_at)
                           .where(SourceTokenRow.key == key)).first()
    if row is None or row.expires_at <= valid_after:
        return None
    return str(row.token)


def save_token(engine: Engine, key: str, token: str, expires_at: datetime) -> None:
    """Keep `token` for every worker (the newest fetched wins)."""
    insert = insert_of(engine)(SourceTokenRow).values(key=key, token=token, expires_at=expires_at)
    with engine.begin() as conn:
        conn.execute(insert.on_conflict_do_update(
            index_elements=["key"], set_={"token": token, "expires_at": expires_at}))


def forget_token(engine: Engine, key: str, token: str) -> None:
    """Drop a token the agency refused (another worker may already have replaced it)."""
    with engine.begin() as conn:
        conn.execute(SourceTokenRow.__table__.delete().where(
            SourceTokenRow.key == key, SourceTokenRow.token == token))

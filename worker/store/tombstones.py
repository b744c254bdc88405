"""Tombstones: stories purged by retention keep their identity and last version key.

`bury` runs in the transaction that deletes the stories (`worker.ops.housekeeping`);
`tombstone_keys` is read by the write path (`worker.store.writes`) for identities the store no
longer has, so that a re-delivery of what a purged story had (an agency re-sending old items,
a feed replayed, a reparse) is stale, never a new story. A version newer than the tombstone's
is real news about the story (a late correction, a kill) and is stored again.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, select
from sqlalchemy.dialects import postgresql, sqlite

from worker.model import VersionKey
from worker.store.models import TombstoneRow

TOMBSTONES = TombstoneRow.__table__
_KEYS = select(TOMBSTONES).where(
    TOMBSTONES.c.provider.in_(bindparam("providers", expanding=True)),
    TOMBSTONES.c.guid.in_(bindparam("guids", expanding=True)))


def tombstone_keys(conn: Connection, identities: set[tuple[str, str]]
                   ) -> dict[tuple[str, str], VersionKey]:
    """The last version key of each (provider, guid) purged from the store."""
    if not identities:
        return {}
    rows = conn.execute(_KEYS, {"providers": sorted({p for p, _ in identities}),
                                "guids": sorted({g for _, g in identities})})
    return {(r.provider, r.guid): VersionKey(r.version_created, r.version_seq, r.content_hash)
            for r in rows if (r.provider, r.guid) in identities}


def bury(conn: Connection, stories: Iterable[Any], now: datetime) -> None:
    """Keep the identity and current key of these story rows (an upsert: purged again later,
    a story keeps its newest key)."""
    rows = [{"provider": s.provider, "guid": s.guid, "version_created": s.version_created,
             "version_seq": s.version_seq, "content_hash": s.content_hash, "purged_at": now}
            for s in stories]
    if not rows:
        return
    insert = (postgresql if conn.dialect.name == "postgresql" else sqlite).insert(TOMBSTONES)
    conn.execute(insert.on_conflict_do_update(
        index_elements=["provider", "guid"],
        set_={c: insert.excluded[c] for c in ("version_created", "version_seq",
                                              "content_hash", "purged_at")}), rows)

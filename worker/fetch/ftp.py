"""FTP, FTPS and SFTP drop folders (`protocol: ftp | ftps | sftp`, SPEC "Delivery protocols").

A partner uploads one document per file into a folder on its server. A poll lists the folder
(`worker.fetch.remote`) and fetches each file once its size and time have not changed for
`min_age` seconds (default 5): a file still being uploaded is never read half-way. Only after
the commit that stored a file's stories is the file acknowledged on the server, per `after:`

- `move` (the default): into `processed/` inside the listed folder (a document that could not
  be read into `failed/`: moved aside, never deleted, SPEC "Feed health"; so is a file the
  server would not hand over, "550 Failed to open file": that file's failure, not the poll's);
- `delete`: deleted (a document that could not be read is still moved into `failed/`);
- `leave`: left where it is; it is fetched again only when its size or time changes.

The position is the listing state: per file name its size and time, when this worker first saw
them so (`min_age` is measured on the worker's clock, so a server clock that is off does not
matter), and for `leave` whether it was delivered. For `move` and `delete` a file still there
after its poll is simply fetched again (a crash between commit and move, a move refused):
re-delivery is a no-op, and the move or delete is tried again. While files wait to settle, the
next poll comes when the first of them is due (`Batch.next_poll_in`), not a whole interval later.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from typing import Any

from worker.config import FeedConfig
from worker.errors import FeedError
from worker.fetch.base import Batch, FetchContext, Fetched, Position
from worker.fetch.folder import _looks_finished
from worker.fetch.remote import (
    UNKNOWN_SIZE,
    Remote,
    RemoteError,
    RemoteFile,
    RemoteFileError,
    connect,
)
from worker.model import Document

log = logging.getLogger(__name__)

PROCESSED = "processed"
FAILED = "failed"
MAX_FILES_PER_POLL = 500


def open_source(feed: FeedConfig, context: FetchContext) -> RemoteFolderSource:
    return RemoteFolderSource(feed, context)


class RemoteFolderSource:
    def __init__(self, feed: FeedConfig, context: FetchContext) -> None:
        self.feed = feed
        self.context = context
        self.secrets = feed.secrets(context.environment)
        self.remote: Remote | None = None

    def fetch(self, position: Position) -> Batch:
        files: dict[str, list[Any]] = dict(position.get("files") or {})
        self.remote = self._connect(position.get("host_key"))
        try:
            listing = [f for f in self.remote.list() if _looks_finished(f.name)]
        except RemoteError as e:
            raise self._error(e) from None
        now = self.context.now.timestamp()
        state = settle(files, listing, now)
        head = {"host_key": self.remote.host_key} if self.remote.host_key else {}
        ready = sorted((f for f in listing if is_ready(state[f.name], now, self.feed.stable_after)),
                       key=lambda f: (state[f.name][2], f.name))[:MAX_FILES_PER_POLL]
        waiting = [self.feed.stable_after - (now - s[2]) for s in state.values() if not s[3]]
        waiting = [w for w in waiting if w > 0]
        batch = Batch(extra={"files": len(listing), "ready": len(ready)})
        if waiting and min(waiting) < self.feed.interval:
            batch.next_poll_in = max(0.5, min(waiting))
        new_position = {**head, "files": state}
        if not ready:
            batch.unchanged = "no files"
            if new_position != dict(position):
                batch.position = new_position
            return batch
        if self.feed.after_fetch != "leave":
            batch.position = new_position  # observations only: a delivered file goes away
        batch.documents = self._documents(ready, head, state, batch)
        return batch

    def _documents(self, ready: list[RemoteFile], head: dict[str, Any],
                   state: dict[str, list[Any]], batch: Batch) -> Iterator[Fetched]:
        assert self.remote is not None
        leave = self.feed.after_fetch == "leave"
        for file in ready:
            if time.monotonic() > self.context.deadline:
                return
            error = None
            try:
                content = self.remote.read(file.name, self.context.max_bytes)
            except RemoteFileError as e:  # this file only: set aside as if it did not parse
                content, error = b"", self.secrets.redact(f"{file.name}: cannot read: {e}")
            except RemoteError as e:  # the connection: the whole poll fails
                raise self._error(e) from None
            # a size the listing gave must be what came (else it changed meanwhile); one it
            # did not give (UNKNOWN_SIZE) cannot be held against it: the time settled it
            changed = (file.size != UNKNOWN_SIZE and len(content) != file.size
                       and len(content) <= self.context.max_bytes)
            if changed and error is None:
                state[file.name] = [len(content), "", self.context.now.timestamp(), 0]
                continue  # changed since the listing: it settles again first
            document = Document(name=f"{self.feed.name}: {file.name}", content=content,
                                received_at=self.context.now)
            position = None
            if leave:
                state[file.name] = [*state[file.name][:3], 1]
                position = {**head, "files": {k: list(v) for k, v in state.items()}}
            yield Fetched(document, position, receipt=file, error=error)
        if leave:
            batch.position = {**head, "files": state}

    def acknowledge(self, fetched: Fetched, error: str | None) -> None:
        """Move the stored file into `processed/` (or delete it, or leave it); a file whose
        document could not be read goes into `failed/` unless it is left where it is."""
        file: RemoteFile = fetched.receipt
        after = self.feed.after_fetch
        if self.remote is None or (after == "leave"):
            return
        try:
            if error is not None:
                self.remote.move(file.name, FAILED)
            elif after == "move":
                self.remote.move(file.name, PROCESSED)
            else:
                self.remote.delete(file.name)
        except RemoteError as e:
            # still there next poll: fetched again (a no-op) and acknowledged again
            log.warning("remote_acknowledge_failed", extra={
                "feed": self.feed.name, "document": file.name,
                "error": self.secrets.redact(str(e))})

    def close(self) -> None:
        if self.remote is not None:
            self.remote.close()
            self.remote = None

    def _connect(self, host_key: str | None) -> Remote:
        env = self.context.environment
        try:
            return connect(self.feed.kind, self.feed.resolved_url(env),
                           self.feed.resolved_password(env), self.feed.key_file, host_key)
        except RemoteError as e:
            raise self._error(e) from None

    def _error(self, error: RemoteError) -> FeedError:
        return FeedError(self.feed.name, self.secrets.redact(f"{self.feed.kind}: {error}"))


def settle(files: dict[str, list[Any]], listing: list[RemoteFile],
           now: float) -> dict[str, list[Any]]:
    """The listing state after one listing: `{name: [size, mtime, seen, delivered]}`.

    Pure. A file keeps when it was first seen so, and whether it was delivered, while its size
    and time stay the same; a changed file is seen anew. Files no longer listed are forgotten.
    """
    state: dict[str, list[Any]] = {}
    for file in listing:
        before = files.get(file.name)
        if before and before[0] == file.size and before[1] == file.mtime:
            state[file.name] = [file.size, file.mtime, before[2], before[3]]
        else:
            state[file.name] = [file.size, file.mtime, now, 0]
    return state


def is_ready(entry: list[Any], now: float, min_age: float) -> bool:
    """Not yet delivered, and unchanged for `min_age` seconds."""
    return not entry[3] and now - entry[2] >= min_age

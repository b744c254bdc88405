"""The `folder` protocol: local drop folders, which files are ready, and where they go afterwards.

An agency (or an FTP/rsync job) drops one document per file into a folder. A poll reads the
files that are ready, oldest first, and after ingestion moves each one: to the processed folder
when it was read, to the failed folder when the document could not be read, with the error in
`<file>.error.txt` beside it (SPEC: moved aside, never deleted, never stops the folder). Nothing
is ever deleted and nothing is overwritten: a name already taken gets a numbered suffix.

A file still being written must not be read half-way. Writers that behave write to a temporary
name and rename: dot files and `*.tmp`, `*.part`, `*.partial`, `*.filepart`, `*~` are never read.
For writers that do not, a file is only read once it has not changed for `SETTLE_SECONDS` (its
modification time is that old) *and* its size is the same before and after reading.

Only the top level of the folder is read; the processed and failed folders (by default inside
it) are therefore never read again.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from worker.errors import FeedError
from worker.fetch.base import Batch, FetchContext, Fetched, Position
from worker.model import Document

if TYPE_CHECKING:
    from worker.config import FeedConfig

SETTLE_SECONDS = 1.0
MAX_FILES_PER_POLL = 500
_PARTIAL_SUFFIXES = (".tmp", ".part", ".partial", ".filepart", ".crdownload", "~")


@dataclass(frozen=True)
class DropFile:
    path: Path
    size: int
    mtime: float


def ready_files(
    folder: Path, now_ts: float, settle: float = SETTLE_SECONDS, limit: int = MAX_FILES_PER_POLL
) -> list[DropFile]:
    """Files ready to read, oldest first; `now_ts` is the wall clock (seconds since the epoch)."""
    found: list[DropFile] = []
    with os.scandir(folder) as entries:
        for entry in entries:
            if not _looks_finished(entry.name) or not entry.is_file(follow_symlinks=False):
                continue
            stat = entry.stat(follow_symlinks=False)
            if now_ts - stat.st_mtime < settle:
                continue
            found.append(DropFile(Path(entry.path), stat.st_size, stat.st_mtime))
    found.sort(key=lambda f: (f.mtime, f.path.name))
    return found[:limit]


def _looks_finished(name: str) -> bool:
    return not name.startswith(".") and not name.lower().endswith(_PARTIAL_SUFFIXES)


def read_file(drop: DropFile, received_at: datetime) -> Document | None:
    """The file as a Document, or None when it changed while being read (read it next poll)."""
    content = drop.path.read_bytes()
    stat = drop.path.stat()
    if stat.st_size != drop.size or len(content) != drop.size or stat.st_mtime != drop.mtime:
        return None
    return Document(name=str(drop.path), content=content, received_at=received_at)


def move_processed(drop: DropFile, processed: Path) -> Path:
    """Move a read file to the processed folder; returns where it went."""
    return _move(drop.path, processed)


def move_failed(drop: DropFile, failed: Path, error: str) -> Path:
    """Move a file that could not be read to the failed folder, the error beside it."""
    target = _move(drop.path, failed)
    error_file = target.with_name(target.name + ".error.txt")
    error_file.write_text(error.rstrip() + "\n", encoding="utf-8")
    return target


def _move(path: Path, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for target in _candidates(folder, path.name):
        try:
            # link + unlink never overwrites (os.replace would); same filesystem as the drop
            os.link(path, target)
        except FileExistsError:
            continue
        except OSError:
            if target.exists():
                continue
            os.replace(path, target)  # no hard links here (some network filesystems)
            return target
        path.unlink()
        return target
    raise AssertionError("unreachable")


def _candidates(folder: Path, name: str) -> Iterator[Path]:
    yield folder / name
    stem, dot, suffix = name.partition(".")
    n = 1
    while True:
        yield folder / (f"{stem}.{n}{dot}{suffix}" if dot else f"{name}.{n}")
        n += 1


class FolderSource:
    """A drop folder: the ready files, oldest first; after the commit each is moved to the
    processed folder, or to the failed folder with its error beside it."""

    def __init__(self, feed: FeedConfig, context: FetchContext) -> None:
        self.feed = feed
        self.context = context
        self.folder, self.processed, self.failed = feed.folders()

    def fetch(self, position: Position) -> Batch:
        if not self.folder.is_dir():
            raise FeedError(self.feed.name, f"drop folder {self.folder} does not exist")
        try:
            files = ready_files(self.folder, time.time())
        except OSError as e:
            raise FeedError(self.feed.name, f"cannot list {self.folder}: {e.strerror or e}") from e
        batch = Batch(unchanged=None if files else "no files", extra={"files": len(files)})
        batch.documents = self._read(files, batch)
        return batch

    def _read(self, files: list[DropFile], batch: Batch) -> Iterator[Fetched]:
        for index, file in enumerate(files):
            if time.monotonic() > self.context.deadline:  # the rest waits for the next poll
                batch.extra["files_left"] = len(files) - index
                return
            try:
                document = read_file(file, self.context.now)
            except OSError as e:  # unreadable: set aside like a document that does not parse
                yield Fetched(Document(str(file.path), b""), receipt=file,
                              error=f"{file.path}: cannot read: {e.strerror or e}")
                continue
            if document is not None:  # else still being written: next poll
                yield Fetched(document, receipt=file)

    def acknowledge(self, fetched: Fetched, error: str | None) -> None:
        file: DropFile = fetched.receipt
        try:
            if error is None:
                move_processed(file, self.processed)
            else:
                move_failed(file, self.failed, error)
        except OSError as e:
            raise FeedError(self.feed.name, f"cannot move {file.path} out of the drop folder: "
                                            f"{e.strerror or e}") from e

    def close(self) -> None:
        pass


def open_source(feed: FeedConfig, context: FetchContext) -> FolderSource:
    return FolderSource(feed, context)

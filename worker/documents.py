"""What one document's ingest is given and gives back, and what its failure means.

Apart from `worker.pipeline` (which parses and stores) so that a caller can hold options,
results and the failure rule without importing the parsers, normalizing and near-duplicate
detection: `wire ingest` imports those with the first document that has something new
(`worker.ingest`), so a folder whose files are all stored costs their fingerprints and little
start-up.

`one_document` is the one place that decides what a failure of one document means: whatever
its kind (unreadable, a parser bug, a value the store refused, an OS error), it is that
document's failure, reported with its name, and the next document goes in. Only the store
being unreachable propagates, since no other document could be stored either.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timezone, tzinfo
from typing import TYPE_CHECKING

from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError

from worker.errors import WireError
from worker.merge import Change
from worker.model import IngestCounts, Story, VersionKey
from worker.parse import MAX_DOCUMENT_BYTES

if TYPE_CHECKING:  # the configuration (pydantic) is not imported to store stories
    from worker.alerts.rule_config import AlertRule

log = logging.getLogger(__name__)

#: store errors that mean the store cannot be reached at all: they stop a poll or a command
#: instead of failing one document (SQLAlchemy's OperationalError also covers a refused
#: connection; a value the store refuses is a DataError or an IntegrityError)
STORE_UNREACHABLE = (OperationalError, InterfaceError, DisconnectionError)


@dataclass(frozen=True)
class ParseOptions:
    format: str = "auto"
    provider: str | None = None
    default_tz: tzinfo = timezone.utc
    max_bytes: int = MAX_DOCUMENT_BYTES
    #: the alert rules each version that becomes current is held against (SPEC "Alerts")
    alert_rules: tuple[AlertRule, ...] = ()


@dataclass(frozen=True)
class StoryChange:
    """What one version did to the store: it became current (alerts fire on these)."""

    story_id: int
    cluster_id: int
    change: Change  # NEW or UPDATED
    story: Story
    joined_cluster: bool = False


@dataclass
class IngestResult:
    counts: IngestCounts = field(default_factory=IngestCounts)
    #: the items that could not be read, each naming its document and item
    problems: list[str] = field(default_factory=list)
    changes: list[StoryChange] = field(default_factory=list)
    #: the rules that fired a new alert, recorded in the same transaction (to deliver after it)
    alerts: list[str] = field(default_factory=list)
    #: (story_id, version key as stored) of each story given, in the order given
    stored: list[tuple[int, VersionKey]] = field(default_factory=list)


@dataclass
class DocumentOutcome:
    """How one document went: stored (`result`), or failed as a whole (`error`)."""

    document: str
    result: IngestResult = field(default_factory=IngestResult)
    error: str | None = None
    #: every item of it was known already: not parsed, nothing stored (a poll's pre-scan)
    known: bool = False
    items: int = 0

    @property
    def failed(self) -> bool:
        return self.error is not None


@contextmanager
def one_document(name: str, **log_keys: object) -> Iterator[DocumentOutcome]:
    """Contain the failure of one document: whatever it raises becomes `outcome.error`.

    A WireError (unreadable, unsafe, too large) is expected and said in one line; anything
    else is a bug or a value the store refused, logged with its traceback and kept with the
    document as "unexpected". Both leave the store as it was (the transaction rolled back).
    The store being unreachable propagates: no other document could be stored either.
    """
    outcome = DocumentOutcome(name)
    try:
        yield outcome
    except STORE_UNREACHABLE:
        raise
    except WireError as e:
        outcome.error = str(e)
        log.warning("document_failed", extra={"document": name, "error": outcome.error,
                                              **log_keys})
    except Exception as e:
        outcome.error = f"{name}: unexpected {type(e).__name__}: {e}"
        log.exception("document_failed", extra={"document": name, "error": outcome.error,
                                                "unexpected": True, **log_keys})

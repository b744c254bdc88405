"""The one loop over a document's items: each item read on its own, a bad one reported.

Every format module reads its items through `read_items`. An `ItemError` raised while reading
one (data the format module finds wrong: `no guid`) is that item's problem, naming the document
and the item; the other items still come out. Anything else is a bug in a reader: it is logged
with its traceback and kept as an unexpected problem of that item, so it is loud without
hiding the rest of the wire from the newsroom.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import TypeVar

from worker.errors import ItemError
from worker.model import ItemData

log = logging.getLogger(__name__)
Raw = TypeVar("Raw")


def read_items(
    document: str,
    raw_items: Iterable[Raw],
    read: Callable[[Raw, int], ItemData | str],
    ref: Callable[[Raw, int], str],
) -> tuple[list[ItemData], list[ItemError], list[str]]:
    """(items, problems, skipped) of a document: `read(raw, position)` returns the item, or a
    string saying why it is skipped on purpose (a picture without text)."""
    items: list[ItemData] = []
    problems: list[ItemError] = []
    skipped: list[str] = []
    for position, raw in enumerate(raw_items, start=1):
        try:
            item = read(raw, position)
        except ItemError as e:
            problems.append(e.about(document, _safe_ref(ref, raw, position)))
            continue
        except Exception as e:
            where = _safe_ref(ref, raw, position)
            log.exception("item_reader_failed", extra={"document": document, "item": where})
            problems.append(ItemError(f"unexpected {type(e).__name__}: {e}", document, where))
            continue
        if isinstance(item, str):
            skipped.append(f"{_safe_ref(ref, raw, position)}: {item}")
        else:
            items.append(item)
    return items, problems, skipped


def _safe_ref(ref: Callable[[Raw, int], str], raw: Raw, position: int) -> str:
    try:
        return ref(raw, position)
    except Exception:  # noqa: BLE001 - an item too broken to name is named by its position
        return f"item {position}"

"""Parser goldens: `tests/data/<format>/<name>.<ext>` beside `<name>.<ext>.expected.jsonl`.

The expected file holds the exact `wire parse` output for the document, one story per line, with
the received time fixed at RECEIVED_AT (used only by items without a timestamp). Regenerate with
`python scripts/regen_goldens.py [paths]` and review the diff.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

from worker.model import Document
from worker.pipeline import ParseOptions, parse_stories

DATA = Path(__file__).resolve().parent / "data"
SUFFIX = ".expected.jsonl"
RECEIVED_AT = datetime(2000, 1, 1, tzinfo=timezone.utc)


def golden_documents(root: Path = DATA) -> list[Path]:
    """Every fixture document that has (or should have) an expected file."""
    return sorted(
        p for p in root.rglob("*")
        if p.is_file() and not p.name.endswith(SUFFIX) and not p.name.startswith(".")
        and p.name != "README.md"
    )


def render(path: Path) -> str:
    """The `wire parse` output for one fixture, as the expected file holds it."""
    document = Document(name=path.relative_to(DATA).as_posix(), content=path.read_bytes())
    stories, problems = parse_stories(document, ParseOptions(), RECEIVED_AT)
    lines = [json.dumps(s.as_json(), ensure_ascii=False, sort_keys=False) for s in stories]
    lines += [json.dumps({"problem": str(p)}, ensure_ascii=False) for p in problems]
    return "".join(line + "\n" for line in lines)


def expected_path(path: Path) -> Path:
    return path.with_name(path.name + SUFFIX)

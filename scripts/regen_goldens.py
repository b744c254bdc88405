"""Rewrite the expected `wire parse` output of parser goldens; review the diff before committing.

Usage: python scripts/regen_goldens.py [PATH ...]   (files or folders under tests/data; default all)
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.goldens import DATA, expected_path, golden_documents, render  # noqa: E402


def main(args: list[str]) -> int:
    targets = [Path(a).resolve() for a in args] or [DATA]
    paths: list[Path] = []
    for target in targets:
        paths += golden_documents(target) if target.is_dir() else [target]
    for path in paths:
        out = expected_path(path)
        new = render(path)
        old = out.read_text() if out.exists() else None
        if new != old:
            out.write_text(new)
            print(f"{'updated' if old is not None else 'created'} {out.relative_to(DATA.parent.parent)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

"""Write worker/store/compiled_reads.py: the SQLite SQL of `wire stories` and `wire versions`,
compiled from worker/store/reads.py (run after changing those statements or the story tables;
tests/test_startup.py fails until it is run).

Usage: python scripts/compile_reads.py
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from worker.store import compiled_reads
from worker.store.db import HEAD_REVISION
from worker.store.reads import compiled_reads as source


def main() -> int:
    path = Path(compiled_reads.__file__)
    new = source(HEAD_REVISION)
    if path.read_text() != new:
        path.write_text(new)
        print(f"updated {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""`python -m bench --quick` runs end to end and writes its figures (no timing is asserted here:
a benchmark is not a timed unit test; the figures are read by people, see docs/performance.md)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO


def test_quick_benchmark_writes_every_figure_with_its_baseline(tmp_path: Path) -> None:
    out = tmp_path / "latest.json"
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--no-pg", "--out", str(out)],
        cwd=REPO, capture_output=True, text=True, timeout=420, check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    results = json.loads(out.read_text())
    summary = results["summary"]
    for fmt in ("rss", "newsml"):
        modes = summary["unchanged"][fmt]
        assert set(modes) == {"304", "200_same_body", "200_same_items"}
        assert all(m["cpu_ms"] > 0 and m["baseline_ms"] > 0 for m in modes.values())
        outcomes = results["unchanged"][fmt]["product"]
        assert set(outcomes["304"]["outcomes"]) == {"not_modified"}
        assert set(outcomes["200_same_body"]["outcomes"]) == {"unchanged"}
        assert set(outcomes["200_same_items"]["outcomes"]) == {"unchanged"}
    for key in ("sqlite/rss", "sqlite/newsml"):
        new = summary["new_items"][key]
        assert new["items_per_core_s"] > 0 and new["baseline_items_per_core_s"] > 0
        assert set(results["new_items"][key]["product"]["outcomes"]) == {"ok"}
    indexed = results["new_items_indexed"]
    assert set(indexed["outcomes"]) == {"ok"} and indexed["items_per_core_s"] > 0
    assert summary["new_items_indexed"]["indexed_stories"] == results["sizes"]["indexed_stories"]
    assert results["machine"]["speed_ms"] > 0
    assert summary["steady"]["product"]["share_at_1000_per_min_pct"] > 0
    assert summary["memory"]["product"]["stories"] > 0
    assert set(summary["targets"]) >= {"unchanged_poll_le_3ms_sqlite",
                                       "new_items_ge_2000_per_core_sqlite",
                                       "share_at_1000_feeds_lt_15pct", "worker_memory_flat"}
    assert summary["startup"]["wire --help"] > 0 and summary["startup"]["wire stories"] > 0
    peers = results["peers"]  # each stored every item once (bench.processes checks the counts)
    assert set(peers["ms_per_item"]) == {"wire ingest", "wire ingest, no full-text search",
                                         "reader", "reader, with its search", "naive"}
    assert all(v["new"] > 0 and v["again"] > 0 for v in peers["ms_per_item"].values())
    assert set(summary["targets"]) >= {"wire_help_lt_0.15s", "wire_stories_lt_0.25s",
                                       "ingest_new_ge_4x_naive", "ingest_new_ge_3x_reader"}
    table = out.with_suffix(".txt").read_text()
    assert "CPU per unchanged poll" in table and "feed files into SQLite" in table
    assert "without its full-text search it would be" in table

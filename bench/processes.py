"""Whole processes, as a user runs them: `wire`'s start-up, and `wire ingest` of feed files
beside lemon24/reader and a naive script ingesting the same files.

CPU is the child's own (user + system, from the kernel's accounting of the processes this one
waited for: `RUSAGE_CHILDREN`), start-up included. Each run gets a store of its own, created
first and not counted (`wire migrate`; reader's and the naive script's databases alike):
creating a schema is installation, not ingest. The three are run in turn, their order rotated
each round; a figure is the median of the rounds.

reader is installed in its own virtualenv under bench/.peers/ (git-ignored) from PyPI, with
`sgmllib3k`, which its vendored feedparser imports and feedparser 6.0.14 no longer installs.
"""

from __future__ import annotations

import contextlib
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
PEERS = BENCH / ".peers"
READER_REQUIREMENTS = ("reader>=3.20", "sgmllib3k>=1.0")


def measured(argv: list[str], cwd: Path, env: dict[str, str] | None = None) -> tuple[float, str]:
    """(CPU seconds of the process, its stdout); raises with its stderr when it fails."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=900,
                          check=False)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv[:3])}...: exit {done.returncode}: {done.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, done.stdout


def wire_argv() -> list[str]:
    """`wire` as installed beside this Python (the console script a user types)."""
    script = Path(sys.executable).with_name("wire")
    return [str(script)] if script.exists() else [sys.executable, "-m", "worker"]


def wire_env(db: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WIRE_")}
    env["WIRE_DATABASE_URL"] = f"sqlite:///{db}"
    return env


def ensure_reader() -> tuple[str, str]:
    """(python of reader's virtualenv, reader's version); made on first use."""
    venv = PEERS / "reader"
    python = venv / "bin" / "python"
    probe = [str(python), "-c", "import reader, sgmllib; print(reader.__version__)"]
    if python.exists():
        found = subprocess.run(probe, capture_output=True, text=True, check=False)
        if found.returncode == 0:
            return str(python), found.stdout.strip()
    PEERS.mkdir(exist_ok=True)
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)
    subprocess.run([str(python), "-m", "pip", "install", "-q", *READER_REQUIREMENTS],
                   check=True)
    return str(python), subprocess.run(probe, capture_output=True, text=True,
                                       check=True).stdout.strip()


# -- start-up ----------------------------------------------------------------------------------


def startup(tmp: str, runs: int) -> dict[str, Any]:
    """Best-of-`runs` CPU of `wire --help` and of `wire stories` on a small store (one
    100-item document), and of the bare interpreter for reference."""
    from bench import feeds

    work = Path(tmp) / f"startup-{uuid.uuid4().hex[:6]}"
    work.mkdir()
    doc = work / "feed.xml"
    doc.write_bytes(feeds.document("rss", 8000, 0))
    env = wire_env(work / "wire.db")
    measured([*wire_argv(), "ingest", str(doc)], work, env)
    commands = {"python -c pass": [sys.executable, "-c", "pass"],
                "wire --help": [*wire_argv(), "--help"],
                "wire stories": [*wire_argv(), "stories"]}
    best = {name: min(measured(argv, work, env)[0] for _ in range(runs))
            for name, argv in commands.items()}
    shutil.rmtree(work, ignore_errors=True)
    return {"cpu_s_best": {k: round(v, 3) for k, v in best.items()}, "runs": runs}


# -- file ingest beside the peers --------------------------------------------------------------


def _contestants(folder: Path, files: list[str], reader_python: str
                 ) -> dict[str, dict[str, Any]]:
    """How each one prepares a store, ingests the files into it, and says how many it stored."""
    naive = [sys.executable, "-m", "bench.naive_files"]
    peer = [reader_python, str(BENCH / "peer_reader.py")]

    def reader(*flags: str) -> dict[str, Any]:
        return {
            "prepare": lambda store: [*peer, *flags, str(store / "reader.sqlite"), str(folder)],
            "run": lambda store: [*peer, *flags, str(store / "reader.sqlite"), str(folder),
                                  *files],
            "env": lambda store: None,
            "count": lambda out: json.loads(out.splitlines()[-1]),
        }

    wire = {
        "prepare": lambda store: [*wire_argv(), "migrate"],
        "run": lambda store: [*wire_argv(), "ingest", str(folder)],
        "env": lambda store: wire_env(store / "wire.db"),
        "count": lambda out: json.loads(out.splitlines()[-1]),
    }
    return {
        "wire ingest": wire,
        # what the product's full-text index (FTS5, kept by triggers) costs of a new item
        NO_SEARCH: {**wire, "after": lambda store: _drop_search(store / "wire.db")},
        "reader": reader(),
        # reader with its full-text search, which wire ingest always keeps
        READER_SEARCH: reader("--search"),
        "naive": {
            "prepare": lambda store: [*naive, str(store / "naive.sqlite")],
            "run": lambda store: [*naive, str(store / "naive.sqlite"),
                                  *(str(folder / f) for f in files)],
            "env": lambda store: {**os.environ, "PYTHONPATH": str(BENCH.parent)},
            "count": lambda out: json.loads(out.splitlines()[-1]),
        },
    }


#: `wire ingest` into a store without its full-text search triggers (bench only)
NO_SEARCH = "wire ingest, no full-text search"
#: reader with its full-text search enabled and updated
READER_SEARCH = "reader, with its search"


def _drop_search(db: Path) -> None:
    import sqlite3

    with contextlib.closing(sqlite3.connect(db)) as conn:
        names = [row[0] for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'stories_search_%'")]
        if not names:
            raise RuntimeError("no full-text search triggers in the store: update the bench")
        for name in names:
            conn.execute(f"DROP TRIGGER {name}")
        conn.commit()


def ingest_files(docs: int, rounds: int, tmp: str) -> dict[str, Any]:
    """CPU per item of each contestant storing `docs` new 100-item RSS files, then the same
    files again; whole processes."""
    from bench import feeds

    reader_python, reader_version = ensure_reader()
    folder = Path(tmp) / f"peer-docs-{uuid.uuid4().hex[:6]}"
    folder.mkdir()
    files = []
    for i in range(docs):
        files.append(f"feed-{i:03}.xml")
        (folder / files[-1]).write_bytes(feeds.document("rss", 8100 + i, 0))
    items = docs * feeds.ITEMS
    contestants = _contestants(folder, files, reader_python)
    names = list(contestants)
    samples: dict[str, dict[str, list[float]]] = {n: {"new": [], "again": []} for n in names}
    stored: dict[str, Any] = {}
    for r in range(rounds):
        for name in names[r % len(names):] + names[:r % len(names)]:
            c = contestants[name]
            store = Path(tmp) / f"peer-{name.split()[0]}-{uuid.uuid4().hex[:6]}"
            store.mkdir()
            measured(c["prepare"](store), BENCH.parent, c["env"](store))
            if "after" in c:
                c["after"](store)
            for phase in ("new", "again"):
                cpu, out = measured(c["run"](store), BENCH.parent, c["env"](store))
                samples[name][phase].append(cpu / items)
                stored[f"{name}/{phase}"] = c["count"](out)
            shutil.rmtree(store, ignore_errors=True)
    shutil.rmtree(folder, ignore_errors=True)
    _check(stored, items)
    return {
        "items": items, "documents": docs, "rounds": rounds, "reader_version": reader_version,
        "ms_per_item": {n: {p: round(statistics.median(v) * 1000, 4) for p, v in s.items()}
                        for n, s in samples.items()},
        "samples_ms": {n: {p: [round(x * 1000, 4) for x in v] for p, v in s.items()}
                       for n, s in samples.items()},
        "stored": stored,
        "loadavg": list(os.getloadavg()),
    }


def _check(stored: dict[str, Any], items: int) -> None:
    """Each stored every item the first time and nothing new the second."""
    expect = {"wire ingest/new": ("new", items), "wire ingest/again": ("unchanged", items),
              f"{NO_SEARCH}/new": ("new", items), f"{NO_SEARCH}/again": ("unchanged", items),
              "reader/new": ("entries", items), "reader/again": ("entries", items),
              f"{READER_SEARCH}/new": ("entries", items),
              f"{READER_SEARCH}/again": ("entries", items),
              "naive/new": ("new", items), "naive/again": ("unchanged", items)}
    for key, (field, n) in expect.items():
        if stored[key].get(field) != n:
            raise RuntimeError(f"{key}: expected {field} = {n}, got {stored[key]}")

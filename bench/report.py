"""The benchmark's figures as a summary (ratios, targets) and a short text table.

Targets (issue "Speed", 2 cores, as ratios in one run):
- an unchanged poll (304, and 200 with an unchanged body) costs at most 3 ms of CPU end to end,
  at least 20x less than the baseline's;
- new items: at least 2,000 items/s per core end to end into SQLite, at least 4x the baseline;
- 1,000 feeds polled every 60 s use under 15 % of the machine;
- worker memory stays flat as the store grows;
- start-up: `wire --help` under 0.15 s of CPU, `wire stories` on a small store under 0.25 s;
- new items into PostgreSQL: at least 1,500 items/s per core, the server's CPU included;
- `wire ingest` of new items from files (a whole process, start-up included): at least 4x the
  naive script and 3x lemon24/reader ingesting the same files (`bench.processes`).

"CPU end to end" is the poll task run in-process (`task.apply()`); the broker's share per task is
not in it, and "with broker" adds the ~0.77 ms per task that docs/design.md "Libraries and costs" records (Redis).
"""

from __future__ import annotations

import os
from typing import Any

from bench.processes import NO_SEARCH, READER_SEARCH
from bench.product import BROKER_MS_PER_TASK

UNCHANGED_MS = 3.0
UNCHANGED_RATIO = 20.0
NEW_PER_CORE = 2000.0
NEW_RATIO = 4.0
SHARE_AT_1000 = 15.0
FEEDS_PER_MINUTE = 1000
HELP_S = 0.15
STORIES_S = 0.25
PG_PER_CORE = 1500.0
PEER_RATIOS = {"naive": 4.0, "reader": 3.0}
#: stage names of the stage clock, in the order a poll runs them
STAGES = ("lease", "fetch", "decode", "prescan", "known", "parse", "normalize", "store", "dedupe",
          "pipeline", "outcome", "log lines", "task, claim and the rest")


def _ratio(a: float, b: float) -> float:
    return round(a / b, 1) if b else float("inf")


def _memory(series: list[list[float]] | list[tuple[int, float]]) -> dict[str, Any]:
    """RSS at the start, middle and end of a growing store; growth over the second half."""
    points = [(int(n), float(mb)) for n, mb in series]
    first, mid, last = points[0], points[len(points) // 2], points[-1]
    per_10k = (last[1] - mid[1]) / max(1, last[0] - mid[0]) * 10_000
    return {"stories": last[0], "rss_mb_start": first[1], "rss_mb_mid": mid[1],
            "rss_mb_end": last[1], "growth_mb_per_10k_stories_second_half": round(per_10k, 1)}


def summary(r: dict[str, Any]) -> dict[str, Any]:
    cores = r["machine"]["cores"] or os.cpu_count() or 1
    s: dict[str, Any] = {"targets": {}}
    unchanged = {}
    for fmt, v in r.get("unchanged", {}).items():
        base = v["baseline"]["cpu_ms"]
        unchanged[fmt] = {}
        for mode, p in v["product"].items():
            ms = round(p["cpu_ms"] + p["db_cpu_ms"], 3)  # the database server's share on PostgreSQL
            unchanged[fmt][mode] = {"cpu_ms": ms,
                                    "cpu_ms_with_broker": round(ms + BROKER_MS_PER_TASK, 3),
                                    "baseline_ms": base, "ratio": _ratio(base, ms)}
    s["unchanged"] = unchanged
    for store, keys in (("sqlite", ("rss", "newsml")), ("postgresql", ("rss/pg",))):
        worst = [m for f in keys for k, m in unchanged.get(f, {}).items()
                 if k in ("304", "200_same_body")]
        if worst:
            s["targets"][f"unchanged_poll_le_3ms_{store}"] = all(
                m["cpu_ms"] <= UNCHANGED_MS for m in worst)
            s["targets"][f"unchanged_poll_ge_20x_{store}"] = all(
                m["ratio"] >= UNCHANGED_RATIO for m in worst)

    new = {}
    for key, v in r.get("new_items", {}).items():
        p, b = v["product"], v["baseline"]
        new[key] = {"items_per_core_s": p["items_per_core_s"],
                    "baseline_items_per_core_s": b["items_per_core_s"],
                    "ratio": _ratio(p["items_per_core_s"], b["items_per_core_s"]),
                    "worker_ms_per_item": p["cpu_ms_per_item"],
                    "database_ms_per_item": p["db_cpu_ms_per_item"],
                    "stage_ms_per_item": p["stage_ms_per_item"]}
        if key.startswith("sqlite/"):  # all of the work is in the worker: stages add up
            without = p["cpu_ms_per_item"] - p["stage_ms_per_item"].get("dedupe", 0.0)
            new[key]["items_per_core_s_without_dedupe"] = round(1000 / without, 1)
    s["new_items"] = new
    if "new_items_indexed" in r:
        p = r["new_items_indexed"]
        s["new_items_indexed"] = {"indexed_stories": r["sizes"]["indexed_stories"],
                                  "items_per_core_s": p["items_per_core_s"],
                                  "stage_ms_per_item": p["stage_ms_per_item"]}
    pg = [m for k, m in new.items() if k.startswith("postgresql/")]
    if pg:
        s["targets"]["new_items_ge_1500_per_core_postgresql"] = all(
            m["items_per_core_s"] >= PG_PER_CORE for m in pg)
    sqlite = [m for k, m in new.items() if k.startswith("sqlite/")]
    if sqlite:
        s["targets"]["new_items_ge_2000_per_core_sqlite"] = all(
            m["items_per_core_s"] >= NEW_PER_CORE for m in sqlite)
        s["targets"]["new_items_ge_4x_sqlite"] = all(m["ratio"] >= NEW_RATIO for m in sqlite)

    if "startup" in r:
        best = r["startup"]["cpu_s_best"]
        s["startup"] = best
        s["targets"]["wire_help_lt_0.15s"] = best["wire --help"] < HELP_S
        s["targets"]["wire_stories_lt_0.25s"] = best["wire stories"] < STORIES_S

    if "features" in r:
        s["features"] = {k: r["features"][k] for k in ("ms_per_item", "feature_ms_per_item")}

    if "peers" in r:
        ms = r["peers"]["ms_per_item"]
        wire = ms["wire ingest"]["new"]
        s["peers"] = {"ms_per_item": ms, "items": r["peers"]["items"],
                      "reader_version": r["peers"]["reader_version"],
                      "ratio_new": {p: _ratio(ms[p]["new"], wire) for p in PEER_RATIOS},
                      "ratio_again": {p: _ratio(ms[p]["again"], ms["wire ingest"]["again"])
                                      for p in PEER_RATIOS}}
        for peer, target in PEER_RATIOS.items():
            s["targets"][f"ingest_new_ge_{target:g}x_{peer}"] = (
                s["peers"]["ratio_new"][peer] >= target)

    if "steady" in r:
        p, b = r["steady"]["product"], r["steady"]["baseline"]
        rate = FEEDS_PER_MINUTE / 60

        def fleet(ms: float) -> dict[str, float]:
            return {"cpu_ms_per_poll": ms,
                    "polls_per_s_machine": round(cores * 1000 / ms, 1),
                    "share_at_1000_per_min_pct": round(rate * ms / 1000 / cores * 100, 2)}

        s["steady"] = {"product": fleet(p["cpu_ms_per_poll"]),
                       "product_with_broker": fleet(p["cpu_ms_per_poll"] + BROKER_MS_PER_TASK),
                       "baseline": fleet(b["cpu_ms_per_poll"]),
                       "ratio": _ratio(b["cpu_ms_per_poll"], p["cpu_ms_per_poll"]),
                       "changed_share": p["changed_share"], "feeds": p["feeds"]}
        if "all_changed" in r["steady"] and "rss" in r.get("unchanged", {}):
            # the machine share at 1,000 feeds/min as a function of the share of changed polls:
            # unchanged polls cost the 304 figure, changed ones what a poll with 3 new and 2
            # updated items of 100 costs (measured with every feed changed)
            quiet = r["unchanged"]["rss"]["product"]["304"]["cpu_ms"] + BROKER_MS_PER_TASK
            busy = r["steady"]["all_changed"]["cpu_ms_per_poll"] + BROKER_MS_PER_TASK
            s["steady"]["changed_poll_cpu_ms"] = round(busy, 3)
            s["steady"]["share_pct_by_changed_share"] = {
                f"{p:.0%}": round(rate * ((1 - p) * quiet + p * busy) / 1000 / cores * 100, 2)
                for p in (0.0, 0.05, 0.2, 0.5, 1.0)}
        s["targets"]["share_at_1000_feeds_lt_15pct"] = (
            s["steady"]["product_with_broker"]["share_at_1000_per_min_pct"] < SHARE_AT_1000)

    if "sustained" in r:
        su = r["sustained"]
        s["sustained"] = {k: su[k] for k in ("store", "feeds", "processes", "polls_per_s")}
        s["sustained"]["worker_cpu_ms_per_poll"] = round(
            sum(w["cpu_seconds"] for w in su["workers"]) / su["polls"] * 1000, 3)
        s["sustained"]["feeds_at_60s_interval"] = round(su["polls_per_s"] * 60)

    mem = r.get("new_items", {}).get("sqlite/rss")
    if mem:
        s["memory"] = {"product": _memory(mem["product"]["rss_mb_by_stories"]),
                       "baseline": _memory(mem["baseline"]["rss_mb_by_stories"]),
                       "product_peak_rss_mb": mem["product"]["peak_rss_mb"],
                       "baseline_peak_rss_mb": mem["baseline"]["peak_rss_mb"]}
        growth = s["memory"]["product"]["growth_mb_per_10k_stories_second_half"]
        # a few hundred stories say nothing about growth (start-up allocations dominate)
        enough = s["memory"]["product"]["stories"] >= 5000
        s["targets"]["worker_memory_flat"] = growth <= 5.0 if enough else None

    d = r.get("dedupe")
    if d and "rows" in d:
        s["dedupe"] = {"ms_mean_by_size": [
            {k: row.get(k) for k in ("indexed_stories", "per_tx", "ms_mean", "ms_p99",
                                     "client_cpu_ms_mean", "server_cpu_ms_mean", "index_mb")}
            for row in d["rows"]], "extrapolation": d["extrapolation"]}
    elif d:
        s["dedupe"] = d
    return s


def table(r: dict[str, Any]) -> str:
    s = r["summary"]
    m = r["machine"]
    lines = [f"wire-ingest benchmark: {r['command']}  ({r['when']}, {r['seconds']} s)",
             f"machine: {m['cpu']}, {m['cores']} cores, {m['ram_gb']} GB, Python {m['python']}"
             + (f"; speed check {m['speed_ms']} ms (a fixed Python loop: lower is faster)"
                if "speed_ms" in m else ""),
             *([f"load average at the start {m['loadavg']}, at the end {r['loadavg_end']}"]
               if "loadavg" in m and "loadavg_end" in r else []),
             *(["", f"start-up, CPU s of the whole process (best of {r['startup']['runs']}): "
                + ", ".join(f"{k} {v:.3f}" for k, v in s["startup"].items())
                + f"  (targets: wire --help < {HELP_S}, wire stories < {STORIES_S})"]
               if "startup" in s else []),
             "", ("CPU per unchanged poll (ms; product = the real poll task in-process; store SQLite,"
                 " /pg = PostgreSQL with its server's CPU)")]
    lines.append(f"  {'format':8} {'how':16} {'product':>9} {'+broker':>9} {'baseline':>9} "
                 f"{'ratio':>7}")
    for fmt, modes in s.get("unchanged", {}).items():
        for mode, v in modes.items():
            lines.append(f"  {fmt:8} {mode:16} {v['cpu_ms']:9.2f} {v['cpu_ms_with_broker']:9.2f} "
                         f"{v['baseline_ms']:9.1f} {v['ratio']:6.1f}x")
    lines += ["", "new items end to end (items/s per core; parse, sanitize, hash, dedup, store)"]
    for key, v in s.get("new_items", {}).items():
        st = v["stage_ms_per_item"]
        stages = ", ".join(f"{k} {st[k]:.3f}" for k in STAGES if k in st)
        lines.append(f"  {key:18} product {v['items_per_core_s']:6.0f}  baseline "
                     f"{v['baseline_items_per_core_s']:5.0f}  ratio {v['ratio']:4.1f}x")
        if "items_per_core_s_without_dedupe" in v:
            lines.append(f"  {'':18} without the near-dup stage: "
                         f"{v['items_per_core_s_without_dedupe']:.0f} items/s per core")
        else:
            lines.append(f"  {'':18} per item: worker {v['worker_ms_per_item']:.3f} ms + "
                         f"database server {v['database_ms_per_item']:.3f} ms")
        lines.append(f"  {'':18} worker ms/item: {stages}")
    if "new_items_indexed" in s:
        v = s["new_items_indexed"]
        st = v["stage_ms_per_item"]
        stages = ", ".join(f"{k} {st[k]:.3f}" for k in STAGES if k in st)
        lines.append(f"  {'sqlite/rss':18} with {v['indexed_stories']:,} stories already in the "
                     f"near-dup index: {v['items_per_core_s']:.0f} items/s per core")
        lines.append(f"  {'':18} worker ms/item: {stages}")
    if "features" in s:
        f = s["features"]
        lines += ["", (f"what each feature costs per new item on PostgreSQL (store_stories of "
                       f"{r['features']['items']:,} parsed items per variant, median of "
                       f"{r['features']['rounds']}; ms of CPU, worker + server)")]
        for name, v in f["ms_per_item"].items():
            lines.append(f"  {name:34} worker {v['worker']:.3f} + server {v['server']:.3f} = "
                         f"{v['total']:.3f}")
        lines.append("  so: " + ", ".join(f"{k} {v:.3f} ms" for k, v in
                                          f["feature_ms_per_item"].items()))
        pg = s.get("new_items", {}).get("postgresql/rss")
        if pg:  # what the 1,500/s target leaves a new item, against what it costs end to end
            whole = pg["worker_ms_per_item"] + pg["database_ms_per_item"]
            cut = f["feature_ms_per_item"]
            lines.append(
                f"  {PG_PER_CORE:,.0f} new items/s per core leaves {1000 / PG_PER_CORE:.3f} ms "
                f"an item; end to end (postgresql/rss above) {whole:.3f}, without full-text "
                f"search {whole - cut['full-text search']:.3f}, without it and near-dup "
                f"{whole - cut['full-text search or near-dup']:.3f}")
    if "peers" in s:
        pe = s["peers"]
        lines += ["", (f"feed files into SQLite, whole processes, start-up included ({pe['items']:,} "
                       f"new items in RSS files, then the same files again; ms of CPU per item, "
                       f"median of {r['peers']['rounds']} rounds; reader {pe['reader_version']})")]
        for name, v in pe["ms_per_item"].items():
            lines.append(f"  {name:32} new {v['new']:7.3f}  again {v['again']:7.3f}")
        lines.append("  wire ingest is " + ", ".join(
            f"{pe['ratio_new'][p]:.1f}x {p} (target {t:g}x)" for p, t in PEER_RATIOS.items())
            + " on new items; again: " + ", ".join(
            f"{pe['ratio_again'][p]:.1f}x {p}" for p in PEER_RATIOS))
        bare = pe["ms_per_item"].get(NO_SEARCH)
        if bare:  # what the full-text index stands for in those ratios
            lines.append("  without its full-text search it would be " + ", ".join(
                f"{_ratio(pe['ms_per_item'][p]['new'], bare['new']):.1f}x {p}"
                for p in PEER_RATIOS) + " on new items")
        searching = pe["ms_per_item"].get(READER_SEARCH)
        if searching:  # both keeping a full-text index
            lines.append(f"  against reader with its search: "
                         f"{_ratio(searching['new'], pe['ms_per_item']['wire ingest']['new']):.1f}x "
                         "on new items")
    if "steady" in s:
        st = s["steady"]
        lines += ["", (f"steady state: {st['feeds']} feeds, {st['changed_share']:.0%} of them "
                      "changed since the last poll (RSS, SQLite)")]
        for name in ("product", "product_with_broker", "baseline"):
            v = st[name]
            lines.append(f"  {name:20} {v['cpu_ms_per_poll']:8.2f} ms/poll  "
                         f"{v['polls_per_s_machine']:8.1f} polls/s on the machine  "
                         f"{v['share_at_1000_per_min_pct']:6.2f} % at 1,000 feeds/min")
    if "share_pct_by_changed_share" in s.get("steady", {}):
        st = s["steady"]
        lines.append(f"  a changed poll (3 new + 2 updated items of 100) costs "
                     f"{st['changed_poll_cpu_ms']:.1f} ms with broker; machine share at 1,000 "
                     "feeds/min by share of changed polls: " + ", ".join(
                         f"{k} -> {v:.1f} %" for k, v in st["share_pct_by_changed_share"].items()))
    if "sustained" in s:
        su = s["sustained"]
        lines += ["", (f"sustained: {su['processes']} worker processes polling {su['feeds']} "
                      f"unchanged feeds (304) as fast as they can ({su['store']}, real poll task, "
                      "the HTTP and database servers on the same cores)"),
                  (f"  {su['polls_per_s']:.0f} polls/s on the machine = {su['feeds_at_60s_interval']:,} "
                  f"feeds at a 60 s interval; worker CPU {su['worker_cpu_ms_per_poll']:.2f} ms/poll")]
    if "memory" in s:
        mem = s["memory"]
        lines += ["", "worker RSS as the store grows (MB)"]
        for name in ("product", "baseline"):
            v = mem[name]
            lines.append(f"  {name:9} start {v['rss_mb_start']:6.1f}  middle {v['rss_mb_mid']:6.1f}"
                         f"  end {v['rss_mb_end']:6.1f} at {v['stories']:,} stories;  second half "
                         f"{v['growth_mb_per_10k_stories_second_half']:+.1f} MB per 10k stories")
    if "dedupe" in s:
        d = s["dedupe"]
        lines += ["", "near-duplicate assign_cluster per new story (PostgreSQL, ms mean)"]
        if "ms_mean_by_size" in d:
            for row in d["ms_mean_by_size"]:
                lines.append(f"  {row['indexed_stories']:>10,} indexed stories "
                             f"({row['index_mb']} MB), {row['per_tx'] or 1:>3} stories per "
                             f"transaction: {row['ms_mean']:.3f} ms mean, p99 {row['ms_p99']:.3f}")
            for name, e in d["extrapolation"].items():
                lines.append(f"  fit ({name}): {e['slope_ms_per_decade']} ms per tenfold growth"
                             f" -> {e['ms_mean']} ms at {e['target']:,} stories")
        else:
            lines.append(f"  {d}")
    verdict = {True: "PASS", False: "FAIL", None: "n/a in a quick run"}
    lines += ["", "targets: " + ", ".join(f"{k} {verdict[v]}" for k, v in s["targets"].items())]
    return "\n".join(lines)

"""The corpus store at scale: ingestion, re-sync, search and panel queries for N generated articles.

    python bench/bench_store.py [--sizes 1 100 1000 5000] [--repeat 40] [--out bench/results/store.json]

For each N: generate N articles (bench/gen_corpus.py, seed 1; not timed), ingest
them into an empty store with ``sync_folder`` (wall and CPU time with the worker processes, MB/s, CPU s
per MB relative to the smallest N), sync the same folder again (must ingest
nothing), then time in-process, server-side calls on the warm store:
``search`` for a common word ("ceasefire") and a rare one ("zeolite"), p50 and
p95 over ``--repeat`` runs each (first page of 20 with the total count); a
zone's first page of passages (``zone_passages``, Idlib); the place markers
(``place_counts``); and the database's size on disk.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.gen_corpus import generate
from components.ingest.places import default_place_index
from components.ingest.zonelink import default_zone_linker
from components.store import open_store
from components.store.ingest import sync_folder
from components.store.queries import place_counts, store_status, zone_passages
from components.store.search import search

COMMON, RARE = "ceasefire", "zeolite"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def cpu_s() -> float:
    """CPU seconds of this process and of its finished children (the bulk ingester's worker processes)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def timed(fn, repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return out


def measure(n: int, work: Path, repeat: int) -> dict:
    corpus = work / f"corpus-{n}"
    total_bytes = generate(n, corpus, seed=1)
    db = work / f"store-{n}.db"
    with open_store(db) as store:
        wall, cpu = time.perf_counter(), cpu_s()
        first = sync_folder(store, corpus)
        wall, cpu = time.perf_counter() - wall, cpu_s() - cpu
        assert first.count("added") == n, first.summary()
        again = time.perf_counter()
        second = sync_folder(store, corpus)
        again = time.perf_counter() - again
        assert second.count("unchanged") == n, second.summary()
        common = search(store, COMMON)
        rare = search(store, RARE)
        t_common = timed(lambda: search(store, COMMON), repeat)
        t_rare = timed(lambda: search(store, RARE), repeat)
        zone = zone_passages(store, "idlib", limit=20)
        t_zone = timed(lambda: zone_passages(store, "idlib", limit=20), repeat)
        t_places = timed(lambda: place_counts(store), max(5, repeat // 4))
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        status = store_status(store)
    mb = total_bytes / 1e6
    return {
        "documents": n, "mb": round(mb, 3), "ingest_wall_s": round(wall, 3), "ingest_cpu_s": round(cpu, 3),
        "mb_per_s": round(mb / wall, 3), "cpu_s_per_mb": round(cpu / mb, 3), "resync_s": round(again, 4),
        "resync_ingested": n - second.count("unchanged"),
        "search_common_hits": common.total, "search_common_p50_ms": round(statistics.median(t_common) * 1e3, 2),
        "search_common_p95_ms": round(percentile(t_common, 0.95) * 1e3, 2),
        "search_rare_hits": rare.total, "search_rare_p50_ms": round(statistics.median(t_rare) * 1e3, 2),
        "search_rare_p95_ms": round(percentile(t_rare, 0.95) * 1e3, 2),
        "zone_passages_total": zone.total, "zone_documents": zone.documents,
        "zone_first_page_p50_ms": round(statistics.median(t_zone) * 1e3, 2),
        "place_markers_p50_ms": round(statistics.median(t_places) * 1e3, 2),
        "passages": status.passages, "mentions": status.mentions, "db_mb": round(status.size_bytes / 1e6, 2),
    }


def table(rows: list[dict]) -> str:
    base = rows[0]["cpu_s_per_mb"]
    lines = [
        ("| documents (MB) | ingest s (MB/s) | CPU s/MB vs smallest | re-sync s (ingested) | search common p50/p95 ms (hits) "
         "| search rare p50/p95 ms (hits) | zone first page ms (total) | place markers ms | DB MB |"),
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['documents']:,} ({r['mb']:.2f}) | {r['ingest_wall_s']:.1f} ({r['mb_per_s']:.2f}) "
            f"| {r['cpu_s_per_mb'] / base:.2f}× | {r['resync_s']:.3f} ({r['resync_ingested']}) "
            f"| {r['search_common_p50_ms']:.1f} / {r['search_common_p95_ms']:.1f} ({r['search_common_hits']:,}) "
            f"| {r['search_rare_p50_ms']:.1f} / {r['search_rare_p95_ms']:.1f} ({r['search_rare_hits']:,}) "
            f"| {r['zone_first_page_p50_ms']:.1f} ({r['zone_passages_total']:,} in {r['zone_documents']:,} docs) "
            f"| {r['place_markers_p50_ms']:.1f} | {r['db_mb']:.1f} |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 100, 1000, 5000])
    parser.add_argument("--repeat", type=int, default=40)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "store.json")
    parser.add_argument("--keep", type=Path, help="keep the corpora and stores in this folder")
    args = parser.parse_args()
    default_place_index(), default_zone_linker()  # built once per process, as in the app; not timed
    work = args.keep or Path(tempfile.mkdtemp(prefix="atlas-bench-store-"))
    work.mkdir(parents=True, exist_ok=True)
    load = os.getloadavg()
    rows = []
    try:
        for n in args.sizes:
            rows.append(measure(n, work, args.repeat))
            print(json.dumps(rows[-1]), flush=True)
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    print(table(rows))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"rows": rows, "load_start": load, "load_end": os.getloadavg(),
                                    "python": platform.python_version(), "cpus": os.cpu_count()}, indent=2) + "\n")
    print(f"load average {load[0]:.2f} at start, {os.getloadavg()[0]:.2f} at end; wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

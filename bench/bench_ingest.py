"""Throughput of the ingestion pipeline on a synthetic corpus.

    python bench/bench_ingest.py [--sizes 1 2 4 5] [--out bench/results/ingest.json]

The corpus repeats the evaluation articles (tests/eval/*.txt) with light
variation (spelling variants swapped in, numbers and weekdays changed) into
documents of about 64 KB each until the requested size in MB (of UTF-8 text)
is reached. Gazetteer loading and index/zone compilation are timed
separately, once; each size is then ingested end to end (passages,
sentences, places, zones, facts, JSON-ready dicts) and the best of
``--repeat`` runs is reported. Results go to a table on stdout and to JSON
(bench/results/ is git-ignored).
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import platform
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from components.documents import Document, DocumentMeta
from components.gazetteer import load_gazetteer
from components.ingest import ingest_document
from components.ingest.places import default_place_index
from components.ingest.zonelink import default_zone_linker

EVAL_DIR = ROOT / "tests" / "eval"
DOC_BYTES = 64 * 1024
VARIANTS: tuple[tuple[str, str], ...] = (
    ("Deraa", "Daraa"), ("Idleb", "Idlib"), ("Douma", "Duma"), ("Talbiseh", "Talbisah"),
    ("Thursday", "Monday"), ("Sunday", "Friday"), ("84", "91"), ("400,000", "390,000"),
)


def eval_articles() -> list[str]:
    return [p.read_text(encoding="utf-8") for p in sorted(EVAL_DIR.glob("*.txt"))]


def varied(article: str, rng: random.Random) -> str:
    for old, new in VARIANTS:
        if rng.random() < 0.5:
            article = article.replace(old, new)
    return article


def synthetic_corpus(megabytes: float, seed: int = 2017) -> list[Document]:
    """Documents of about DOC_BYTES each, totalling ``megabytes`` MB of UTF-8 text."""
    rng = random.Random(seed)
    articles = eval_articles()
    target = int(megabytes * 1024 * 1024)
    docs: list[Document] = []
    total = 0
    while total < target:
        parts: list[str] = []
        size = 0
        while size < min(DOC_BYTES, target - total):
            part = varied(rng.choice(articles), rng)
            parts.append(part)
            size += len(part.encode("utf-8")) + 1
        text = "\n".join(parts)
        meta = DocumentMeta(title=f"synthetic {len(docs)}", published=dt.date(2017, 8, 6))
        docs.append(Document(id=f"synthetic-{len(docs):05d}", path=Path(f"synthetic-{len(docs):05d}.txt"), text=text, meta=meta))
        total += size
    return docs


def time_setup() -> dict[str, float]:
    start = time.perf_counter()
    load_gazetteer()
    gazetteer_s = time.perf_counter() - start
    start = time.perf_counter()
    default_place_index()
    index_s = time.perf_counter() - start
    start = time.perf_counter()
    default_zone_linker()
    zones_s = time.perf_counter() - start
    return {"gazetteer_load_s": gazetteer_s, "place_index_s": index_s, "zone_linker_s": zones_s}


def time_ingest(docs: list[Document], repeat: int) -> tuple[float, float, dict[str, int]]:
    """Best wall-clock and best CPU seconds over ``repeat`` runs, and what was found."""
    best = best_cpu = float("inf")
    counts: dict[str, int] = {}
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        results = [ingest_document(d, geocoder=None).as_dict() for d in docs]
        best = min(best, time.perf_counter() - start)
        best_cpu = min(best_cpu, time.process_time() - start_cpu)
        counts = {
            "documents": len(results),
            "passages": sum(len(r["passages"]) for r in results),
            "places": sum(len(p["places"]) for r in results for p in r["passages"]),
            "facts": sum(len(p["facts"]) for r in results for p in r["passages"]),
        }
    return best, best_cpu, counts


def load_average() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in __import__("os").getloadavg())
    except (AttributeError, OSError):
        return "n/a"


LINEAR_LIMIT = 1.25  # CPU seconds per MB at any size ≤ this × the smallest size's: "linear"


def measure(sizes: list[float], repeat: int) -> dict:
    """Setup times, one row per corpus size and the linearity (CPU s per MB relative to the first size)."""
    setup = time_setup()
    ingest_document(synthetic_corpus(0.05)[0])  # warm the token-fold cache like a running app
    rows = []
    for size in sizes:
        docs = synthetic_corpus(size)
        mb = sum(len(d.text.encode("utf-8")) for d in docs) / (1024 * 1024)
        seconds, cpu, counts = time_ingest(docs, repeat)
        rows.append({"size_mb": round(mb, 3), "seconds": round(seconds, 4), "mb_per_s": round(mb / seconds, 3),
                     "cpu_seconds": round(cpu, 4), "cpu_mb_per_s": round(mb / cpu, 3), **counts})
    base = rows[0]["cpu_seconds"] / rows[0]["size_mb"]
    linearity = [round((r["cpu_seconds"] / r["size_mb"]) / base, 3) for r in rows]
    return {"setup": {k: round(v, 4) for k, v in setup.items()}, "rows": rows, "linearity": linearity,
            "repeat": repeat, "load_average": load_average()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=float, nargs="+", default=[1, 2, 4, 5], help="corpus sizes in MB")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "ingest.json"))
    args = parser.parse_args(argv)
    measured = measure(args.sizes, args.repeat)
    setup, rows, linearity = measured["setup"], measured["rows"], measured["linearity"]
    print(f"gazetteer load {setup['gazetteer_load_s']:.3f} s, place index {setup['place_index_s']:.3f} s, "
          f"zone linker {setup['zone_linker_s']:.3f} s (once per process)")
    print(f"load average before: {load_average()}")
    print(f"{'MB':>6} {'wall s':>8} {'MB/s':>6} {'CPU s':>7} {'CPU MB/s':>9} {'docs':>5} {'passages':>9} {'places':>7} {'facts':>7}")
    for r in rows:
        print(f"{r['size_mb']:>6.2f} {r['seconds']:>8.3f} {r['mb_per_s']:>6.2f} {r['cpu_seconds']:>7.3f} {r['cpu_mb_per_s']:>9.2f} "
              f"{r['documents']:>5} {r['passages']:>9} {r['places']:>7} {r['facts']:>7}")
    print("CPU seconds per MB relative to the first size (1.0 = linear):", linearity)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({
        "benchmark": "ingest", "python": platform.python_version(), "machine": platform.machine(),
        "setup": setup, "rows": rows, "linearity": linearity, "repeat": args.repeat,
        "load_average": measured["load_average"],
    }, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""CPU of place recognition alone (find_places) per MB, on the synthetic corpus of bench_ingest.py.

    python bench/bench_places.py [--size 2] [--repeat 3]

Issue 16 added variant keys (transliteration, Arabic clitics, Russian stems)
to the matcher; this isolates its cost from the rest of the pipeline. Best
CPU and wall seconds of ``--repeat`` runs over every passage, and the load
average (the figures are noisy on a shared machine).
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.bench_ingest import synthetic_corpus
from components.ingest.places import default_place_index, find_places
from components.passages import split_passages


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=float, default=2.0, help="corpus size in MB")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    index = default_place_index()
    docs = synthetic_corpus(args.size)
    mb = sum(len(d.text.encode("utf-8")) for d in docs) / 2**20
    passages = [(p.text, p.start) for d in docs for p in split_passages(d.id, d.text)]
    find_places(passages[0][0], 0, index)  # warm the caches like a running app
    best_cpu = best_wall = float("inf")
    found = 0
    for _ in range(args.repeat):
        cpu, wall = time.process_time(), time.perf_counter()
        found = sum(len(find_places(text, start, index)) for text, start in passages)
        best_cpu, best_wall = min(best_cpu, time.process_time() - cpu), min(best_wall, time.perf_counter() - wall)
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"{mb:.2f} MB, {found} mentions: CPU {best_cpu:.3f} s ({best_cpu / mb:.3f} s/MB), wall {best_wall:.3f} s; load {load}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""A deterministic generator of news-like articles about the de-escalation zones.

    python bench/gen_corpus.py N OUTDIR [--seed S]

Writes ``N`` UTF-8 articles of 2-8 KB (``doc-00001.txt`` ...) with ``.meta.json``
sidecars (title, publisher, publication date, URL, licence). Sentences are
recombined templates filled with gazetteer names -- settlements inside the four
zones and many outside them -- numbers, dates, weekdays and actors. The same
``N`` and seed give the same bytes. Every 1,000th article (index % 1000 == 7)
mentions the rare word "zeolite"; "ceasefire" is common.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from components.gazetteer import default_gazetteer
from components.ingest.zonelink import default_zone_linker

PUBLISHERS = ("Levant Wire", "Syria Monitor Weekly", "Orient Desk", "Damascus Bureau", "Northern Dispatch",
              "Euphrates Report", "Agency Mediterranean", "Ministry Statements Digest")
ACTORS = ("Russia", "Turkey", "Iran", "the opposition", "government forces", "the United Nations", "the Syrian Army",
          "Hayat Tahrir al-Sham", "the Free Syrian Army", "Russian military police", "the White Helmets", "Jordan")
PEOPLE = ("a local council member", "a monitor", "a spokesman for the ministry", "an aid worker", "a resident",
          "a commander", "a diplomat", "a medical source")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = ("May", "June", "July", "August", "September", "October", "November", "December")
HEADLINES = (
    "{actor} says ceasefire holds around {zplace}",
    "Shelling reported near {place} as talks continue",
    "Aid convoy reaches {zplace} after weeks of delays",
    "{actor} and {actor2} discuss the {zone_name}",
    "Residents of {place} return as fighting eases",
    "Monitors count {n} violations near {zplace}",
)
SENTENCES = (
    "{actor} said on {weekday} that the ceasefire around {zplace} was largely holding, although {person} reported sporadic fire near {place}.",
    "According to {person}, about {n:,} people have been displaced from {place} and {place2} since {month} {day}.",
    "The convoy of {small} trucks carrying food and medicine entered {zplace} on {month} {day}, {person} told reporters.",
    "Under the agreement reached in Astana, {actor} and {actor2} are to monitor the {zone_name}, which covers {zplace} and {zplace2}.",
    "Shelling hit the outskirts of {place} overnight, killing {small} civilians and wounding {small2}, {person} said.",
    "Talks between {actor} and {actor2} on the future of the {zone_name} continued in {city} on {weekday}.",
    "More than {n:,} residents of {zplace} remain without regular access to clean water, the United Nations said.",
    "{person_cap} in {place} described the situation as calm but tense, with checkpoints reopened on the road to {place2}.",
    "The ministry said {small} settlements near {zplace} had joined the truce, bringing the total to {n2}.",
    "Fighting between {actor} and {actor2} was reported around {place}, some {small} kilometres from {place2}.",
    "Observers from {actor} were deployed at {small} checkpoints along the edge of the {zone_name} in {month}.",
    "Electricity returned to parts of {place} for the first time since {month}, {person} said on {weekday}.",
)
ZONE_NAMES = {"idlib": "Idlib de-escalation zone", "north-homs": "northern Homs zone",
              "eastern-ghouta": "Eastern Ghouta zone", "south": "southern de-escalation zone"}
CITIES_ABROAD = ("Astana", "Geneva", "Moscow", "Ankara", "Amman", "Tehran")


def place_pools() -> tuple[dict[str, list[str]], list[str]]:
    """Names of Syrian settlements inside each zone and outside every zone, as news writes them (Latin script)."""
    linker = default_zone_linker()
    inside: dict[str, list[str]] = {z: [] for z in ZONE_NAMES}
    outside: list[str] = []
    for place in default_gazetteer().settlements():
        name = next((n for n in place.names if n.isascii() and len(n) >= 4 and n[0].isupper()), None)
        if name is None:
            continue
        zone = linker.zone_of_place(place)
        inside.get(zone or "", outside).append(name)
    return {z: sorted(v) for z, v in inside.items()}, sorted(outside)


def article(rng: random.Random, index: int, inside: dict[str, list[str]], outside: list[str]) -> tuple[str, dict]:
    zone = rng.choice(sorted(ZONE_NAMES))
    published = dt.date(2017, 5, 1) + dt.timedelta(days=rng.randrange(245))

    def fill(template: str) -> str:
        values = {
            "actor": rng.choice(ACTORS), "actor2": rng.choice(ACTORS), "person": rng.choice(PEOPLE),
            "weekday": rng.choice(WEEKDAYS), "month": rng.choice(MONTHS), "day": rng.randint(1, 28),
            "zplace": rng.choice(inside[zone]), "zplace2": rng.choice(inside[zone]),
            "place": rng.choice(outside if rng.random() < 0.6 else inside[zone]), "place2": rng.choice(outside),
            "n": rng.choice((rng.randint(200, 9999), rng.randint(10_000, 400_000))), "n2": rng.randint(20, 120),
            "small": rng.randint(2, 40), "small2": rng.randint(2, 60), "zone_name": ZONE_NAMES[zone],
            "city": rng.choice(CITIES_ABROAD),
        }
        values["person_cap"] = values["person"][0].upper() + values["person"][1:]
        text = template.format(**values)
        return text[0].upper() + text[1:]

    title = fill(rng.choice(HEADLINES))
    target = rng.randint(2000, 8000)
    paragraphs: list[str] = []
    size = len(title)
    while size < target:
        paragraph = " ".join(fill(rng.choice(SENTENCES)) for _ in range(rng.randint(2, 4)))
        paragraphs.append(paragraph)
        size += len(paragraph) + 1
    if index % 1000 == 7:
        paragraphs.insert(1, "Engineers said a zeolite filter plant would be installed to clean the water supply.")
    text = title + "\n\n" + "\n".join(paragraphs) + "\n"
    meta = {"title": title, "publisher": rng.choice(PUBLISHERS), "published": published.isoformat(),
            "date_precision": "day", "url": f"https://example.org/news/{index:05d}",
            "licence": "synthetic benchmark text (bench/gen_corpus.py)"}
    return text, meta


def generate(n: int, out: Path, seed: int = 1) -> int:
    """Write ``n`` articles to ``out``; returns the total bytes of text."""
    rng = random.Random(seed)
    inside, outside = place_pools()
    out.mkdir(parents=True, exist_ok=True)
    total = 0
    for i in range(1, n + 1):
        text, meta = article(rng, i, inside, outside)
        data = text.encode("utf-8")
        (out / f"doc-{i:05d}.txt").write_bytes(data)
        (out / f"doc-{i:05d}.meta.json").write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        total += len(data)
    return total


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", type=int)
    parser.add_argument("outdir", type=Path)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    total = generate(args.n, args.outdir, args.seed)
    print(f"wrote {args.n} articles ({total / 1e6:.2f} MB) to {args.outdir}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

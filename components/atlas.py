"""The whole bundled dataset in one object: documents, zones, facts, references."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from . import paths
from .documents import Corpus, load_corpus
from .facts import Fact, FactSet, citation_problems, fact_problems, load_facts
from .life import ZoneLife, load_life, reference_problems
from .problems import Problem
from .references import Reference, load_references
from .zones import ZONE_IDS, Zone, ZoneSet, load_zones


@dataclass(frozen=True)
class DataPaths:
    zones: Path = paths.ZONES_FILE
    facts: Path = paths.FACTS_FILE
    references: Path = paths.REFERENCES_FILE
    gazetteer: Path = paths.GAZETTEER_FILE
    gazetteer_extra: Path = paths.GAZETTEER_EXTRA_FILE
    basemap: Path = paths.BASEMAP_FILE
    curation: Path = paths.GEODATA / "zone_curation.json"
    life: Path = paths.GEODATA / "zone_life.json"
    extents: Path = paths.GEODATA / "zone_extents.geojson"
    seeds: tuple[Path, ...] = (paths.SEEDS,)
    # Uploaded documents live in the corpus store (:mod:`components.store`), not in the atlas
    # corpus: curated facts cite only the bundled seeds, so the atlas reads only ``seeds``.
    uploads: Path | None = None

    @classmethod
    def under(cls, root: Path, uploads: Path | None = None) -> DataPaths:
        """The standard layout below ``root`` (``geodata/``, ``seeds/``), plus an uploads folder
        (kept as ``uploads``: its documents are reached through the store, never loaded here)."""
        g = Path(root) / "geodata"
        return cls(zones=g / "zones.geojson", facts=g / "facts.json", references=g / "references.json",
                   gazetteer=g / "gazetteer_sy.json", gazetteer_extra=g / "gazetteer_extra.json",
                   basemap=g / "basemap.geojson", curation=g / "zone_curation.json",
                   life=g / "zone_life.json", extents=g / "zone_extents.geojson", seeds=(Path(root) / "seeds",),
                   uploads=Path(uploads) if uploads else None)

    @classmethod
    def default(cls) -> DataPaths:
        return cls.under(paths.data_root(), paths.uploads_dir())


@dataclass
class Atlas:
    zones: ZoneSet
    facts: FactSet
    corpus: Corpus
    references: dict[str, Reference]
    problems: list[Problem] = field(default_factory=list)
    life: ZoneLife = field(default_factory=ZoneLife)  # dated events and extents after the memorandum

    def zone(self, zone_id: str) -> Zone | None:
        return self.zones.by_id().get(zone_id)

    def facts_for(self, zone_id: str) -> list[Fact]:
        return self.facts.for_zone(zone_id)

    @property
    def ok(self) -> bool:
        return not self.problems


def load_atlas(data: DataPaths | None = None) -> Atlas:
    """Load every data file and cross-check them; never raises on bad data."""
    data = data or DataPaths.default()
    zones = load_zones(data.zones)
    facts = load_facts(data.facts)
    corpus = load_corpus(*data.seeds)
    references, ref_problems = load_references(data.references)
    problems = list(zones.problems) + list(corpus.problems) + list(facts.problems) + ref_problems
    problems += fact_problems(facts, corpus, set(ZONE_IDS), set(references), data.facts.name)
    facts = FactSet(facts=verified_facts(facts, corpus), problems=facts.problems)
    life = load_life(data.life, data.extents, ZONE_IDS, references, frozenset(f.id for f in facts.facts))
    problems += reference_problems(references, data.references.name) + life.problems
    return Atlas(zones=zones, facts=facts, corpus=corpus, references=references, problems=problems, life=life)


def verified_facts(facts: FactSet, corpus: Corpus) -> list[Fact]:
    """Facts whose every citation equals the document text at its offsets.

    Anything else is never shown: it stays in ``Atlas.problems``.
    """
    return [
        f for f in facts.facts
        if f.zone in (*ZONE_IDS, "all")
        and not any(citation_problems(c, corpus, "", "") for c in f.citations)
    ]

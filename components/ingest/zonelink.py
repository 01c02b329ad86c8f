"""Which de-escalation zones a passage is about.

A passage links to a zone on any of this evidence (each kept with its offsets):

* ``polygon`` -- a recognised place whose point lies inside the zone polygon
  (shapely prepared geometries, built once);
* ``alias`` -- a zone alias from ``zones.geojson`` (``properties.aliases``),
  matched in the text, or a place that an alias names (so every spelling the
  gazetteer knows counts: "Deraa" names Dar'a, hence "Daraa", "Dar'a" too);
* ``description`` -- a built-in description pattern ("north of the Syrian
  city of Homs", "southern Syria", "Idlib", "northern Hama countryside");
* ``governorate`` -- a Syrian place in a governorate that lies (as far as
  the opposition-held parts go) in one zone only: Idlib, Daraa, Quneitra
  ("Izraa", government-held but in Daraa province, is about the south);
* ``context`` -- a weak name (Homs, Homs province, Damascus suburbs) in a
  passage that also speaks of a zone, ceasefire or truce.

Numbering aliases ("the third zone") are never used: sources number the zones
differently (the seed itself calls both the south and Idlib "the third").
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from shapely.geometry import Point
from shapely.prepared import PreparedGeometry, prep

from components.atlas import DataPaths
from components.gazetteer import Gazetteer, Place, gazetteer_for
from components.version import cached_by_content
from components.zones import ZONE_IDS, ZoneSet, load_zones

from .fastre import CaselessScanner, without_leading_boundaries
from .places import PlaceMention


@dataclass(frozen=True)
class ZoneEvidence:
    zone: str
    start: int
    end: int
    reason: str  # "polygon", "alias", "description", "context"


_SEP = r"[\s\u00a0\-\u2010\u2011]+"
_THE = r"(?:the" + _SEP + r")?"
_SYRIAN = r"(?:Syrian" + _SEP + r"|Syria['\u2019]s" + _SEP + r")?"
_HOMS = r"(?:Homs|Hims)"
_IDLIB = r"(?:Idlib|Idleb|Edlib)"
_COUNTRYSIDE = r"(?:countryside|rural\s+areas|suburbs|outskirts|province|governorate|region|areas?|parts?|districts?)"

# Built-in descriptions (case-insensitive). Conservative: each names one zone.
DESCRIPTIONS: dict[str, tuple[str, ...]] = {
    "idlib": (
        rf"\b{_IDLIB}\b",
        rf"\bnorth[\s\-]?west(?:ern)?{_SEP}Syria\b",
        rf"\bSyria['\u2019]s{_SEP}north[\s\-]?west\b",
        rf"\bnorth(?:ern|[\s\-]?east(?:ern)?)?{_SEP}(?:rural{_SEP})?(?:Hama|Latakia|Lattakia)\b",
        rf"\b(?:Hama|Latakia|Lattakia){_SEP}north(?:ern)?{_SEP}countryside\b",
        rf"\bwest(?:ern)?{_SEP}(?:rural{_SEP})?Aleppo\b",
        rf"\bJabal{_SEP}al{_SEP}Akrad\b|\bJabal{_SEP}(?:al{_SEP})?Turkman\b",
        rf"\b(?:Latakia|Lattakia)(?:['\u2019]s)?{_SEP}(?:mountains|highlands|countryside)\b|\brural{_SEP}(?:Latakia|Lattakia)\b",
    ),
    "north-homs": (
        rf"\bnorth(?:ern)?{_SEP}(?:part{_SEP}of{_SEP}|{_COUNTRYSIDE}{_SEP}of{_SEP})?{_THE}{_SYRIAN}(?:(?:city|province){_SEP}of{_SEP})?{_HOMS}\b",
        rf"\bnorth{_SEP}of{_SEP}{_THE}{_SYRIAN}(?:(?:city|province){_SEP}of{_SEP})?{_HOMS}\b",
        rf"\b{_HOMS}{_SEP}(?:de{_SEP}?escalation{_SEP}|safe{_SEP}|ceasefire{_SEP}|cease{_SEP}fire{_SEP})?zone\b",
        rf"\b(?:rural|northern{_SEP}rural){_SEP}{_HOMS}\b",
        rf"\b{_HOMS}{_SEP}(?:northern{_SEP})?countryside\b",
        rf"\bsouth(?:ern)?{_SEP}(?:rural{_SEP})?Hama\b|\bHama{_SEP}southern{_SEP}countryside\b",
        r"\bRastan\b|\bTalbis(?:eh|ah|a)\b|\bHoul(?:a|eh)\b",
        # Arabic and Russian (issue 16): "northern Homs countryside", "north of Homs"
        r"\b[\u0648\u0641\u0628]?\u0631\u064a\u0641\s+\u062d\u0645\u0635\s+\u0627\u0644\u0634\u0645\u0627\u0644\u064a",
        r"\bсевер\w*\s+(?:провинции\s+)?хомс\w*|\bк\s+северу\s+от\s+хомс\w*",
    ),
    "eastern-ghouta": (
        rf"\b(?:east(?:ern)?{_SEP})?Gh?[ou]u?ta\b",
        rf"\beast(?:ern)?{_SEP}(?:suburbs{_SEP}|outskirts{_SEP}|countryside{_SEP})?of{_SEP}Damascus\b",
        rf"\bDamascus['\u2019]?s?{_SEP}eastern{_SEP}(?:suburbs|outskirts|countryside)\b",
        r"\b(?:al-)?Wafideen\b",
    ),
    "south": (
        r"\bюг\w*\s+сирии\b|\b[\u0648\u0641\u0628]?\u062c\u0646\u0648\u0628\s+\u0633\u0648\u0631\u064a\u0627",  # юг Сирии, جنوب سوريا
        rf"\bsouth(?:ern|[\s\-]?west(?:ern)?){_SEP}Syria\b",
        rf"\bsouth{_SEP}of{_SEP}Syria\b",
        rf"\bSyria['\u2019]s{_SEP}south(?:[\s\-]?west)?\b",
        rf"\bsouth(?:ern|[\s\-]?west(?:ern)?)?{_SEP}(?:de{_SEP}?escalation{_SEP}|safe{_SEP}|ceasefire{_SEP}|truce{_SEP})?zone\b",
        r"\b(?:Daraa|Deraa|Dar['\u2019]a|Quneitra|Qunaitra|Kuneitra)\b",
    ),
}
# Spans that look like a zone description but are not ("Western Ghouta").
NEGATIVE_PATTERNS: dict[str, str] = {
    "eastern-ghouta": rf"west(?:ern)?{_SEP}Gh?[ou]u?ta\b",
}
# Weak names: count only in a passage that also talks about zones or truces.
CONTEXT_PATTERNS: dict[str, str] = {
    "north-homs": rf"\b{_HOMS}\b|\bхомс\w*|\b[\u0648\u0641\u0628\u0644]{{0,2}}\u062d\u0645\u0635\b",  # Хомс..., حمص
    "eastern-ghouta": rf"\bDamascus{_SEP}(?:suburbs|countryside|outskirts)\b|\b(?:suburbs|outskirts){_SEP}of{_SEP}Damascus\b",
    "south": rf"\b(?:in|across|of){_SEP}the{_SEP}south\b(?!{_SEP}of)",
}
# A word (lowercase) that every match of the zone's context pattern contains: without one the scan is skipped.
CONTEXT_WORDS: dict[str, tuple[str, ...]] = {"north-homs": ("homs", "hims", "хомс", "\u062d\u0645\u0635"), "eastern-ghouta": ("damascus",), "south": ("south",)}
# A passage with no zone evidence of its own that refers back ("the zone",
# "the enclave") inherits the zone of the nearest earlier passage with zones,
# when that passage has exactly one zone and this one names no Syrian place
# outside every zone (then "the enclave" is that place: Afrin, al-Waer).
ANAPHORA_RE = re.compile(
    r"\b(?:the|this|that|its)[\s\u00a0]+(?:(?:de-escalation|safe|besieged|rebel)[\s\u00a0]+)?"
    r"(?:zone|enclave|pocket|area|province|truce|ceasefire|cease-fire|deal|agreement)(?:['\u2019]s)?\b",
    re.IGNORECASE,
)
# Every branch starts with a letter, so re can skip ahead on its first character.
ZONE_TALK = CaselessScanner(r"de[\s\-]?escalation|safe[\s\-]+(?:zone|area)|zone|cease[\s\-]?fire|truce"
                            # Russian and Arabic (issue 16): деэскалация, зона, перемирие; خفض التصعيد, هدنة, وقف إطلاق النار
                            r"|деэскалац|зон[аеуы]|перемири|прекращени\w+\s+огня"
                            r"|\u062e\u0641\u0636\s+\u0627\u0644\u062a\u0635\u0639\u064a\u062f|\u0647\u062f\u0646\u0629"
                            r"|\u0648\u0642\u0641\s+\u0625\u0637\u0644\u0627\u0642\s+\u0627\u0644\u0646\u0627\u0631")
# Governorates whose opposition-held parts belong to one zone only.
GOVERNORATE_ZONES: dict[str, str] = {"Idlib": "idlib", "Daraa": "south", "Quneitra": "south"}
# GeoNames files the Israeli-occupied Golan (Majdal Shams, Mas'ada, 35.77-35.79 E)
# under Quneitra; west of this longitude a place says nothing about the zone.
OCCUPIED_GOLAN_MAX_LON = 35.80
# Extra names (resolved through the gazetteer) that always mean a zone.
CUE_PLACE_NAMES: dict[str, tuple[str, ...]] = {
    "idlib": ("Idlib", "Idlib Province"),
    "north-homs": ("Rastan", "Talbiseh", "Kafr Laha", "Houla region", "Taldou"),
    "eastern-ghouta": ("Eastern Ghouta",),
    "south": ("Deraa", "Daraa Province", "Quneitra", "Quneitra Province"),
}


def _alias_pattern(alias: str) -> str:
    words = [re.escape(w) for w in re.split(r"[\s\-\u2010\u2011]+", alias.strip()) if w]
    return r"\b" + _SEP.join(words) + r"\b"


class ZoneLinker:
    """Everything needed to link passages to zones, compiled once."""

    def __init__(self, zones: ZoneSet, gazetteer: Gazetteer) -> None:
        self.zone_ids: tuple[str, ...] = tuple(z.id for z in zones.zones) or ZONE_IDS
        self._geometries: dict[str, PreparedGeometry] = {z.id: prep(z.geometry) for z in zones.zones}
        aliases = {z.id: [str(a) for a in z.aliases] for z in zones.zones}
        self._cue_places: dict[str, str] = self._cue_place_ids(gazetteer, aliases)
        # One caseless scan finds every zone's descriptions and aliases; each
        # hit is then attributed with the zone's own pattern.
        self._zone_patterns: dict[str, re.Pattern[str]] = {}
        scanned: list[str] = []
        for zone_id in self.zone_ids:
            patterns = [*DESCRIPTIONS.get(zone_id, ()), *(_alias_pattern(a) for a in aliases.get(zone_id, []))]
            scanned += patterns
            if patterns:
                self._zone_patterns[zone_id] = re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)
        # Every pattern starts at a word boundary: one leading \b fails fast inside words (and stands for
        # each alternative's own, so that most alternatives start with a literal, rejected in one step).
        everything = "|".join(f"(?:{without_leading_boundaries(p)})" for p in scanned)
        self._descriptions: CaselessScanner | None = CaselessScanner(rf"\b(?:{everything})") if everything else None
        self._negative = {z: CaselessScanner(p) for z, p in NEGATIVE_PATTERNS.items()}
        self._context = {z: (CaselessScanner(p), re.compile(p, re.IGNORECASE)) for z, p in CONTEXT_PATTERNS.items() if z in self.zone_ids}
        self._place_zone_cache: dict[str, str | None] = {}
        self._place_evidence_cache: dict[str, tuple[tuple[str, str], ...]] = {}

    @staticmethod
    def _cue_place_ids(gazetteer: Gazetteer, aliases: dict[str, list[str]]) -> dict[str, str]:
        """Place id -> zone, for places that a zone alias (or a built-in cue) names."""
        cues: dict[str, str] = {}
        for zone_id, names in [*aliases.items(), *CUE_PLACE_NAMES.items()]:
            for name in names:
                found = gazetteer.lookup(name)
                if found:
                    cues.setdefault(found[0].id, zone_id)
        return cues

    def zone_of_place(self, place: Place) -> str | None:
        """The zone whose polygon contains the place's point, if any."""
        if place.id not in self._place_zone_cache:
            point = Point(place.lon, place.lat)
            self._place_zone_cache[place.id] = next(
                (zid for zid, geom in self._geometries.items() if geom.contains(point)), None
            )
        return self._place_zone_cache[place.id]

    def evidence(self, text: str, base: int, mentions: Sequence[PlaceMention]) -> list[ZoneEvidence]:
        """All zone evidence in one passage (``text`` is the passage, ``base`` its offset)."""
        found: list[ZoneEvidence] = []
        lowered = text.lower()
        masked = self._masked_spans(text, lowered)
        for mention in mentions:
            if masked and any(s <= mention.start - base < e for s, e, _ in masked):
                continue
            for zone, reason in self._place_evidence(mention.place):
                found.append(ZoneEvidence(zone, mention.start, mention.end, reason))
        for hit in self._descriptions.finditer(text, lowered) if self._descriptions else ():
            for zone_id, pattern in self._zone_patterns.items():
                match = pattern.match(text, hit.start())
                if match and not any(z == zone_id and s <= match.start() < e for s, e, z in masked):
                    found.append(ZoneEvidence(zone_id, base + match.start(), base + match.end(), "description"))
        if ZONE_TALK.search(text, lowered):
            fast = len(lowered) == len(text)  # the scanners read ``lowered`` (else ``text``, ignoring case)
            for zone_id, (scanner, pattern) in self._context.items():
                if fast and not any(word in lowered for word in CONTEXT_WORDS.get(zone_id, ("",))):
                    continue
                for hit in scanner.finditer(text, lowered):
                    match = pattern.match(text, hit.start())
                    if match:
                        found.append(ZoneEvidence(zone_id, base + match.start(), base + match.end(), "context"))
        return found

    def _place_evidence(self, place: Place) -> tuple[tuple[str, str], ...]:
        """(zone, reason) pairs a place gives wherever it is named (cached per place)."""
        cached = self._place_evidence_cache.get(place.id)
        if cached is None:
            zone = self.zone_of_place(place)
            cue = self._cue_places.get(place.id)
            governorate = self._governorate_zone(place)
            pairs = [(zone, "polygon")] if zone else []
            if cue and cue != zone:
                pairs.append((cue, "alias"))
            if governorate and governorate not in (zone, cue) and governorate in self.zone_ids:
                pairs.append((governorate, "governorate"))
            cached = self._place_evidence_cache[place.id] = tuple(pairs)
        return cached

    @staticmethod
    def _governorate_zone(place: Place) -> str | None:
        if not place.is_syrian or place.lon < OCCUPIED_GOLAN_MAX_LON:
            return None
        return GOVERNORATE_ZONES.get(place.admin1)

    def inherited_zones(self, text: str, base: int, mentions: Sequence[PlaceMention],
                        previous_zones: Sequence[str]) -> list[ZoneEvidence]:
        """Coreference evidence: "the zone" after a passage about exactly one zone."""
        if len(previous_zones) != 1:
            return []
        if any(m.place.is_syrian and self.zone_of_place(m.place) is None and m.place.id not in self._cue_places
               for m in mentions):
            return []
        match = ANAPHORA_RE.search(text)
        return [ZoneEvidence(previous_zones[0], base + match.start(), base + match.end(), "coreference")] if match else []

    def unmasked(self, text: str, base: int, mentions: Sequence[PlaceMention]) -> list[PlaceMention]:
        """Mentions outside negative spans ("Ghouta" in "Western Ghouta" is not Eastern Ghouta)."""
        masked = self._masked_spans(text, text.lower())
        return [m for m in mentions if not any(s < m.end - base and m.start - base < e for s, e, _ in masked)]

    def _masked_spans(self, text: str, lowered: str) -> list[tuple[int, int, str]]:
        return [(m.start(), m.end(), zone) for zone, rx in self._negative.items() for m in rx.finditer(text, lowered)]

    def zones_of(self, evidence: Iterable[ZoneEvidence]) -> tuple[str, ...]:
        """Zone ids in the canonical order of :data:`components.zones.ZONE_IDS`."""
        linked = {e.zone for e in evidence}
        return tuple(z for z in ZONE_IDS if z in linked)


@cached_by_content()
def zone_linker_for(zones: Path, gazetteer: Path, extra: Path) -> ZoneLinker:
    """Linker over these zones and gazetteer files, built once per their content."""
    return ZoneLinker(load_zones(zones), gazetteer_for(gazetteer, extra))


def default_zone_linker() -> ZoneLinker:
    """Linker over the configured dataset's zones and gazetteer (``ATLAS_DATA_ROOT``)."""
    data = DataPaths.default()
    return zone_linker_for(data.zones, data.gazetteer, data.gazetteer_extra)

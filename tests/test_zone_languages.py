"""Zone linking in Russian and Arabic text (issue 16): zone names, places and zone talk."""
from __future__ import annotations

import pytest

from components.ingest.places import find_places
from components.ingest.zonelink import default_zone_linker


def _zones(text: str) -> tuple[str, ...]:
    linker = default_zone_linker()
    return linker.zones_of(linker.evidence(text, 0, find_places(text)))


@pytest.mark.parametrize(("text", "zones"), [
    ("Обстрелы в Восточной Гуте не прекращаются.", ("eastern-ghouta",)),
    ("Боевики в Идлибе нарушили режим тишины.", ("idlib",)),
    ("Российская сторона заявила, что зона деэскалации к северу от Хомса расширена.", ("north-homs",)),
    ("Перемирие в Хомсе соблюдается.", ("north-homs",)),
    ("Бои на юге Сирии продолжаются.", ("south",)),
    ("أعلنت روسيا توسيع منطقة خفض التصعيد في ريف حمص الشمالي.", ("north-homs",)),
    ("وقصفت الطائرات بلدات في الغوطة الشرقية.", ("eastern-ghouta",)),
    ("وعادت العائلات إلى تلبيسة والرستن.", ("north-homs",)),
    ("اشتباكات في جنوب سوريا", ("south",)),
])
def test_russian_and_arabic_zone_names_are_linked(text: str, zones: tuple[str, ...]) -> None:
    assert _zones(text) == zones


@pytest.mark.parametrize("text", [
    "В провинции Хомс прошли выборы.",  # Homs with no zone talk: not the zone (as in English)
    "وفي حمص افتتحت مدرسة جديدة.",
])
def test_homs_alone_is_not_the_northern_homs_zone(text: str) -> None:
    assert _zones(text) == ()

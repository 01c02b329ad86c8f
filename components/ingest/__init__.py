"""Ingestion pipeline: any article in, linked to the map.

Segmentation (passages, sentences), place recognition against the offline
gazetteer, zone linking per passage, candidate fact extraction, and an
optional (off by default) online geocoder. No streamlit here.
"""
from .extract import CandidateFact, extract_candidates
from .pipeline import PIPELINE_VERSION, IngestedDocument, IngestedPassage, LinkedPlace, ingest_corpus, ingest_document
from .places import PlaceMention, default_place_index, find_places
from .segment import Sentence, split_sentences
from .zonelink import ZoneEvidence, ZoneLinker, default_zone_linker

__all__ = [
    "PIPELINE_VERSION", "CandidateFact", "IngestedDocument", "IngestedPassage", "LinkedPlace", "PlaceMention", "Sentence",
    "ZoneEvidence", "ZoneLinker", "default_place_index", "default_zone_linker", "extract_candidates",
    "find_places", "ingest_corpus", "ingest_document", "split_sentences",
]

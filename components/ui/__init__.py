"""Thin Streamlit pieces. Everything they show is computed in ``components``."""

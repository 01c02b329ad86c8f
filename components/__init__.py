"""De-escalation Atlas domain package.

Everything here except ``components.ui`` is free of Streamlit so it can be
tested and reused from the command line (``python -m components``).
"""

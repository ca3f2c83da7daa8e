# 이어모아 messenger channel. `make run` and `make test` set everything up themselves.
SHELL := /bin/bash
.SHELLFLAGS := -eo pipefail -c
.DEFAULT_GOAL := run

APP_VENV  := .venvs/app
RASA_VENV := .venvs/rasa
APP_PY    := $(APP_VENV)/bin/python
# The first interpreter of the wanted version that really runs (pyenv shims may not).
find_python = $(shell for p in $$(command -v python$(1) python3 2>/dev/null) \
    $$(ls -d "$$(pyenv root 2>/dev/null)"/versions/$(1).*/bin/python3 2>/dev/null); do \
    "$$p" -c 'import sys; sys.exit(sys.version_info[:2] != tuple(map(int, "$(1)".split("."))))' \
    2>/dev/null && { echo "$$p"; break; }; done)
PY311     ?= $(call find_python,3.11)
# Rasa 3.6 needs Python 3.10: from PATH, else from pyenv.
PY310     ?= $(call find_python,3.10)
# pip's notes about this machine's extra package folders are noise.
QUIET_PIP := 2>&1 | { grep -v '^WARNING: Location' || true; }

export RASA_TELEMETRY_ENABLED := false

.PHONY: setup run test lint unit integration e2e model migrate bench agency-token rotate-key nlu-report nlu-test requirements clean compose-tool secrets

setup: $(APP_VENV)/.stamp $(RASA_VENV)/.stamp

# One local environment for make run and make test: the app's, the action server's and the
# developer's packages (requirements/dev.txt, compiled with the others; pip among them). The
# project itself is built with the pinned setuptools: nothing unpinned is downloaded.
$(APP_VENV)/.stamp: requirements/dev.txt pyproject.toml
	@echo "Setting up the app environment (Python 3.11)..."
	@test -n "$(PY311)" || { echo "Python 3.11 not found: it is needed for the app environment." >&2; exit 1; }
	$(PY311) -m venv $(APP_VENV)
	$(APP_VENV)/bin/pip install --quiet --require-hashes -r requirements/dev.txt $(QUIET_PIP)
	PYTHONWARNINGS=ignore $(APP_VENV)/bin/pip install --quiet --no-deps --no-build-isolation -e . $(QUIET_PIP)
	@touch $@

# nlu/ is also a package (ieomoa_nlu): its entry point gives spaCy the Korean tokenizer.
$(RASA_VENV)/.stamp: requirements/rasa.txt nlu/pyproject.toml log_privacy/pyproject.toml
	@echo "Setting up the Rasa environment (Python 3.10, a few minutes the first time)..."
	@test -n "$(PY310)" || { echo "Python 3.10 not found: install it (pyenv install 3.10.13) or put python3.10 on PATH." >&2; exit 1; }
	$(PY310) -m venv $(RASA_VENV)
	$(RASA_VENV)/bin/pip install --quiet --upgrade pip $(QUIET_PIP)
	$(RASA_VENV)/bin/pip install --quiet --require-hashes -r requirements/rasa.txt $(QUIET_PIP)
	PYTHONWARNINGS=ignore $(RASA_VENV)/bin/pip install --quiet --no-deps -e nlu -e log_privacy $(QUIET_PIP)
	@touch $@

# docker-compose, with which the tests validate docker-compose.yml (no Docker engine needed).
compose-tool:
	@scripts/ensure-docker-compose.sh

# HAProxy (Debian's package), in front of the two Rasa servers of tests/integration/test_rasa_replicas.py.
.PHONY: lb-tool
lb-tool:
	@scripts/ensure-debian-package.sh haproxy haproxy "the replica test runs Rasa behind it"

# The secret files docker-compose.yml hands the containers (secrets/, out of git and images).
secrets:
	@scripts/make-secrets.sh

model: $(RASA_VENV)/.stamp
	@scripts/train-model.sh

migrate: $(APP_VENV)/.stamp
	@$(APP_PY) -m ieomoa.migrate

run: setup model migrate
	@$(APP_PY) -m tools.stack

test: setup lint model compose-tool lb-tool
	$(APP_PY) -m pytest -q -p no:cacheprovider tests

# ruff (errors, import order, bugbear, pyupgrade; pyproject.toml) on everything, mypy
# on the core and the app packages.
lint: $(APP_VENV)/.stamp
	$(APP_VENV)/bin/ruff check .
	$(APP_VENV)/bin/mypy

unit: $(APP_VENV)/.stamp compose-tool lb-tool
	$(APP_PY) -m pytest -q tests/unit

# Re-encrypt stored data under the first secret of IEOMOA_SECRET_KEY ("new,old"), in small
# batches while the service runs; safe to repeat. See README, "Rotating the key".
rotate-key: migrate
	@$(APP_PY) -m ieomoa.rotate_key $(if $(BATCH),--batch-size $(BATCH))

# Delete what outlived its retention period (ieomoa/data/privacy.json, PRIVACY.md); counts go
# to the audit log. The relay runs the same sweep every hour.
.PHONY: sweep
sweep: migrate
	@$(APP_PY) -m ieomoa.retention

agency-token: migrate
	@test -n "$(AGENCY)" || { echo "Usage: make agency-token AGENCY=KEAD (or LOCAL_CENTER, EDU_OFFICE)" >&2; exit 1; }
	@$(APP_PY) -m agency_api.issue_token $(AGENCY) $(if $(BRANCH),--branch "$(BRANCH)")

nlu-report: model
	@scripts/nlu-report.sh

nlu-test: model
	cd nlu && PYTHONPATH=. ../$(RASA_VENV)/bin/rasa test core --stories tests --model "$$(cat ../var/models/current)" --out ../var/results/core

bench: setup model
	@$(APP_PY) -m bench

# Issue 13's measurements (README, "Performance"); each writes JSON (and more) to bench/results/.
.PHONY: bench-relay bench-turns bench-load bench-rasa-memory
# The relay against 100,000 pending pushes on PostgreSQL: the claim's plan, two relays' rate.
bench-relay: $(APP_VENV)/.stamp
	@$(APP_PY) -m bench.relay_outbox
# One long conversation: the 10th turn against the 150th.
bench-turns: setup model
	@$(APP_PY) -m bench.long_conversation $(if $(TURNS),--turns $(TURNS))
# N simulated applicants at once through the bot, beside Rasa alone (N=1,10,50,100 by default).
bench-rasa-memory: setup model
	@mkdir -p bench/results
	@cd nlu && PYTHONPATH=. ../$(RASA_VENV)/bin/python ../bench/rasa_memory.py "$$(cat ../var/models/current)" ../bench/results/rasa-memory.json

bench-load: setup model lb-tool
	@$(APP_PY) -m bench.load $(if $(N),--applicants $(N)) $(if $(REPLICAS),--replicas $(REPLICAS))

# Re-compile requirements/*.txt (exact pins with hashes) from the short requirements/*.in,
# after editing one: app.txt (the app image), actions.txt (the action server's image, on
# app.txt's pins), dev.txt (.venvs/app: all of them and the developer's tools), rasa.txt
# (Python 3.10, so through a small pip-tools environment of its own). Kept pins stay unless
# an .in file asks otherwise; UPGRADE=1 moves everything to the newest allowed. The next make
# reinstalls the environments.
PIP_COMPILE = CUSTOM_COMPILE_COMMAND="make requirements" $(1)/bin/pip-compile --quiet --generate-hashes \
    --allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links $(if $(UPGRADE),--upgrade)
COMPILE_VENV := .venvs/compile310
requirements: $(APP_VENV)/.stamp
	$(call PIP_COMPILE,$(APP_VENV)) -o requirements/app.txt requirements/core.in requirements/app.in
	$(call PIP_COMPILE,$(APP_VENV)) -c requirements/app.txt -o requirements/actions.txt \
	    requirements/core.in requirements/actions.in
	$(call PIP_COMPILE,$(APP_VENV)) -c requirements/app.txt -c requirements/actions.txt -o requirements/dev.txt \
	    requirements/core.in requirements/app.in requirements/actions.in requirements/dev.in
	@test -x $(COMPILE_VENV)/bin/pip-compile || { $(PY310) -m venv $(COMPILE_VENV) && \
	    $(COMPILE_VENV)/bin/pip install --quiet "$$(grep -o '^pip-tools==[^ ]*' requirements/dev.txt)" $(QUIET_PIP); }
	$(call PIP_COMPILE,$(COMPILE_VENV)) -o requirements/rasa.txt requirements/rasa.in

clean:
	rm -rf .venvs var

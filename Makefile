# The README's two commands: `make run` (embedded demo) and `make test` (the whole suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi

.PHONY: run test setup setup-dev translations translations-update clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.runtime

translations: | $(BIN)/python
	$(BIN)/pybabel compile --statistics -d casehub/translations

# After adding user-visible strings: refresh the catalog, then fill in the new msgstr entries.
translations-update: | $(BIN)/python
	$(BIN)/pybabel extract -F babel.cfg -k _l -k N_ -o casehub/translations/messages.pot .
	$(BIN)/pybabel update -i casehub/translations/messages.pot -d casehub/translations --no-fuzzy-matching

setup: $(VENV)/.runtime translations

setup-dev: $(VENV)/.dev translations

run: setup
	$(FLASK) db upgrade
	$(FLASK) casehub seed --demo
	$(FLASK) casehub serve --host 127.0.0.1 --port 5000

test: setup-dev
	$(BIN)/python -m pytest $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) instance .pytest_cache

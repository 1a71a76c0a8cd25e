# make serve: set everything up, build claims.db, serve it on 127.0.0.1:8001
# make test:  set everything up and run every test
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: serve test build check metadata clean

$(BIN)/claimsdb: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

claims.db: $(BIN)/claimsdb $(wildcard claims/*.yml claims/sources/*.txt) $(wildcard claimsdb/*.py)
	$(BIN)/python build.py

build: claims.db

check: $(BIN)/claimsdb
	$(BIN)/claimsdb check

serve: $(BIN)/claimsdb
	$(BIN)/claimsdb serve --host 127.0.0.1 --port 8001

test: $(BIN)/claimsdb
	$(BIN)/python -m pytest

metadata: $(BIN)/claimsdb
	$(BIN)/claimsdb metadata

clean:
	rm -rf $(VENV) claims.db .claims.db.*.tmp *.egg-info

# make serve: set everything up, build claims.db, serve it on 127.0.0.1:8001
# make test:  set everything up and run every test
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: serve test build check metadata clean chromium

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

test: $(BIN)/claimsdb chromium
	$(BIN)/python -m pytest

# The browser tests (tests/test_browser.py) drive Debian's headless Chromium.
# Installed here when missing and we are root (CI on a fresh Debian machine);
# otherwise this says how, and those tests fail saying the same.
chromium:
	@if command -v chromium >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "Installing Chromium for the browser tests (apt-get)"; \
		apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; \
	else \
		echo "The browser tests need Chromium: sudo apt-get update && sudo apt-get install -y chromium"; \
	fi

metadata: $(BIN)/claimsdb
	$(BIN)/claimsdb metadata

clean:
	rm -rf $(VENV) claims.db .claims.db.*.tmp .claimsdb-cache *.egg-info

# make serve: set everything up from requirements.lock, build claims.db, serve it
#             (HOST=127.0.0.1 PORT=8001 unless given: make serve PORT=8002)
# make test:  set everything up from requirements.lock and run every test
PYTHON ?= python3
HOST ?= 127.0.0.1
PORT ?= 8001
VENV := .venv
BIN := $(VENV)/bin

.PHONY: serve test test-latest lock build check metadata clean chromium

# Exact versions with hashes (requirements.lock) for everything the two
# commands install; the project itself goes in editable, without its own
# dependencies, built with the locked setuptools (-qq: its editable-install
# notice is not for users).
$(BIN)/claimsdb: requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r requirements.lock
	$(BIN)/python -m pip install -qq --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $@

claims.db: $(BIN)/claimsdb $(wildcard claims/*.yml claims/sources/*) $(wildcard claimsdb/*.py)
	$(BIN)/python build.py

build: claims.db

check: $(BIN)/claimsdb
	$(BIN)/claimsdb check

serve: $(BIN)/claimsdb
	$(BIN)/claimsdb serve --host $(HOST) --port $(PORT)

test: $(BIN)/claimsdb chromium
	$(BIN)/python -m pytest

# The lock from pyproject.toml's ranges, for every platform and Python 3.11+
# (uv's universal resolution), with setuptools, which builds the project.
lock:
	$(PYTHON) -m venv .venv-lock
	.venv-lock/bin/python -m pip install --quiet --disable-pip-version-check 'uv>=0.5,<1'
	echo "setuptools>=77" | .venv-lock/bin/uv pip compile --quiet --universal --python-version 3.11 \
		--generate-hashes --extra test pyproject.toml - -o requirements.lock

# The suite in a separate environment built from pyproject.toml's ranges
# alone (the newest releases they allow): drift shows here before users see it.
test-latest: chromium
	rm -rf .venv-latest
	$(PYTHON) -m venv .venv-latest
	.venv-latest/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	.venv-latest/bin/python -m pip install --quiet --disable-pip-version-check --upgrade -e '.[test]'
	.venv-latest/bin/python -m pip freeze --exclude-editable
	.venv-latest/bin/python -m pytest

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
	rm -rf $(VENV) .venv-lock .venv-latest claims.db .claims.db.*.tmp .claimsdb-serve-* .claimsdb-cache *.egg-info downloads

"""What the file system can hold in claims/ besides plain files: symbolic-link
loops, a shared file that is a directory or a named pipe, the files editors
leave beside the one they edit, and files with the other YAML suffix. Each is
fed to a real `claimsdb build` beside a previous claims.db, as in
test_bad_input.py: one line per problem, exit 1, no traceback, claims.db
untouched; or, for what is not the corpus's, a build as if it were not there."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from claimsdb.load import SHARED_FILES

from .test_bad_input import previous_db, refused, run_build, sha256  # noqa: F401 (previous_db is a fixture)
from .test_checks import PROBE, PROBE_TEXT, probe  # noqa: F401 (probe is a fixture)

SHARED = list(SHARED_FILES)
LOOP_FIX = "replace the link with the file itself"


def built(workdir) -> str:
    """Build; check it succeeded as it does without the extra files; the
    success line, without how many chunks of the downloads it wrote (all
    the first time, none when nothing changed)."""
    build = run_build(workdir)
    assert build.returncode == 0, build.stderr
    assert "Traceback" not in build.stderr + build.stdout
    return re.sub(r" \([^()]*chunk\(s\) written[^()]*\)\.$", ".", build.stdout.strip().splitlines()[-1])


# Symbolic-link loops ---------------------------------------------------------------


def test_two_claim_files_linking_to_each_other_are_refused_by_name(workdir, previous_db):
    claims = workdir / "claims"
    (claims / "first.yml").symlink_to("second.yml")
    (claims / "second.yml").symlink_to("first.yml")
    assert refused(workdir, previous_db) == [
        f"claims/first.yml:1: the file is a symbolic link that leads back to itself (a loop) — {LOOP_FIX}",
        f"claims/second.yml:1: the file is a symbolic link that leads back to itself (a loop) — {LOOP_FIX}",
    ]


def test_archive_linking_to_itself_is_refused_at_the_archive_line(probe, workdir, previous_db):
    archive = workdir / "claims" / "sources" / "probe.txt"
    archive.unlink()
    archive.symlink_to("probe.txt")
    assert refused(workdir, previous_db) == [
        f"{PROBE}:7: archive sources/probe.txt is a symbolic link that leads back to itself (a loop) — {LOOP_FIX}"
    ]


# The shared files as something other than a file ----------------------------------


# Each as it is made, and the line that refuses it.
NOT_A_FILE = {
    "directory": (Path.mkdir, "the file is a directory, not a regular file — replace it with a plain text file"),
    # Opening a pipe for reading waits for a writer: run_build's timeout
    # fails the test if the build opened it that way.
    "named-pipe": (os.mkfifo, "the file is a named pipe (FIFO), not a regular file — replace it with a plain text file"),
    "link-loop": (lambda path: path.symlink_to(path.name), f"the file is a symbolic link that leads back to itself (a loop) — {LOOP_FIX}"),
}


@pytest.mark.parametrize("kind", NOT_A_FILE)
@pytest.mark.parametrize("name", SHARED)
def test_shared_file_that_is_not_a_file_is_refused_by_kind_not_called_missing(workdir, previous_db, name, kind):
    make, message = NOT_A_FILE[kind]
    path = workdir / "claims" / name
    path.unlink()
    make(path)
    assert refused(workdir, previous_db) == [f"claims/{name}:1: {message}"]


def test_shared_file_that_links_to_nothing_names_where_it_leads(workdir, previous_db):
    path = workdir / "claims" / "agents.yml"
    path.unlink()
    path.symlink_to("agents-old.yml")
    assert refused(workdir, previous_db) == [f"claims/agents.yml:1: the file is a symbolic link to agents-old.yml, which does not exist — {LOOP_FIX}"]


def test_shared_file_that_is_absent_is_still_called_missing(workdir, previous_db):
    (workdir / "claims" / "subjects.yml").unlink()
    assert refused(workdir, previous_db) == ["claims/subjects.yml:1: subjects.yml is missing — create claims/subjects.yml (see README)"]


# What editors leave beside the file they edit ---------------------------------------


def test_an_editors_lock_link_is_ignored(probe, workdir):
    expected = built(workdir)
    # Emacs' lock while probe.yml is open: a link to user@host.pid:boot-time, which does not exist.
    (workdir / "claims" / ".#probe.yml").symlink_to("editor@machine.4242:1700000000")
    assert built(workdir) == expected


def test_a_backup_file_is_ignored(probe, workdir):
    expected = built(workdir)
    # An older copy of the file: read, it would repeat every id of probe.yml.
    shutil.copyfile(workdir / PROBE, workdir / "claims" / "probe.yml~")
    assert built(workdir) == expected


def test_a_swap_file_is_ignored(probe, workdir):
    expected = built(workdir)
    # Vim's swap file: binary, and named after the file it belongs to.
    (workdir / "claims" / ".probe.yml.swp").write_bytes(b"b0VIM 9.0\x00\xff\xfe" + PROBE_TEXT.encode("utf-8"))
    assert built(workdir) == expected


def test_a_hidden_copy_of_a_claim_file_is_ignored(probe, workdir):
    expected = built(workdir)
    # Editors that save through a temporary file write a hidden sibling first.
    shutil.copyfile(workdir / PROBE, workdir / "claims" / ".probe.yml")
    assert built(workdir) == expected


# The other YAML suffix --------------------------------------------------------------


def test_a_yaml_file_is_refused_with_the_name_to_give_it(probe, workdir, previous_db):
    shutil.move(workdir / PROBE, workdir / "claims" / "probe.yaml")
    assert refused(workdir, previous_db) == ["claims/probe.yaml:1: claim files end in .yml: this one is not read — rename it to claims/probe.yml"]


def test_a_yaml_file_beside_its_yml_namesake_is_refused_with_a_merge(workdir, previous_db):
    (workdir / "claims" / "agents.yaml").write_text("agents: []\n", encoding="utf-8")
    assert refused(workdir, previous_db) == ["claims/agents.yaml:1: claim files end in .yml: this one is not read — merge it into claims/agents.yml and remove it"]


# A socket, and files that cannot be read ---------------------------------------------


def test_a_socket_where_a_claim_file_is_expected_is_refused_by_kind(workdir, previous_db):
    import socket

    # A socket cannot be opened at all (ENXIO, even for root): it is named for
    # what it is, not called unreadable. Bound by a relative path: the
    # absolute one may exceed the 108 bytes a socket's address allows.
    with socket.socket(socket.AF_UNIX) as server:
        server.bind("claims/socket.yml")
        assert refused(workdir, previous_db) == ["claims/socket.yml:1: the file is a socket, not a regular file — replace it with a plain text file"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a file whatever its permissions")
def test_a_claim_file_that_cannot_be_read_is_refused(probe, workdir, previous_db):
    (workdir / PROBE).chmod(0)
    try:
        assert refused(workdir, previous_db) == ["claims/probe.yml:1: the file cannot be read (Permission denied) — check that the file is readable"]
    finally:
        (workdir / PROBE).chmod(0o644)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a file whatever its permissions")
def test_an_archive_that_cannot_be_read_is_refused_at_the_archive_line(probe, workdir, previous_db):
    archive = workdir / "claims" / "sources" / "probe.txt"
    archive.chmod(0)
    try:
        assert refused(workdir, previous_db) == [f"{PROBE}:7: archive sources/probe.txt cannot be read (Permission denied) — check that the file is readable"]
    finally:
        archive.chmod(0o644)

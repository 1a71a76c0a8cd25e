"""claimsdb.parallel: work spread over forked processes and this one, given back in order."""

import os
import signal
import time

import pytest

from claimsdb.parallel import MIN_ITEMS, WorkerFailed, ordered_map


def slowly(item):
    time.sleep(0.002)  # long enough that every process takes chunks
    return item, os.getpid()


def test_results_come_back_in_input_order_from_every_process():
    with ordered_map(slowly, 3, 600) as each:
        results = list(each(range(600)))
    assert [item for item, _ in results] == list(range(600))
    assert os.getpid() in {pid for _, pid in results}  # this process takes chunks too
    assert len({pid for _, pid in results}) >= 2


def test_too_few_items_are_worked_here_alone():
    with ordered_map(slowly, 4, MIN_ITEMS - 1) as each:
        assert {pid for _, pid in each(range(MIN_ITEMS - 1))} == {os.getpid()}


def elsewhere(act):
    """Work that does ``act()`` on a forked process only, and on this one returns its item."""
    here = os.getpid()

    def work(item):
        time.sleep(0.002)
        if os.getpid() != here:
            act()
        return item

    return work


def spread_over_two(work):
    with ordered_map(work, 2, 400) as each:
        return list(each(range(400)))


def test_an_error_in_a_forked_process_is_raised_in_this_one():
    def refuse():
        raise ValueError("item refused")

    with pytest.raises(ValueError, match="refused"):
        spread_over_two(elsewhere(refuse))


def test_an_error_that_cannot_be_pickled_comes_back_saying_what_it_was():
    class LocalError(Exception):  # a local class: pickle cannot name it
        pass

    def refuse():
        raise LocalError("no such figure")

    with pytest.raises(WorkerFailed, match="LocalError: no such figure"):
        spread_over_two(elsewhere(refuse))


def test_a_forked_process_killed_midway_is_reported_rather_than_waited_for():
    with pytest.raises(WorkerFailed, match="ended without giving its results back"):
        spread_over_two(elsewhere(lambda: os.kill(os.getpid(), signal.SIGKILL)))


def test_no_forked_process_outlives_the_map():
    before = set(children_of(os.getpid()))  # a server other tests share may be running
    with ordered_map(slowly, 3, 300) as each:
        iterator = each(range(300))
        next(iterator)  # stopped early, as an error in the caller stops it
        assert len(set(children_of(os.getpid())) - before) == 2
    assert set(children_of(os.getpid())) - before == set()


def children_of(pid: int) -> list[int]:
    children = []
    for entry in os.listdir("/proc"):
        try:
            stat = open(f"/proc/{entry}/stat").read() if entry.isdigit() else ""
        except FileNotFoundError:  # ended meanwhile
            continue
        if stat and int(stat.rsplit(")", 1)[1].split()[1]) == pid:  # the parent's pid, after the command's name
            children.append(int(entry))
    return children

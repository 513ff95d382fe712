"""Status lines (the meter, a fake clock) and quiet expected API errors.

No wiki needed.
"""
from __future__ import annotations

import logging
import threading

import pytest
from pywikibot.logging import VERBOSE

from pywikibot_revert.wiki._apierrors import API_ERRORS, EXPECTED, quiet_expected
from pywikibot_revert.bot._summary import RunSummary
from pywikibot_revert.exceptions import NothingToDoError
from pywikibot_revert.bot._progress import Meter, duration


class Clock:

    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _run(meter: Meter, clock: Clock, items: int, step: float,
         total_skipped: int = 0) -> list[tuple[int, str]]:
    """Tick *items* items, *step* seconds each; return (item, line)s."""
    lines = []
    for n in range(1, items + 1):
        clock.now += step
        skipped = min(n, total_skipped)
        line = meter.tick(RunSummary(done=n - skipped,
                                     skipped={'only author': skipped}
                                     if skipped else {}))
        if line:
            lines.append((n, line))
    return lines


def test_a_line_every_100_items_without_total():
    clock = Clock()
    meter = Meter(clock=clock)
    meter.start()
    lines = _run(meter, clock, 250, 0.05, total_skipped=10)
    assert [n for n, _ in lines] == [100, 200]
    assert lines[0][1] == ('Progress: 100 items: 90 done, 10 skipped, '
                           '0 failed; 20.0/s')
    assert lines[1][1] == ('Progress: 200 items: 190 done, 10 skipped, '
                           '0 failed; 20.0/s')
    # no total: no share, no ETA
    assert not any(' of ' in line or 'ETA' in line for _, line in lines)


def test_a_line_every_10_seconds_when_items_are_slow():
    clock = Clock()
    meter = Meter(clock=clock)
    meter.start()
    lines = _run(meter, clock, 30, 1.5)
    # 10 s pass at the 7th item (10.5 s), then every 7 items
    assert [n for n, _ in lines] == [7, 14, 21, 28]
    assert lines[0][1].endswith('; 0.7/s')


def test_whichever_comes_first_and_counting_restarts_at_each_line():
    clock = Clock()
    meter = Meter(clock=clock)
    meter.start()
    slow = _run(meter, clock, 5, 2.5)  # 10 s at the 4th item
    fast = _run(meter, clock, 150, 1 / 128)  # then 100 items after it
    assert [n for n, _ in slow] == [4]
    assert [n for n, _ in fast] == [99]
    assert fast[0][1].startswith('Progress: 104 items: ')


def test_total_gives_share_and_eta():
    clock = Clock()
    meter = Meter(total=5000, clock=clock)
    meter.start()
    lines = _run(meter, clock, 300, 0.1, total_skipped=15)
    assert [n for n, _ in lines] == [100, 200, 300]
    # 300 items in 30 s: 10/s, 4,700 left: 470 s
    assert lines[2][1] == ('Progress: 300 of 5,000 items (6%): 285 done, '
                           '15 skipped, 0 failed; 10.0/s; ETA 7m 50s')


def test_total_told_later():
    clock = Clock()
    meter = Meter(clock=clock)
    meter.start()
    assert 'ETA' not in _run(meter, clock, 100, 0.1)[0][1]
    meter.expect(250)
    line = _run(meter, clock, 100, 0.1)[0][1]
    assert line.startswith('Progress: 200 of 250 items (80%): ')
    assert line.endswith('; 10.0/s; ETA 5s')


def test_more_items_than_told_gives_no_negative_eta():
    clock = Clock()
    meter = Meter(total=50, clock=clock)
    meter.start()
    line = _run(meter, clock, 100, 0.1)[0][1]
    assert '100 of 50 items (200%)' in line and line.endswith('ETA 0s')


def test_quiet_for_the_first_seconds():
    """A -simulate preview: no line before 10 s, then as usual."""
    clock = Clock()
    meter = Meter(quiet_for=10.0, clock=clock)
    meter.start()
    # 150 items in 9.4 s: a short preview prints nothing
    assert _run(meter, clock, 150, 1 / 16) == []
    lines = _run(meter, clock, 100, 1 / 16)
    # at 10 s (item 160) the first line, counting items from the start
    assert [n for n, _ in lines] == [10]
    assert lines[0][1].startswith('Progress: 160 items: ')


def test_clock_starts_at_the_first_tick_if_not_started():
    clock = Clock()
    meter = Meter(clock=clock)
    assert meter.tick(RunSummary()) is None
    assert meter.items == 1 and meter.started == 1000.0


def test_simulated_and_failed_counts():
    clock = Clock()
    meter = Meter(clock=clock)
    meter.start()
    meter.items = 100
    clock.now += 2000
    # fewer than one item in 10 s: per minute
    assert meter.line(RunSummary(simulated=97, failed=3)) == (
        'Progress: 100 items: 0 done (97 simulated), 0 skipped, 3 failed; '
        '3.0/min')


@pytest.mark.parametrize('seconds, words', [
    (0, '0s'), (59.4, '59s'), (60, '1m 0s'), (3599, '59m 59s'),
    (3600, '1h 0m'), (-5, '0s')])
def test_duration(seconds, words):
    assert duration(seconds) == words


# -- quiet expected API errors ------------------------------------------

def test_expected_codes_are_the_nothing_to_do_codes_of_the_table():
    assert EXPECTED == {code for code, cls in API_ERRORS.items()
                        if issubclass(cls, NothingToDoError)}
    assert {'alreadyrolled', 'onlyauthor', 'cantundelete',
            'fileexists-no-change'} <= EXPECTED
    assert not {'protectedpage', 'badtags', 'ratelimited', 'blocked',
                'permissiondenied'} & EXPECTED


class _Records(logging.Handler):

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def pywiki_records():
    """The records of the ``pywiki`` logger, instead of its handlers."""
    logger = logging.getLogger('pywiki')
    handler = _Records()
    level, handlers = logger.level, logger.handlers[:]
    logger.setLevel(logging.DEBUG)
    logger.handlers[:] = [handler]
    yield handler.records
    logger.handlers[:] = handlers
    logger.setLevel(level)


def _levels(records: list[logging.LogRecord]) -> dict[str, int]:
    return {record.getMessage(): record.levelno for record in records}


def test_expected_api_error_warning_lowered_while_quiet(pywiki_records):
    logger = logging.getLogger('pywiki')
    with quiet_expected():
        logger.warning('API error alreadyrolled: too late')
        logger.warning('API error badtags: no such tag')
        logger.warning('something else: alreadyrolled')
        logger.error('API error cantundelete: as an error')
    logger.warning('API error onlyauthor: after the block')
    assert _levels(pywiki_records) == {
        'API error alreadyrolled: too late': VERBOSE,
        'API error badtags: no such tag': logging.WARNING,
        'something else: alreadyrolled': logging.WARNING,
        'API error cantundelete: as an error': logging.ERROR,
        'API error onlyauthor: after the block': logging.WARNING,
    }
    assert pywiki_records[0].levelname in ('VERBOSE', f'Level {VERBOSE}')
    assert not logger.filters


def test_another_threads_warning_is_not_ours(pywiki_records):
    logger = logging.getLogger('pywiki')

    def other() -> None:
        logger.warning('API error alreadyrolled: in another thread')

    with quiet_expected():
        thread = threading.Thread(target=other)
        thread.start()
        thread.join()
    assert _levels(pywiki_records) == {
        'API error alreadyrolled: in another thread': logging.WARNING}


def test_filter_removed_when_the_block_raises():
    with pytest.raises(KeyError), quiet_expected():
        raise KeyError('x')
    assert not logging.getLogger('pywiki').filters

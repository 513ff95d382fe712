"""The write protocol: never resend blindly, name what happened.

A stand-in site answers each request from a script of outcomes, so
every branch of :func:`submit_write` runs without a wiki. The real
wiki behind a fault proxy is in ``test_faults.py``.
"""
from __future__ import annotations

from typing import Any

import pytest
import requests
from pywikibot import config
from pywikibot.exceptions import APIError, MaxlagTimeoutError, ServerError

from pywikibot_revert import _exceptions as exc
from pywikibot_revert._write import ApiTimeoutError, submit_write


class Request:

    """What ``site.simple_request`` returns, answering from a script."""

    def __init__(self, site: Site, params: dict[str, Any]) -> None:
        self.site, self.params = site, params
        self.max_retries = None
        self.last_error = {'code': None, 'info': None}

    def wait(self, *args: Any, **kwargs: Any) -> None:
        # pywikibot with max_retries = 0 gives up at the first wait
        self.last_error = {'code': None, 'info': None}
        raise ApiTimeoutError('Maximum retries attempted without success.')

    def submit(self) -> dict[str, Any]:
        self.site.sent.append({**self.params,
                               'max_retries': self.max_retries})
        outcome = self.site.outcomes.pop(0)
        if isinstance(outcome, str):  # pywikibot waits on this API code
            self.last_error = {'code': outcome, 'info': ''}
            self.wait()
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome


class Site:

    """Enough of an APISite for submit_write."""

    def __init__(self, *outcomes: Any) -> None:
        self.outcomes = list(outcomes)
        self.sent: list[dict[str, Any]] = []
        self.tokens = {'csrf': 'csrf+\\', 'rollback': 'rb+\\'}

    def username(self) -> str:
        return 'Admin@cleanup'

    def simple_request(self, **params: Any) -> Request:
        return Request(self, params)


OK = {'rollback': {'title': 'A', 'revid': 9}}
PARAMS = {'action': 'rollback', 'title': 'A', 'user': 'V'}


@pytest.fixture(autouse=True)
def quick(monkeypatch):
    monkeypatch.setattr(config, 'retry_wait', 0.01)
    monkeypatch.setattr(config, 'retry_max', 0.02)


def write(site: Site, reconcile: Any = None, **kwargs: Any):
    return submit_write(site, PARAMS, token='rollback', reconcile=reconcile,
                        page='A', **kwargs)


def test_a_write_is_sent_once_with_token_assertuser_and_no_retries():
    site = Site(OK)
    assert write(site) == OK
    assert site.sent == [{**PARAMS, 'token': 'rb+\\', 'assertuser': 'Admin',
                          'max_retries': 0}]


def test_an_unmapped_api_error_is_raised_unchanged():
    err = APIError('somethingnew', 'x')
    with pytest.raises(APIError) as info:
        write(Site(err))
    assert info.value is err and info.value.__cause__ is None


def test_a_mapped_api_error_is_typed_and_chained():
    err = APIError('assertnameduserfailed', 'not Admin')
    with pytest.raises(exc.SessionError) as info:
        write(Site(err))
    assert info.value.__cause__ is err and info.value.code == err.code


def test_a_failure_answer_is_typed():
    site = Site({'filerevert': {'result': 'Failure', 'errors': [
        {'code': 'fileexists-no-change'}]}})
    with pytest.raises(exc.IdenticalVersionError):
        submit_write(site, {'action': 'filerevert'}, token='csrf',
                     reconcile=None)


@pytest.mark.parametrize('failure', [
    ServerError('503'), requests.ConnectionError('reset'),
    ApiTimeoutError('timeout')])
def test_after_an_uncertain_outcome_the_wiki_is_asked_first(failure):
    site = Site(failure)
    answer = write(site, reconcile=lambda: {'rollback': {'revid': 9}})
    assert answer == {'rollback': {'revid': 9}, 'reconciled': True}
    assert len(site.sent) == 1  # never resent


def test_resent_only_when_the_wiki_shows_it_was_not_done():
    site = Site(ServerError('503'), OK)
    asked = []
    assert write(site, reconcile=lambda: asked.append(1), max_wait=5) == OK
    assert len(site.sent) == 2 and asked == [1]


def test_no_way_to_check_is_an_unknown_outcome():
    site = Site(ServerError('502'))
    with pytest.raises(exc.OutcomeUnknownError):
        write(site)
    assert len(site.sent) == 1


def test_a_failed_check_is_an_unknown_outcome():
    def reconcile():
        raise requests.ConnectionError('down')
    site = Site(ServerError('502'), OK)
    with pytest.raises(exc.OutcomeUnknownError):
        write(site, reconcile=reconcile, max_wait=5)
    assert len(site.sent) == 1


@pytest.mark.parametrize('outcome, cls, code', [
    ('ratelimited', exc.RateLimitedError, 'ratelimited'),
    ('readonly', exc.ReadOnlyError, 'readonly'),
    (MaxlagTimeoutError('lag'), exc.ReadOnlyError, 'readonly'),
    (ServerError('503'), exc.ServerUnavailableError, None),
    (requests.ConnectionError('reset'), exc.ServerUnavailableError, None),
    (ApiTimeoutError('read timeout'), exc.ServerUnavailableError, None),
])
def test_past_the_wait_the_error_names_what_happened(outcome, cls, code):
    site = Site(*[outcome] * 10)
    with pytest.raises(cls) as info:
        write(site, reconcile=lambda: None, max_wait=0.05)
    assert type(info.value) is cls and info.value.code == code
    assert 'nothing was written' in str(info.value)
    assert len(site.sent) >= 2  # it did wait and try again

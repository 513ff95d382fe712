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
from pywikibot.exceptions import (
    APIError,
    MaxlagTimeoutError,
    NoUsernameError,
    Server504Error,
    ServerError,
)
from urllib3.exceptions import MaxRetryError, NewConnectionError

from pywikibot_revert import exceptions as exc
from pywikibot_revert.wiki import _inflight, _write
from pywikibot_revert.wiki._write import ApiTimeoutError, submit_write
from harness.fakesite import FakeSite


TOKENS = {'csrf': 'csrf+\\', 'rollback': 'rb+\\'}


def write_site(*outcomes: Any) -> FakeSite:
    """A site of Admin (a BotPassword) whose tokens never change."""
    return FakeSite(*outcomes, username='Admin@cleanup', tokens=TOKENS)


OK = {'rollback': {'title': 'A', 'revid': 9}}
PARAMS = {'action': 'rollback', 'title': 'A', 'user': 'V'}


@pytest.fixture(autouse=True)
def quick(monkeypatch):
    monkeypatch.setattr(config, 'retry_wait', 0.01)
    monkeypatch.setattr(config, 'retry_max', 0.02)


def write(site: FakeSite, reconcile: Any = None, **kwargs: Any):
    return submit_write(site, PARAMS, token='rollback', reconcile=reconcile,
                        page='A', **kwargs)


def test_a_write_is_sent_once_with_token_assertuser_and_no_retries():
    site = write_site(OK)
    assert write(site) == OK
    assert site.sent == [{**PARAMS, 'token': 'rb+\\', 'assertuser': 'Admin',
                          'max_retries': 0}]


def test_an_unmapped_api_error_is_raised_unchanged():
    err = APIError('somethingnew', 'x')
    with pytest.raises(APIError) as info:
        write(write_site(err))
    assert info.value is err and info.value.__cause__ is None


def test_a_mapped_api_error_is_typed_and_chained():
    err = APIError('permissiondenied', 'not allowed')
    with pytest.raises(exc.MissingRightError) as info:
        write(write_site(err))
    assert info.value.__cause__ is err and info.value.code == err.code


def test_a_failure_answer_is_typed():
    site = write_site({'filerevert': {'result': 'Failure', 'errors': [
        {'code': 'fileexists-no-change'}]}})
    with pytest.raises(exc.IdenticalVersionError):
        submit_write(site, {'action': 'filerevert'}, token='csrf',
                     reconcile=None)


@pytest.mark.parametrize('failure', [
    ServerError('503'), requests.ConnectionError('reset'),
    ApiTimeoutError('timeout')])
def test_after_an_uncertain_outcome_the_wiki_is_asked_first(failure):
    site = write_site(failure)
    answer = write(site, reconcile=lambda: {'rollback': {'revid': 9}})
    assert answer == {'rollback': {'revid': 9}, 'reconciled': True}
    assert len(site.sent) == 1  # never resent


def test_resent_only_when_the_wiki_shows_it_was_not_done():
    site = write_site(ServerError('503'), OK)
    asked = []
    assert write(site, reconcile=lambda: asked.append(1), max_wait=5) == OK
    assert len(site.sent) == 2 and asked == [1]


def test_no_way_to_check_is_an_unknown_outcome():
    site = write_site(ServerError('502'))
    with pytest.raises(exc.OutcomeUnknownError):
        write(site)
    assert len(site.sent) == 1


def test_a_failed_check_is_an_unknown_outcome():
    def reconcile():
        raise requests.ConnectionError('down')
    site = write_site(ServerError('502'), OK)
    with pytest.raises(exc.OutcomeUnknownError):
        write(site, reconcile=reconcile, max_wait=5)
    assert len(site.sent) == 1


@pytest.mark.parametrize('outcome, cls, code', [
    ('ratelimited', exc.RateLimitedError, 'ratelimited'),
    ('readonly', exc.ReadOnlyError, 'readonly'),
    (MaxlagTimeoutError('lag'), exc.ReadOnlyError, 'readonly'),
    (ServerError('503'), exc.ServerUnavailableError, None),
    (ServerError(requests.ConnectTimeout('connect')),
     exc.ServerUnavailableError, None),
    (requests.ConnectionError(MaxRetryError(
        None, '/w/api.php', NewConnectionError(None, 'refused'))),
     exc.ServerUnavailableError, None),
    (ApiTimeoutError('not JSON'), exc.ServerUnavailableError, None),
])
def test_past_the_wait_the_error_names_what_happened(outcome, cls, code):
    site = write_site(*[outcome] * 10)
    with pytest.raises(cls) as info:
        write(site, reconcile=lambda: None, max_wait=0.05)
    assert type(info.value) is cls and info.value.code == code
    assert 'nothing was written' in str(info.value)
    assert len(site.sent) >= 2  # it did wait and try again


def test_the_wikis_read_only_reason_is_named():
    reason = ('readonly', {'readonlyreason': 'Database\n upgrade'})
    site = write_site(*[reason] * 10)
    with pytest.raises(exc.ReadOnlyError) as info:
        write(site, reconcile=lambda: None, max_wait=0.05)
    assert 'stayed read-only (Database upgrade)' in str(info.value)


# -- a copy that got no answer may still be running: never resent ------

NO_ANSWER = [ServerError(requests.ReadTimeout('read timed out')),
             Server504Error('Server wiki timed out'),
             requests.ConnectionError('Connection aborted.')]


@pytest.mark.parametrize('failure', NO_ANSWER)
def test_a_copy_without_answer_is_watched_until_it_lands(failure):
    site = write_site(failure, OK)
    shows = iter([None, None, {'rollback': {'revid': 9}}])
    answer = write(site, reconcile=lambda: next(shows), max_wait=5)
    assert answer == {'rollback': {'revid': 9}, 'reconciled': True}
    assert len(site.sent) == 1


@pytest.mark.parametrize('failure', NO_ANSWER)
def test_a_copy_that_does_not_show_up_is_unknown_not_resent(failure):
    site = write_site(failure, OK)
    asked = []
    with pytest.raises(exc.OutcomeUnknownError) as info:
        write(site, reconcile=lambda: asked.append(1), max_wait=0.05)
    assert 'may still be running' in str(info.value)
    assert info.value.__cause__ is failure
    assert len(site.sent) == 1 and len(asked) >= 2


def test_the_watch_is_bounded_by_the_inflight_wait(monkeypatch):
    monkeypatch.setattr(_inflight, 'INFLIGHT_WAIT', 0.05)
    site = write_site(NO_ANSWER[0], OK)
    with pytest.raises(exc.OutcomeUnknownError):
        write(site, reconcile=lambda: None, max_wait=300)
    assert len(site.sent) == 1


def test_a_failed_read_while_watching_is_unknown():
    def reconcile():
        if asked:
            raise requests.ConnectionError('down')
        asked.append(1)
    asked: list[int] = []
    site = write_site(NO_ANSWER[0], OK)
    with pytest.raises(exc.OutcomeUnknownError) as info:
        write(site, reconcile=reconcile, max_wait=5)
    assert 'checking failed too' in str(info.value)
    assert len(site.sent) == 1


def test_the_writes_own_transport_failure_is_raised(monkeypatch):
    """pywikibot's wait-and-retry of the exchange is bypassed."""
    calls = []

    def request(site, **kwargs):
        calls.append(kwargs['method'])
        raise ServerError(requests.ReadTimeout('read timed out'))
    monkeypatch.setattr(_inflight.http, 'request', request)
    req = write_site().simple_request(action='rollback')
    _inflight.raise_transport_failures(req)
    with pytest.raises(ServerError):
        req._http_request(False, '/w/api.php', {}, {}, '')
    assert calls == ['POST']


# -- a session lost mid-run --------------------------------------------

def session_site(*outcomes: Any, who: tuple[str | None, ...] = (),
                 login_fails: BaseException | None = None) -> FakeSite:
    """A site whose session the wiki may have dropped; tokens per session.

    :param who: what the wiki answers for "who is this session?", in
        turn: a name, or None for an anonymous session
    :param login_fails: what ``login()`` raises, if anything
    """
    return FakeSite(*outcomes, username='Admin@cleanup', who=who,
                    login_fails=login_fails)


LOST = APIError('assertnameduserfailed', 'You are no longer logged in')


@pytest.fixture
def unasked(monkeypatch):
    """pywikibot has a password for the account: no prompt."""
    monkeypatch.setattr(_write, '_can_log_in_unasked', lambda site: True)


def test_assert_user_gives_way_to_assertuser():
    site = write_site(OK)
    write(site)
    assert 'assert' not in site.sent[0]
    assert site.sent[0]['assertuser'] == 'Admin'


def test_a_lost_session_logs_in_again_and_resends_once(unasked):
    site = session_site(LOST, OK, who=(None, 'Admin'))
    assert write(site) == OK
    assert site.logins == 1
    # the write was refused, then sent once more with a fresh token
    assert [s['token'] for s in site.sent] == ['rollback0+\\',
                                               'rollback1+\\']


@pytest.mark.parametrize('who, says', [
    (('Admin',), 'still logged in'),
    (('Other',), "belongs to 'Other'"),
])
def test_a_session_not_simply_lost_stops(unasked, who, says):
    site = session_site(LOST, OK, who=who)
    with pytest.raises(exc.SessionError) as info:
        write(site)
    assert says in str(info.value) and 'nothing was written' in str(
        info.value)
    assert info.value.__cause__.__cause__ is LOST
    assert site.logins == 0 and len(site.sent) == 1


@pytest.mark.parametrize('failure', [
    NoUsernameError('FAIL on testwiki: wrong password'),
    EOFError(),
])
def test_a_failed_login_stops(unasked, failure):
    site = session_site(LOST, OK, who=(None,), login_fails=failure)
    with pytest.raises(exc.SessionError) as info:
        write(site)
    assert 'logging in again failed' in str(info.value)
    assert '-journal' in str(info.value)
    assert site.logins == 1 and len(site.sent) == 1


def test_a_login_that_would_prompt_is_not_tried(monkeypatch):
    monkeypatch.setattr(_write, '_can_log_in_unasked', lambda site: False)
    site = session_site(LOST, OK, who=(None,))
    with pytest.raises(exc.SessionError) as info:
        write(site)
    assert 'without asking' in str(info.value)
    assert site.logins == 0 and len(site.sent) == 1


def test_a_login_as_someone_else_stops(unasked):
    site = session_site(LOST, OK, who=(None, 'Other'))
    with pytest.raises(exc.SessionError) as info:
        write(site)
    assert "gave 'Other'" in str(info.value)
    assert len(site.sent) == 1


def test_a_second_refusal_after_logging_in_stops(unasked):
    site = session_site(LOST, APIError('assertuserfailed', 'anon'),
                        who=(None, 'Admin'))
    with pytest.raises(exc.SessionError) as info:
        write(site)
    assert info.value.code == 'assertuserfailed'
    assert site.logins == 1 and len(site.sent) == 2

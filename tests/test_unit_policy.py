"""The run policy: what a run does after each error (no wiki needed)."""
from __future__ import annotations

import pytest
from pywikibot.exceptions import APIError

from pywikibot_revert import exceptions as exc
from pywikibot_revert.bot import _errors as script_errors
from pywikibot_revert.wiki._apierrors import from_api_error
from pywikibot_revert.bot._errors import classify
from harness.errors import ERROR_CLASSES, SCRIPT_ERRORS


SKIP = {exc.AlreadyRolledBackError, exc.OnlyAuthorError,
        exc.NothingToUndeleteError, exc.IdenticalVersionError,
        exc.BadFileVersionError, exc.HiddenUserError, exc.MissingTargetError,
        script_errors.ChangedSinceError, script_errors.RecreatedPageError, exc.AlreadyCleanError,
        exc.OtherAuthorsError, exc.TitleTakenError,
        exc.ChangedByOthersError, exc.NoLongerInForceError,
        exc.UndoFailedError}
STOP = {exc.OutcomeUnknownError, exc.RateLimitedError, exc.ReadOnlyError,
        exc.ServerUnavailableError, exc.SessionError, exc.MissingRightError,
        exc.SitewideBlockError, script_errors.JournalError,
        exc.CaptchaRequiredError}


@pytest.mark.parametrize('cls', sorted(ERROR_CLASSES | SCRIPT_ERRORS,
                                       key=lambda c: c.__name__))
def test_each_error_has_one_outcome(cls):
    expected = 'skip' if cls in SKIP else 'stop' if cls in STOP else 'fail'
    assert classify(cls('x')) == expected


def test_a_partial_block_fails_one_page_a_sitewide_block_stops():
    partial = from_api_error(APIError('blocked', 'x', blockinfo={
        'blockpartial': True}))
    sitewide = from_api_error(APIError('blocked', 'x', blockinfo={}))
    assert classify(partial) == 'fail'
    assert classify(sitewide) == 'stop'


def test_session_and_rights_stop_the_run():
    for code in ('assertnameduserfailed', 'assertuserfailed',
                 'permissiondenied'):
        assert classify(from_api_error(APIError(code, 'x'))) == 'stop'


def test_unknown_api_error_fails_the_item_other_errors_propagate():
    assert classify(APIError('somethingnew', 'x')) == 'fail'
    assert classify(KeyError('bug')) is None


def test_filters_fail_the_page_a_captcha_stops_the_run():
    """A filter judges one edit; a captcha asks for a person every time."""
    for code in ('abusefilter-disallowed', 'abusefilter-warning',
                 'spamblacklist', 'titleblacklist-forbidden'):
        assert classify(from_api_error(APIError(code, 'x'))) == 'fail'
    assert classify(from_api_error(APIError('captcha', 'x'))) == 'stop'

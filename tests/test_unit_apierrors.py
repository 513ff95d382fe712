"""API error codes to typed errors: the one table (no wiki needed)."""
from __future__ import annotations

import pytest
from pywikibot.exceptions import APIError, Error

from pywikibot_revert.wiki import _apierrors as api
from pywikibot_revert import exceptions as exc
from pywikibot_revert.bot import _errors as script_errors
from pywikibot_revert.wiki._apierrors import API_ERRORS, from_api_error
from harness.errors import ERROR_CLASSES, SCRIPT_ERRORS


#: error classes raised by the plugin's own checks, with no API code
LOCAL_ONLY = {exc.EmptySelectionError, exc.HiddenUserError,
              exc.UnsupportedParameterError, exc.FileRevertFailedError,
              exc.WriteFailedError, exc.OutcomeUnknownError,
              exc.ServerUnavailableError, script_errors.JournalError, script_errors.UsageError,
              exc.SitewideBlockError, script_errors.ChangedSinceError,
              script_errors.RecreatedPageError, exc.ConflictError,
              exc.AlreadyCleanError, exc.OtherAuthorsError,
              # the base class callers catch; the wiki's codes name a leaf
              exc.FilterError}


@pytest.mark.parametrize('code', sorted(API_ERRORS))
def test_every_code_translates_to_its_class(code):
    err = APIError(code, f'info for {code}', blockinfo={'blockpartial': True})
    typed = from_api_error(err, page='Some page', site='site')
    assert type(typed) is API_ERRORS[code]
    assert isinstance(typed, Error)
    assert typed.code == code
    assert typed.page == 'Some page'
    assert typed.site == 'site'
    assert code in str(typed)


def test_every_class_is_in_the_table_or_local():
    mapped = set(API_ERRORS.values())
    assert ERROR_CLASSES | SCRIPT_ERRORS == mapped | LOCAL_ONLY
    assert not mapped & LOCAL_ONLY


def test_unknown_code_passes_through_unchanged():
    err = APIError('somethingnew', 'x')
    assert from_api_error(err) is err


def test_blocked_partial_flag():
    partial = from_api_error(APIError('blocked', 'x',
                                      blockinfo={'blockpartial': True}))
    partial_fv1 = from_api_error(APIError('blocked', 'x',
                                          blockinfo={'blockpartial': ''}))
    assert partial_fv1.partial
    full = from_api_error(APIError('blocked', 'x', blockinfo={}))
    assert partial.partial and not full.partial
    # a sitewide block stops the run; a partial one fails one page
    assert type(full) is exc.SitewideBlockError
    assert isinstance(full, exc.BlockedError)
    assert isinstance(full, exc.StopRunError)
    assert not isinstance(partial, exc.StopRunError)


def test_unmapped_error_is_raised_as_it_was():
    err = APIError('somethingnew', 'x')
    with pytest.raises(APIError) as info:
        with api.translated(page='P'):
            raise err
    assert info.value is err
    # not chained to itself (raise err from err)
    assert info.value.__cause__ is None


def test_mapped_error_is_chained_to_pywikibots():
    err = APIError('protectedpage', 'x')
    with pytest.raises(exc.ProtectedPageError) as info:
        with api.translated(page='P', site='s'):
            raise err
    assert info.value.__cause__ is err
    assert info.value.page == 'P' and info.value.site == 's'


@pytest.mark.parametrize('codes, cls', [
    (['fileexists-no-change'], exc.IdenticalVersionError),
    (['backend-fail-alreadyexists'], exc.FileRevertFailedError),
    (['filerevert-badversion'], exc.BadFileVersionError),
    ([], exc.FileRevertFailedError),
])
def test_failure_answers_use_the_same_table(codes, cls):
    answer = {'filerevert': {'result': 'Failure', 'errors': [
        {'code': c, 'type': 'error'} for c in codes]}}
    with pytest.raises(cls) as info:
        api.raise_for_failure('filerevert', answer, page='File:A.png')
    assert type(info.value) is cls
    assert info.value.code == (codes[0] if codes else 'failure')
    assert info.value.page == 'File:A.png'
    api.raise_for_failure('filerevert', {'filerevert': {'result': 'Success'}})


def test_edit_failure_is_a_write_failure():
    with pytest.raises(exc.WriteFailedError) as info:
        api.raise_for_failure('edit', {'edit': {'result': 'Failure'}})
    assert type(info.value) is exc.WriteFailedError


@pytest.mark.parametrize('key, value, cls, matches', [
    # ConfirmEdit, as MediaWiki 1.39 answers an account without skipcaptcha
    ('captcha', {'type': 'simple', 'id': '1', 'question': '56-2'},
     exc.CaptchaRequiredError, ()),
    # SpamBlacklist before it answered an API error
    ('spamblacklist', 'spam.example|bad.example', exc.BlacklistedLinkError,
     ('spam.example', 'bad.example')),
])
def test_edit_failure_of_an_anti_abuse_extension_is_typed(key, value, cls,
                                                          matches):
    with pytest.raises(cls) as info:
        api.raise_for_failure('edit', {'edit': {'result': 'Failure',
                                                key: value}}, page='P')
    assert type(info.value) is cls and info.value.code == key
    assert getattr(info.value, 'matches', ()) == matches


@pytest.mark.parametrize('code, other, cls, matches', [
    ('abusefilter-disallowed', {'abusefilter': {
        'id': '1', 'description': 'test filter disallow',
        'actions': ['disallow']}}, exc.AbuseFilterError,
     ('test filter disallow',)),
    ('abusefilter-warning', {'abusefilter': {
        'id': '2', 'description': 'test filter warn', 'actions': ['warn']}},
     exc.AbuseFilterWarningError, ('test filter warn',)),
    ('spamblacklist', {'spamblacklist': {'matches': ['spam.example']}},
     exc.BlacklistedLinkError, ('spam.example',)),
    ('titleblacklist-forbidden', {'line': 'Forbidden.*', 'message': {
        'key': 'titleblacklist-forbidden-edit'}}, exc.BlacklistedTitleError,
     ('Forbidden.*',)),
])
def test_filter_errors_keep_what_the_filter_matched(code, other, cls,
                                                    matches):
    """The answers of MediaWiki 1.39's extensions, as the wiki sent them."""
    typed = from_api_error(APIError(code, 'refused', **other), page='P')
    assert type(typed) is cls and typed.matches == matches
    assert isinstance(typed, exc.FilterError)

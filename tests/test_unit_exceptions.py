"""The error table and the public API (no wiki needed)."""
from __future__ import annotations

import inspect

import pytest
from pywikibot.exceptions import APIError, Error, UserRightsError

import pywikibot_revert
from pywikibot_revert import _exceptions as exc
from pywikibot_revert._exceptions import API_ERRORS, from_api_error


#: error classes raised by the plugin's own checks, with no API code
LOCAL_ONLY = {exc.EmptySelectionError, exc.HiddenUserError,
              exc.UnsupportedParameterError, exc.FileRevertFailedError,
              exc.OutcomeUnknownError}

ERROR_CLASSES = {cls for _, cls in inspect.getmembers(exc, inspect.isclass)
                 if issubclass(cls, exc.RevertError)
                 and cls is not exc.RevertError}


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
    assert ERROR_CLASSES == mapped | LOCAL_ONLY
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


def test_hierarchy_keeps_core_catch_alls():
    assert issubclass(exc.MissingRightError, UserRightsError)
    assert issubclass(exc.EmptySelectionError, ValueError)
    for cls in ERROR_CLASSES:
        assert issubclass(cls, Error)


PUBLIC = {
    'rollback', 'undelete', 'filerevert', 'select_revisions',
    'deleted_revisions', 'file_history', 'file_histories', 'choose_version',
    'normalize_username', 'parse_timestamp', 'RevertAccessor',
    'RollbackResult', 'UndeleteResult', 'UndeleteSelection',
    'FileRevertResult', 'FileVersion', 'DeletedRevision', 'API_ERRORS',
}


def test_public_api_is_pinned():
    errors = {cls.__name__ for cls in ERROR_CLASSES | {exc.RevertError}}
    assert set(pywikibot_revert.__all__) == PUBLIC | errors
    for name in pywikibot_revert.__all__:
        assert hasattr(pywikibot_revert, name), name

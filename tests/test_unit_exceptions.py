"""The error tree and the public API (no wiki needed)."""
from __future__ import annotations

from pywikibot.exceptions import Error, UserRightsError

import pywikibot_revert
from pywikibot_revert import exceptions as exc
from pywikibot_revert.bot import _errors as script_errors
from harness.errors import CATEGORIES, ERROR_CLASSES, SCRIPT_ERRORS


def test_hierarchy_keeps_core_catch_alls():
    assert issubclass(exc.MissingRightError, UserRightsError)
    assert issubclass(exc.EmptySelectionError, ValueError)
    for cls in ERROR_CLASSES | SCRIPT_ERRORS:
        assert issubclass(cls, Error)


PUBLIC = {
    'rollback', 'undelete', 'filerevert', 'select_revisions',
    'deleted_revisions', 'file_history', 'file_histories', 'choose_version',
    'normalize_username', 'parse_timestamp', 'RevertAccessor',
    'RollbackResult', 'UndeleteResult', 'UndeleteSelection',
    'FileRevertResult', 'FileVersion', 'DeletedRevision', 'API_ERRORS',
    'undo_user', 'UndoUserResult', 'EditResult',
    'delete_own', 'DeletePlan', 'DeleteResult', 'move_back', 'move_page_back',
    'MoveBack', 'MoveResult',
    'set_visibility', 'visibility', 'RevisionDeleteResult',
    'ProtectResult', 'BlockResult', 'UnblockResult', 'RightsResult',
    'Refusal',
}


def test_public_api_is_pinned():
    errors = {cls.__name__ for cls in ERROR_CLASSES | CATEGORIES}
    assert set(pywikibot_revert.__all__) == PUBLIC | errors
    for name in pywikibot_revert.__all__:
        assert hasattr(pywikibot_revert, name), name


def test_every_class_has_a_reason_and_is_drawn_in_the_tree():
    reasons = {}
    for cls in ERROR_CLASSES | SCRIPT_ERRORS:
        assert cls.reason and cls.reason != exc.RevertError.reason, cls
        reasons.setdefault(cls.reason, cls)
        module = exc if cls in ERROR_CLASSES else script_errors
        assert cls.__name__ in module.__doc__, cls
    # no two classes print the same reason
    assert len(reasons) == len(ERROR_CLASSES | SCRIPT_ERRORS)


def test_categories_do_not_overlap():
    for cls in ERROR_CLASSES | SCRIPT_ERRORS:
        assert not (issubclass(cls, exc.NothingToDoError)
                    and issubclass(cls, exc.StopRunError)), cls

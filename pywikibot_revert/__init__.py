"""**pywikibot-revert**: rollback, undelete and filerevert for pywikibot.

Importing the package adds one attribute, ``revert``, to every
pywikibot page (see :class:`RevertAccessor`)::

    import pywikibot, pywikibot_revert
    page = pywikibot.Page(pywikibot.Site(), 'Sandbox')
    page.revert.rollback(user='Vandal')
    page.revert.undelete(all_revisions=True)
    pywikibot.FilePage(page.site, 'File:Logo.png').revert.filerevert(
        not_user='Vandal')

The same operations are plain functions: :func:`rollback`,
:func:`undo_user` (a user's edits, also under later edits),
:func:`undelete`, :func:`filerevert`, :func:`delete_own` (a page the
user alone wrote), :func:`move_back` and :func:`set_visibility`
(revision deletion; :func:`visibility` reads it). Core's ``Page.rollback`` and
``Page.undelete`` are not touched. Errors are rooted in
:exc:`pywikibot.exceptions.Error`; see :mod:`pywikibot_revert.exceptions`.
"""
from __future__ import annotations

from ._accessor import RevertAccessor, install
from .wiki._apierrors import API_ERRORS
from .exceptions import (
    AbuseFilterError,
    AbuseFilterWarningError,
    AlreadyCleanError,
    AlreadyRolledBackError,
    BadFileVersionError,
    BlacklistedLinkError,
    BlacklistedTitleError,
    BlockedError,
    CaptchaRequiredError,
    ChangedByOthersError,
    ConflictError,
    EditConflictError,
    EmptySelectionError,
    FileRevertFailedError,
    FilterError,
    HiddenUserError,
    IdenticalVersionError,
    MissingRightError,
    MissingTargetError,
    NoLongerInForceError,
    NothingToDoError,
    NothingToUndeleteError,
    OnlyAuthorError,
    OtherAuthorsError,
    OutcomeUnknownError,
    ProtectedPageError,
    RateLimitedError,
    ReadOnlyError,
    RevertError,
    RevisionDeleteError,
    ServerUnavailableError,
    SessionError,
    SitewideBlockError,
    StopRunError,
    TitleRefusedError,
    TitleTakenError,
    UndoFailedError,
    UnsupportedParameterError,
    WriteFailedError,
)
from .ops._delete import DeletePlan, delete_own
from .ops._move import MoveBack, move_back, move_page_back
from .ops._revdel import set_visibility, visibility
from .ops._filehistory import file_histories, file_history
from .ops._filerevert import choose_version, filerevert
from .results import (
    BlockResult,
    DeleteResult,
    MoveResult,
    DeletedRevision,
    RevisionDeleteResult,
    EditResult,
    FileRevertResult,
    FileVersion,
    ProtectResult,
    Refusal,
    RightsResult,
    RollbackResult,
    UnblockResult,
    UndeleteResult,
    UndoUserResult,
)
from .ops._rollback import rollback
from .ops._undelete import (
    UndeleteSelection,
    deleted_revisions,
    select_revisions,
    undelete,
)
from .ops._undo_user import undo_user
from .wiki._validate import normalize_username, parse_timestamp


__version__ = '0.1.0'

__all__ = [
    'API_ERRORS',
    'AbuseFilterError',
    'BlockResult',
    'ChangedByOthersError',
    'AbuseFilterWarningError',
    'AlreadyCleanError',
    'AlreadyRolledBackError',
    'BadFileVersionError',
    'BlacklistedLinkError',
    'BlacklistedTitleError',
    'BlockedError',
    'CaptchaRequiredError',
    'ConflictError',
    'DeletePlan',
    'DeleteResult',
    'DeletedRevision',
    'EditConflictError',
    'EditResult',
    'EmptySelectionError',
    'FileRevertFailedError',
    'FileRevertResult',
    'FileVersion',
    'FilterError',
    'HiddenUserError',
    'IdenticalVersionError',
    'MissingRightError',
    'MissingTargetError',
    'MoveBack',
    'MoveResult',
    'NoLongerInForceError',
    'NothingToDoError',
    'NothingToUndeleteError',
    'OnlyAuthorError',
    'OtherAuthorsError',
    'OutcomeUnknownError',
    'ProtectResult',
    'ProtectedPageError',
    'RateLimitedError',
    'ReadOnlyError',
    'Refusal',
    'RevertAccessor',
    'RevertError',
    'RevisionDeleteError',
    'RevisionDeleteResult',
    'RightsResult',
    'RollbackResult',
    'ServerUnavailableError',
    'SessionError',
    'SitewideBlockError',
    'StopRunError',
    'TitleRefusedError',
    'TitleTakenError',
    'UndeleteResult',
    'UnblockResult',
    'UndeleteSelection',
    'UndoFailedError',
    'UndoUserResult',
    'UnsupportedParameterError',
    'WriteFailedError',
    'choose_version',
    'delete_own',
    'deleted_revisions',
    'file_histories',
    'file_history',
    'filerevert',
    'move_back',
    'move_page_back',
    'normalize_username',
    'parse_timestamp',
    'rollback',
    'select_revisions',
    'set_visibility',
    'undelete',
    'undo_user',
    'visibility',
]

install()

"""The error classes the unit tests go through, each set defined once.

The tests of the error tree, of the API error table and of the run
policy each check every class: a class added to
:mod:`pywikibot_revert.exceptions` or to the scripts' errors is then
checked by all of them without a test to edit.

Example::

    @pytest.mark.parametrize('cls', sorted(ERROR_CLASSES | SCRIPT_ERRORS,
                                           key=lambda c: c.__name__))
    def test_each_error_has_one_outcome(cls): ...
"""
from __future__ import annotations

import inspect

from pywikibot_revert import exceptions as exc
from pywikibot_revert.bot import _errors as script_errors


__all__ = ['CATEGORIES', 'ERROR_CLASSES', 'SCRIPT_ERRORS']

#: the categories of the run policy: never raised themselves
CATEGORIES = {exc.RevertError, exc.NothingToDoError, exc.StopRunError}

#: every error the library raises: in its ``__all__``
ERROR_CLASSES = {cls for _, cls in inspect.getmembers(exc, inspect.isclass)
                 if issubclass(cls, exc.RevertError)
                 and cls not in CATEGORIES}

#: errors only the scripts raise: in the tree, not in the library's API
SCRIPT_ERRORS = {cls for _, cls in inspect.getmembers(script_errors,
                                                      inspect.isclass)
                 if issubclass(cls, exc.RevertError)
                 and cls not in CATEGORIES}

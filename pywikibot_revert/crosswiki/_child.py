"""What one wiki's run tells the cross-wiki run that started it.

A cross-wiki run (:mod:`~pywikibot_revert.crosswiki._run`) runs the script
once per wiki, each in its own ``pwb`` process. Two environment
variables link such a child to its parent:

- :data:`SUMMARY_ENV` names a file where the child leaves its
  :class:`~pywikibot_revert.bot._summary.RunSummary` as JSON when it
  ends, for the combined summary: a name in a directory of the
  parent's own (mode 0700), never one in the shared temporary
  directory, where another local user could plant a symlink;
- :data:`PARENT_ENV` holds the parent's pid: when the parent dies (kill
  -9 included), the child gets SIGINT and stops as on Ctrl-C, its
  journal left resumable, rather than going on unwatched.

Outside a cross-wiki run neither is set and nothing here does anything.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import tempfile

from ..bot._summary import RunSummary


__all__ = ['PARENT_ENV', 'SUMMARY_ENV', 'follow_parent', 'in_crosswiki_run',
           'publish']

SUMMARY_ENV = 'PWBREVERT_SUMMARY_FILE'
PARENT_ENV = 'PWBREVERT_PARENT_PID'

# linux/prctl.h
_PR_SET_PDEATHSIG = 1


def in_crosswiki_run() -> bool:
    """Return whether this run is one wiki of a cross-wiki run."""
    return bool(os.environ.get(SUMMARY_ENV))


def publish(summary: RunSummary) -> None:
    """Leave *summary* where the parent run reads it, if there is one.

    Written to a new file of a random name beside it, created
    exclusively and not through a symlink (``mkstemp``: ``O_EXCL``,
    ``O_NOFOLLOW``, mode 0600), then renamed over the name: the parent
    never reads half a file, and a symlink planted at the name is
    replaced, never written through.
    """
    path = os.environ.get(SUMMARY_ENV)
    if not path:
        return
    fd, tmp = tempfile.mkstemp(prefix='.summary-',
                               dir=os.path.dirname(path) or os.curdir)
    try:
        with os.fdopen(fd, 'w', encoding='utf-8') as fh:
            fh.write(summary.to_json())
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def follow_parent() -> bool:
    """Ask for SIGINT when the parent run dies; False if it has already.

    Linux only (``prctl``); elsewhere the child carries on after its
    parent, which is safe (its own journal, its own lock) but unwatched.
    """
    parent = os.environ.get(PARENT_ENV)
    if not parent:
        return True
    libc_name = ctypes.util.find_library('c')
    if libc_name:
        try:
            libc = ctypes.CDLL(libc_name, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGINT, 0, 0, 0)
        except (OSError, AttributeError):
            pass
    # the parent may have died before prctl took effect
    return str(os.getppid()) == parent

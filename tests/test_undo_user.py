"""The library: ``page.revert.undo_user`` and conflict-safe edits."""
from __future__ import annotations

import inspect
import time

import pytest

import pywikibot
import pywikibot_revert
from pywikibot_revert import (
    AlreadyCleanError,
    EditConflictError,
    UndoFailedError,
    UndoUserResult,
)
from pywikibot_revert.ops._edit import edit_on
from harness.wikitools import edit, revisions, text_of


pytestmark = pytest.mark.wiki

BASE = 'One.\n\nTwo.\n\nThree.'


@pytest.fixture
def spam(fresh_user):
    return fresh_user('Lib')


def test_undo_user_undoes_every_run_and_keeps_later_edits(site, site_for,
                                                          spam, unique):
    user, spammer = spam
    editor = site_for('Editor')
    title = f'{unique} lib'
    edit(editor, title, BASE)
    edit(spammer, title, BASE.replace('One.', 'One. SPAM1'))
    edit(editor, title, BASE.replace('One.', 'One. SPAM1')
         .replace('Three.', 'Three!'))
    edit(spammer, title, BASE.replace('One.', 'One. SPAM1')
         .replace('Three.', 'Three!').replace('Two.', 'Two. SPAM2'))

    result = pywikibot.Page(site, title).revert.undo_user(user)

    assert isinstance(result, UndoUserResult)
    assert len(result.undone) == 2 and result.complete
    assert [r.undo for r in result.undone] == sorted(
        (r.undo for r in result.undone), reverse=True)
    assert text_of(site, title) == BASE.replace('Three.', 'Three!')
    assert revisions(site, title)[0]['revid'] == result.newrevid
    assert [e.oldrevid for e in result.edits][1] == result.edits[0].newrevid


def test_undo_user_errors_are_typed(site, site_for, spam, unique):
    user, spammer = spam
    editor = site_for('Editor')
    clean = f'{unique} clean'
    edit(editor, clean, BASE)
    edit(spammer, clean, BASE.replace('Two.', 'Two. SPAM'))
    edit(editor, clean, BASE.replace('Three.', 'Three!'))
    with pytest.raises(AlreadyCleanError):
        pywikibot_revert.undo_user(pywikibot.Page(site, clean), user=user)

    stuck = f'{unique} stuck'
    edit(editor, stuck, BASE)
    edit(spammer, stuck, BASE.replace('Two.', 'Two. [http://spam.example x]'))
    current = edit(editor, stuck, BASE.replace(
        'Two.', 'Two, longer. [http://spam.example x]'))
    page = pywikibot.Page(site, stuck)
    with pytest.raises(UndoFailedError) as caught:
        page.revert.undo_user(user=user)
    assert caught.value.code == 'undofailure'
    assert revisions(site, stuck)[0]['revid'] == current
    # with the domain, only the link goes
    result = page.revert.undo_user(user=user, addedlink='spam.example')
    assert text_of(site, stuck) == BASE.replace('Two.', 'Two, longer.')
    assert result.edits[0].oldrevid == current


def test_edit_on_a_stale_base_is_an_edit_conflict(site, site_for, unique):
    title = f'{unique} stale'
    base = edit(site_for('Editor'), title, BASE)
    # MediaWiki compares the base timestamp to the second: in the same
    # second it would save over the newer edit (then our check of the
    # answer's oldrevid undoes that: see test_buried.py (f))
    time.sleep(1.1)
    newer = edit(site_for('Editor'), title, BASE.replace('Two.', 'Two!'))
    page = pywikibot.Page(site, title)
    stamp = next(r['timestamp'] for r in revisions(site, title)
                 if r['revid'] == base)
    with pytest.raises(EditConflictError) as caught:
        # the same line as the newer edit: MediaWiki cannot merge
        edit_on(page, base=base, basetimestamp=stamp,
                text=BASE.replace('Two.', 'Two?'))
    assert caught.value.code == 'editconflict'
    assert revisions(site, title)[0]['revid'] == newer


def test_accessor_shows_undo_user(site):
    sig = inspect.signature(pywikibot.Page(site, 'X').revert.undo_user)
    assert list(sig.parameters)[:2] == ['user', 'since']
    assert 'addedlink' in sig.parameters

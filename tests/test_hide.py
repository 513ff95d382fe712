"""Revision deletion (``set_visibility``) against the real test wiki."""
from __future__ import annotations

import pytest
import pywikibot

import pywikibot_revert
from pywikibot_revert import (
    MissingRightError,
    MissingTargetError,
    RevisionDeleteError,
    RevisionDeleteResult,
    set_visibility,
    visibility,
)
from harness.wikitools import edit


pytestmark = pytest.mark.wiki


def flags(site, revid):
    """The visibility flags of one revision, as *site*'s user reads them."""
    data = site.simple_request(
        action='query', prop='revisions', revids=revid,
        rvprop='ids|user|comment|content', rvslots='main',
        formatversion=2).submit()
    rev = data['query']['pages'][0]['revisions'][0]
    slot = rev.get('slots', {}).get('main', {})
    return {'texthidden': bool(slot.get('texthidden')),
            'commenthidden': bool(rev.get('commenthidden')),
            'userhidden': bool(rev.get('userhidden')),
            'user': rev.get('user'), 'comment': rev.get('comment'),
            'content': slot.get('content')}


def deletion_log(site, title):
    """The revision deletion log entries of *title*, newest first."""
    data = site.simple_request(
        action='query', list='logevents', letype='delete',
        letitle=title, leprop='ids|type|user|comment|details',
        formatversion=2).submit()
    return [e for e in data['query']['logevents']
            if e['action'] == 'revision']


@pytest.fixture
def spammed(site_for, unique):
    """A page by Editor, two spam edits by Vandal, Editor's fix on top."""
    title = f'{unique} page'
    editor, vandal = site_for('Editor'), site_for('Vandal')
    edit(editor, title, 'Good text')
    spam = [edit(vandal, title, 'Call 555-0100', summary='my number'),
            edit(vandal, title, 'Call 555-0199', summary='other number')]
    top = edit(editor, title, 'Good text', summary='clean')
    return title, spam, top


def test_hide_and_show_read_back_by_another_user(site, site_for, spammed):
    title, spam, top = spammed
    editor = site_for('Editor')
    page = pywikibot.Page(site, title)
    result = page.revert.set_visibility(
        spam, hide=['content', 'comment', 'user'], reason='doxxing')
    assert isinstance(result, RevisionDeleteResult)
    assert result.title == title
    assert result.revids == tuple(spam)
    assert result.changed == tuple(spam)
    assert result.hidden == ('content', 'comment', 'user')
    assert all(result.previous(revid) == frozenset() for revid in spam)
    assert result.after == {revid: {'content', 'comment', 'user'}
                            for revid in spam}
    for revid in spam:
        seen = flags(editor, revid)  # not an admin: sees the flags only
        assert seen['texthidden'] and seen['commenthidden']
        assert seen['userhidden']
        assert seen['user'] is None and seen['content'] is None
        assert seen['comment'] is None
    assert not any(v for k, v in flags(editor, top).items()
                   if k.endswith('hidden'))
    assert visibility(editor, spam + [top]) == {
        spam[0]: {'content', 'comment', 'user'},
        spam[1]: {'content', 'comment', 'user'}, top: frozenset()}
    entry = deletion_log(site, title)[0]
    assert entry['user'] == 'Admin' and entry['comment'] == 'doxxing'
    # suppression is never asked for unless the caller says so
    assert not any('suppressed' in bits
                   for bits in visibility(site, spam).values())

    # showing one bit again: the others stay; what was hidden is reported
    shown = pywikibot_revert.set_visibility(site, spam, show=['user'])
    assert all(shown.previous(revid) == {'content', 'comment', 'user'}
               for revid in spam)
    assert shown.changed == tuple(spam)
    for revid in spam:
        seen = flags(editor, revid)
        assert seen['user'] == 'Vandal' and not seen['userhidden']
        assert seen['texthidden'] and seen['commenthidden']


def test_already_as_asked_changes_nothing(site, spammed):
    title, spam, _ = spammed
    set_visibility(site, spam[:1], hide=['comment'])
    before = len(deletion_log(site, title))
    again = set_visibility(site, spam, hide=['comment'])
    # the first revision already hid its summary: only the second changed
    assert again.changed == (spam[1],)
    assert again.previous(spam[0]) == {'comment'}
    assert visibility(site, spam) == {r: {'comment'} for r in spam}
    assert len(deletion_log(site, title)) == before + 1
    none = set_visibility(site, spam, hide=['comment'])
    assert none.changed == ()
    assert len(deletion_log(site, title)) == before + 1


def test_current_revision_content_is_refused(site, spammed):
    title, spam, top = spammed
    with pytest.raises(RevisionDeleteError) as caught:
        set_visibility(site, [top], hide=['content'])
    assert caught.value.code == 'revdelete-hide-current'
    assert visibility(site, [top]) == {top: frozenset()}
    # its summary may be hidden
    set_visibility(site, [top], hide=['comment'])
    assert visibility(site, [top]) == {top: {'comment'}}


def test_without_the_right_nothing_is_sent(site, site_for, spammed):
    title, spam, _ = spammed
    before = len(deletion_log(site, title))
    with pytest.raises(MissingRightError) as caught:
        set_visibility(site_for('Rollbacker'), spam, hide=['user'])
    assert caught.value.right == 'deleterevision'
    with pytest.raises(MissingRightError) as caught:
        set_visibility(site, spam, hide=['user'], suppress=True)
    assert caught.value.right == 'suppressrevision'
    assert len(deletion_log(site, title)) == before
    assert visibility(site, spam) == {r: frozenset() for r in spam}


def test_the_wiki_refuses_an_account_without_the_right(site_for, spammed):
    # the preflight trusts the account's rights; the wiki has the last
    # word: a write that gets past it is still refused, and typed
    from pywikibot_revert.wiki import _rights
    title, spam, _ = spammed
    rollbacker = site_for('Rollbacker')
    saved = _rights.REQUIRED_RIGHTS['revisiondelete']
    _rights.REQUIRED_RIGHTS['revisiondelete'] = ()
    try:
        with pytest.raises(MissingRightError) as caught:
            set_visibility(rollbacker, spam, hide=['user'])
    finally:
        _rights.REQUIRED_RIGHTS['revisiondelete'] = saved
    assert caught.value.code == 'permissiondenied'
    assert visibility(rollbacker, spam) == {r: frozenset() for r in spam}


def test_suppress_when_asked(site, site_for, spammed):
    title, spam, _ = spammed
    oversighter = site_for('Oversighter')
    set_visibility(oversighter, spam[:1], hide=['user'], suppress=True)
    assert visibility(oversighter, spam[:1]) == {
        spam[0]: {'user', 'suppressed'}}
    # an administrator now cannot change it back
    with pytest.raises((RevisionDeleteError, MissingRightError)):
        set_visibility(site, spam[:1], show=['user'])
    assert visibility(site, spam[:1]) == {spam[0]: {'user', 'suppressed'}}


def test_bad_input(site, spammed, unique):
    title, spam, top = spammed
    with pytest.raises(ValueError, match='nothing to hide'):
        set_visibility(site, spam)
    with pytest.raises(ValueError, match='both'):
        set_visibility(site, spam, hide=['user'], show=['user'])
    with pytest.raises(ValueError, match='unknown'):
        set_visibility(site, spam, hide=['summary'])
    other = edit(site, f'{unique} other', 'x')
    with pytest.raises(ValueError, match='several pages'):
        set_visibility(site, [spam[0], other], hide=['user'])
    with pytest.raises(ValueError, match='not of'):
        pywikibot.Page(site, f'{unique} other').revert.set_visibility(
            spam, hide=['user'])
    with pytest.raises(MissingTargetError):
        set_visibility(site, [top + 10**6], hide=['user'])
    assert visibility(site, spam) == {r: frozenset() for r in spam}

"""Rollback against the real test wiki."""
from __future__ import annotations

import subprocess
import sys

import pytest
import pywikibot

import pywikibot_revert
from pywikibot_revert import (
    AlreadyRolledBackError,
    HiddenUserError,
    MissingRightError,
    MissingTargetError,
    OnlyAuthorError,
    ProtectedPageError,
    RollbackResult,
)
from harness.wikitools import (
    edit,
    hide_user_of,
    protect,
    revisions,
    settled_count,
    text_of,
)


pytestmark = pytest.mark.wiki


@pytest.fixture
def vandalised(site, site_for, unique):
    """A page by Editor with two edits by Vandal on top."""
    title = f'{unique} page'
    good = edit(site_for('Editor'), title, 'Good text [[Link]]')
    edit(site_for('Vandal'), title, 'Bad text')
    bad = edit(site_for('Vandal'), title, 'Worse text {{spam}}')
    return title, good, bad


def test_rollback_restores_and_reports(site, vandalised):
    title, good, bad = vandalised
    page = pywikibot.Page(site, title)
    result = page.revert.rollback(user='Vandal', summary='cleanup')
    assert isinstance(result, RollbackResult)
    revs = revisions(site, title)
    assert revs[0]['user'] == 'Admin'
    assert 'mw-rollback' in revs[0]['tags']
    assert text_of(site, title) == 'Good text [[Link]]'
    assert result.revid == revs[0]['revid']
    assert result.old_revid == bad
    assert result.last_revid == good
    assert result.reverted == 2
    assert result.changed is True
    assert result.summary == 'cleanup'
    assert result.user == 'Vandal'
    assert result.title == title
    with pytest.raises(AttributeError):
        result.revid = 1  # frozen


def test_default_user_is_latest_editor(site, vandalised):
    title, good, _ = vandalised
    result = pywikibot_revert.rollback(pywikibot.Page(site, title))
    assert result.user == 'Vandal'
    assert result.last_revid == good


def test_user_given_without_count_sends_one_request(site, wiki, vandalised):
    title, good, _ = vandalised
    page = pywikibot.Page(site, title)
    site.tokens['rollback']  # token fetched once per session, not per page
    before = settled_count(wiki)
    result = page.revert.rollback(user='User:vandal', count=False)
    assert settled_count(wiki) - before == 1
    assert result.reverted is None
    assert result.last_revid == good


def test_pageid(site, vandalised):
    title, good, _ = vandalised
    pageid = pywikibot.Page(site, title).pageid
    result = pywikibot_revert.rollback(pageid=pageid, site=site,
                                       user='Vandal')
    assert result.pageid == pageid
    assert text_of(site, title) == 'Good text [[Link]]'


def test_pageid_and_page_together_is_misuse(site, vandalised):
    with pytest.raises(ValueError):
        pywikibot_revert.rollback(pywikibot.Page(site, vandalised[0]),
                                  pageid=1)


def test_not_latest_editor_is_typed_and_writes_nothing(site, site_for,
                                                       vandalised):
    title, *_ = vandalised
    fixed = edit(site_for('Editor'), title, 'Someone fixed it')
    with pytest.raises(AlreadyRolledBackError) as info:
        pywikibot.Page(site, title).revert.rollback(user='Vandal')
    assert info.value.code == 'alreadyrolled'
    assert revisions(site, title)[0]['revid'] == fixed


def test_server_alreadyrolled_keeps_code(site, site_for, vandalised):
    title, *_ = vandalised
    edit(site_for('Editor'), title, 'fixed')
    with pytest.raises(AlreadyRolledBackError) as info:
        pywikibot.Page(site, title).revert.rollback(user='Vandal',
                                                    count=False)
    assert info.value.code == 'alreadyrolled'
    assert info.value.page.title() == title
    assert info.value.site == site
    assert isinstance(info.value, pywikibot.exceptions.Error)


def test_only_author(site, site_for, unique):
    title = f'{unique} vandal only'
    edit(site_for('Vandal'), title, 'spam')
    top = edit(site_for('Vandal'), title, 'more spam')
    with pytest.raises(OnlyAuthorError):
        pywikibot.Page(site, title).revert.rollback(user='Vandal')
    with pytest.raises(OnlyAuthorError) as info:
        pywikibot.Page(site, title).revert.rollback(user='Vandal',
                                                    count=False)
    assert info.value.code == 'onlyauthor'
    assert revisions(site, title)[0]['revid'] == top


def test_hidden_latest_editor(site, vandalised):
    title, _, bad = vandalised
    hide_user_of(site, bad)
    with pytest.raises(HiddenUserError):
        pywikibot.Page(site, title).revert.rollback()
    assert revisions(site, title)[0]['revid'] == bad


def test_missing_page(site, unique):
    with pytest.raises(MissingTargetError):
        pywikibot.Page(site, f'{unique} nowhere').revert.rollback(
            user='Vandal')
    with pytest.raises(MissingTargetError) as info:
        pywikibot.Page(site, f'{unique} nowhere').revert.rollback(
            user='Vandal', count=False)
    assert info.value.code == 'missingtitle'


def test_missing_right_is_named(site_for, vandalised):
    title, _, bad = vandalised
    nobody = site_for('Nobody')
    with pytest.raises(MissingRightError) as info:
        pywikibot.Page(nobody, title).revert.rollback(user='Vandal')
    assert info.value.right == 'rollback'
    assert "'rollback'" in str(info.value)
    assert revisions(nobody, title)[0]['revid'] == bad


def test_protected_page(site, site_for, unique):
    # a compromised admin account (Botty) vandalised a protected page; a
    # rollbacker without editprotected cannot revert it
    title = f'{unique} protected'
    edit(site_for('Editor'), title, 'good')
    protect(site, title)
    bad = edit(site_for('Botty'), title, 'bad')
    with pytest.raises(ProtectedPageError) as info:
        pywikibot.Page(site_for('Rollbacker'), title).revert.rollback(
            user='Botty')
    assert info.value.code in ('protectedpage', 'cascadeprotected')
    assert revisions(site, title)[0]['revid'] == bad


def test_markbot_default_follows_rights(site, site_for, vandalised, unique):
    title, *_ = vandalised
    pywikibot.Page(site_for('Botty'), title).revert.rollback(user='Vandal')
    rc = site.simple_request(action='query', list='recentchanges',
                             rctitle=title, rcprop='user|flags|ids',
                             rclimit=10, formatversion=2).submit()
    changes = rc['query']['recentchanges']
    assert changes[0]['user'] == 'Botty' and changes[0]['bot']
    # an admin's rollback is not hidden from recent changes by default
    other = f'{unique} second'
    edit(site_for('Editor'), other, 'ok')
    edit(site_for('Vandal'), other, 'bad')
    pywikibot.Page(site, other).revert.rollback(user='Vandal')
    rc = site.simple_request(action='query', list='recentchanges',
                             rctitle=other, rcprop='user|flags',
                             rclimit=1, formatversion=2).submit()
    assert not rc['query']['recentchanges'][0]['bot']


def test_tags_are_sent_and_checked(site, vandalised):
    # MediaWiki 1.39's RollbackPage checks the tags but never adds them to
    # the revision (fixed in later releases), so the check is what shows
    title, _, bad = vandalised
    with pytest.raises(pywikibot.exceptions.APIError) as info:
        pywikibot.Page(site, title).revert.rollback(user='Vandal',
                                                    tags='no-such-tag')
    assert info.value.code == 'badtags'
    assert revisions(site, title)[0]['revid'] == bad


def test_core_methods_are_untouched():
    code = (
        'import pywikibot.page as p\n'
        'before = {k: v for c in (p.BasePage, p.Page, p.FilePage)'
        ' for k, v in vars(c).items()}\n'
        'import pywikibot_revert\n'
        'after = {k: v for c in (p.BasePage, p.Page, p.FilePage)'
        ' for k, v in vars(c).items()}\n'
        'added = set(after) - set(before)\n'
        'assert added == {"revert"}, added\n'
        'assert all(after[k] is before[k] for k in before)\n'
        'assert p.BasePage.rollback is before["rollback"]\n'
        'print("ok")\n')
    out = subprocess.run([sys.executable, '-c', code], capture_output=True,
                         text=True, check=False)
    assert out.stdout.strip() == 'ok', out.stderr


def test_core_rollback_still_behaves(site, vandalised):
    title, good, bad = vandalised
    result = pywikibot.Page(site, title).rollback(user='Vandal')
    assert isinstance(result, dict) and result['old_revid'] == bad
    assert text_of(site, title) == 'Good text [[Link]]'


def test_accessor_is_discoverable(site):
    page = pywikibot.Page(site, 'Anything')
    assert isinstance(page.revert, pywikibot_revert.RevertAccessor)
    assert pywikibot.Page.revert is pywikibot_revert.RevertAccessor
    doc = pywikibot_revert.RevertAccessor.__doc__
    assert 'page.revert' in doc
    for name in ('rollback', 'undelete', 'filerevert', 'select'):
        assert getattr(page.revert, name).__doc__
    with pytest.raises(TypeError):
        page.revert.filerevert(previous=True)

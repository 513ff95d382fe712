"""Faults between pywikibot and the wiki: never act twice, find out first.

A loopback proxy (tests/harness/faultproxy.py) sits between pywikibot
and the test wiki. pywikibot talks to it as the wiki ``proxywiki``.
"""
from __future__ import annotations

import time

import pytest
import pywikibot
from pywikibot import config

from pywikibot_revert import (
    OutcomeUnknownError,
    RateLimitedError,
    ReadOnlyError,
    ServerUnavailableError,
)
from harness.faultproxy import FaultProxy
from harness.wikitools import (
    delete,
    deleted_count,
    edit,
    exists,
    file_sha1s,
    revisions,
    text_of,
    upload,
)


# mediawiki_neutral tests (left out on the other MediaWiki releases,
# see .ci/run): the faults are the proxy's, the wiki's part ordinary
# writes and the reads that find out, which test_kill.py and
# test_inflight.py make on every release; kept there: IP spellings.
pytestmark = pytest.mark.wiki


@pytest.fixture(scope='session')
def proxy(wiki, config_dir):
    with FaultProxy(wiki.port) as fp:
        config.family_files['proxywiki'] = f'{fp.url}/api.php'
        config.usernames['proxywiki']['proxywiki'] = 'Admin'
        with open(config_dir / 'user-password.py', 'a',
                  encoding='utf-8') as f:
            f.write(f"('proxywiki', 'proxywiki', 'Admin', "
                    f"{wiki.users['Admin']!r})\n")
        yield fp


@pytest.fixture
def psite(proxy):
    """Admin's site on the proxied wiki; faults cleared before and after."""
    proxy.clear_faults()
    site = pywikibot.Site('proxywiki', 'proxywiki', user='Admin')
    site.login()
    site.tokens['rollback'], site.tokens['csrf']  # noqa: B018
    proxy.reset_log()
    yield site
    proxy.clear_faults()


@pytest.fixture
def fast_retries(monkeypatch):
    monkeypatch.setattr(config, 'retry_wait', 0.2)
    monkeypatch.setattr(config, 'retry_max', 0.5)


@pytest.fixture
def vandalised(site, site_for, unique):
    title = f'{unique} page'
    edit(site_for('Editor'), title, 'good')
    bad = edit(site_for('Vandal'), title, 'bad')
    return title, bad


def _posts(proxy, action):
    return [r for r in proxy.requests_for(action) if r.method == 'POST']


@pytest.mark.mediawiki_neutral
def test_dropped_answer_after_rollback_is_not_resent(psite, proxy, site,
                                                     vandalised,
                                                     fast_retries):
    title, bad = vandalised
    proxy.add_fault('drop_after_forward', action='rollback')
    result = pywikibot.Page(psite, title).revert.rollback(user='Vandal',
                                                          count=False)
    revs = revisions(site, title)
    assert result.revid == revs[0]['revid'] and result.old_revid == bad
    assert sum('mw-rollback' in r['tags'] for r in revs) == 1
    assert len(_posts(proxy, 'rollback')) == 1
    assert text_of(site, title) == 'good'


@pytest.mark.mediawiki_neutral
def test_503_before_forward_is_checked_then_resent(psite, proxy, site,
                                                   vandalised, fast_retries):
    title, _ = vandalised
    proxy.add_fault('status', action='rollback', status=503)
    pywikibot.Page(psite, title).revert.rollback(user='Vandal', count=False)
    assert len(_posts(proxy, 'rollback')) == 2
    assert sum('mw-rollback' in r['tags']
               for r in revisions(site, title)) == 1


@pytest.mark.mediawiki_neutral
def test_garbled_answer_after_undelete(psite, proxy, site, unique,
                                       fast_retries):
    title = f'{unique} gone'
    edit(site, title, 'a')
    delete(site, title)
    proxy.add_fault('garbage', action='undelete')
    result = pywikibot.Page(psite, title).revert.undelete(all_revisions=True)
    assert exists(site, title) and deleted_count(site, title) == 0
    assert len(_posts(proxy, 'undelete')) == 1
    assert result.title == title


@pytest.mark.mediawiki_neutral
def test_filerevert_never_adds_a_second_version(psite, proxy, site,
                                                site_for, unique, tmp_path,
                                                fast_retries):
    title = f'File:{unique} f.png'
    good = upload(site_for('Editor'), title, tmp_path, 1)
    upload(site_for('Vandal'), title, tmp_path, 2)
    # a revert in the same second as the last upload fails on the server
    # (backend-fail-alreadyexists); here the first attempt must succeed
    time.sleep(1.1)
    proxy.add_fault('drop_after_forward', action='filerevert')
    result = pywikibot.FilePage(psite, title).revert.filerevert(
        not_user='Vandal')
    sha = file_sha1s(site, title)
    assert sha[0] == good and len(sha) == 3  # exactly one new version
    assert result.sha1 == good
    assert len(_posts(proxy, 'filerevert')) == 1


@pytest.mark.mediawiki_neutral
def test_timeout_after_the_write(psite, proxy, site, vandalised,
                                 fast_retries, monkeypatch):
    title, _ = vandalised
    monkeypatch.setattr(config, 'socket_timeout', (2, 2))
    proxy.add_fault('delay', action='rollback', delay=4)
    result = pywikibot.Page(psite, title).revert.rollback(user='Vandal',
                                                          count=False)
    assert result.revid == revisions(site, title)[0]['revid']
    assert len(_posts(proxy, 'rollback')) == 1


@pytest.mark.mediawiki_neutral
@pytest.mark.parametrize('code', ['ratelimited', 'readonly'])
def test_refusals_are_waited_out(psite, proxy, site, vandalised,
                                 fast_retries, code):
    title, _ = vandalised
    proxy.add_fault('api_error', action='rollback', api_code=code, times=1)
    pywikibot.Page(psite, title).revert.rollback(user='Vandal', count=False,
                                                 max_wait=10)
    assert revisions(site, title)[0]['user'] == 'Admin'


@pytest.mark.mediawiki_neutral
def test_wait_bound_gives_a_clean_stop(psite, proxy, site, vandalised,
                                       fast_retries):
    title, bad = vandalised
    proxy.add_fault('api_error', action='rollback', api_code='ratelimited',
                    times=50)
    with pytest.raises(RateLimitedError):
        pywikibot.Page(psite, title).revert.rollback(
            user='Vandal', count=False, max_wait=1)
    assert revisions(site, title)[0]['revid'] == bad


@pytest.mark.mediawiki_neutral
@pytest.mark.parametrize('fault, cls', [
    ({'fault': 'status', 'status': 503}, ServerUnavailableError),
    ({'fault': 'api_error', 'api_code': 'readonly'}, ReadOnlyError),
])
def test_past_the_wait_the_error_names_what_happened(psite, proxy, site,
                                                     vandalised,
                                                     fast_retries, fault,
                                                     cls):
    title, bad = vandalised
    proxy.add_fault(fault.pop('fault'), action='rollback', times=50, **fault)
    with pytest.raises(cls) as info:
        pywikibot.Page(psite, title).revert.rollback(
            user='Vandal', count=False, max_wait=1)
    assert type(info.value) is cls
    assert revisions(site, title)[0]['revid'] == bad
    # asked the wiki after each refusal, resent only while it showed
    # nothing was written
    assert len(_posts(proxy, 'rollback')) >= 2


@pytest.mark.mediawiki_neutral
def test_badtoken_and_maxlag_are_pywikibots(psite, proxy, site, vandalised,
                                            fast_retries):
    title, _ = vandalised
    proxy.add_fault('api_error', action='rollback', api_code='badtoken')
    proxy.add_fault('api_error', action='rollback', api_code='maxlag')
    pywikibot.Page(psite, title).revert.rollback(user='Vandal', count=False)
    assert revisions(site, title)[0]['user'] == 'Admin'
    assert sum('mw-rollback' in r['tags']
               for r in revisions(site, title)) == 1


@pytest.mark.mediawiki_neutral
def test_unreachable_wiki_is_an_unknown_outcome(psite, proxy, site,
                                                vandalised, fast_retries):
    title, bad = vandalised
    proxy.add_fault('drop_after_forward', action='rollback')
    proxy.add_fault('status', action='query', status=502, times=50)
    with pytest.raises(OutcomeUnknownError):
        pywikibot.Page(psite, title).revert.rollback(user='Vandal',
                                                     count=False)
    proxy.clear_faults()
    # the write did happen; it was never sent twice
    assert len(_posts(proxy, 'rollback')) == 1
    assert sum('mw-rollback' in r['tags']
               for r in revisions(site, title)) == 1


@pytest.mark.mediawiki_neutral
def test_writes_are_posts_with_token_in_body_and_assertuser(psite, proxy,
                                                            site, vandalised,
                                                            unique):
    title, _ = vandalised
    pywikibot.Page(psite, title).revert.rollback(user='Vandal')
    gone = f'{unique} gone'
    edit(site, gone, 'x')
    delete(site, gone)
    pywikibot.Page(psite, gone).revert.undelete(all_revisions=True)
    writes = [r for r in proxy.requests
              if r.action in ('rollback', 'undelete', 'filerevert')]
    assert writes
    for req in writes:
        assert req.method == 'POST'
        assert 'token' in req.form and 'token' not in req.query
        assert req.form['assertuser'] == ['Admin']


def test_ip_spellings(site, site_for, wiki, unique):
    from harness.wikitools import anon_edit
    title = f'{unique} anon'
    edit(site_for('Editor'), title, 'good')
    anon_edit(wiki.api_url, title, 'bad')
    result = pywikibot.Page(site, title).revert.rollback(
        user='127.000.000.001')
    assert result.user == '127.0.0.1'
    assert text_of(site, title) == 'good'


@pytest.mark.mediawiki_neutral
def test_journal_lock_and_wiki_check(site, psite, tmp_path):
    from pywikibot_revert.bot._journal import Journal, JournalError
    path = tmp_path / 'j.jsonl'
    with Journal(path, site):
        with pytest.raises(JournalError, match='in use'):
            Journal(path, site).open()
    with pytest.raises(JournalError, match='written for'):
        Journal(path, psite).open()

"""Load: a 5,000-page mass rollback, and a 2,000-revision undelete killed
between its chunks and resumed.

Both run in CI. The work to undo is seeded offline with MediaWiki's
maintenance scripts (``benchmarks/seeding.py``: an XML import), under
titles and a vandal account of their own, so the rest of the session's
wiki is left alone; no snapshot is restored.
"""
from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from pywikibot_revert.bot._journal import Journal
from harness.faultproxy import FaultProxy, Request
from harness.wikitools import delete, settled_count, signal_pwb

sys.path.insert(0, str(Path(__file__).resolve().parent.parent
                       / 'benchmarks'))
import seeding  # noqa: E402


# pywikibot_neutral (left out on the oldest pywikibot, see .ci/run):
# the scale of the wiki's work, not pywikibot's API.
pytestmark = [pytest.mark.wiki, pytest.mark.pywikibot_neutral]

#: pages of the mass rollback (fewer for a quick local run only)
PAGES = int(os.environ.get('PWBREVERT_LOAD_PAGES', 5000))
#: deleted revisions of the page to undelete in chunks
REVISIONS = 2000
#: titles per batched read (a sysop's limit)
READ_BATCH = 500


def _read_pages(site, titles: list[str], **params: Any
                ) -> dict[str, dict[str, Any]]:
    """Batched reads as Admin: title -> page, 500 titles a request."""
    pages: dict[str, dict[str, Any]] = {}
    for i in range(0, len(titles), READ_BATCH):
        data = site.simple_request(
            action='query', titles=titles[i:i + READ_BATCH],
            formatversion=2, **params).submit()
        assert 'continue' not in data, data['continue']
        for page in data['query']['pages']:
            pages[page['title']] = page
    return pages


def _run_pwb(wiki, cfg, *args: str) -> tuple[int, str, float]:
    start = time.monotonic()
    out = wiki.run_pwb(list(args), cfg, timeout=600)
    return out.returncode, out.stdout + out.stderr, time.monotonic() - start


@pytest.mark.load
def test_mass_rollback_5000_pages(wiki, site, config_dir_for, unique,
                                  tmp_path, record_property):
    vandal = f'Mass{unique.split()[0]}'
    wiki.create_user(vandal)
    start = time.monotonic()
    # one good and one bad revision per page: a third of the import saved
    seeded = seeding.seed_rollback(
        wiki, tmp_path, 0, PAGES, prefix=f'{unique} p', vandal=vandal,
        revisions=seeding.ROLLBACK_REVISIONS[:2])
    titles = seeded['titles']
    seed_time = time.monotonic() - start
    journal = tmp_path / 'mass.jsonl'

    before = settled_count(wiki)
    code, out, run_time = _run_pwb(
        wiki, config_dir_for('Admin'), 'rollback', f'-user:{vandal}',
        '-always', f'-journal:{journal}')
    requests = settled_count(wiki) - before
    record_property('seed_seconds', round(seed_time, 1))
    record_property('run_seconds', round(run_time, 1))
    print(f'seeded {PAGES} pages in {seed_time:.1f} s, rolled back in '
          f'{run_time:.1f} s with {requests} requests')
    tail = out[-3000:]
    assert code == 0, tail
    assert f'Summary: {PAGES} done, 0 skipped, 0 failed' in out, tail
    # one POST per page, the listing and the login: no per-page reads
    assert requests <= PAGES * 1.02 + 30, requests

    pages = _read_pages(site, titles, prop='revisions',
                        rvprop='user|tags|content', rvslots='main')
    assert len(pages) == PAGES
    wrong = [t for t in titles
             if pages[t]['revisions'][0]['user'] != 'Admin'
             or 'mw-rollback' not in pages[t]['revisions'][0]['tags']
             or pages[t]['revisions'][0]['slots']['main']['content']
             != f'Good text on {t}.']
    assert not wrong, (len(wrong), wrong[:5])

    records = Journal.read(journal)
    done = [r for r in records if r['type'] == 'done']
    assert len(done) == PAGES
    assert sorted(r['title'] for r in done) == sorted(titles)
    assert len({r['key'] for r in done}) == PAGES
    assert not [r for r in records
                if r['type'] in ('failed', 'uncertain', 'skipped')]
    assert records[-1]['type'] == 'end' and records[-1]['completed']


def _undelete_posts(proxy: FaultProxy) -> list[Request]:
    return [r for r in proxy.requests_for('undelete') if r.method == 'POST']


def _count(site, title: str, prop: str) -> int:
    """Count a page's revisions or deleted revisions (all of them)."""
    short = {'revisions': 'rv', 'deletedrevisions': 'drv'}[prop]
    params = {'action': 'query', 'prop': prop, 'titles': title,
              f'{short}limit': 'max', f'{short}prop': 'ids',
              'formatversion': 2}
    count, cont = 0, {}
    while True:
        data = site.simple_request(**params, **cont).submit()
        count += len(data['query']['pages'][0].get(prop, []))
        if 'continue' not in data:
            return count
        cont = data['continue']


def _restore_log(site, title: str) -> list[dict[str, Any]]:
    data = site.simple_request(
        action='query', list='logevents', letype='delete', letitle=title,
        lelimit='max', leprop='type|details|timestamp',
        formatversion=2).submit()
    return [e for e in data['query']['logevents']
            if e['action'] == 'restore']


def test_undelete_2000_revisions_killed_between_chunks(wiki, site,
                                                       proxied_config, unique,
                                                       tmp_path,
                                                       record_property):
    cfg, proxy = proxied_config
    title = f'{unique} big'
    start = time.monotonic()
    seeding.import_pages(wiki, tmp_path, [(title, tuple(
        ('Editor', f'text {k}') for k in range(REVISIONS)))], name='big')
    delete(site, title)
    # more than 1000 revisions: deleted by a job (only that one runs,
    # not the queue the rest of the session left)
    wiki.run_jobs('deletePage')
    assert _count(site, title, 'deletedrevisions') == REVISIONS
    seed_time = time.monotonic() - start
    journal = tmp_path / 'big.jsonl'
    # a filter makes the bot name every revision by its timestamp (no
    # "restore everything"), 500 per request with apihighlimits
    args = ['undelete', f'-page:{title}', '-except-user:Vandal', '-always',
            f'-journal:{journal}']

    start = time.monotonic()
    proxy.add_fault('hold_before_forward', action='undelete',
                    when=lambda r: r.method == 'POST', skip=1)
    out = signal_pwb(wiki, cfg, args, sig=signal.SIGKILL,
                     when=lambda: proxy.wait_held(0.1) is not None)[1]
    proxy.clear_faults()  # the held 2nd chunk never reaches the wiki
    kill_time = time.monotonic() - start
    posts = _undelete_posts(proxy)
    assert len(posts) == 2, out[-3000:]
    chunk = len(posts[0].params['timestamps'].split('|'))
    assert chunk == 500
    assert _count(site, title, 'revisions') == chunk
    records = Journal.read(journal)
    opened = [r['type'] for r in records if r.get('key')]
    assert opened == ['intent'], opened

    start = time.monotonic()
    code, out, resume_time = _run_pwb(wiki, cfg, *args)
    record_property('seed_seconds', round(seed_time, 1))
    record_property('kill_seconds', round(kill_time, 1))
    record_property('resume_seconds', round(resume_time, 1))
    print(f'seeded {REVISIONS} revisions in {seed_time:.1f} s, killed '
          f'after {kill_time:.1f} s, resumed in {resume_time:.1f} s')
    assert code == 0, out[-3000:]

    # all back, nothing left deleted
    report = '\n'.join(line for line in out.splitlines()
                       if 'skipped' in line or 'Summary' in line
                       or 'rror' in line)
    assert _count(site, title, 'revisions') == REVISIONS, report
    assert _count(site, title, 'deletedrevisions') == 0, report

    # every POST named its revisions; none asked for everything
    posts = _undelete_posts(proxy)
    for post in posts:
        assert post.params.get('timestamps'), post
        assert 'undeleteall' not in post.params
    # each revision went to the wiki in exactly one request
    sent = [stamp for post in posts if post.fault is None
            for stamp in post.params['timestamps'].split('|')]
    assert len(sent) == len(set(sent)) == REVISIONS, (
        f'{len(sent)} timestamps sent for {len(set(sent))} revisions')
    # ... and the wiki logged one restore per chunk
    log = _restore_log(site, title)
    assert sum(e['params']['count']['revisions'] for e in log) == REVISIONS
    assert len(log) == REVISIONS // chunk, log

    records = Journal.read(journal)
    outcomes = [r['type'] for r in records if r.get('key')]
    assert outcomes.count('done') == 1, outcomes
    # restored onto a missing title: read back at the end of the run
    assert outcomes[-2:] == ['done', 'verified'], outcomes

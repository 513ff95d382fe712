"""SIGKILL in the middle of a write, then resume and undo with the journal.

A loopback proxy (tests/harness/faultproxy.py) holds the answer to the
second write of a run: the wiki did the write, the program never hears
of it. Then the program is killed with SIGKILL, so nothing but the
journal's ``intent`` line tells of that write. A rerun with the same
journal must find out on the wiki that it landed, record it ``done``
(``reconciled``) without writing again, finish the other pages, and
``-undo`` must undo it with the rest. The counterpart: a write held
*before* it reached the wiki is done exactly once by the rerun.
"""
from __future__ import annotations

import signal
import time
from typing import Any

import pytest

from pywikibot_revert.bot._journal import Journal
from harness.faultproxy import FaultProxy, Request
from harness.wikitools import (
    delete,
    deleted_count,
    edit,
    exists,
    file_sha1s,
    proxied_config_dir,
    posts,
    pwb,
    revisions,
    signal_pwb,
    text_of,
    upload,
    write_title,
    written_titles,
)


# pywikibot_neutral (left out on the oldest pywikibot, see .ci/run):
# what the wiki holds after a kill; a resume goes the pywikibot way
# of test_script_rollback.py's kill test.
pytestmark = [pytest.mark.wiki, pytest.mark.pywikibot_neutral]


@pytest.fixture(scope='module')
def proxied(wiki, config_dir_for):
    """A proxy in front of the wiki and a ``pwb`` config (Admin) using it."""
    with FaultProxy(wiki.port) as proxy:
        cfg = proxied_config_dir(wiki, config_dir_for, proxy.url,
                                 'test_kill')
        yield cfg, proxy


@pytest.fixture
def cfg_proxy(proxied):
    """The proxied config; no faults, an empty log, nothing held."""
    cfg, proxy = proxied
    proxy.clear_faults()
    proxy.reset_log()
    yield cfg, proxy
    proxy.clear_faults()


def _is_post(req: Request) -> bool:
    return req.method == 'POST'


def _outcomes(records: list[dict[str, Any]]) -> dict[str, list[str]]:
    """Key -> the types of its intent/done/failed/uncertain records."""
    seen: dict[str, list[str]] = {}
    for rec in records:
        if rec.get('key') and rec['type'] in ('intent', 'done', 'failed',
                                              'uncertain'):
            seen.setdefault(rec['key'], []).append(rec['type'])
    return seen


def _key_of(records: list[dict[str, Any]], title: str) -> str:
    keys = {r['key'] for r in records
            if r.get('type') == 'intent' and r.get('title') == title}
    assert len(keys) == 1, (title, keys)
    return keys.pop()


def _kill_at_held(wiki, cfg, proxy, args):
    """Run ``pwb ARGS``; SIGKILL it once the proxy holds a request."""
    code, out = signal_pwb(wiki, cfg, args, sig=signal.SIGKILL,
                           when=lambda: proxy.wait_held(0.1) is not None)
    assert code == -signal.SIGKILL, out
    return out


def _rerun(wiki, cfg, proxy, args, action):
    """Clear the faults, run ``pwb ARGS`` again (it must succeed).

    :return: its output, and the sorted titles its *action* POSTs named
    """
    proxy.clear_faults()
    proxy.reset_log()
    code, out = pwb(wiki, cfg, *args)
    assert code == 0, out
    return out, sorted(written_titles(proxy, action).elements())


def _check_killed(records, killed_title, before_titles):
    """The journal after the kill: done before, the held key open."""
    outcomes = _outcomes(records)
    key = _key_of(records, killed_title)
    assert outcomes[key] == ['intent'], records
    for title in before_titles:
        assert outcomes[_key_of(records, title)] == ['intent', 'done']
    return key


def _notes(out: str) -> str:
    """The skip, error and summary lines of a run, for failure messages."""
    return '\n'.join(line for line in out.splitlines()
                     if 'skipped' in line or 'Summary' in line
                     or 'rror' in line)


def _check_resumed(records, killed_key, titles, *, reconciled=True):
    """Every page done exactly once; the killed key reconciled."""
    outcomes = _outcomes(records)
    keys = {_key_of(records, t) for t in titles} | {killed_key}
    for key in keys:
        assert outcomes[key].count('done') == 1, (key, outcomes[key])
        assert outcomes[key][-1] == 'done', (key, outcomes[key])
    done = [r for r in records
            if r.get('type') == 'done' and r['key'] == killed_key]
    assert bool(done[0].get('reconciled')) is reconciled, done


# -- rollback --------------------------------------------------------------


@pytest.mark.parametrize('selection', ['pages', 'contributions'])
def test_rollback_killed_after_the_write_landed(wiki, site, site_for,
                                                fresh_user, cfg_proxy,
                                                unique, tmp_path, selection):
    """The held rollback is found on the wiki, never sent again.

    With ``-user:`` alone, the killed page is no longer among the
    vandal's top contributions when the rerun lists them: only the
    journal knows of it.
    """
    cfg, proxy = cfg_proxy
    vandal, vsite = fresh_user('Killer')
    titles = [f'{unique} r{i}' for i in range(4)]
    for title in titles:
        edit(site_for('Editor'), title, 'good')
        edit(vsite, title, 'bad')
    journal = tmp_path / 'rollback.jsonl'
    args = ['rollback', f'-user:{vandal}', '-always', f'-journal:{journal}']
    if selection == 'pages':
        args += [f'-page:{t}' for t in titles]

    proxy.add_fault('hold', action='rollback', when=_is_post, skip=1)
    out = _kill_at_held(wiki, cfg, proxy, args)
    (held,) = proxy.held
    killed = write_title(held)
    first = write_title(posts(proxy, 'rollback')[0])
    rest = [t for t in titles if t not in (first, killed)]
    # the held write landed: Admin's rollback on top
    top = revisions(site, killed)[0]
    assert top['user'] == 'Admin' and 'mw-rollback' in top['tags'], out
    assert text_of(site, killed) == 'good'
    assert all(revisions(site, t)[0]['user'] == vandal for t in rest)
    key = _check_killed(Journal.read(journal), killed, [first])

    out, sent = _rerun(wiki, cfg, proxy, args, 'rollback')
    assert sent == sorted(rest), out
    for title in titles:
        revs = revisions(site, title)
        assert revs[0]['user'] == 'Admin', (title, out)
        assert sum('mw-rollback' in r['tags'] for r in revs) == 1, title
        assert text_of(site, title) == 'good'
    _check_resumed(Journal.read(journal), key, titles)

    code, out = pwb(wiki, cfg, 'rollback', f'-undo:{journal}', '-always')
    assert code == 0, out
    for title in titles:
        assert text_of(site, title) == 'bad', (title, _notes(out))


def test_buried_undo_killed_after_the_write_landed(wiki, site, site_for,
                                                   fresh_user, cfg_proxy,
                                                   unique, tmp_path):
    """-buried: the held undo edit is found on the wiki, never sent again."""
    cfg, proxy = cfg_proxy
    spammer, ssite = fresh_user('Burier')
    titles = [f'{unique} b{i}' for i in range(4)]
    for title in titles:
        edit(site_for('Editor'), title, 'one\n\ntwo')
        edit(ssite, title, 'one SPAM\n\ntwo')
        edit(site_for('Editor'), title, 'one SPAM\n\ntwo later')
    journal = tmp_path / 'buried.jsonl'
    args = ['rollback', f'-user:{spammer}', '-buried', '-always',
            f'-journal:{journal}']

    proxy.add_fault('hold', action='edit', when=_is_post, skip=1)
    out = _kill_at_held(wiki, cfg, proxy, args)
    (held,) = proxy.held
    killed = write_title(held)
    first = posts(proxy, 'edit')[0].params['title']
    rest = [t for t in titles if t not in (first, killed)]
    assert text_of(site, killed) == 'one\n\ntwo later', out
    key = _check_killed(Journal.read(journal), killed, [first])

    out, sent = _rerun(wiki, cfg, proxy, args, 'edit')
    assert sent == sorted(rest), out
    for title in titles:
        revs = revisions(site, title)
        assert [r['user'] for r in revs[:2]] == ['Admin', 'Editor'], title
        assert text_of(site, title) == 'one\n\ntwo later'
    _check_resumed(Journal.read(journal), key, titles)

    code, out = pwb(wiki, cfg, 'rollback', f'-undo:{journal}', '-always')
    assert code == 0, out
    for title in titles:
        assert text_of(site, title) == 'one SPAM\n\ntwo later', (
            title, _notes(out))


def test_rollback_killed_before_the_write_landed(wiki, site, site_for,
                                                 fresh_user, cfg_proxy,
                                                 unique, tmp_path):
    """A write held before forwarding is done once by the rerun."""
    cfg, proxy = cfg_proxy
    vandal, vsite = fresh_user('Stopper')
    titles = [f'{unique} n{i}' for i in range(3)]
    for title in titles:
        edit(site_for('Editor'), title, 'good')
        edit(vsite, title, 'bad')
    journal = tmp_path / 'rollback.jsonl'
    args = ['rollback', f'-user:{vandal}', *[f'-page:{t}' for t in titles],
            '-always', f'-journal:{journal}']

    proxy.add_fault('hold_before_forward', action='rollback', when=_is_post,
                    skip=1)
    _kill_at_held(wiki, cfg, proxy, args)
    killed = write_title(proxy.held[0])
    first = write_title(posts(proxy, 'rollback')[0])
    proxy.clear_faults()  # abandoned: the held request never lands
    time.sleep(0.5)
    assert revisions(site, killed)[0]['user'] == vandal
    key = _check_killed(Journal.read(journal), killed, [first])

    out, sent = _rerun(wiki, cfg, proxy, args, 'rollback')
    assert sent == sorted(t for t in titles if t != first), out
    for title in titles:
        revs = revisions(site, title)
        assert revs[0]['user'] == 'Admin', (title, out)
        assert sum('mw-rollback' in r['tags'] for r in revs) == 1, title
    _check_resumed(Journal.read(journal), key, titles, reconciled=False)


# -- undelete --------------------------------------------------------------


def test_undelete_killed_after_the_write_landed(wiki, site, cfg_proxy,
                                                unique, tmp_path):
    cfg, proxy = cfg_proxy
    titles = [f'{unique} u{i}' for i in range(4)]
    for title in titles:
        edit(site, title, 'one')
        edit(site, title, 'two')
        delete(site, title)
    journal = tmp_path / 'undelete.jsonl'
    args = ['undelete', *[f'-page:{t}' for t in titles], '-always',
            f'-journal:{journal}']

    proxy.add_fault('hold', action='undelete', when=_is_post, skip=1)
    out = _kill_at_held(wiki, cfg, proxy, args)
    killed = write_title(proxy.held[0])
    first = posts(proxy, 'undelete')[0].params['title']
    rest = [t for t in titles if t not in (first, killed)]
    assert exists(site, killed), out
    assert deleted_count(site, killed) == 0
    assert len(revisions(site, killed)) == 2
    assert not any(exists(site, t) for t in rest)
    key = _check_killed(Journal.read(journal), killed, [first])

    out, sent = _rerun(wiki, cfg, proxy, args, 'undelete')
    assert sent == sorted(rest), out
    for title in titles:
        assert deleted_count(site, title) == 0, (title, out)
        assert len(revisions(site, title)) == 2
    _check_resumed(Journal.read(journal), key, titles)

    code, out = pwb(wiki, cfg, 'undelete', f'-undo:{journal}', '-always')
    assert code == 0, out
    for title in titles:
        assert not exists(site, title), (title, _notes(out))
        assert deleted_count(site, title) == 2


# -- filerevert ------------------------------------------------------------


def test_filerevert_killed_after_the_write_landed(wiki, site, site_for,
                                                  cfg_proxy, unique,
                                                  tmp_path):
    """The rerun adds no version: the key holds the replaced sha1."""
    cfg, proxy = cfg_proxy
    titles = [f'File:{unique} f{i}.png' for i in range(3)]
    good = {t: upload(site_for('Editor'), t, tmp_path, 100 + i)
            for i, t in enumerate(titles)}
    bad = {t: upload(site_for('Vandal'), t, tmp_path, 200 + i)
           for i, t in enumerate(titles)}
    time.sleep(1.1)  # a revert in the second of the last upload fails
    journal = tmp_path / 'filerevert.jsonl'
    args = ['filerevert', '-user:Vandal', *[f'-page:{t}' for t in titles],
            '-always', f'-journal:{journal}']

    proxy.add_fault('hold', action='filerevert', when=_is_post, skip=1)
    out = _kill_at_held(wiki, cfg, proxy, args)
    killed = 'File:' + proxy.held[0].params['filename'].replace('_', ' ')
    first = 'File:' + posts(proxy, 'filerevert')[0].params[
        'filename'].replace('_', ' ')
    rest = [t for t in titles if t not in (first, killed)]
    assert file_sha1s(site, killed) == [good[killed], bad[killed],
                                        good[killed]], out
    assert all(file_sha1s(site, t)[0] == bad[t] for t in rest)
    key = _check_killed(Journal.read(journal), killed, [first])

    out, sent = _rerun(wiki, cfg, proxy, args, 'filerevert')
    assert sent == sorted(rest), out
    for title in titles:
        # three versions: Editor's, Vandal's, the revert; never a fourth
        assert file_sha1s(site, title) == [good[title], bad[title],
                                           good[title]], (title, out)
    _check_resumed(Journal.read(journal), key, titles)

    time.sleep(1.1)
    code, out = pwb(wiki, cfg, 'filerevert', f'-undo:{journal}', '-always')
    assert code == 0, out
    for title in titles:
        assert file_sha1s(site, title)[0] == bad[title], (title,
                                                          _notes(out))

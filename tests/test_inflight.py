"""A write still running on the server is never sent a second time.

A loopback proxy (tests/harness/faultproxy.py) keeps the first copy of
a write back past pywikibot's read timeout, as a slow backend would
(on Commons a file operation can outlive the gateway's timeout), and
only then lets it reach the wiki. The run must not send a second copy
while the first may still land: it watches the wiki, finds the write
once it landed, and records it done once. For every write kind the
tests count what the wiki holds (revisions, file versions, deleted
revisions, log entries) and what the journal says.

A first copy that never lands within the watch is an unknown outcome:
the run stops without resending it, the journal keeps the write open,
and the rerun, once the first copy has ended, settles it on the wiki.
"""
from __future__ import annotations

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
    pwb,
    revisions,
    text_of,
    upload,
    while_held,
)


# pywikibot_neutral (left out on the oldest pywikibot, see .ci/run):
# late writes, watched on the wiki; pywikibot's timeout path is
# test_faults.py's too.
pytestmark = [pytest.mark.wiki, pytest.mark.pywikibot_neutral]

#: pywikibot's connect and read timeouts in the runs under test
TIMEOUT = 2

#: how long the proxy keeps the first copy back: past the timeout, the
#: run's first look at the wiki and its pause before a resend
SLOW = TIMEOUT + 2.5


@pytest.fixture
def cfg_proxy(proxied_config):
    """The test's own proxy, and a ``pwb`` config whose timeouts are short."""
    cfg, proxy = proxied_config
    with open(cfg / 'user-config.py', 'a', encoding='utf-8') as f:
        f.write(f'socket_timeout = ({TIMEOUT}, {TIMEOUT})\n')
    return cfg, proxy


def _is_post(req: Request) -> bool:
    return req.method == 'POST'


def _posts(proxy: FaultProxy, action: str) -> list[Request]:
    return [r for r in proxy.requests_for(action) if r.method == 'POST']


def _run_slow(wiki, cfg, proxy, action: str, *args: str) -> str:
    """Run ``pwb ARGS`` with the first *action* POST landing late.

    :return: the run's output; it succeeded, and sent *action* once
    """
    proxy.reset_log()
    slow = proxy.add_fault('delay_before_forward', action=action,
                           when=_is_post, delay=SLOW)
    code, out = pwb(wiki, cfg, *args)
    assert code == 0, out
    assert slow.hits == 1 and 'it is not sent again' in out, out
    # the first copy was never answered; no second copy followed it
    assert len(_posts(proxy, action)) == 1, out
    return out


def _done_once(journal, kind: str) -> dict[str, Any]:
    """The one done record of the journal's *kind* of key.

    :param kind: the key's first field (``rollback``, ``buried``...)
    :return: the record; its key has an intent and a done (then, for a
        filerevert, the check of the file: ``verified``), nothing else
    """
    states: dict[str, list[str]] = {}
    for rec in Journal.read(journal):
        if rec.get('key', '').split('|')[0] == kind:
            states.setdefault(rec['key'], []).append(rec['type'])
            if rec['type'] == 'done':
                done = rec
    assert [[state for state in key_states if state != 'verified']
            for key_states in states.values()] == [['intent', 'done']], \
        states
    return done


def _log_count(site, title: str, action: str) -> int:
    """How many *action* log entries (``delete/restore``...) *title* has."""
    data = site.simple_request(action='query', list='logevents',
                               leaction=action, letitle=title,
                               formatversion=2).submit()
    return len(data['query']['logevents'])


def test_rollback_landing_late_is_sent_once(wiki, site, site_for, cfg_proxy,
                                            unique, tmp_path):
    cfg, proxy = cfg_proxy
    title = f'{unique} r'
    edit(site_for('Editor'), title, 'good')
    bad = edit(site_for('Vandal'), title, 'bad')
    journal = tmp_path / 'j.jsonl'
    _run_slow(wiki, cfg, proxy, 'rollback', 'rollback', '-user:Vandal',
              f'-page:{title}', '-always', f'-journal:{journal}')
    revs = revisions(site, title)
    assert [r['user'] for r in revs] == ['Admin', 'Vandal', 'Editor']
    assert sum('mw-rollback' in r['tags'] for r in revs) == 1
    assert text_of(site, title) == 'good'
    assert revs[1]['revid'] == bad
    done = _done_once(journal, 'rollback')
    assert done['result']['revid'] == revs[0]['revid']
    assert done['result']['old_revid'] == bad


def test_undelete_landing_late_is_sent_once(wiki, site, cfg_proxy, unique,
                                            tmp_path):
    cfg, proxy = cfg_proxy
    title = f'{unique} u'
    edit(site, title, 'one')
    edit(site, title, 'two')
    delete(site, title)
    journal = tmp_path / 'j.jsonl'
    _run_slow(wiki, cfg, proxy, 'undelete', 'undelete', f'-page:{title}',
              '-always', f'-journal:{journal}')
    assert deleted_count(site, title) == 0
    assert len(revisions(site, title)) == 2
    assert _log_count(site, title, 'delete/restore') == 1
    # the count a -undo checks is the wiki's, though the answer was lost
    assert _done_once(journal, 'undelete')['result']['revisions'] == 2

    # the -undo of that undelete deletes the page: one delete, sent once
    _run_slow(wiki, cfg, proxy, 'delete', 'undelete', f'-undo:{journal}',
              '-always')
    assert not exists(site, title)
    assert deleted_count(site, title) == 2
    assert _log_count(site, title, 'delete/delete') == 2  # test's, ours
    _done_once(journal, 'undo')


def test_filerevert_landing_late_is_sent_once(wiki, site, site_for,
                                              cfg_proxy, unique, tmp_path):
    cfg, proxy = cfg_proxy
    title = f'File:{unique} f.png'
    good = upload(site_for('Editor'), title, tmp_path, 300)
    bad = upload(site_for('Vandal'), title, tmp_path, 301)
    time.sleep(1.1)  # a revert in the second of the last upload fails
    journal = tmp_path / 'j.jsonl'
    _run_slow(wiki, cfg, proxy, 'filerevert', 'filerevert', '-user:Vandal',
              f'-page:{title}', '-always', f'-journal:{journal}')
    assert file_sha1s(site, title) == [good, bad, good]
    done = _done_once(journal, 'filerevert')
    assert done['result']['target']['sha1'] == good


def test_undo_edit_landing_late_is_sent_once(wiki, site, site_for,
                                             fresh_user, cfg_proxy, unique,
                                             tmp_path):
    """-buried: the undo edit (``undo``/``undoafter``) is sent once."""
    cfg, proxy = cfg_proxy
    spammer, ssite = fresh_user('Slow')
    title = f'{unique} b'
    edit(site_for('Editor'), title, 'one\n\ntwo')
    edit(ssite, title, 'one SPAM\n\ntwo')
    edit(site_for('Editor'), title, 'one SPAM\n\ntwo later')
    journal = tmp_path / 'j.jsonl'
    _run_slow(wiki, cfg, proxy, 'edit', 'rollback', f'-user:{spammer}',
              '-buried', '-always', f'-journal:{journal}')
    (sent,) = _posts(proxy, 'edit')
    assert sent.params.get('undo') and sent.params.get('undoafter')
    revs = revisions(site, title)
    assert [r['user'] for r in revs] == ['Admin', 'Editor', spammer,
                                         'Editor']
    assert text_of(site, title) == 'one\n\ntwo later'
    done = _done_once(journal, 'buried')
    assert done['result']['newrevid'] == revs[0]['revid']


def test_put_back_edit_landing_late_is_sent_once(wiki, site, site_for,
                                                cfg_proxy, unique, tmp_path):
    """-undo: the edit putting back an edit our undo merged onto."""
    cfg, proxy = cfg_proxy
    title, journal = f'{unique} p', tmp_path / 'j.jsonl'
    for user, middle in (('Editor', 'two'), ('Vandal', 'two SPAM')):
        edit(site_for(user), title, f'one\n\n{middle}\n\nthree')
    assert pwb(wiki, cfg, 'rollback', '-user:Vandal', f'-page:{title}',
               '-always', f'-journal:{journal}')[0] == 0
    proxy.reset_log()
    # the undo waits while another client edits (MediaWiki merges onto
    # it); the put-back that follows lands late
    proxy.add_fault('hold_before_forward', action='edit', when=_is_post)
    slow = proxy.add_fault('delay_before_forward', action='edit',
                           when=_is_post, delay=SLOW)
    late: dict[str, int] = {}
    thread = while_held(proxy, lambda: late.update(revid=edit(
        site_for('Editor'), title, 'one\n\ntwo\n\nthree and more')))
    code, out = pwb(wiki, cfg, 'rollback', f'-undo:{journal}', '-always')
    thread.join(10)
    assert code == 1 and 'conflict' in out, out
    assert len(_posts(proxy, 'edit')) == 2, out  # the undo, the put-back
    assert slow.hits == 1 and 'it is not sent again' in out, out
    revs = revisions(site, title)
    assert text_of(site, title) == 'one\n\ntwo\n\nthree and more'
    assert [r['user'] for r in revs[:3]] == ['Admin', 'Admin', 'Editor']
    assert revs[2]['revid'] == late['revid']
    states = [r for r in Journal.read(journal)
              if r.get('key', '').startswith('undo|')]
    assert [r['type'] for r in states] == ['intent', 'failed'], states
    assert states[1]['code'] == 'editconflict', states
    assert 'put back' in states[1]['message'], states


def test_first_copy_that_never_lands_in_the_watch_is_not_resent(
        wiki, site, site_for, cfg_proxy, unique, tmp_path):
    """Unknown, not resent: the run stops; the rerun settles it once."""
    cfg, proxy = cfg_proxy
    title = f'{unique} n'
    edit(site_for('Editor'), title, 'good')
    edit(site_for('Vandal'), title, 'bad')
    journal = tmp_path / 'j.jsonl'
    args = ['rollback', '-user:Vandal', f'-page:{title}', '-always',
            f'-journal:{journal}']
    proxy.add_fault('hold_before_forward', action='rollback', when=_is_post)
    code, out = pwb(wiki, cfg, *args, '-maxwait:2')
    assert code == 1, out
    assert 'may still be running' in out, out
    assert len(_posts(proxy, 'rollback')) == 1 and proxy.held, out
    assert revisions(site, title)[0]['user'] == 'Vandal'
    states = [r['type'] for r in Journal.read(journal)
              if r.get('title') == title or r['type'] == 'uncertain']
    assert states == ['intent', 'uncertain'], states

    proxy.clear_faults()  # the first copy ends without landing
    proxy.reset_log()
    code, out = pwb(wiki, cfg, *args)
    assert code == 0, out
    assert len(_posts(proxy, 'rollback')) == 1, out
    revs = revisions(site, title)
    assert revs[0]['user'] == 'Admin'
    assert sum('mw-rollback' in r['tags'] for r in revs) == 1
    done = [r for r in Journal.read(journal) if r['type'] == 'done']
    assert len(done) == 1 and not done[0].get('reconciled'), done

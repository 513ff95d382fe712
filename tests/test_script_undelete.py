"""``pwb undelete`` driven as an operator would, checked on the wiki."""
from __future__ import annotations

import json
import stat
import time

import pytest

from harness.wikitools import (
    delete,
    deleted_count,
    deletion_entry,
    edit,
    exists,
    new_user,
    pwb,
    restore_comment,
    revisions,
    text_of,
    wiki_changes,
    wiki_state,
)


pytestmark = pytest.mark.wiki



def _now() -> str:
    return time.strftime('%Y%m%d%H%M%S', time.gmtime())


@pytest.fixture
def mass_deletion(wiki, site, site_for, config_dir, unique):
    """A fresh admin deletes several pages by mistake, within a window."""
    name = f'Admin{unique.split()[0]}'
    admin = new_user(wiki, config_dir, name, ('sysop',))
    titles = [f'{unique} d{i}' for i in range(4)]
    for title in titles:
        edit(site_for('Editor'), title, 'one')
        edit(site_for('Editor'), title, 'two')
    kept = f'{unique} restored meanwhile'
    edit(site_for('Editor'), kept, 'kept')
    revdel = f'{unique} revdeleted only'
    edit(site_for('Editor'), revdel, 'fine')
    start = _now()
    time.sleep(1.05)
    for title in [*titles, kept]:
        delete(admin, title, 'mistake')
    # a restore in the window: listed as deleted, but nothing is left
    admin.simple_request(action='undelete', title=kept, reason='back',
                         token=admin.tokens['csrf']).submit()
    time.sleep(1.05)
    end = _now()
    return {'admin': name, 'titles': titles, 'kept': kept, 'revdel': revdel,
            'start': start, 'end': end}


def test_restores_what_one_admin_deleted(wiki, site, config_dir_for,
                                         mass_deletion, tmp_path):
    m = mass_deletion
    journal = tmp_path / 'u.jsonl'
    code, out = pwb(wiki, config_dir_for('Admin'), 'undelete',
                    f'-logevents:delete,{m["admin"]},{m["start"]},{m["end"]}',
                    '-summary:Restoring mistaken deletions', '-always',
                    f'-journal:{journal}')
    assert code == 0, out
    for title in m['titles']:
        assert exists(site, title)
        assert len(revisions(site, title)) == 2
        assert deleted_count(site, title) == 0
    assert len(revisions(site, m['kept'])) == 1
    assert 'nothing to restore' in out
    assert '4 undelete operations' in out
    assert stat.S_IMODE(journal.stat().st_mode) == 0o600
    log = site.simple_request(action='query', list='logevents',
                              leaction='delete/restore',
                              letitle=m['titles'][0], leprop='comment',
                              formatversion=2).submit()
    assert log['query']['logevents'][0]['comment'] == \
        'Restoring mistaken deletions'
    records = [json.loads(line) for line in journal.read_text().splitlines()]
    done = [r for r in records if r['type'] == 'done']
    assert sorted(r['result']['revisions'] for r in done) == [2, 2, 2, 2]
    # undo deletes them again
    code, out = pwb(wiki, config_dir_for('Admin'),
                    'undelete', f'-undo:{journal}',
                    '-always')
    assert code == 0, out
    for title in m['titles']:
        assert not exists(site, title)
        assert deleted_count(site, title) == 2


def test_window_either_order_and_simulate(wiki, site, config_dir_for,
                                          mass_deletion):
    m = mass_deletion
    code, out = pwb(wiki, config_dir_for('Admin'), 'undelete',
                    f'-logevents:delete,{m["admin"]},{m["end"]},{m["start"]}',
                    '-simulate')
    assert code == 0, out
    for title in m['titles']:
        assert not exists(site, title)
        assert deleted_count(site, title) == 2
    assert 'all 2 revision(s)' in out


def test_except_user(wiki, site, site_for, config_dir, config_dir_for,
                     unique):
    vandal = new_user(wiki, config_dir, f'Vandal{unique.split()[0]}')
    title = f'{unique} mixed'
    edit(site_for('Editor'), title, 'good')
    time.sleep(1.05)
    edit(vandal, title, 'bad')
    delete(site, title)
    code, out = pwb(wiki, config_dir_for('Admin'),
                    'undelete', f'-page:{title}',
                    f'-except-user:{vandal.user()}', '-always')
    assert code == 0, out
    assert [r['user'] for r in revisions(site, title)] == ['Editor']
    assert deleted_count(site, title) == 1


def test_except_user_keeps_a_shared_second_deleted(wiki, site, site_for,
                                                   config_dir_for, unique):
    """The excluded user's revisions are read too, to keep their second.

    The API restores by timestamp: a second holding a revision of the
    excluded user and one of someone else cannot be restored apart.
    """
    for attempt in range(5):
        title = f'{unique} same second {attempt}'
        edit(site_for('Editor'), title, 'one')
        edit(site_for('Vandal'), title, 'two')
        if len({r['timestamp'] for r in revisions(site, title)}) == 1:
            break
    else:
        pytest.fail('could not make two edits in one second')
    time.sleep(1.05)
    edit(site_for('Editor'), title, 'three')  # a second of its own
    delete(site, title)
    code, out = pwb(wiki, config_dir_for('Admin'), 'undelete',
                    f'-page:{title}', '-except-user:Vandal', '-always')
    assert code == 0, out
    assert [r['user'] for r in revisions(site, title)] == ['Editor']
    assert text_of(site, title) == 'three'
    assert deleted_count(site, title) == 2
    assert 'stay deleted' in out


def test_since_until(wiki, site, site_for, config_dir_for, unique):
    title = f'{unique} window'
    edit(site_for('Editor'), title, 'old')
    time.sleep(1.05)
    middle = _now()
    time.sleep(1.05)
    edit(site_for('Editor'), title, 'new')
    delete(site, title)
    code, out = pwb(wiki, config_dir_for('Admin'),
                    'undelete', f'-page:{title}',
                    f'-since:{middle}', '-always')
    assert code == 0, out
    assert [r['comment'] for r in revisions(site, title)] == ['test']
    assert text_of(site, title) == 'new'
    assert deleted_count(site, title) == 1
    code, out = pwb(wiki, config_dir_for('Admin'),
                    'undelete', f'-page:{title}',
                    f'-until:{middle}', '-always')
    assert code == 0, out
    assert len(revisions(site, title)) == 2
    assert deleted_count(site, title) == 0


def test_undeletetalk(wiki, site, config_dir_for, unique):
    title = f'{unique} art'
    edit(site, title, 'a')
    edit(site, f'Talk:{title}', 't')
    delete(site, f'Talk:{title}')
    delete(site, title)
    code, out = pwb(wiki, config_dir_for('Admin'),
                    'undelete', f'-page:{title}',
                    '-undeletetalk', '-always')
    assert code == 0, out
    assert exists(site, title) and exists(site, f'Talk:{title}')


def test_needs_a_selection_and_valid_input(wiki, site, config_dir_for,
                                           unique):
    """Refused, and nothing restored: a run that went on would restore.

    Each command names (or, by Admin's deletion log, selects) a page
    Admin deleted, and has ``-always``.
    """
    title = f'{unique} deleted'
    edit(site, title, 'one')
    edit(site, title, 'two')
    delete(site, title)
    cfg = config_dir_for('Admin')
    before = wiki_state(site, title)
    assert before[title] == {'latest': None, 'deleted': 2}
    for args, message in [
            ([], 'select pages'),
            ([f'-page:{title}', '-since:2026-13-01T00:00:00Z'], 'timestamp'),
            ([f'-page:{title}', '-except-user:Nobody such'],
             'does not exist'),
            (['-logevents:delete,Admin,tomorrow'], 'timestamp'),
    ]:
        code, out = pwb(wiki, cfg, 'undelete', *args, '-always')
        assert wiki_state(site, title) == before, (
            args, wiki_changes(site, before))
        assert code == 2, (args, out)
        assert message in out, (args, out)


def test_missing_right(wiki, site, config_dir_for, unique):
    title = f'{unique} x'
    edit(site, title, 'x')
    delete(site, title)
    code, out = pwb(wiki, config_dir_for('Nobody'),
                    'undelete', f'-page:{title}',
                    '-always')
    assert code != 0
    assert "'undelete' right" in out
    assert not exists(site, title)


def test_other_log_types_are_refused_clearly(wiki, config_dir_for):
    code, out = pwb(wiki, config_dir_for('Admin'), 'undelete',
                    '-logevents:deletion,Admin', '-always')
    assert code == 2, out
    assert "-logevents: undelete reads the deletion log" in out
    assert 'Traceback' not in out and 'AssertionError' not in out


def test_default_reason(wiki, site, site_for, config_dir_for, mass_deletion,
                        unique):
    m = mass_deletion
    entries = {t: deletion_entry(site, t) for t in m['titles']}
    code, out = pwb(wiki, config_dir_for('Admin'), 'undelete',
                    f'-logevents:delete,{m["admin"]},{m["start"]},{m["end"]}',
                    '-simulate')
    assert code == 0, out
    for title, entry in entries.items():
        assert (f'reason: "Undoing: [[User:{m["admin"]}|{m["admin"]}]] '
                f'deleted page [[:{title}]] (log entry '
                f'{entry["logid"]}') in out
    code, out = pwb(wiki, config_dir_for('Admin'), 'undelete',
                    f'-logevents:delete,{m["admin"]},{m["start"]},{m["end"]}',
                    '-always')
    assert code == 0, out
    for title, entry in entries.items():
        assert entry['user'] == m['admin']
        assert exists(site, title)
        assert restore_comment(site, title) == (
            f'Undoing: [[User:{m["admin"]}|{m["admin"]}]] deleted page '
            f'[[:{title}]] (log entry {entry["logid"]} of '
            f'{entry["timestamp"]}: "mistake")')
    # a page not selected from the log: no read per page to name it
    other = f'{unique} by hand'
    edit(site_for('Editor'), other, 'text')
    delete(site, other, 'oops')
    code, out = pwb(wiki, config_dir_for('Admin'), 'undelete',
                    f'-page:{other}', '-always')
    assert code == 0, out
    assert exists(site, other)
    assert restore_comment(site, other) == 'Restoring deleted revisions'

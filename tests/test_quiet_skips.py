"""Expected skips print one line, ours; unexpected errors print in full.

pywikibot prints ``WARNING: API error CODE: ...`` for every API error.
For the codes that only mean "nothing to do" (``alreadyrolled``,
``cantundelete``, ...), a rerun would print one such warning per page
besides the skip line; they go to pywikibot's log file only. Driven
through ``pwb`` as an operator would, checked on the wiki.
"""
from __future__ import annotations

import re

import pytest

from harness.wikitools import (
    delete, deleted_count, edit, exists, pwb, revisions,
)


pytestmark = pytest.mark.wiki


def _skip_lines(out: str, title: str) -> list[str]:
    return [line for line in out.splitlines()
            if re.search(rf'\] {re.escape(title)}: skipped \(', line)]


def _log_text(config_dir, script: str) -> str:
    return '\n'.join(path.read_text(encoding='utf-8')
                     for path in (config_dir / 'logs').glob(f'{script}*.log'))


def _logged(log: str, text: str) -> int:
    """Count the records with *text* (pywikibot 10.7 logs each twice)."""
    return len({line for line in log.splitlines() if text in line})


def test_rollback_rerun_prints_one_skip_line_per_page(
        wiki, site, site_for, config_dir_for, fresh_user, unique):
    name, vandal = fresh_user('Vandal')
    titles = [f'{unique} p{i}' for i in range(3)]
    for title in titles:
        edit(site_for('Editor'), title, 'good')
        edit(vandal, title, 'bad')
    cfg = config_dir_for('Admin')
    code, out = pwb(wiki, cfg, 'rollback', f'-user:{name}', '-always')
    assert code == 0, out
    tops = {t: revisions(site, t)[0]['revid'] for t in titles}
    assert all(revisions(site, t)[0]['user'] == 'Admin' for t in titles)

    # the rerun names the pages: the wiki answers alreadyrolled to each
    code, out = pwb(wiki, cfg, 'rollback', f'-user:{name}', '-always',
                    '-log', *(f'-page:{t}' for t in titles))
    assert code == 0, out
    assert 'API error' not in out, out
    assert 'alreadyrolled' not in out, out
    for title in titles:
        assert len(_skip_lines(out, title)) == 1, out
    assert 'Summary: 0 done, 3 skipped (3 not the latest editor' in out, out
    # nothing was written on the rerun
    assert {t: revisions(site, t)[0]['revid'] for t in titles} == tops
    # pywikibot's log file keeps the wiki's answer, below warning level
    log = _log_text(cfg, 'rollback')
    assert _logged(log, 'API error alreadyrolled') == 3, log[-3000:]
    assert not re.search(r'WARNING +API error alreadyrolled', log)


def test_undelete_rerun_prints_no_cantundelete(wiki, site, site_for,
                                               config_dir_for, unique):
    titles = [f'{unique} d{i}' for i in range(2)]
    for title in titles:
        edit(site_for('Editor'), title, 'one')
        edit(site_for('Editor'), title, 'two')
        delete(site, title)
    # in the operator's list, but never deleted (nor created): only the
    # wiki can tell, and it answers cantundelete
    never = f'{unique} never'
    cfg = config_dir_for('Admin')
    args = ['undelete', '-always', *(f'-page:{t}' for t in titles)]
    code, out = pwb(wiki, cfg, *args)
    assert code == 0, out
    for title in titles:
        assert len(revisions(site, title)) == 2
        assert deleted_count(site, title) == 0
    tops = {t: revisions(site, t)[0]['revid'] for t in titles}

    code, out = pwb(wiki, cfg, *args, f'-page:{never}', '-log')
    assert code == 0, out
    assert 'API error' not in out, out
    assert 'cantundelete' not in out, out
    for title in [*titles, never]:
        assert len(_skip_lines(out, title)) == 1, out
    assert 'Summary: 0 done, 3 skipped (3 nothing to restore)' in out, out
    assert {t: revisions(site, t)[0]['revid'] for t in titles} == tops
    assert not exists(site, never) and deleted_count(site, never) == 0
    # the wiki did answer cantundelete: the log file has it, lowered
    log = _log_text(cfg, 'undelete')
    assert _logged(log, 'API error cantundelete') == 1, log[-3000:]
    assert not re.search(r'WARNING +API error cantundelete', log)


def test_unexpected_error_still_prints_in_full(wiki, site, site_for,
                                               config_dir_for, unique):
    # one run, both kinds: a page already rolled back (quiet) and a
    # protected page a rollbacker may not roll back (printed in full)
    rolled, protected = f'{unique} rolled', f'{unique} protected'
    for title in (rolled, protected):
        edit(site_for('Editor'), title, 'good')
    site.simple_request(action='protect', title=protected,
                        protections='edit=sysop', expiry='infinite',
                        token=site.tokens['csrf']).submit()
    edit(site_for('Botty'), rolled, 'bad')
    edit(site_for('Botty'), protected, 'bad')
    edit(site_for('Editor'), rolled, 'fixed by hand')
    tops = {t: revisions(site, t)[0]['revid'] for t in (rolled, protected)}
    code, out = pwb(wiki, config_dir_for('Rollbacker'), 'rollback',
                    '-user:Botty', f'-page:{rolled}', f'-page:{protected}',
                    '-always')
    assert code == 1, out
    assert 'API error alreadyrolled' not in out, out
    assert len(_skip_lines(out, rolled)) == 1, out
    # pywikibot's warning and our error, both on the console
    assert re.search(r'WARNING: API error protectedpage: ', out), out
    assert re.search(rf'ERROR: {re.escape(protected)}: protectedpage: ',
                     out), out
    assert {t: revisions(site, t)[0]['revid']
            for t in (rolled, protected)} == tops

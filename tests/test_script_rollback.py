"""``pwb rollback`` driven as an operator would, checked on the wiki."""
from __future__ import annotations

import json
import signal
import stat
import time

import pytest

from harness.wikitools import (
    anon_edit,
    edit,
    new_user,
    posts,
    pwb,
    revisions,
    signal_pwb,
    text_of,
    wiki_changes,
    wiki_state,
    write_history,
    write_title,
    written_titles,
)


pytestmark = pytest.mark.wiki


@pytest.fixture
def incident(wiki, site_for, config_dir, unique):
    """A fresh vandal account and its damage over several pages."""
    name = f'Vandal{unique.split()[0]}'
    vandal = new_user(wiki, config_dir, name)
    editor = site_for('Editor')
    pages = {}
    for i in range(4):
        title = f'{unique} p{i}'
        edit(editor, title, f'good {i} [[Keep{i}]]')
        edit(vandal, title, f'bad {i} [http://spam.example/{i} buy]')
        edit(vandal, title, f'worse {i} [http://spam.example/{i} buy]')
        pages[title] = f'good {i} [[Keep{i}]]'
    fixed = f'{unique} fixed'
    edit(editor, fixed, 'good')
    edit(vandal, fixed, 'bad')
    edit(editor, fixed, 'fixed by editor')
    alone = f'{unique} alone'
    edit(vandal, alone, 'vandal page')
    return {'user': name, 'pages': pages, 'fixed': fixed, 'alone': alone}



def test_help_lists_options_and_generators(wiki, config_dir_for):
    code, out = pwb(wiki, config_dir_for('Admin'), 'rollback', '-help')
    assert code == 0
    for option in ('-user:NAME', '-iprange:CIDR', '-since:', '-until:',
                   '-addedlink:', '-markbot', '-tags:', '-watchlist:',
                   '-always', '-journal:', '-undo:', '-simulate', '-buried',
                   '-report:',
                   '-cat', '-page', '-usercontribs', 'Examples'):
        assert option in out, option


def test_rolls_back_every_top_edit_and_skips_the_rest(wiki, site,
                                                      config_dir_for,
                                                      incident):
    fixed_top = revisions(site, incident['fixed'])[0]['revid']
    alone_top = revisions(site, incident['alone'])[0]['revid']
    code, out = pwb(wiki, config_dir_for('Admin'), 'rollback',
                    f'-user:{incident["user"]}', '-always',
                    '-summary:Spam cleanup')
    assert code == 0, out
    for title, good in incident['pages'].items():
        assert text_of(site, title) == good
        top = revisions(site, title)[0]
        assert top['user'] == 'Admin' and 'mw-rollback' in top['tags']
        assert top['comment'] == 'Spam cleanup'
    # someone else edited after the vandal: untouched
    assert revisions(site, incident['fixed'])[0]['revid'] == fixed_top
    # the vandal alone wrote it: for deletion, not rollback
    assert revisions(site, incident['alone'])[0]['revid'] == alone_top
    assert '4 rollback operations' in out
    assert 'only author' in out


def test_simulate_writes_nothing(wiki, site, config_dir_for, incident):
    tops = {t: revisions(site, t)[0]['revid'] for t in incident['pages']}
    code, out = pwb(wiki, config_dir_for('Admin'), 'rollback',
                    f'-user:{incident["user"]}', '-simulate')
    assert code == 0, out
    assert {t: revisions(site, t)[0]['revid'] for t in tops} == tops
    rc = site.simple_request(action='query', list='recentchanges',
                             rcuser='Admin', rctag='mw-rollback',
                             rcprop='title', rclimit='max',
                             formatversion=2).submit()
    assert not {c['title'] for c in rc['query']['recentchanges']} & set(tops)
    # the preview shows the diff and how many edits would go
    assert '2 edits by' in out and 'spam.example' in out


def test_with_generator_only_where_user_is_latest(wiki, site,
                                                  config_dir_for, incident):
    first, second = list(incident['pages'])[:2]
    fixed_top = revisions(site, incident['fixed'])[0]['revid']
    code, out = pwb(wiki, config_dir_for('Admin'), 'rollback',
                    f'-user:{incident["user"]}', f'-page:{first}',
                    f'-page:{incident["fixed"]}', '-always')
    assert code == 0, out
    assert revisions(site, first)[0]['user'] == 'Admin'
    assert revisions(site, second)[0]['user'] == incident['user']
    assert revisions(site, incident['fixed'])[0]['revid'] == fixed_top
    assert 'not the latest editor' in out


def test_addedlink_only_spam(wiki, site, site_for, config_dir, config_dir_for,
                             unique):
    name = f'Spammer{unique.split()[0]}'
    spammer = new_user(wiki, config_dir, name)
    spam, harmless = f'{unique} spam', f'{unique} harmless'
    for title in (spam, harmless):
        edit(site_for('Editor'), title, 'text http://good.example/')
    edit(spammer, spam, 'text http://good.example/ http://www.spam.example/')
    edit(spammer, harmless, 'text http://good.example/ typo fixed')
    code, out = pwb(wiki, config_dir_for('Admin'), 'rollback', f'-user:{name}',
                    '-addedlink:spam.example', '-always')
    assert code == 0, out
    assert revisions(site, spam)[0]['user'] == 'Admin'
    assert revisions(site, harmless)[0]['user'] == name
    assert 'no link to spam.example added' in out


def test_iprange(wiki, site, site_for, config_dir_for, unique):
    title = f'{unique} anon'
    edit(site_for('Editor'), title, 'good')
    anon_edit(wiki.api_url, title, 'anonymous vandalism')
    assert revisions(site, title)[0]['user'] == '127.0.0.1'
    code, out = pwb(wiki, config_dir_for('Admin'), 'rollback',
                    '-iprange:127.0.0.0/24', '-always')
    if wiki.mw_version < (1, 36):
        # list=usercontribs has no uciprange before 1.36: refused before
        # the first request rather than sent and misread
        assert code == 1 and 'needs MediaWiki 1.36' in out, out
        assert text_of(site, title) == 'anonymous vandalism'
        return
    assert code == 0, out
    assert text_of(site, title) == 'good'


def test_bad_input_is_refused_before_any_write(wiki, site, config_dir_for,
                                               incident):
    tops = {t: revisions(site, t)[0]['revid'] for t in incident['pages']}
    cfg = config_dir_for('Admin')
    for args, message in [
            (['-user:No such user here', '-always'], 'does not exist'),
            (['-always'], 'missing -user'),
            ([f'-user:{incident["user"]}', '-since:yesterday', '-always'],
             'timestamp'),
            ([f'-user:{incident["user"]}', '-bogus', '-always'],
             'Unknown parameter'),
            (['-iprange:300.1.1.1/8', '-always'], 'iprange'),
            ([f'-user:{incident["user"]}', '-iprange:127.0.0.1/32'],
             'not both'),
            ([f'-user:{incident["user"]}', '-watchlist:maybe'], 'watchlist'),
    ]:
        code, out = pwb(wiki, cfg, 'rollback', *args)
        assert code != 0, args
        assert message in out, (args, out)
    assert {t: revisions(site, t)[0]['revid'] for t in tops} == tops


def test_user_option_is_not_the_login(wiki, site, config_dir_for, incident):
    """-user: names the vandal; the acting account stays the configured.

    pywikibot's own -user: means "log in as"; with nothing else on the
    command line it even falls back to reading sys.argv.
    """
    for extra in ([], ['-always']):
        code, out = pwb(wiki, config_dir_for('Admin'), 'rollback',
                        f'-user:{incident["user"]}', *extra, input='y\nq\n')
        assert f'as {incident["user"]}' not in out, out
        assert 'does not have' not in out, out
    title = next(iter(incident['pages']))
    assert revisions(site, title)[0]['user'] == 'Admin'


def test_missing_right_stops_before_any_write(wiki, site, config_dir_for,
                                              incident):
    tops = {t: revisions(site, t)[0]['revid'] for t in incident['pages']}
    code, out = pwb(wiki, config_dir_for('Nobody'), 'rollback',
                    f'-user:{incident["user"]}', '-always')
    assert code != 0
    assert "'rollback' right" in out
    assert {t: revisions(site, t)[0]['revid'] for t in tops} == tops


def test_interactive_yes_no(wiki, site, config_dir_for, incident):
    titles = list(incident['pages'])  # newest contribution first on the wiki
    code, out = pwb(wiki, config_dir_for('Admin'), 'rollback',
                    f'-user:{incident["user"]}', input='y\ny\nn\nq\n')
    assert code != 0  # quit before the end is an interruption
    changed = [t for t in titles if revisions(site, t)[0]['user'] == 'Admin']
    assert len(changed) == 1, out
    assert 'declined' in out


def test_journal_resume_and_undo(wiki, site, proxied_config, incident,
                                 tmp_path):
    journal = tmp_path / 'run.jsonl'
    cfg, proxy = proxied_config
    before = {t: text_of(site, t) for t in incident['pages']}
    code, out = pwb(wiki, cfg,
                    'rollback', f'-user:{incident["user"]}', '-always',
                    f'-journal:{journal}')
    assert code == 0, out
    assert stat.S_IMODE(journal.stat().st_mode) == 0o600
    records = [json.loads(line) for line in journal.read_text().splitlines()]
    done = [r for r in records if r['type'] == 'done']
    assert {r['title'] for r in done} == set(incident['pages'])
    for r in done:
        top = revisions(site, r['title'])[0]
        assert r['result']['revid'] == top['revid']
        assert r['result']['old_revid'] == top['parentid']
    text = journal.read_text()
    assert 'token' not in text and wiki.users['Admin'] not in text
    # resume: the same command again acts on nothing; it sends no
    # write (the wiki would answer a second rollback "alreadyrolled")
    # and the journal gains no record of one
    history = write_history(journal)
    assert history == {t: ['intent', 'done'] for t in incident['pages']}
    state = wiki_state(site, *incident['pages'], incident['alone'])
    proxy.reset_log()
    code, out = pwb(wiki, cfg,
                    'rollback', f'-user:{incident["user"]}', '-always',
                    f'-journal:{journal}')
    assert code == 0, out
    assert not posts(proxy, 'rollback') and not posts(proxy, 'edit'), out
    assert write_history(journal) == history
    assert wiki_state(site, *incident['pages'], incident['alone']) == state
    for title in incident['pages']:
        assert sum('mw-rollback' in r['tags']
                   for r in revisions(site, title)) == 1
    # undo: back to the state before the run
    code, out = pwb(wiki, cfg, 'rollback', f'-undo:{journal}', '-always')
    assert code == 0, out
    assert {t: text_of(site, t) for t in incident['pages']} == before


def test_undo_skips_pages_edited_since(wiki, site, site_for, config_dir_for,
                                       incident, tmp_path):
    journal = tmp_path / 'run.jsonl'
    cfg = config_dir_for('Admin')
    pwb(wiki, cfg, 'rollback', f'-user:{incident["user"]}', '-always',
        f'-journal:{journal}')
    title = next(iter(incident['pages']))
    edit(site_for('Editor'), title, 'improved after the cleanup')
    code, out = pwb(wiki, cfg, 'rollback', f'-undo:{journal}', '-always')
    assert code == 0, out
    assert text_of(site, title) == 'improved after the cleanup'
    assert 'edited since the rollback' in out


def test_kill_and_resume_acts_once(wiki, site, site_for, config_dir,
                                   proxied_config, unique, tmp_path):
    """Killed with its 4th rollback landed but unheard of; resumed.

    Every rollback is sent once in both runs together, and the journal
    records each page done once (the 4th one settled by the resume):
    the wiki alone, which answers ``alreadyrolled`` to a second
    rollback, would not show a rollback sent twice.
    """
    name = f'Mass{unique.split()[0]}'
    vandal = new_user(wiki, config_dir, name)
    titles = [f'{unique} k{i}' for i in range(12)]
    for title in titles:
        edit(site_for('Editor'), title, 'good')
        edit(vandal, title, 'bad')
    journal = tmp_path / 'kill.jsonl'
    cfg, proxy = proxied_config
    args = ['rollback', f'-user:{name}', '-always', f'-journal:{journal}']
    # the 4th rollback reaches the wiki; its answer is held, then killed
    proxy.add_fault('hold', action='rollback', skip=3,
                    when=lambda r: r.method == 'POST')
    code, out = signal_pwb(wiki, cfg, args, sig=signal.SIGKILL,
                           when=lambda: proxy.wait_held(0.1) is not None)
    assert code == -signal.SIGKILL, out
    (held,) = proxy.held
    assert sum(revisions(site, t)[0]['user'] == 'Admin'
               for t in titles) == 4
    assert sorted(write_history(journal).values()) == [
        ['intent']] + [['intent', 'done']] * 3
    assert write_history(journal)[write_title(held)] == ['intent']
    proxy.clear_faults()
    code, out = pwb(wiki, cfg, *args)
    assert code == 0, out
    assert written_titles(proxy, 'rollback') == dict.fromkeys(titles, 1)
    assert write_history(journal) == {
        t: ['intent', 'done'] for t in titles}, out
    for title in titles:
        revs = revisions(site, title)
        assert revs[0]['user'] == 'Admin'
        assert sum('mw-rollback' in r['tags'] for r in revs) == 1


def test_failure_gives_nonzero_exit(wiki, site, site_for, config_dir,
                                    config_dir_for, unique):
    # Botty (sysop) vandalised a protected page; a rollbacker fails there
    title = f'{unique} protected'
    edit(site_for('Editor'), title, 'good')
    site.simple_request(action='protect', title=title,
                        protections='edit=sysop', expiry='infinite',
                        token=site.tokens['csrf']).submit()
    edit(site_for('Botty'), title, 'bad')
    code, out = pwb(wiki, config_dir_for('Rollbacker'),
                    'rollback', '-user:Botty',
                    f'-page:{title}', '-always')
    assert code == 1, out
    assert revisions(site, title)[0]['user'] == 'Botty'
    assert 'protected' in out.lower()


def test_namespace_and_time_bounds(wiki, site, site_for, config_dir,
                                   config_dir_for, unique):
    name = f'Bounded{unique.split()[0]}'
    vandal = new_user(wiki, config_dir, name)
    early, talk, late = (f'{unique} early', f'Talk:{unique} talk',
                         f'{unique} late')
    for title in (early, talk, late):
        edit(site_for('Editor'), title, 'good')
    edit(vandal, early, 'bad')
    time.sleep(1.05)
    middle = time.strftime('%Y%m%d%H%M%S', time.gmtime())
    time.sleep(1.05)
    edit(vandal, talk, 'bad')
    edit(vandal, late, 'bad')
    cfg = config_dir_for('Admin')
    code, out = pwb(wiki, cfg, 'rollback', f'-user:{name}', '-ns:1', '-always')
    assert code == 0, out
    assert text_of(site, talk) == 'good'
    assert text_of(site, late) == 'bad' and text_of(site, early) == 'bad'
    code, out = pwb(wiki, cfg, 'rollback', f'-user:{name}', f'-since:{middle}',
                    '-always')
    assert code == 0, out
    assert text_of(site, late) == 'good' and text_of(site, early) == 'bad'
    code, out = pwb(wiki, cfg, 'rollback', f'-user:{name}', f'-until:{middle}',
                    '-always')
    assert code == 0, out
    assert text_of(site, early) == 'good'


def test_watchlist_and_tags(wiki, site, config_dir_for, incident):
    cfg = config_dir_for('Admin')
    first = next(iter(incident['pages']))
    code, out = pwb(wiki, cfg, 'rollback', f'-user:{incident["user"]}',
                    '-tags:no-such-tag', '-always')
    assert code == 2 and 'no-such-tag' in out, out
    assert revisions(site, first)[0]['user'] == incident['user']
    code, out = pwb(wiki, cfg, 'rollback', f'-user:{incident["user"]}',
                    f'-page:{first}', '-watchlist:watch', '-always')
    assert code == 0, out
    info = site.simple_request(action='query', prop='info', titles=first,
                               inprop='watched', formatversion=2).submit()
    assert info['query']['pages'][0]['watched']


def test_invalid_title_is_refused(wiki, site, config_dir_for, incident):
    """A title dropped silently would leave -user: alone: every page.

    The vandal's edits are the latest on several pages, so a run that
    went on without its one page would roll them all back.
    """
    titles = [*incident['pages'], incident['alone']]
    before = wiki_state(site, *titles)
    assert {before[t]['latest'][1] for t in titles} == {incident['user']}
    code, out = pwb(wiki, config_dir_for('Admin'), 'rollback',
                    f'-user:{incident["user"]}', '-page:Bad[title]',
                    '-always')
    assert wiki_state(site, *titles) == before, wiki_changes(site, before)
    assert code == 2, out
    assert 'bad page selection' in out

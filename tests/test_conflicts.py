"""Never act on a state the run did not see: races made to happen for real.

A second client writes between our read and our write (an upload while
the run waits at its confirmation, or while the write request is held
in the loopback proxy), and the wiki's state and the journal are read
afterwards. Also: a page re-created since its deletion, and the wiki
and account named (and asked about) before the first write.
"""
from __future__ import annotations

import time

import pytest

from pywikibot_revert.bot._journal import Journal
from harness.wikitools import (
    Conversation,
    deleted_count,
    delete,
    edit,
    file_sha1s,
    pwb,
    revisions,
    text_of,
    upload,
    while_held,
)


# pywikibot_neutral tests (left out on the oldest pywikibot, see
# .ci/run): the races are the wiki's; kept there: the upload during the
# confirmation, whose answer 'a' goes through pywikibot's
# BaseBot.user_confirm.
pytestmark = pytest.mark.wiki


@pytest.fixture
def overwritten(wiki, site_for, fresh_user, unique, tmp_path):
    """Three files, each with a good version overwritten by a new vandal."""
    name, vandal = fresh_user('Over')
    editor = site_for('Editor')
    files = {}
    for i in range(3):
        title = f'File:{unique} r{i}.png'
        good = upload(editor, title, tmp_path, 500 + i)
        bad = upload(vandal, title, tmp_path, 600 + i)
        files[title] = (good, bad)
    return name, files


def test_upload_during_the_confirmation_is_not_overwritten(
        wiki, site, site_for, config_dir_for, overwritten, tmp_path):
    """The issue's reproduction: a good upload arrives while the run asks."""
    user, files = overwritten
    journal = tmp_path / 'ask.jsonl'
    talk = Conversation(wiki, config_dir_for('Admin'),
                        ['filerevert', f'-user:{user}',
                         f'-journal:{journal}'])
    talk.wait_for('Act on')
    talk.answer('y')
    talk.wait_for('Revert File:')
    first = next(t for t in files if f'Revert {t}?' in talk.text)
    changed, untouched = [t for t in files if t != first]
    # another client uploads good versions of the file on screen and
    # of one more, while the operator reads the question
    newer = {t: upload(site_for('Editor'), t, tmp_path, 700 + i)
             for i, t in enumerate((first, changed))}
    talk.answer('a')
    code, out = talk.finish()

    assert code == 0, out
    for title, sha1 in newer.items():
        # the new good upload stays current, nothing was added on top
        assert file_sha1s(site, title) == [sha1, *files[title][::-1]]
    assert f'{first}: skipped (changed since it was read)' in out, out
    # read again (in the same batch) after the confirmation: planned
    # afresh, the Editor is on top, so there is nothing to do
    assert f'{changed}: skipped (not the latest editor' in out, out
    assert file_sha1s(site, untouched)[0] == files[untouched][0]
    done = {r['title'] for r in Journal.read(journal) if r['type'] == 'done'}
    assert done == {untouched}


@pytest.mark.pywikibot_neutral
def test_upload_between_check_and_write_is_put_back(
        wiki, site, site_for, overwritten, proxied_config, tmp_path):
    """With -always: the revert lands on a newer upload; it is put back."""
    cfg, proxy = proxied_config
    user, files = overwritten
    title = sorted(files)[0]
    journal = tmp_path / 'race.jsonl'
    newer = {}
    proxy.add_fault('hold_before_forward', action='filerevert',
                    when=lambda req: title.split(':', 1)[1].replace(
                        ' ', '_') in req.params.get('filename', '').replace(
                        ' ', '_'))

    def other_client_uploads():
        newer['sha1'] = upload(site_for('Editor'), title, tmp_path, 800)

    thread = while_held(proxy, other_client_uploads)
    code, out = pwb(wiki, cfg, 'filerevert', f'-user:{user}', '-always',
                    f'-journal:{journal}')
    thread.join(10)

    assert code == 1, out
    assert 'conflict' in out and 'put back' in out, out
    versions = file_sha1s(site, title)
    good, bad = files[title]
    # put back, revert, the newer upload, the vandal's, the good one
    assert versions == [newer['sha1'], good, newer['sha1'], bad, good]
    for other in set(files) - {title}:
        assert file_sha1s(site, other)[0] == files[other][0]
    conflicts = [r for r in Journal.read(journal) if r['type'] == 'conflict']
    assert len(conflicts) == 1 and conflicts[0]['restored'] is True
    assert title in conflicts[0]['key']


@pytest.mark.pywikibot_neutral
def test_undo_merged_onto_a_newer_edit_is_undone(wiki, site, site_for,
                                                 proxied_config, unique,
                                                 tmp_path):
    """-undo: MediaWiki would merge the undo onto an edit made meanwhile."""
    cfg, proxy = proxied_config
    title = f'{unique} merge'
    edit(site_for('Editor'), title, 'one\n\ntwo\n\nthree')
    edit(site_for('Vandal'), title, 'one\n\ntwo SPAM\n\nthree')
    journal = tmp_path / 'undo.jsonl'
    code, out = pwb(wiki, cfg, 'rollback', '-user:Vandal', f'-page:{title}',
                    '-always', f'-journal:{journal}')
    assert code == 0, out
    proxy.add_fault('hold_before_forward', action='edit')
    late = {}

    def other_client_edits():
        # another line than the one the undo changes: MediaWiki merges
        late['revid'] = edit(site_for('Editor'), title,
                             'one\n\ntwo\n\nthree and more')

    thread = while_held(proxy, other_client_edits)
    code, out = pwb(wiki, cfg, 'rollback', f'-undo:{journal}', '-always')
    thread.join(10)

    assert code == 1, out
    assert 'conflict' in out, out
    revs = revisions(site, title)
    # the Editor's late edit is current again, in its text
    assert text_of(site, title) == 'one\n\ntwo\n\nthree and more'
    assert revs[0]['user'] == 'Admin' and revs[1]['user'] == 'Admin'
    assert revs[2]['revid'] == late['revid']


@pytest.fixture
def recreated(site, site_for, unique):
    """A page deleted with 3 revisions, then created again by Editor."""
    title = f'{unique} again'
    for text in ('a', 'b', 'c'):
        edit(site_for('Editor'), title, text)
    delete(site, title)
    # a second later: revisions of the current one's second stay deleted
    time.sleep(1.1)
    revid = edit(site_for('Editor'), title, 'new page')
    return title, revid


@pytest.mark.pywikibot_neutral
def test_undelete_skips_a_page_recreated_since(wiki, site, config_dir_for,
                                               recreated, tmp_path):
    title, revid = recreated
    journal = tmp_path / 'u.jsonl'
    code, out = pwb(wiki, config_dir_for('Admin'), 'undelete',
                    f'-page:{title}', '-always', f'-journal:{journal}')
    assert code == 0, out
    assert 're-created since' in out
    assert [r['revid'] for r in revisions(site, title)] == [revid]
    assert deleted_count(site, title) == 3
    assert not [r for r in Journal.read(journal) if r['type'] == 'intent']


@pytest.mark.pywikibot_neutral
def test_undelete_merge_keeps_the_current_text(wiki, site, config_dir_for,
                                               recreated, tmp_path):
    title, revid = recreated
    journal = tmp_path / 'm.jsonl'
    code, out = pwb(wiki, config_dir_for('Admin'), 'undelete',
                    f'-page:{title}', '-recreated:merge', '-always',
                    f'-journal:{journal}')
    assert code == 0, out
    revs = revisions(site, title)
    assert revs[0]['revid'] == revid and len(revs) == 4, out
    assert text_of(site, title) == 'new page'
    assert deleted_count(site, title) == 0
    done = [r for r in Journal.read(journal) if r['type'] == 'done']
    assert len(done) == 1 and done[0]['result']['revisions'] == 3
    assert done[0]['selection']['timestamps']  # never "all": a selection


@pytest.mark.pywikibot_neutral
def test_bad_recreated_value_is_refused(wiki, config_dir_for):
    code, out = pwb(wiki, config_dir_for('Admin'), 'undelete',
                    '-page:X', '-recreated:yes', '-always')
    assert code == 2
    assert "-recreated: must be one of skip, merge, not 'yes'" in out


@pytest.mark.pywikibot_neutral
@pytest.mark.parametrize('host', ['localhost', '127.0.0.1'])
def test_the_wiki_and_account_are_named_and_asked_once(
        wiki, site, site_for, config_dir_for, unique, host):
    title = f'{unique} where'
    edit(site_for('Editor'), title, 'good')
    edit(site_for('Vandal'), title, 'bad')
    api = f'http://{host}:{wiki.port}/api.php'
    extra = (f"family_files['hostwiki'] = {api!r}\n"
             "family = mylang = 'hostwiki'\n"
             "usernames['hostwiki']['hostwiki'] = 'Admin'\n")
    cfg = config_dir_for('Admin', extra + f'# {unique}')
    with open(cfg / 'user-password.py', 'a', encoding='utf-8') as f:
        f.write(f"('hostwiki', 'hostwiki', 'Admin', "
                f"{wiki.users['Admin']!r})\n")
    args = ['rollback', '-user:Vandal', f'-page:{title}']
    where = f'hostwiki:hostwiki ({api}) as Admin'

    code, out = pwb(wiki, cfg, *args, input='n\n')
    assert code == 1, out
    assert f'Act on {where}?' in out
    assert out.count('Act on') == 1
    assert revisions(site, title)[0]['user'] == 'Vandal'

    code, out = pwb(wiki, cfg, *args)  # stdin closed: no answer is a no
    assert code == 1 and 'did not confirm' in out, out
    assert revisions(site, title)[0]['user'] == 'Vandal'

    code, out = pwb(wiki, cfg, *args, input='y\ny\n')
    assert code == 0, out
    assert out.count('Act on') == 1
    assert revisions(site, title)[0]['user'] == 'Admin'
    # with -always it is named, not asked
    edit(site_for('Vandal'), title, 'bad again')
    code, out = pwb(wiki, cfg, *args, '-always')
    assert code == 0, out
    assert f'Wiki: {where}' in out and 'Act on' not in out


@pytest.mark.pywikibot_neutral
def test_a_journal_of_127_0_0_1_is_refused_on_localhost(
        wiki, site, site_for, config_dir_for, unique, tmp_path):
    title = f'{unique} host'
    edit(site_for('Editor'), title, 'good')
    edit(site_for('Vandal'), title, 'bad')
    journal = tmp_path / 'h.jsonl'
    code, out = pwb(wiki, config_dir_for('Admin'), 'rollback',
                    '-user:Vandal', f'-page:{title}', '-always',
                    f'-journal:{journal}')
    assert code == 0, out
    api = f'http://localhost:{wiki.port}/api.php'
    cfg = config_dir_for('Admin', f"family_files['testwiki'] = {api!r}\n"
                         f'# {unique}')
    code, out = pwb(wiki, cfg, 'rollback', f'-undo:{journal}', '-always')
    assert code != 0
    assert 'written for' in out and 'localhost' in out
    assert revisions(site, title)[0]['user'] == 'Admin'
    assert len(revisions(site, title)) == 3


@pytest.mark.pywikibot_neutral
def test_undo_of_an_undelete_never_deletes_an_edit_made_meanwhile(
        wiki, site, site_for, config_dir_for, unique, tmp_path):
    """A delete has no base revision: the page is read after the answer."""
    title = f'{unique} redelete'
    edit(site_for('Editor'), title, 'restored text')
    delete(site, title)
    journal = tmp_path / 'r.jsonl'
    cfg = config_dir_for('Admin')
    code, out = pwb(wiki, cfg, 'undelete', f'-page:{title}', '-always',
                    f'-journal:{journal}')
    assert code == 0, out
    talk = Conversation(wiki, cfg, ['undelete', f'-undo:{journal}'])
    talk.wait_for('Act on')
    talk.answer('y')
    talk.wait_for(f'Delete {title} again?')
    late = edit(site_for('Editor'), title, 'written while asked')
    talk.answer('y')
    code, out = talk.finish()
    assert f'{title}: skipped (changed since it was read)' in out, out
    assert revisions(site, title)[0]['revid'] == late
    assert deleted_count(site, title) == 0

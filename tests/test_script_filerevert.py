"""``pwb filerevert`` driven as an operator would, checked on the wiki."""
from __future__ import annotations

import json
import time

import pytest

from harness.wikitools import (
    file_sha1s,
    file_versions,
    new_user,
    pwb,
    revert_comment_en,
    upload,
    wiki_changes,
    wiki_state,
)


pytestmark = pytest.mark.wiki



@pytest.fixture
def overwrites(wiki, site, site_for, config_dir, unique, tmp_path):
    """A fresh vandal overwrites three files; one was fixed since."""
    name = f'Uploader{unique.split()[0]}'
    vandal = new_user(wiki, config_dir, name)
    editor = site_for('Editor')
    files = {}
    for i in range(3):
        title = f'File:{unique} f{i}.png'
        good = upload(editor, title, tmp_path, 100 + i)
        upload(vandal, title, tmp_path, 200 + i)
        files[title] = good
    fixed = f'File:{unique} fixed.png'
    upload(editor, fixed, tmp_path, 300)
    upload(vandal, fixed, tmp_path, 301)
    fix = upload(editor, fixed, tmp_path, 302)
    fresh = f'File:{unique} fresh.png'
    upload(vandal, fresh, tmp_path, 400)
    return {'user': name, 'files': files, 'fixed': (fixed, fix),
            'fresh': fresh}


def test_file_rollback_from_upload_log(wiki, site, config_dir_for,
                                       overwrites, tmp_path):
    o = overwrites
    journal = tmp_path / 'f.jsonl'
    code, out = pwb(wiki, config_dir_for('Admin'),
                    'filerevert', f'-user:{o["user"]}',
                    '-always', f'-journal:{journal}')
    assert code == 0, out
    for title, good in o['files'].items():
        sha = file_sha1s(site, title)
        assert sha[0] == good and len(sha) == 3
    fixed, fix = o['fixed']
    assert file_sha1s(site, fixed)[0] == fix
    assert len(file_sha1s(site, fixed)) == 3
    assert len(file_sha1s(site, o['fresh'])) == 1
    assert 'not the latest editor' in out
    records = [json.loads(line) for line in journal.read_text().splitlines()]
    assert len([r for r in records if r['type'] == 'verified']) == 3
    # resume: nothing more happens
    code, out = pwb(wiki, config_dir_for('Admin'),
                    'filerevert', f'-user:{o["user"]}',
                    '-always', f'-journal:{journal}')
    assert code == 0, out
    assert all(len(file_sha1s(site, t)) == 3 for t in o['files'])
    # undo: the vandal's versions are current again
    code, out = pwb(wiki, config_dir_for('Admin'),
                    'filerevert', f'-undo:{journal}',
                    '-always')
    assert code == 0, out
    for title, good in o['files'].items():
        sha = file_sha1s(site, title)
        assert sha[0] == sha[2] != good and len(sha) == 4


def test_fresh_upload_is_skipped_with_a_page_list(wiki, site, config_dir_for,
                                                  overwrites):
    o = overwrites
    code, out = pwb(wiki, config_dir_for('Admin'),
                    'filerevert', f'-user:{o["user"]}',
                    f'-page:{o["fresh"]}', '-always')
    assert code == 0, out
    assert len(file_sha1s(site, o['fresh'])) == 1
    assert 'only author' in out


def test_to_timestamp(wiki, site, site_for, config_dir_for, unique,
                      tmp_path):
    title = f'File:{unique} timeline.png'
    first = upload(site_for('Editor'), title, tmp_path, 500)
    time.sleep(1.05)
    moment = time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())
    time.sleep(1.05)
    upload(site_for('Editor'), title, tmp_path, 501)
    code, out = pwb(wiki, config_dir_for('Admin'),
                    'filerevert', f'-to:{moment}',
                    f'-page:{title}', '-simulate')
    assert code == 0, out
    assert len(file_sha1s(site, title)) == 2  # simulate wrote nothing
    code, out = pwb(wiki, config_dir_for('Admin'),
                    'filerevert', f'-to:{moment}',
                    f'-page:{title}', '-always',
                    '-summary:Back to the old logo')
    assert code == 0, out
    assert file_sha1s(site, title)[0] == first
    info = site.simple_request(action='query', prop='imageinfo', titles=title,
                               iiprop='comment', formatversion=2).submit()
    assert info['query']['pages'][0]['imageinfo'][0]['comment'] == \
        'Back to the old logo'


def test_bad_input(wiki, site, config_dir_for, overwrites):
    """Refused, and nothing written though each run has ``-always``."""
    o = overwrites
    first = next(iter(o['files']))
    titles = [*o['files'], o['fixed'][0], o['fresh']]
    before = wiki_state(site, *titles)
    cfg = config_dir_for('Admin')
    for args, message in [
            ([], 'exactly one'),
            ([f'-user:{o["user"]}', '-to:20260101000000'], 'exactly one'),
            (['-to:20260101000000'], 'page selection'),
            (['-to:2026-01-01', f'-page:{first}'], 'timestamp'),
            (['-user:Nobody such user'], 'does not exist'),
    ]:
        code, out = pwb(wiki, cfg, 'filerevert', *args, '-always')
        assert wiki_state(site, *titles) == before, (
            args, wiki_changes(site, before))
        assert code == 2, (args, out)
        assert message in out, (args, out)


def test_default_comment(wiki, site, config_dir_for, overwrites):
    o = overwrites
    expected = {}
    for title, good in o['files'].items():
        version = next(v for v in file_versions(site, title)
                       if v['sha1'] == good)
        expected[title] = revert_comment_en(version['timestamp'])
    code, out = pwb(wiki, config_dir_for('Admin'), 'filerevert',
                    f'-user:{o["user"]}', '-simulate')
    assert code == 0, out
    for title, comment in expected.items():
        assert f'would revert with the comment "{comment}"' in out
        assert len(file_versions(site, title)) == 2
    code, out = pwb(wiki, config_dir_for('Admin'), 'filerevert',
                    f'-user:{o["user"]}', '-always')
    assert code == 0, out
    for title, comment in expected.items():
        now = file_versions(site, title)
        assert now[0]['sha1'] == o['files'][title]
        assert now[0]['comment'] == comment

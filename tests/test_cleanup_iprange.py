"""``pwb cleanup -iprange:``: a range's edits and page creations."""
from __future__ import annotations

import pytest

from harness.wikitools import (
    anon_edit,
    deleted_count,
    edit,
    exists,
    pwb,
    revisions,
    text_of,
)


pytestmark = pytest.mark.wiki

RANGE = '198.51.100.0/24'


def test_a_ranges_edits_are_rolled_back_and_its_own_pages_deleted(
        wiki, site, site_for, config_dir_for, unique, tmp_path):
    editor = site_for('Editor')
    vandalised, created = f'{unique} vandalised', f'{unique} created'
    improved, outside = f'{unique} improved', f'{unique} outside'
    edit(editor, vandalised, 'good')
    anon_edit(wiki.api_url, vandalised, 'range vandalism', ip='198.51.100.5')
    anon_edit(wiki.api_url, created, 'junk page', ip='198.51.100.6')
    anon_edit(wiki.api_url, f'Talk:{created}', 'junk talk',
              ip='198.51.100.6')
    anon_edit(wiki.api_url, improved, 'junk', ip='198.51.100.7')
    edit(editor, improved, 'made useful')
    anon_edit(wiki.api_url, outside, 'not in the range', ip='198.51.101.5')
    journal = tmp_path / 'range.jsonl'
    code, out = pwb(wiki, config_dir_for('Admin'), 'cleanup',
                    f'-iprange:{RANGE}', '-always', f'-journal:{journal}')
    if wiki.mw_version < (1, 36):
        # no uciprange before 1.36: refused before any write
        assert code == 1 and 'needs MediaWiki 1.36' in out, out
        assert exists(site, created) and not journal.exists() or \
            'delete' not in journal.read_text()
        return
    assert code == 0, out
    assert text_of(site, vandalised) == 'good'
    assert revisions(site, vandalised)[0]['user'] == 'Admin'
    assert not exists(site, created) and not exists(site, f'Talk:{created}')
    assert deleted_count(site, created) == 1
    assert deleted_count(site, f'Talk:{created}') == 1
    # a page the range created that someone improved stays, for review
    assert text_of(site, improved) == 'made useful'
    assert exists(site, outside)
    assert 'created, edited by others' in out

    code, out = pwb(wiki, config_dir_for('Admin'), 'cleanup',
                    f'-undo:{journal}', '-always')
    assert code == 0, out
    assert text_of(site, created) == 'junk page'
    assert revisions(site, created)[0]['user'] == '198.51.100.6'
    assert text_of(site, f'Talk:{created}') == 'junk talk'
    assert text_of(site, vandalised) == 'range vandalism'

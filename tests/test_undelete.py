"""Undelete against the real test wiki."""
from __future__ import annotations

import time

import pytest
import pywikibot

import pywikibot_revert
from pywikibot_revert import (
    EmptySelectionError,
    MissingRightError,
    NothingToUndeleteError,
    UndeleteResult,
)
from harness.wikitools import (
    delete,
    deleted_count,
    deletion_entry,
    edit,
    exists,
    file_sha1s,
    restore_comment,
    revisions,
    settled_count,
    stamp_file_earlier,
    text_of,
    upload,
)


# pywikibot_neutral (left out on the oldest pywikibot, see .ci/run):
# the wiki's undelete selections; pwb undelete (test_script_undelete.py)
# goes the same pywikibot way.
pytestmark = [pytest.mark.wiki, pytest.mark.pywikibot_neutral]


@pytest.fixture
def deleted(site, site_for, unique):
    """A deleted page: Editor, Editor, Vandal."""
    title = f'{unique} gone'
    edit(site_for('Editor'), title, 'one')
    time.sleep(1.05)  # undelete selects by timestamp, one second each
    edit(site_for('Editor'), title, 'two')
    time.sleep(1.05)
    edit(site_for('Vandal'), title, 'vandal')
    delete(site, title)
    return title


def test_undelete_all(site, deleted):
    page = pywikibot.Page(site, deleted)
    result = page.revert.undelete(all_revisions=True, summary='oops')
    assert isinstance(result, UndeleteResult)
    assert (result.revisions, result.fileversions) == (3, 0)
    assert result.requests == 1
    assert exists(site, deleted)
    assert len(revisions(site, deleted)) == 3
    assert deleted_count(site, deleted) == 0


def test_empty_selection_restores_nothing(site, wiki, deleted):
    page = pywikibot.Page(site, deleted)
    before = settled_count(wiki)
    for kwargs in ({}, {'timestamps': []}, {'fileids': []},
                   {'selection': pywikibot_revert.UndeleteSelection()}):
        with pytest.raises(EmptySelectionError):
            page.revert.undelete(**kwargs)
    assert settled_count(wiki) == before  # refused before any request
    assert deleted_count(site, deleted) == 3
    assert not exists(site, deleted)


def test_all_but_one_user(site, deleted):
    page = pywikibot.Page(site, deleted)
    selection = page.revert.select(except_user='Vandal')
    assert len(selection.timestamps) == 2 and not selection.fileids
    result = page.revert.undelete(selection=selection)
    assert result.revisions == 2
    revs = revisions(site, deleted)
    assert [r['user'] for r in revs] == ['Editor', 'Editor']
    assert text_of(site, deleted) == 'two'
    assert deleted_count(site, deleted) == 1


def test_time_window(site, deleted):
    page = pywikibot.Page(site, deleted)
    revs = page.revert.deleted_revisions()
    assert [r.user for r in revs] == ['Editor', 'Editor', 'Vandal']
    first = revs[0].timestamp
    expected = sum(r.timestamp <= first for r in revs)
    selection = page.revert.select(until=first)
    assert len(selection.timestamps) == 1
    result = page.revert.undelete(selection=selection)
    assert result.revisions == expected
    assert deleted_count(site, deleted) == 3 - expected


def test_same_second_as_excluded_user_stays_deleted(site, site_for,
                                                    unique):
    title = f'{unique} crowded'
    edit(site_for('Editor'), title, 'one')
    time.sleep(1.05)
    edit(site_for('Editor'), title, 'two')  # these two may share a second
    edit(site_for('Vandal'), title, 'vandal')
    delete(site, title)
    page = pywikibot.Page(site, title)
    revs = page.revert.deleted_revisions()
    vandal_second = revs[2].timestamp
    selection = page.revert.select(except_user='Vandal')
    assert vandal_second.totimestampformat() not in selection.timestamps
    page.revert.undelete(selection=selection)
    assert 'Vandal' not in [r['user'] for r in revisions(site, title)]


def test_explicit_timestamps(site, deleted):
    page = pywikibot.Page(site, deleted)
    first = page.revert.deleted_revisions()[0]
    result = page.revert.undelete(timestamps=[first.timestamp])
    assert result.revisions == 1
    assert revisions(site, deleted)[0]['revid'] == first.revid


def test_nothing_to_undelete(site, unique):
    title = f'{unique} alive'
    edit(site, title, 'here')
    with pytest.raises(NothingToUndeleteError) as info:
        pywikibot.Page(site, title).revert.undelete(all_revisions=True)
    assert info.value.code == 'cantundelete'


def test_missing_right(site_for, deleted):
    with pytest.raises(MissingRightError) as info:
        pywikibot.Page(site_for('Nobody'), deleted).revert.undelete(
            all_revisions=True)
    assert info.value.right == 'undelete'
    with pytest.raises(MissingRightError) as info:
        pywikibot.Page(site_for('Nobody'), deleted).revert.select()
    assert info.value.right == 'deletedhistory'


def test_undeletetalk(site, unique):
    title = f'{unique} with talk'
    edit(site, title, 'article')
    edit(site, f'Talk:{title}', 'talk')
    delete(site, f'Talk:{title}')
    delete(site, title)
    result = pywikibot.Page(site, title).revert.undelete(
        all_revisions=True, undeletetalk=True)
    assert result.revisions >= 1
    assert exists(site, title) and exists(site, f'Talk:{title}')


def test_file_versions(site, unique, tmp_path):
    title = f'File:{unique} pic.png'
    upload(site, title, tmp_path, 1)
    upload(site, title, tmp_path, 2)
    delete(site, title)
    page = pywikibot.FilePage(site, title)
    selection = page.revert.select()
    assert len(selection.fileids) == 2
    result = page.revert.undelete(all_revisions=True)
    assert result.fileversions == 2
    assert len(page.revert.file_history()) == 2


def test_window_takes_the_version_stamped_before_its_revision(
        site, wiki, unique, tmp_path):
    """A file version stamped a second before its revision comes back.

    MediaWiki writes a file version and the revision its upload adds in
    separate steps, which may fall in neighbouring seconds (as they did
    once in CI on 1.35); here the gap is made certain.
    """
    title = f'File:{unique} early.png'
    sha1 = upload(site, title, tmp_path, 1)
    stamp = pywikibot.Timestamp.fromISOformat(
        revisions(site, title)[0]['timestamp'])
    stamp_file_earlier(site, wiki, title)
    delete(site, title)
    page = pywikibot.FilePage(site, title)
    selection = page.revert.select(since=stamp)
    assert len(selection.timestamps) == 1
    assert len(selection.fileids) == 1
    result = page.revert.undelete(selection=selection)
    assert (result.revisions, result.fileversions) == (1, 1)
    assert file_sha1s(site, title) == [sha1]


def test_chunking(site, unique, monkeypatch):
    title = f'{unique} long'
    for i in range(4):
        if i:
            time.sleep(1.05)  # one revision per second: 4 timestamps
        edit(site, title, f'v{i}')
    delete(site, title)
    page = pywikibot.Page(site, title)
    stamps = [r.timestamp for r in page.revert.deleted_revisions()]
    assert len(set(stamps)) == 4
    # a small chunk size stands in for the API's 50 per request
    monkeypatch.setattr(pywikibot_revert.ops._undelete, 'batch_size',
                        lambda site: 3)
    result = page.revert.undelete(timestamps=stamps)
    assert result.requests == 2
    assert result.revisions == 4
    assert deleted_count(site, title) == 0


def test_default_reason_names_the_deletion(site, site_for, wiki, unique):
    title = f'{unique} default reason'
    edit(site_for('Editor'), title, 'one')
    delete(site, title, 'first try')
    edit(site_for('Editor'), title, 'two')
    delete(site, title, 'Spam: "buy now"')
    entry = deletion_entry(site, title)  # the newer deletion
    page = pywikibot.Page(site, title)
    page.revert.undelete(all_revisions=True)
    assert restore_comment(site, title) == (
        f'Undoing: [[User:Admin|Admin]] deleted page [[:{title}]] (log '
        f'entry {entry["logid"]} of {entry["timestamp"]}: "Spam: "buy '
        'now"")')
    delete(site, title, 'again')
    page.revert.undelete(all_revisions=True, summary='')
    assert restore_comment(site, title) == ''

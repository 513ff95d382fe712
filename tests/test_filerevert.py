"""Filerevert against the real test wiki."""
from __future__ import annotations

import time

import pytest
import pywikibot

import pywikibot_revert
from pywikibot_revert import (
    AlreadyRolledBackError,
    BadFileVersionError,
    FileRevertResult,
    IdenticalVersionError,
    MissingTargetError,
    OnlyAuthorError,
)
from harness.wikitools import (
    file_sha1s,
    file_versions,
    revert_comment_en,
    settled_count,
    upload,
)


# pywikibot_neutral tests (left out on the oldest pywikibot, see
# .ci/run): the wiki's file histories, the same pywikibot way as
# test_script_filerevert.py; kept there: a message default, sent
# through pywikibot's parameter encoding.
pytestmark = pytest.mark.wiki


@pytest.fixture
def overwritten(site_for, unique, tmp_path):
    """A file by Editor (2 versions) overwritten twice by Vandal."""
    title = f'File:{unique} logo.png'
    editor, vandal = site_for('Editor'), site_for('Vandal')
    sha = [upload(editor, title, tmp_path, 10),
           upload(editor, title, tmp_path, 11),
           upload(vandal, title, tmp_path, 12),
           upload(vandal, title, tmp_path, 13)]
    return title, sha  # oldest first


@pytest.mark.pywikibot_neutral
def test_revert_overwrites_of_a_user(site, overwritten):
    title, sha = overwritten
    page = pywikibot.FilePage(site, title)
    result = page.revert.filerevert(not_user='Vandal', comment='undo')
    assert isinstance(result, FileRevertResult)
    now = file_sha1s(site, title)
    assert now[0] == sha[1]           # Editor's last version is back
    assert len(now) == 5              # exactly one new version
    assert result.sha1 == sha[1] and result.current.sha1 == sha[1]
    assert result.target.user == 'Editor'
    assert result.replaced.sha1 == sha[3]
    assert result.current.user == 'Admin'
    assert result.timestamp > result.replaced.timestamp


@pytest.mark.pywikibot_neutral
def test_previous(site, overwritten):
    title, sha = overwritten
    result = pywikibot.FilePage(site, title).revert.filerevert(previous=True)
    assert file_sha1s(site, title)[0] == sha[2] == result.sha1


@pytest.mark.pywikibot_neutral
def test_by_sha1_timestamp_archivename_and_time(site, overwritten):
    title, sha = overwritten
    page = pywikibot.FilePage(site, title)
    history = page.revert.file_history()
    assert [v.sha1 for v in history] == sha[::-1]
    assert history[0].archivename is None
    # archive names carry the time a version was superseded
    assert all(v.archivename.endswith(title[5:].replace(' ', '_'))
               for v in history[1:])
    page.revert.filerevert(sha1=sha[0])
    assert file_sha1s(site, title)[0] == sha[0]
    page.revert.filerevert(timestamp=history[2].timestamp)  # sha[1]
    assert file_sha1s(site, title)[0] == sha[1]
    fresh = page.revert.file_history()
    old = next(v for v in fresh if v.sha1 == sha[2] and v.archivename)
    page.revert.filerevert(archivename=old.archivename)
    assert file_sha1s(site, title)[0] == sha[2]
    page.revert.filerevert(at=history[3].timestamp)  # sha[0] was current
    assert file_sha1s(site, title)[0] == sha[0]
    assert len(file_sha1s(site, title)) == 8


@pytest.mark.pywikibot_neutral
def test_current_version_is_a_typed_noop(site, wiki, overwritten):
    title, sha = overwritten
    page = pywikibot.FilePage(site, title)
    with pytest.raises(IdenticalVersionError):
        page.revert.filerevert(sha1=sha[3])
    with pytest.raises(IdenticalVersionError):
        page.revert.filerevert(at=pywikibot.Timestamp.nowutc())
    assert len(file_sha1s(site, title)) == 4


@pytest.mark.pywikibot_neutral
def test_failure_answer_is_an_error(site, site_for, overwritten, tmp_path):
    """HTTP 200 with result Failure (fileexists-no-change) raises."""
    title, sha = overwritten
    page = pywikibot.FilePage(site, title)
    stale = page.revert.file_history()
    # someone restores Editor's content in the meantime: the target now
    # equals the current version, which the wiki answers with Failure
    pywikibot.FilePage(site_for('Editor'), title).revert.filerevert(
        sha1=sha[1])
    with pytest.raises(IdenticalVersionError) as info:
        pywikibot_revert.filerevert(page, sha1=sha[1], history=stale)
    assert info.value.code == 'fileexists-no-change'
    assert len(file_sha1s(site, title)) == 5


@pytest.mark.pywikibot_neutral
def test_bad_versions(site, overwritten, unique):
    title, sha = overwritten
    page = pywikibot.FilePage(site, title)
    with pytest.raises(BadFileVersionError, match='another|belongs'):
        page.revert.filerevert(archivename='20200101000000!Other.png')
    name = title[5:].replace(' ', '_')
    with pytest.raises(BadFileVersionError):
        page.revert.filerevert(archivename=f'20000101000000!{name}')
    with pytest.raises(BadFileVersionError):
        page.revert.filerevert(sha1='0' * 40)
    with pytest.raises(BadFileVersionError):
        page.revert.filerevert(timestamp='2000-01-01T00:00:00Z')
    with pytest.raises(BadFileVersionError):
        page.revert.filerevert(at='2000-01-01T00:00:00Z')
    with pytest.raises(ValueError):
        page.revert.filerevert(at='yesterday')
    with pytest.raises(ValueError):
        page.revert.filerevert(previous=True, sha1=sha[0])
    assert len(file_sha1s(site, title)) == 4


@pytest.mark.pywikibot_neutral
def test_current_not_by_user_and_only_author(site, site_for, unique,
                                             tmp_path, overwritten):
    title, _ = overwritten
    with pytest.raises(AlreadyRolledBackError):
        pywikibot.FilePage(site, title).revert.filerevert(not_user='Editor')
    fresh = f'File:{unique} fresh.png'
    upload(site_for('Vandal'), fresh, tmp_path, 20)
    upload(site_for('Vandal'), fresh, tmp_path, 21)
    with pytest.raises(OnlyAuthorError):
        pywikibot.FilePage(site, fresh).revert.filerevert(not_user='Vandal')
    assert len(file_sha1s(site, fresh)) == 2


@pytest.mark.pywikibot_neutral
def test_missing_file(site, unique):
    with pytest.raises(MissingTargetError):
        pywikibot.FilePage(site, f'File:{unique} none.png').revert\
            .filerevert(previous=True)


@pytest.mark.pywikibot_neutral
def test_batched_histories(site, overwritten, unique, tmp_path, wiki):
    title, sha = overwritten
    other = f'File:{unique} other.png'
    upload(site, other, tmp_path, 30)
    file_sha1s(site, other)  # pywikibot's own bookkeeping after an upload
    before = settled_count(wiki)
    histories = pywikibot_revert.file_histories(site, [title, other])
    assert settled_count(wiki) - before == 1
    assert sorted(histories) == sorted([title, other]), histories.keys()
    assert [v.sha1 for v in histories[title]] == sha[::-1]
    assert len(histories[other]) == 1


@pytest.mark.pywikibot_neutral
def test_batched_histories_reread_a_cut_history(site, overwritten, unique,
                                                tmp_path, wiki, monkeypatch):
    """Several titles at once: each history is cut at iilimit, silently."""
    title, sha = overwritten
    other = f'File:{unique} short.png'
    upload(site, other, tmp_path, 31)
    file_sha1s(site, other)  # pywikibot's own bookkeeping after an upload
    monkeypatch.setattr(pywikibot_revert.ops._filehistory, 'PER_FILE', 2)
    before = settled_count(wiki)
    histories = pywikibot_revert.file_histories(site, [title, other])
    assert [v.sha1 for v in histories[title]] == sha[::-1]  # all 4
    assert len(histories[other]) == 1
    assert settled_count(wiki) - before == 2  # the batch + one re-read


@pytest.mark.pywikibot_neutral
def test_default_comment_is_the_wikis_own(site, wiki, overwritten):
    from pywikibot_revert.wiki import _messages
    title, sha = overwritten
    assert site.siteinfo['timezone'] == 'UTC'  # what is expected below
    old = {v['sha1']: v for v in file_versions(site, title)}
    page = pywikibot.FilePage(site, title)
    _messages.clear_cache(site)
    assert site.tokens['csrf']  # read before counting
    # a revert in the second of the last upload is sent twice (see
    # filerevert()): not what is counted here
    time.sleep(1.1)
    before = settled_count(wiki)
    result = page.revert.filerevert(not_user='Vandal')
    first = settled_count(wiki) - before
    expected = revert_comment_en(old[sha[1]]['timestamp'])
    assert file_versions(site, title)[0]['comment'] == expected
    assert result.comment == expected
    # the message is read once: the next revert sends one request less
    time.sleep(1.1)
    before = settled_count(wiki)
    result = page.revert.filerevert(sha1=sha[3])
    assert settled_count(wiki) - before == first - 1 == 3
    now = file_versions(site, title)
    assert now[0]['sha1'] == sha[3]
    assert now[0]['comment'] == revert_comment_en(old[sha[3]]['timestamp'])
    # an explicit empty comment stays empty
    time.sleep(1.1)
    page.revert.filerevert(sha1=sha[1], comment='')
    assert file_versions(site, title)[0]['comment'] == ''


def test_default_comment_follows_the_wikis_message(site, overwritten):
    from pywikibot_revert.wiki import _messages
    title, sha = overwritten
    text = 'Zurück zur Version vom $1 um $2 ($3) [local]'
    site.simple_request(action='edit',
                        title='MediaWiki:Filerevert-defaultcomment',
                        text=text, summary='test',
                        token=site.tokens['csrf']).submit()
    try:
        _messages.clear_cache(site)
        old = {v['sha1']: v for v in file_versions(site, title)}
        pywikibot.FilePage(site, title).revert.filerevert(previous=True)
        ts = old[sha[2]]['timestamp']
        day = revert_comment_en(ts).split(', ', 1)[1].rsplit(' (', 1)[0]
        assert file_versions(site, title)[0]['comment'] == \
            f'Zurück zur Version vom {day} um {ts[11:16]} (UTC) [local]'
    finally:
        site.simple_request(action='delete',
                            title='MediaWiki:Filerevert-defaultcomment',
                            reason='test',
                            token=site.tokens['csrf']).submit()
        _messages.clear_cache(site)

"""Windows a file revert left open, and what a journal does with them.

Made to happen for real: the loopback proxy holds our filerevert while
a second client uploads, holds the read-back that follows it and the
run is killed there (SIGKILL), and a second client uploads the very
content a revert left. Each test reads the file history on the wiki
and the journal afterwards. Also: a write that raised NothingToDoError
is an outcome, and ``-undo`` prints a line per page.
"""
from __future__ import annotations

import signal
import time
from collections.abc import Callable
from typing import Any

import pytest

from pywikibot_revert.bot._journal import Journal
from harness.faultproxy import Request
from harness.wikitools import (
    edit,
    file_sha1s,
    file_versions,
    pwb,
    revisions,
    signal_pwb,
    text_of,
    upload,
    while_held,
)


# pywikibot_neutral (left out on the oldest pywikibot, see .ci/run):
# races on the wiki's file history.
pytestmark = [pytest.mark.wiki, pytest.mark.pywikibot_neutral]


def _is_post(req: Request) -> bool:
    return req.method == 'POST'


def _types(path, key: str) -> list[str]:
    """The types of the records of *key*, oldest first."""
    return [r['type'] for r in Journal.read(path) if r.get('key') == key]


def _key(path) -> str:
    (key,) = {r['key'] for r in Journal.read(path)
              if r['type'] == 'intent'}
    return key


@pytest.fixture
def overwritten(site_for, unique, tmp_path):
    """A file: a good version by Editor, overwritten by Vandal."""
    title = f'File:{unique}.png'
    good = upload(site_for('Editor'), title, tmp_path, 910)
    bad = upload(site_for('Vandal'), title, tmp_path, 920)
    return title, good, bad


def _run_killed_at_read_back(wiki, cfg, proxy, args: list[str],
                             during: Callable[[], Any] | None = None
                             ) -> None:
    """Run ``pwb ARGS``; SIGKILL it at the read-back after its revert.

    :param during: another client's write, made while the proxy holds
        the revert before the wiki sees it
    """
    if during is not None:
        proxy.add_fault('hold_before_forward', action='filerevert',
                        when=_is_post)
        thread = while_held(proxy, during)
    # the plan is the first imageinfo read; the next one, after the
    # revert, its batched read-back
    proxy.add_fault('hold', action='query', skip=1, when=lambda r: (
        'imageinfo' in r.params.get('prop', '')))
    code, out = signal_pwb(wiki, cfg, args, sig=signal.SIGKILL,
                           when=lambda: any(r.action == 'query'
                                            for r in proxy.held))
    if during is not None:
        thread.join(10)
    assert code == -signal.SIGKILL, out
    proxy.clear_faults()
    proxy.reset_log()


def test_revert_killed_before_its_check_is_checked_on_resume(
        wiki, site, site_for, proxied_config, overwritten, tmp_path):
    """The issue's reproduction: the overwritten upload is put back."""
    cfg, proxy = proxied_config
    title, good, bad = overwritten
    journal = tmp_path / 'fr.jsonl'
    args = ['filerevert', '-user:Vandal', f'-page:{title}', '-always',
            f'-journal:{journal}']
    newer = {}

    def editor_uploads():
        newer['sha1'] = upload(site_for('Editor'), title, tmp_path, 930)

    _run_killed_at_read_back(wiki, cfg, proxy, args, editor_uploads)
    # the revert landed on the Editor's newer upload, unchecked
    assert file_sha1s(site, title) == [good, newer['sha1'], bad, good]
    key = _key(journal)
    assert _types(journal, key) == ['intent', 'done']

    code, out = pwb(wiki, cfg, *args)

    assert code == 1, out  # a conflict
    assert 'done but not checked' in out and 'put back' in out, out
    # put back by Admin: the Editor's content is current again
    assert file_sha1s(site, title) == [newer['sha1'], good, newer['sha1'],
                                       bad, good], out
    assert file_versions(site, title)[0]['user'] == 'Admin'
    # the put-back only (sent again if the wiki refused it in the second
    # of the revert, backend-fail-alreadyexists: the wiki has one version
    # more, above)
    sent = [r.params for r in proxy.requests_for('filerevert')
            if _is_post(r)]
    assert sent and all(p['comment'].startswith(
        'Put back the version by Editor') for p in sent), sent
    assert _types(journal, key)[-1] == 'conflict'
    (conflict,) = [r for r in Journal.read(journal)
                   if r['type'] == 'conflict']
    assert conflict['restored'] is True


def test_undo_after_an_unchecked_revert_compares_the_whole_version(
        wiki, site, site_for, proxied_config, overwritten, tmp_path):
    """Someone uploaded the same content since: -undo leaves it be."""
    cfg, proxy = proxied_config
    title, good, bad = overwritten
    journal = tmp_path / 'fr.jsonl'
    _run_killed_at_read_back(wiki, cfg, proxy, [
        'filerevert', '-user:Vandal', f'-page:{title}', '-always',
        f'-journal:{journal}'])
    assert file_sha1s(site, title) == [good, bad, good]
    key = _key(journal)
    assert _types(journal, key) == ['intent', 'done']
    # the Editor uploads another version, then the good content again;
    # not in the second of the revert: archive names have 1 s resolution
    time.sleep(1.1)
    other = upload(site_for('Editor'), title, tmp_path, 940)
    assert upload(site_for('Editor'), title, tmp_path, 910) == good
    before = file_versions(site, title)

    code, out = pwb(wiki, cfg, 'filerevert', f'-undo:{journal}', '-always')

    assert code == 1, out
    assert 'is not the version the revert left; not undone' in out, out
    assert file_versions(site, title) == before
    assert file_sha1s(site, title) == [good, other, good, bad, good]
    assert not [r for r in proxy.requests_for('filerevert') if _is_post(r)]
    assert _types(journal, f'undo|{key}') == ['refused']


def test_nothing_to_do_is_an_outcome(wiki, site, site_for, proxied_config,
                                     overwritten, tmp_path):
    """The wiki refuses the revert (no change): a rerun asks nothing."""
    cfg, proxy = proxied_config
    title, good, bad = overwritten
    journal = tmp_path / 'fr.jsonl'
    args = ['filerevert', '-user:Vandal', f'-page:{title}', '-always',
            f'-journal:{journal}']
    proxy.add_fault('hold_before_forward', action='filerevert',
                    when=_is_post)
    # while our revert waits, the Editor uploads the good content again
    thread = while_held(proxy, lambda: upload(site_for('Editor'), title,
                                              tmp_path, 910))
    code, out = pwb(wiki, cfg, *args)
    thread.join(10)
    assert code == 0, out
    assert 'skipped (already at that version)' in out, out
    key = _key(journal)
    assert _types(journal, key) == ['intent', 'skipped']
    after = file_versions(site, title)
    assert [v['sha1'] for v in after] == [good, bad, good]
    proxy.clear_faults()
    proxy.reset_log()

    code, out = pwb(wiki, cfg, *args)

    assert code == 0, out
    assert 'without an outcome' not in out, out
    assert file_versions(site, title) == after
    assert not [r for r in proxy.requests_for('filerevert') if _is_post(r)]
    assert 'done' not in _types(journal, key)


def test_same_content_upload_is_not_taken_for_the_revert(
        wiki, site, site_for, proxied_config, overwritten, tmp_path):
    """Killed while our revert waits; meanwhile the Editor uploaded the
    content it reverts to. The resume must not record that as ours."""
    cfg, proxy = proxied_config
    title, good, bad = overwritten
    journal = tmp_path / 'fr.jsonl'
    args = ['filerevert', '-user:Vandal', f'-page:{title}', '-always',
            f'-journal:{journal}']
    proxy.add_fault('hold_before_forward', action='filerevert',
                    when=_is_post)
    uploaded = []

    def held_and_uploaded() -> bool:
        if proxy.wait_held(0.1) is None:
            return False
        if not uploaded:
            uploaded.append(upload(site_for('Editor'), title, tmp_path, 910))
        return True

    code, out = signal_pwb(wiki, cfg, args, sig=signal.SIGKILL,
                           when=held_and_uploaded)
    assert code == -signal.SIGKILL, out
    proxy.clear_faults()  # abandoned: our revert never reaches the wiki
    proxy.reset_log()
    after = file_versions(site, title)
    assert [v['sha1'] for v in after] == [good, bad, good]
    assert after[0]['user'] == 'Editor'
    key = _key(journal)
    assert _types(journal, key) == ['intent']

    code, out = pwb(wiki, cfg, *args)

    assert code == 0, out
    assert 'had landed' not in out, out
    assert _types(journal, key)[1:] == ['cleared'], out
    code, out = pwb(wiki, cfg, 'filerevert', f'-undo:{journal}', '-always')
    assert code == 0, out
    # nothing of the run's to undo: the Editor's upload stays
    assert file_versions(site, title) == after
    assert not [r for r in proxy.requests_for('filerevert') if _is_post(r)]


def test_undo_prints_a_line_per_page(wiki, site, site_for, config_dir_for,
                                     unique, tmp_path):
    """``pwb rollback -undo:FILE -always`` says what it did on each page."""
    titles = [f'{unique} p{i}' for i in range(2)]
    for title in titles:
        edit(site_for('Editor'), title, 'good')
        edit(site_for('Vandal'), title, 'bad')
    journal = tmp_path / 'rb.jsonl'
    cfg = config_dir_for('Admin')
    code, out = pwb(wiki, cfg, 'rollback', '-user:Vandal', '-always',
                    *[f'-page:{t}' for t in titles], f'-journal:{journal}')
    assert code == 0, out
    rolled = {t: revisions(site, t)[0]['revid'] for t in titles}

    code, out = pwb(wiki, cfg, 'rollback', f'-undo:{journal}', '-always')

    assert code == 0, out
    for title in titles:
        top = revisions(site, title)[0]
        assert text_of(site, title) == 'bad'
        assert top['user'] == 'Admin' and top['parentid'] == rolled[title]
        assert (f'{title}: undid the rollback (revision {rolled[title]}; '
                f'now revision {top["revid"]})') in out, out
    undone = [r for r in Journal.read(journal)
              if r['type'] == 'done' and r['key'].startswith('undo|')]
    assert sorted(r['title'] for r in undone) == sorted(titles)

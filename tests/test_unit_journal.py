"""The journal and the log redaction (no wiki needed)."""
from __future__ import annotations

import json
import logging
import stat

import pytest

from pywikibot_revert.bot._journal import Journal, JournalError
from pywikibot_revert.exceptions import IdenticalVersionError
from pywikibot_revert.wiki._redact import RedactingFilter, redact
from harness.fakesite import FakeSite


def test_records_state_and_mode(tmp_path):
    path = tmp_path / 'j.jsonl'
    with Journal(path, FakeSite(), script='t', args=['-always']) as j:
        j.intent('k1', 'rollback', title='A', params={'token': 'x+\\',
                                                      'user': 'V'})
        j.done('k1', 'rollback', title='A', result={'revid': 5})
        j.intent('k2', 'rollback', title='B')
        # a run's own keys are not kept (memory per page): the file has them
        assert j.state('k1') is None and j.state('k2') is None
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    text = path.read_text()
    assert 'token' not in text and 'x+\\' not in text
    records = Journal.read(path)
    assert [r['type'] for r in records] == ['header', 'intent', 'done',
                                            'intent']
    assert records[1]['params'] == {'user': 'V'}
    # reopened: the state is read back, a second header says "resumed"
    with Journal(path, FakeSite()) as j:
        assert j.is_done('k1') and j.state('k2') == 'intent'
        assert [r['key'] for r in j.done_records()] == ['k1']
        count = len(j.records)
        j.done('k2', 'rollback', title='B')
        assert j.is_done('k2')
        assert len(j.records) == count  # a run's own records are not kept
    headers = [r for r in Journal.read(path) if r['type'] == 'header']
    assert [h['resumed'] for h in headers] == [False, True]


def test_torn_last_line_is_ignored(tmp_path):
    path = tmp_path / 'j.jsonl'
    with Journal(path, FakeSite()) as j:
        j.done('k1', 'undelete', title='A')
    with path.open('a') as f:
        f.write('{"type": "done", "key": "k2"')  # killed mid-line
    with Journal(path, FakeSite()) as j:
        assert j.is_done('k1') and not j.is_done('k2')


def test_existing_file_gets_mode_600(tmp_path):
    path = tmp_path / 'j.jsonl'
    path.write_text('')
    path.chmod(0o644)
    Journal(path, FakeSite()).open().close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_another_wiki_and_lock(tmp_path):
    path = tmp_path / 'j.jsonl'
    with Journal(path, FakeSite()):
        with pytest.raises(JournalError, match='in use'):
            Journal(path, FakeSite()).open()
    with pytest.raises(JournalError, match='written for'):
        Journal(path, FakeSite(url='https://other.example')).open()


@pytest.mark.parametrize('text', [
    "action=login&lgname=Bot&lgpassword=s3cret&lgtoken=abc%2B%5C",
    "{'action': ['rollback'], 'token': ['0123456789abcdef0123456789abcdef+\\\\']}",
    '{"query": {"tokens": {"csrftoken": "0123abcd+\\\\"}}}',
    "{'Set-Cookie': 'testwiki_session=abcdef; path=/; HttpOnly'}",
    'Cookie: testwiki_session=abcdef',
])
def test_redaction(text):
    clean = redact(text)
    for secret in ('s3cret', '0123456789abcdef', '0123abcd', 'abcdef',
                   'abc%2B'):
        assert secret not in clean, clean


def test_filter_rewrites_records():
    record = logging.LogRecord('pywiki', logging.DEBUG, __file__, 1,
                               'Body: %r', ('lgpassword=hunter2&x=1',), None)
    assert RedactingFilter().filter(record)
    assert 'hunter2' not in record.getMessage()
    assert json.dumps(record.getMessage())


def test_open_intents_are_those_without_an_outcome(tmp_path):
    """What a resume must settle on the wiki before anything else."""
    path = tmp_path / 'open.jsonl'
    with Journal(path, FakeSite()) as j:
        j.intent('a', 'rollback', title='A', user='V')
        j.done('a', 'rollback', title='A')
        j.intent('b', 'rollback', title='B', user='V')   # killed here
        j.intent('c', 'undelete', title='C')
        j.note('uncertain', key='c', action='undelete')
        j.intent('d', 'rollback', title='D', user='V')
        j.cleared('d', 'rollback', title='D')            # did not land
    with Journal(path, FakeSite()) as j:
        assert [r['key'] for r in j.open_intents()] == ['b', 'c']
        assert [r['key'] for r in j.open_intents('rollback')] == ['b']
        assert j.open_intents('rollback')[0]['user'] == 'V'
        assert j.state('d') == 'cleared'
        j.done('b', 'rollback', title='B', reconciled=True)
    with Journal(path, FakeSite()) as j:
        assert [r['key'] for r in j.open_intents()] == ['c']


def test_nothing_to_do_is_an_outcome(tmp_path):
    """A write that raised NothingToDoError is not left open."""
    path = tmp_path / 'skip.jsonl'

    def refused():
        raise IdenticalVersionError('same', code='fileexists-no-change')

    with Journal(path, FakeSite()) as j:
        with pytest.raises(IdenticalVersionError):
            j.recorded('f', 'filerevert', refused, title='File:F')
    assert [r['type'] for r in Journal.read(path)][1:] == ['intent',
                                                           'skipped']
    with Journal(path, FakeSite()) as j:
        assert j.open_intents() == []
        assert j.state('f') == 'skipped' and not j.is_done('f')


def test_unchecked_done_is_open_until_checked(tmp_path):
    """A done record with ``unchecked`` waits for its check note."""
    path = tmp_path / 'check.jsonl'
    with Journal(path, FakeSite()) as j:
        for key in 'abcd':
            j.intent(key, 'filerevert', title=key, unchecked=True)
            j.done(key, 'filerevert', title=key, unchecked=True)
        j.note('verified', key='a')
        j.note('conflict', key='b', restored=True)
        j.done('e', 'rollback', title='e')
    with Journal(path, FakeSite()) as j:
        assert [r['key'] for r in j.unchecked('filerevert')] == ['c', 'd']
        assert j.unchecked('rollback') == [] and j.is_done('c')
        j.note('verify-failed', key='c')
        assert [r['key'] for r in j.unchecked('filerevert')] == ['d']
    with Journal(path, FakeSite()) as j:
        assert [r['key'] for r in j.unchecked('filerevert')] == ['d']


def test_records_are_those_found_at_open_whatever_the_text(tmp_path):
    """Read back from the file up to where it ended at open()."""
    path = tmp_path / 'j.jsonl'
    with Journal(path, FakeSite()) as j:
        j.done('é|Ünïcode', 'rollback', title='Ünïcode ✓\u2028')
    with Journal(path, FakeSite()) as j:
        j.done('k2', 'rollback', title='Ünïcode ✓✓')
        assert [r['type'] for r in j.records] == ['header', 'done']
        assert j.done_records()[0]['title'] == 'Ünïcode ✓\u2028'
        assert j.is_done('é|Ünïcode') and j.state('k2') is None


# -- a cross-wiki run's -journal:DIR ---------------------------------------

def parse_journal_dir(path) -> str:
    """Parse ``-journal:PATH`` as a cross-wiki run does."""
    from pywikibot_revert.bot._options import parse_options
    from pywikibot_revert.crosswiki._run import _PER_WIKI
    return parse_options(_PER_WIKI, [f'-journal:{path}'])[0]['journal']


def test_journal_dir_wider_than_0700_is_tightened(tmp_path, monkeypatch):
    warned: list[str] = []
    monkeypatch.setattr('pywikibot.warning', warned.append)
    journals = tmp_path / 'journals'
    journals.mkdir()
    journals.chmod(0o755)
    assert parse_journal_dir(journals) == str(journals)
    assert stat.S_IMODE(journals.stat().st_mode) == 0o700
    assert warned == [f'-journal: {journals}: permissions 0755 were wider '
                      'than 0700, tightened to 0700']
    parse_journal_dir(journals)  # private already: nothing to say
    assert len(warned) == 1


def test_journal_dir_of_another_user_is_refused(tmp_path, monkeypatch):
    from pywikibot_revert.bot._errors import UsageError
    journals = tmp_path / 'journals'
    journals.mkdir(mode=0o777)
    journals.chmod(0o777)
    other = journals.stat().st_uid + 1
    # the directory seen as another user sees it: not theirs to chmod
    monkeypatch.setattr('os.geteuid', lambda: other)
    with pytest.raises(UsageError) as err:
        parse_journal_dir(journals)
    assert str(err.value) == (
        f'-journal: {journals} belongs to another user (uid '
        f'{other - 1}); name a directory of your own')
    assert stat.S_IMODE(journals.stat().st_mode) == 0o777  # untouched


def test_journal_dir_not_made_before_the_run(tmp_path):
    """A missing directory is made (0700) by the run, not by the check."""
    journals = tmp_path / 'new'
    assert parse_journal_dir(journals) == str(journals)
    assert not journals.exists()

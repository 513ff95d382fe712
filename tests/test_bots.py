"""The bots in-process against the real wiki: what needs no subprocess."""
from __future__ import annotations

import hashlib
import inspect
import pydoc
import time
import tracemalloc

import pytest
import pywikibot

from pywikibot_revert.wiki import _listings as _generators
from pywikibot_revert.bot._filerevert import FileRevertBot
from pywikibot_revert.wiki._listings import unique
from pywikibot_revert.bot._journal import Journal
from pywikibot_revert.bot._undelete import UndeleteBot
from pywikibot_revert.bot._reverse import ReverseBot
from harness.wikitools import (
    delete, deleted_count, edit, exists, revisions, text_of,
)


pytestmark = pytest.mark.wiki


def test_filtered_undelete_reads_a_page_the_batch_missed(site, site_for,
                                                         unique):
    """A cache miss means "read it", never "nothing deleted"."""
    title = f'{unique} missed'
    edit(site_for('Editor'), title, 'one')
    time.sleep(1.05)
    edit(site_for('Vandal'), title, 'two')
    delete(site, title)
    page = pywikibot.Page(site, title)
    bot = UndeleteBot(site=site, generator=iter([page]), always=True,
                      except_user='Vandal')
    bot._cache = {}  # the batched read did not cover the page
    assert [r.user for r in bot.deleted(page)] == ['Editor', 'Vandal']
    bot.run()
    assert bot.done == 1 and bot.exit_status == 0
    assert [r['user'] for r in revisions(site, title)] == ['Editor']
    assert deleted_count(site, title) == 1


@pytest.mark.parametrize('bot_class, options, name', [
    (UndeleteBot, {'logevents': [{}]}, 'Listed {}'),
    (FileRevertBot, {'user': 'Vandal'}, 'File:Listed {}.png')])
def test_a_log_run_keeps_one_title_per_page(site, monkeypatch, bot_class,
                                            options, name):
    """The titles kept grow with the run: one set of them, not two."""
    pages = 10_000

    def log(site, key, **params):
        for i in range(pages):
            yield {'title': name.format(i), 'logid': i, 'user': 'A'}
            if i % 100 == 0:  # deleted (overwritten) twice: logged twice
                yield {'title': name.format(i // 2), 'logid': -1 - i,
                       'user': 'B'}

    monkeypatch.setattr(_generators, 'query_items', log)
    bot = bot_class(site=site, **options)
    reasons = []

    def treat(page):
        # as act() does: use, then let go of, what was noted for the page
        if isinstance(bot, UndeleteBot):
            if len(reasons) < 3:
                reasons.append(bot.reason(page.title()))
            bot._deletions.pop(page.title())

    def peak(gen, treat=lambda page: None):
        digest, count = hashlib.sha1(), 0
        tracemalloc.start()
        try:
            for page in gen:
                digest.update(page.title().encode() + b'|')
                count += 1
                treat(page)
            return tracemalloc.get_traced_memory()[1], (count,
                                                        digest.digest())
        finally:
            tracemalloc.stop()

    run, got = peak(bot.make_generator(
        pywikibot.pagegenerators.GeneratorFactory(site)), treat)
    alone, expected = peak(unique(
        pywikibot.Page(site, event['title'])
        for event in log(site, 'logevents')))
    assert got == expected and got[0] == pages
    # two sets of titles (the log's and the run's) would make it about 2
    assert run < 1.3 * alone, (run, alone)
    if isinstance(bot, UndeleteBot):
        # each page's first deletion, not its second
        assert reasons == [f'Undoing: [[User:A|A]] deleted page [[:Listed '
                           f'{i}]] (log entry {i})' for i in range(3)]


def test_undo_pairs_each_page_with_its_own_record(site, site_for, unique,
                                                  tmp_path):
    """A page skipped before treat() must not shift the records."""
    titles = [f'{unique} a', f'{unique} b']
    for title in titles:
        edit(site_for('Editor'), title, f'good {title}')
        edit(site_for('Vandal'), title, 'bad')
    path = tmp_path / 'j.jsonl'
    with Journal(path, site, script='test') as journal:
        for title in titles:
            result = pywikibot.Page(site, title).revert.rollback(
                user='Vandal')
            journal.done(f'rollback|{title}', 'rollback', title=title,
                         result={'revid': result.revid,
                                 'old_revid': result.old_revid})

    class SkipNewest(ReverseBot):
        # any skip in skip_page, e.g. pywikibot's use_redirects
        def skip_page(self, page):
            return page.title() == titles[1] or super().skip_page(page)

    bot = SkipNewest(site=site, undo=str(path), always=True,
                     journal=str(tmp_path / 'undo.jsonl'))
    bot.generator = bot.make_generator(
        pywikibot.pagegenerators.GeneratorFactory(site))
    bot.run()
    assert bot.done == 1 and not bot.skips, bot.skips
    assert text_of(site, titles[0]) == 'bad'  # its rollback undone
    assert text_of(site, titles[1]) == f'good {titles[1]}'


def test_accessor_shows_the_real_keywords(site):
    page = pywikibot.Page(site, 'Anything')
    params = inspect.signature(page.revert.rollback).parameters
    assert list(params)[0] == 'user'
    assert {'summary', 'markbot', 'tags', 'watchlist', 'watchlistexpiry',
            'count', 'max_wait'} <= set(params)
    assert 'pageid' not in params and 'page' not in params
    for name, keywords in [
            ('undelete', {'timestamps', 'selection', 'all_revisions',
                          'summary', 'undeletetalk'}),
            ('select', {'since', 'until', 'except_user'}),
            ('deleted_revisions', {'since', 'until', 'user',
                                   'except_user'}),
            ('filerevert', {'archivename', 'timestamp', 'sha1', 'previous',
                            'not_user', 'at', 'comment', 'verify'}),
            ('file_history', {'limit'})]:
        assert keywords <= set(inspect.signature(
            getattr(page.revert, name)).parameters), name
    text = pydoc.render_doc(page.revert.rollback)
    assert 'markbot' in text and ':param markbot:' in text
    with pytest.raises(TypeError, match='unexpected keyword'):
        page.revert.rollback(user='X', sumary='typo')


def test_accessor_calls_the_function(site, site_for, unique):
    title = f'{unique} positional'
    edit(site_for('Editor'), title, 'good')
    edit(site_for('Vandal'), title, 'bad')
    result = pywikibot.Page(site, title).revert.rollback('Vandal',
                                                         summary='s')
    assert result.user == 'Vandal' and result.summary == 's'
    assert text_of(site, title) == 'good'
    gone = f'{unique} gone'
    edit(site, gone, 'x')
    delete(site, gone)
    assert len(pywikibot.Page(site, gone).revert.deleted_revisions()) == 1
    assert not exists(site, gone)

"""The README's Python example, run as written against the test wiki."""
from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
import pywikibot

from pywikibot_revert import RollbackResult
from harness.wikitools import (
    delete,
    deleted_count,
    edit,
    exists,
    revisions,
    text_of,
)


pytestmark = pytest.mark.wiki

README = Path(__file__).resolve().parent.parent / 'README.md'


def python_example() -> str:
    """Return the README's one ``python`` code block."""
    blocks = re.findall(r'^```python\n(.*?)^```', README.read_text(),
                        re.M | re.S)
    assert len(blocks) == 1, 'the README has one Python example'
    return blocks[0]


def _move(site, old: str, new: str) -> None:
    site.simple_request(action='move', to=new, reason='test',
                        token=site.tokens['csrf'], **{'from': old}).submit()


def test_the_readme_python_example(site, site_for, unique, monkeypatch):
    code = python_example()
    # the example's own titles, made unique to this test run
    sandbox, gone = f'{unique} Sandbox', f'{unique} Deleted by mistake'
    spam, advice = f'{unique} Cheap pills', f'{unique} Health advice'
    moved = f'{advice} (cheap pills)'
    for title, ours in (('Sandbox', sandbox),
                        ('Deleted by mistake', gone),
                        ('Cheap pills', spam),
                        ('Health advice (cheap pills)', moved),
                        ('Health advice', advice)):
        assert f"'{title}'" in code
        code = code.replace(f"'{title}'", repr(ours))
    edit(site_for('Editor'), sandbox, 'good text')
    edit(site_for('Vandal'), sandbox, 'vandalised')
    edit(site_for('Editor'), gone, 'one')
    time.sleep(1.05)  # undelete selects by the second
    edit(site_for('Vandal'), gone, 'vandal')
    delete(site, gone)
    edit(site_for('Vandal'), spam, 'Buy [http://spam.example now]')
    edit(site_for('Editor'), advice, 'Drink water.')
    pageid = pywikibot.Page(site, advice).pageid
    _move(site_for('Vandal'), advice, moved)
    # pywikibot.Site() in the example: the wiki the operator configured
    monkeypatch.setattr(pywikibot, 'Site', lambda *a, **k: site)

    namespace: dict[str, object] = {}
    exec(compile(code, str(README), 'exec'), namespace)

    assert isinstance(namespace['result'], RollbackResult)
    assert revisions(site, sandbox)[0]['user'] == site.user()
    assert text_of(site, sandbox) == 'good text'
    # the vandal's revision: its user name hidden
    data = site.simple_request(
        action='query', prop='revisions', rvprop='ids|user',
        revids=namespace['result'].old_revid, formatversion=2).submit()
    assert data['query']['pages'][0]['revisions'][0].get('userhidden')
    assert exists(site, gone)
    assert [r['user'] for r in revisions(site, gone)] == ['Editor']
    assert text_of(site, gone) == 'one'
    assert deleted_count(site, gone) == 1  # the vandal's, still deleted
    assert not exists(site, spam)
    assert namespace['spam'].revert.deleted_revisions()[0].user == 'Vandal'
    back = pywikibot.Page(site, advice)
    assert back.exists() and back.pageid == pageid
    assert text_of(site, advice) == 'Drink water.'

"""Parameter building per MediaWiki version (no wiki needed)."""
from __future__ import annotations

import pytest

from pywikibot_revert import EmptySelectionError, UnsupportedParameterError
from pywikibot_revert.wiki._params import (
    PARAM_SINCE,
    chunked,
    filerevert_params,
    query_params,
    rollback_params,
    undelete_params,
)


@pytest.mark.parametrize(('version', 'ok'), [('1.23', False), ('1.24', True),
                                             ('1.39.17', True)])
def test_rollback_pageid_needs_124(version, ok):
    if ok:
        assert rollback_params(version, pageid=7, user='X')['pageid'] == 7
    else:
        with pytest.raises(UnsupportedParameterError, match='1.24'):
            rollback_params(version, pageid=7, user='X')


@pytest.mark.parametrize(('action', 'param'), sorted(PARAM_SINCE))
def test_every_gated_parameter_is_refused_before_its_version(action, param):
    since = PARAM_SINCE[(action, param)]
    major, minor = since.split('.')
    older = f'{major}.{int(minor) - 1}'
    values = {'pageid': 3, 'tags': ['t'], 'watchlistexpiry': '1 week',
              'undeletetalk': True, 'archivename': '1!A.png',
              'uciprange': '127.0.0.0/24'}
    build = {
        'rollback': lambda v, **kw: rollback_params(
            v, user='X', **({'title': 'A'} if 'pageid' not in kw else {}),
            **kw),
        'undelete': lambda v, **kw: undelete_params(
            v, title='A', all_revisions=True, **kw),
        'filerevert': lambda v, **kw: filerevert_params(
            v, filename='A.png', **kw),
        'query': lambda v, **kw: query_params(v, list='usercontribs', **kw),
    }[action]
    with pytest.raises(UnsupportedParameterError, match=since):
        build(older, **{param: values[param]})
    assert param in build(since, **{param: values[param]})


def test_rollback_defaults_send_nothing_extra():
    params = rollback_params('1.39', title='A', user='X', markbot=False,
                             summary='', watchlist=None)
    assert params == {'action': 'rollback', 'title': 'A', 'user': 'X'}


def test_rollback_markbot_and_watchlist():
    params = rollback_params('1.39', title='A', user='X', markbot=True,
                             watchlist='nochange', tags=['a', ' b '])
    assert params['markbot'] is True
    assert params['watchlist'] == 'nochange'
    assert params['tags'] == ['a', 'b']


@pytest.mark.parametrize('kwargs', [{}, {'title': 'A', 'pageid': 1}])
def test_rollback_title_xor_pageid(kwargs):
    with pytest.raises(ValueError, match='exactly one'):
        rollback_params('1.39', user='X', **kwargs)


def test_rollback_needs_user():
    with pytest.raises(ValueError, match='user'):
        rollback_params('1.39', title='A', user='')


def test_bad_watchlist_value():
    with pytest.raises(ValueError, match='watchlist'):
        rollback_params('1.39', title='A', user='X', watchlist='maybe')


def test_undelete_empty_selection_is_refused():
    with pytest.raises(EmptySelectionError):
        undelete_params('1.39', title='A')
    with pytest.raises(EmptySelectionError):
        undelete_params('1.39', title='A', timestamps=[], fileids=[])
    assert issubclass(EmptySelectionError, ValueError)


def test_undelete_all_is_explicit():
    params = undelete_params('1.39', title='A', all_revisions=True)
    assert 'timestamps' not in params and 'fileids' not in params
    with pytest.raises(ValueError):
        undelete_params('1.39', title='A', all_revisions=True,
                        timestamps=['20260101000000'])


def test_undelete_fileids_are_ints():
    params = undelete_params('1.39', title='File:A.png', fileids=['3', 4])
    assert params['fileids'] == [3, 4]


def test_filerevert_needs_archivename():
    with pytest.raises(ValueError):
        filerevert_params('1.39', filename='A.png', archivename='')


def test_chunked_sizes():
    assert [len(c) for c in chunked(list(range(120)), 50)] == [50, 50, 20]
    assert chunked([], 50) == []
    with pytest.raises(ValueError):
        chunked([1], 0)

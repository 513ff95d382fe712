"""What differs between the MediaWiki releases the tests run on.

CI runs the wiki tests on 1.35 (Debian 11), 1.39 (Debian 12, this
machine's) and 1.43 (Debian 13); see ``.ci/run`` and ``.ci/chroot.sh``.
Each known difference is one table below, with one expectation per
release, and one wiki test that checks the release under test against
it. A release missing from a table fails the test: what it does has to
be looked at and written down, not guessed. Where the plugin builds its
requests differently per release, a unit test (no wiki) pins that too.

Run against another release with, e.g.::

    PWBREVERT_MW_CHROOT=$(bash .ci/chroot.sh bullseye) pytest -m wiki \\
        tests/test_versions.py
"""
from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import pywikibot

import pywikibot_revert  # noqa: F401 (adds Page.revert)
from pywikibot_revert import (
    MissingRightError,
    NothingToUndeleteError,
    UndeleteResult,
    UnsupportedParameterError,
)
from pywikibot_revert.wiki._listings import top_contributions
from pywikibot_revert.wiki._params import (
    query_params,
    rollback_params,
    undelete_params,
)
from pywikibot_revert.wiki._rights import REQUIRED_RIGHTS
from harness.wikiharness import TestWiki
from harness.wikitools import delete, edit, exists, new_user, revisions, upload

# Left out on the oldest pywikibot (pywikibot_neutral, see .ci/run):
# what differs between MediaWiki releases.
pytestmark = pytest.mark.pywikibot_neutral


#: Whether ``action=rollback`` stores its ``tags`` on the new revision.
#: 1.35 and 1.39 check them (an unknown tag is ``badtags``) but never
#: add them to the revision; 1.43's RollbackPage does.
ROLLBACK_STORES_TAGS = {(1, 35): False, (1, 39): False, (1, 43): True}

#: Whether ``action=filerevert`` by someone who did not upload the
#: current version needs ``reupload``, ``reupload-own`` not being
#: enough: CVE-2025-32696 (T304474), fixed upstream in 1.39.12 and
#: 1.43.1 and by Debian LTS in bullseye's 1.35.13-1+deb11u4 (the chroot
#: has bullseye-security). Older point releases let ``reupload-own``
#: revert anyone's file. The plugin asks for ``reupload`` either way.
FILEREVERT_NON_UPLOADER_NEEDS_REUPLOAD = {
    (1, 35): True, (1, 39): True, (1, 43): True}

#: Whether ``action=undelete`` knows ``undeletetalk`` (new in 1.39). 1.35
#: answers "Unrecognized parameter" as a warning and restores the page
#: alone, so the plugin sends a second request for the talk page there.
UNDELETE_KNOWS_UNDELETETALK = {(1, 35): False, (1, 39): True, (1, 43): True}

#: Whether ``list=usercontribs`` knows ``uciprange`` (new in 1.36). 1.35
#: ignores it as unrecognized and then refuses the query: none of
#: ucuser, ucuserids and ucuserprefix is given (``missingparam``). The
#: plugin refuses ``-iprange`` there before any request.
USERCONTRIBS_KNOWS_IPRANGE = {(1, 35): False, (1, 39): True, (1, 43): True}

#: The error codes of ``action=undelete`` with nothing to restore, asked
#: for with ``errorformat=plaintext`` (all errors, in order). From 1.39
#: (UndeletePage) ``undelete-no-results`` comes first. pywikibot asks in
#: the old format, which names one error: ``cantundelete`` on every
#: release, which the plugin maps to NothingToUndeleteError.
UNDELETE_NOTHING_CODES = {
    (1, 35): ['cantundelete'],
    (1, 39): ['undelete-no-results', 'cantundelete'],
    (1, 43): ['undelete-no-results', 'cantundelete'],
}


def expected(wiki: TestWiki, table: dict[tuple[int, int], Any]) -> Any:
    """Return *table*'s entry for the release under test."""
    release = wiki.mw_version[:2]
    if release not in table:
        pytest.fail(f'MediaWiki {wiki.mw_version_string} is not in this '
                    'table yet: find out what it does and add it',
                    pytrace=False)
    return table[release]


@pytest.mark.wiki
def test_the_release_is_a_tested_one(wiki: TestWiki, site) -> None:
    """The harness and the API agree on the release under test."""
    generator = site.siteinfo['generator']
    assert generator == f'MediaWiki {wiki.mw_version_string}'
    assert wiki.mw_version[:2] in ROLLBACK_STORES_TAGS
    # pywikibot 10 and 11 refuse anything older than 1.31.
    assert site.mw_version >= '1.31'


@pytest.mark.wiki
def test_rollback_tags(wiki: TestWiki, site,
                       site_for: Callable[[str], Any], unique: str) -> None:
    """A rollback's tags are stored on 1.43 only, checked everywhere."""
    tag = f'{unique} tag'.replace(' ', '-').lower()
    site.simple_request(action='managetags', operation='create', tag=tag,
                        reason='test', token=site.tokens['csrf']).submit()
    title = f'{unique} page'
    edit(site_for('Editor'), title, 'good')
    edit(site_for('Vandal'), title, 'bad')

    pywikibot.Page(site, title).revert.rollback(user='Vandal', tags=[tag])

    top = revisions(site, title)[0]
    assert top['user'] == 'Admin' and 'mw-rollback' in top['tags']
    assert (tag in top['tags']) is expected(wiki, ROLLBACK_STORES_TAGS)


def _archive_name(site, title: str, sha1: str) -> str:
    data = site.simple_request(
        action='query', prop='imageinfo', titles=title, iilimit='max',
        iiprop='sha1|archivename', formatversion=2).submit()
    return next(v['archivename']
                for v in data['query']['pages'][0]['imageinfo']
                if v['sha1'] == sha1 and 'archivename' in v)


@pytest.mark.wiki
def test_filerevert_rights(wiki: TestWiki, site, config_dir: Path,
                           site_for: Callable[[str], Any], unique: str,
                           tmp_path: Path) -> None:
    """``reupload-own`` reverts one's own file, not someone else's."""
    own = new_user(wiki, config_dir, f'Own {unique}', ('ownreuploader',))
    assert own.has_right('reupload-own') and not own.has_right('reupload')

    # Someone else's file: Editor's version overwritten by Vandal.
    theirs = f'File:{unique} theirs.png'
    good = upload(site_for('Editor'), theirs, tmp_path, 1)
    upload(site_for('Vandal'), theirs, tmp_path, 2)
    with pytest.raises(pywikibot.exceptions.APIError) as info:
        own.simple_request(
            action='filerevert', filename=theirs.split(':', 1)[1],
            archivename=_archive_name(site, theirs, good),
            comment='test', token=own.tokens['csrf']).submit()
    refused = info.value.code == 'permissiondenied'
    assert refused is expected(wiki, FILEREVERT_NON_UPLOADER_NEEDS_REUPLOAD)
    # The plugin asks for 'reupload' before it writes, on every release.
    with pytest.raises(MissingRightError) as missing:
        pywikibot.FilePage(own, theirs).revert.filerevert(not_user='Vandal')
    assert missing.value.right == 'reupload'

    # One's own file: both versions uploaded by the same account.
    mine = f'File:{unique} mine.png'
    first = upload(own, mine, tmp_path, 3)
    upload(own, mine, tmp_path, 4)
    # The version replaced is archived under the current second: in the
    # second of the last upload that name is taken (backend-fail-
    # alreadyexists).
    time.sleep(1.1)
    data = own.simple_request(
        action='filerevert', filename=mine.split(':', 1)[1],
        archivename=_archive_name(site, mine, first), comment='test',
        token=own.tokens['csrf']).submit()
    assert data['filerevert']['result'] == 'Success', data


def _deleted_pair(site, site_for: Callable[[str], Any],
                  title: str) -> pywikibot.Page:
    """Make and delete a page and its talk page; return the page."""
    page = pywikibot.Page(site, title)
    talk = page.toggleTalkPage().title()
    edit(site_for('Editor'), title, 'page')
    edit(site_for('Editor'), talk, 'talk')
    delete(site, title)
    delete(site, talk)
    return page


@pytest.mark.wiki
def test_undeletetalk(wiki: TestWiki, site, site_for: Callable[[str], Any],
                      unique: str) -> None:
    """``undeletetalk``: one request from 1.39 on, two before."""
    knows = expected(wiki, UNDELETE_KNOWS_UNDELETETALK)

    # The API itself.
    page = _deleted_pair(site, site_for, f'{unique} raw')
    talk = page.toggleTalkPage().title()
    site.simple_request(action='undelete', title=page.title(),
                        undeletetalk=1, reason='test',
                        token=site.tokens['csrf']).submit()
    assert exists(site, page.title())
    assert exists(site, talk) is knows

    # The plugin: both come back on every release.
    time.sleep(1)  # a second page pair, deleted in its own second
    page = _deleted_pair(site, site_for, f'{unique} plugin')
    result = page.revert.undelete(all_revisions=True, undeletetalk=True)
    assert exists(site, page.title())
    assert exists(site, page.toggleTalkPage().title())
    # The counts are of everything restored, as the server counts them
    # from 1.39 on; the talk page's own result is known only where it
    # took a request of its own.
    assert isinstance(result, UndeleteResult) and result.revisions == 2
    if knows:
        assert result.talk is None
    else:
        assert result.talk is not None and result.talk.revisions == 1


@pytest.mark.wiki
def test_nothing_to_undelete_answer(wiki: TestWiki, site,
                                    unique: str) -> None:
    """The error list differs; the code pywikibot sees does not."""
    title = f'{unique} alive'
    edit(site, title, 'here')
    data = site.simple_request(action='undelete', title=title,
                               errorformat='plaintext',
                               token=site.tokens['csrf']).submit()
    codes = [e['code'] for e in data['errors']]
    assert codes == expected(wiki, UNDELETE_NOTHING_CODES)
    with pytest.raises(NothingToUndeleteError) as info:
        pywikibot.Page(site, title).revert.undelete(all_revisions=True)
    assert info.value.code == 'cantundelete'


@pytest.mark.wiki
def test_contributions_of_an_ip_range(wiki: TestWiki, site) -> None:
    """``uciprange``: known from 1.36; refused by the plugin before."""
    knows = expected(wiki, USERCONTRIBS_KNOWS_IPRANGE)
    try:
        site.simple_request(action='query', list='usercontribs',
                            uciprange='127.0.0.0/24', uclimit=1).submit()
        answered = True
    except pywikibot.exceptions.APIError as err:
        assert err.code == 'missingparam'
        answered = False
    assert answered is knows
    contributions = top_contributions(site, iprange='127.0.0.0/24')
    if knows:
        list(contributions)
    else:
        with pytest.raises(UnsupportedParameterError, match='1.36'):
            next(contributions)


# -- the same differences as the plugin's request building sees them ----

@pytest.mark.parametrize(('version', 'known'), [
    ('1.35.13', False), ('1.36', True), ('1.39.17', True), ('1.43.1', True)])
def test_iprange_only_where_usercontribs_knows_it(version: str,
                                                  known: bool) -> None:
    """Below 1.36 ``uciprange`` is refused, never sent."""
    build = lambda: query_params(version, list='usercontribs',
                                 uciprange='127.0.0.0/24')
    if known:
        assert build()['uciprange'] == '127.0.0.0/24'
    else:
        with pytest.raises(UnsupportedParameterError, match='1.36'):
            build()


@pytest.mark.parametrize('version', ['1.35', '1.39.17', '1.43.1'])
def test_rollback_sends_tags_to_every_tested_release(version: str) -> None:
    """Tags are sent everywhere: older releases still check them."""
    params = rollback_params(version, title='A', user='V', tags='x')
    assert params['tags'] == ['x']


@pytest.mark.parametrize(('version', 'in_one_request'), [
    ('1.35.13', False), ('1.38', False), ('1.39', True), ('1.43.1', True)])
def test_undeletetalk_only_where_the_api_knows_it(
        version: str, in_one_request: bool) -> None:
    """Below 1.39 ``undeletetalk`` is refused, never sent and ignored."""
    build = lambda: undelete_params(version, title='A', all_revisions=True,
                                    undeletetalk=True)
    if in_one_request:
        assert build()['undeletetalk'] is True
    else:
        with pytest.raises(UnsupportedParameterError, match='1.39'):
            build()
    # Without it the request is the same on every release.
    assert 'undeletetalk' not in undelete_params(
        version, title='A', all_revisions=True)


def test_filerevert_needs_reupload_not_only_reupload_own() -> None:
    """The plugin reverts other people's uploads: ``reupload`` it is."""
    assert 'reupload' in REQUIRED_RIGHTS['filerevert']
    assert 'reupload-own' not in REQUIRED_RIGHTS['filerevert']

"""Removing links to a spam domain from wikitext (no wiki needed).

Every case asserts the whole output string, so the bytes around a
removal (ham links, text, whitespace) are proven unchanged.
"""
from __future__ import annotations

import pytest

from pywikibot_revert.ops import _spamlinks
from pywikibot_revert.ops._spamlinks import (
    LinkRemoval,
    matches_domain,
    remove_links,
)


DOMAIN = 'spam.example'
HAM = '[http://ham.example/a Ham]'


def test_public_api():
    assert _spamlinks.__all__ == ['LinkRemoval', 'matches_domain',
                                  'remove_links']


@pytest.mark.parametrize(('url', 'expected'), [
    ('http://spam.example', True),
    ('https://spam.example/path?q=1#x', True),
    ('http://www.spam.example/page', True),
    ('http://a.b.spam.example/', True),
    ('HTTP://SPAM.Example/X', True),
    ('//spam.example/protocol-relative', True),
    ('http://spam.example:8080/', True),
    ('http://user:pw@spam.example/', True),
    ('http://spam.example./trailing-dot', True),
    ('ftp://spam.example/file', True),
    ('www.spam.example/no-scheme', True),
    ('  http://spam.example/  ', True),
    ('http://notspam.example/', False),
    ('http://spam.example.org/', False),
    ('http://ham.example/spam.example', False),
    ('http://ham.example/?u=http://spam.example/', False),
    ('http://spam.example@ham.example/', False),
    ('http://ham.example@spam.example/', True),
    ('http://example/', False),
    ('mailto:info@spam.example', False),
    ('http://[::1/', False),
    ('', False),
])
def test_matches_domain(url, expected):
    assert matches_domain(url, DOMAIN) is expected


@pytest.mark.parametrize('domain', [
    'spam.example', 'SPAM.Example', ' spam.example ', '.spam.example.',
    '\tSpam.Example.\n',
])
def test_domain_is_normalised(domain):
    assert matches_domain('http://www.spam.example/', domain)
    assert remove_links('a http://spam.example b', domain).text == 'a b'


@pytest.mark.parametrize('domain', [
    '', '   ', '.', '..', 'spam', 'com', 'http://x', 'http://spam.example',
    'spam.example/path', 'spam .example', 'spam example.org',
    'spam..example', '-.example', 'spam_x.example',
])
def test_invalid_domain(domain):
    with pytest.raises(ValueError, match='not a domain name'):
        remove_links('text', domain)
    with pytest.raises(ValueError, match='not a domain name'):
        matches_domain('http://spam.example/', domain)


# (text, expected text, removed URLs)
CASES = {
    # external links, bracketed and bare
    'bracketed with label': (
        f'{HAM} and [http://spam.example/x Buy now] here.',
        f'{HAM} and here.',
        ('http://spam.example/x',)),
    'bracketed without label': (
        f'See [http://spam.example/x] and {HAM}.',
        f'See and {HAM}.',
        ('http://spam.example/x',)),
    'bare mid-sentence': (
        'Go to http://www.spam.example/page for more.',
        'Go to for more.',
        ('http://www.spam.example/page',)),
    'bare before a full stop': (
        'Text http://spam.example.',
        'Text.',
        ('http://spam.example',)),
    'bracketed before a comma': (
        'Buy [http://spam.example/ here], or not.',
        'Buy, or not.',
        ('http://spam.example/',)),
    'doubled stop kept once': (
        'Foo, [http://spam.example x], bar.',
        'Foo, bar.',
        ('http://spam.example',)),
    'at line start': (
        '[http://spam.example x] starts this line.',
        'starts this line.',
        ('http://spam.example',)),
    'at line end': (
        'This line ends with http://spam.example/x\nNext line.',
        'This line ends with\nNext line.',
        ('http://spam.example/x',)),
    'in parentheses': (
        'Shop (see [http://spam.example x]) and (http://spam.example y).',
        'Shop (see) and (y).',
        ('http://spam.example', 'http://spam.example')),
    'several in a row': (
        'See [http://spam.example/a a], [http://spam.example/b b] now.',
        'See now.',
        ('http://spam.example/a', 'http://spam.example/b')),
    'subdomain and case': (
        'A [HTTP://Shop.SPAM.example/X x] b.',
        'A b.',
        ('HTTP://Shop.SPAM.example/X',)),
    'protocol-relative': (
        'A [//spam.example/x x] b.',
        'A b.',
        ('//spam.example/x',)),
    'port and userinfo': (
        'A http://u@spam.example:8080/x b.',
        'A b.',
        ('http://u@spam.example:8080/x',)),
    'label naming the spam host is not enough': (
        '[http://ham.example/ spam.example] and '
        '[http://spam.example/ ham.example].',
        '[http://ham.example/ spam.example] and.',
        ('http://spam.example/',)),
    'notspam is ham': (
        'A [http://notspam.example/ x] and http://spam.example.org/.',
        'A [http://notspam.example/ x] and http://spam.example.org/.',
        ()),
    'italic link goes whole': (
        "Buy ''[http://spam.example/ pills]'' now.",
        'Buy now.',
        ('http://spam.example/',)),
    'leading space of a pre line kept': (
        ' http://spam.example/ preformatted',
        ' preformatted',
        ('http://spam.example/',)),
    'file caption': (
        '[[File:X.jpg|thumb|http://spam.example/ Caption]]',
        '[[File:X.jpg|thumb|Caption]]',
        ('http://spam.example/',)),
    'template parameter': (
        '{{Infobox company\n| name = X\n| website = http://spam.example/\n}}',
        '{{Infobox company\n| name = X\n| website =\n}}',
        ('http://spam.example/',)),
    'bare URL ends at a tab, as in MediaWiki': (
        'a http://spam.example/\tb',
        'a b',
        ('http://spam.example/',)),
    'CRLF line ends kept': (
        'Line http://spam.example\r\n* [http://spam.example x]\r\nNext',
        'Line\r\nNext',
        ('http://spam.example', 'http://spam.example')),
    'no new markup from glued pipes': (
        '{|\n| [http://spam.example x] || ham\n|}',
        '{|\n| || ham\n|}',
        ('http://spam.example',)),
    # refs
    'ref with a bracketed link': (
        'Claim.<ref>[http://spam.example/x Source]</ref> More.',
        'Claim. More.',
        ('http://spam.example/x',)),
    'ref with a bare link, spaces and a stop': (
        'Claim<ref> http://spam.example/x. </ref>.',
        'Claim.',
        ('http://spam.example/x',)),
    'ref with a cite template': (
        'Claim.<ref>{{cite web |url=http://spam.example/ |title=x}}</ref>',
        'Claim.',
        ('http://spam.example/',)),
    'named ref and reuses': (
        'A.<ref name="s1">[http://spam.example/1]</ref> '
        'B.<ref name="s1" /> C.<ref name=s1/> D.<ref name="h">H</ref>'
        '<ref name=h/>',
        'A. B. C. D.<ref name="h">H</ref><ref name=h/>',
        ('http://spam.example/1',)),
    'reuse before the definition': (
        'A.<ref name=s1 /> B.<ref name=s1>{{Cite news|url=//spam.example/'
        '|title=t}}</ref>',
        'A. B.',
        ('//spam.example/',)),
    'reuse in another group stays': (
        'A.<ref name=s group=n/> B.<ref name=s>http://spam.example/</ref>',
        'A.<ref name=s group=n/> B.',
        ('http://spam.example/',)),
    'ref with a link and a comment': (
        'A<ref>[http://spam.example/x] <!-- dead --></ref> B',
        'A B',
        ('http://spam.example/x',)),
    'ref with text glued to a bare URL keeps the text': (
        '<ref>http://spam.example/\tSmith 2001</ref>',
        '<ref>Smith 2001</ref>',
        ('http://spam.example/',)),
    'ref with other text keeps the text': (
        '<ref name=r>Smith 2001. [http://spam.example/x Title]. Pub.</ref>'
        '<ref name=r/>',
        '<ref name=r>Smith 2001. Pub.</ref><ref name=r/>',
        ('http://spam.example/x',)),
    'ref with a ham link keeps it': (
        f'<ref>[http://spam.example/ a] {HAM}</ref>',
        f'<ref>{HAM}</ref>',
        ('http://spam.example/',)),
    'ref with two spam links': (
        'A<ref>[http://spam.example/1], http://spam.example/2.</ref>',
        'A',
        ('http://spam.example/1', 'http://spam.example/2')),
    'list-defined ref': (
        '{{reflist|refs=\n<ref name=s>http://spam.example/</ref>\n'
        '<ref name=h>Ham</ref>\n}}',
        '{{reflist|refs=\n<ref name=h>Ham</ref>\n}}',
        ('http://spam.example/',)),
    # templates
    'cite template alone': (
        '{{cite web |url=http://spam.example/ |title=x}} and '
        '{{Cite news|url=http://ham.example/|title=y}}',
        'and {{Cite news|url=http://ham.example/|title=y}}',
        ('http://spam.example/',)),
    'url with a comment': (
        'A {{cite web|url=http://spam.example/ <!-- dead -->|title=t}} b',
        'A b',
        ('http://spam.example/',)),
    'upper-case URL parameter': (
        'A {{Cite|URL=https://www.spam.example/}} b',
        'A b',
        ('https://www.spam.example/',)),
    'archive-url only': (
        '{{cite web|url=http://ham.example/|archive-url=http://spam.example'
        '/a|title=t}} {{cite web|archive-url=http://spam.example/a}}',
        '{{cite web|url=http://ham.example/|archive-url=http://spam.example'
        '/a|title=t}} {{cite web|archive-url=http://spam.example/a}}',
        ()),
    # lines
    'list items': (
        f'== Links ==\n* {HAM}\n* [http://spam.example Spam shop]\n'
        '# http://www.spam.example/a.\n#: [http://spam.example/b], \n'
        '; {{cite web|url=http://spam.example/c}}\n* Ham\n',
        f'== Links ==\n* {HAM}\n* Ham\n',
        ('http://spam.example', 'http://www.spam.example/a',
         'http://spam.example/b', 'http://spam.example/c')),
    'list item with text keeps the text': (
        '* Shop: [http://spam.example x]\n* [http://spam.example y] rocks\n',
        '* Shop:\n* rocks\n',
        ('http://spam.example', 'http://spam.example')),
    'line with only a link': (
        'First.\nhttp://spam.example/\nSecond.',
        'First.\nSecond.',
        ('http://spam.example/',)),
    'paragraph with only a link': (
        'First.\n\n[http://spam.example/ x]\n\nSecond.',
        'First.\n\nSecond.',
        ('http://spam.example/',)),
    'first and last lines': (
        'http://spam.example/1\n\nMiddle.\n\n[http://spam.example/2]',
        'Middle.',
        ('http://spam.example/1', 'http://spam.example/2')),
    'last line keeps the final newline': (
        'Text.\n* http://spam.example/\n',
        'Text.\n',
        ('http://spam.example/',)),
    'only a link': (
        'http://spam.example/', '', ('http://spam.example/',)),
    # not links
    'comment and nowiki untouched': (
        '<!-- http://spam.example/ --> <nowiki>http://spam.example/'
        '</nowiki> <nowiki>[http://spam.example/ x]</nowiki>',
        '<!-- http://spam.example/ --> <nowiki>http://spam.example/'
        '</nowiki> <nowiki>[http://spam.example/ x]</nowiki>',
        ()),
    'attribute untouched': (
        '<span title="http://spam.example/">x</span>',
        '<span title="http://spam.example/">x</span>',
        ()),
    'empty text': ('', '', ()),
}


@pytest.mark.parametrize(('text', 'expected', 'removed'),
                         list(CASES.values()), ids=list(CASES))
def test_remove_links(text, expected, removed):
    result = remove_links(text, DOMAIN)
    assert result == LinkRemoval(expected, removed)
    assert result.changed is bool(removed)


def test_untouched_text_is_returned_as_is():
    text = (f'Intro  with  odd   spacing {HAM} \n\n\n* {{{{cite web|url='
            'http://ham.example/}}\t\n<ref name=a>x</ref><ref name=a/>  ')
    result = remove_links(text, DOMAIN)
    assert result.text is text
    assert result.removed == ()
    assert not result.changed


def test_whitespace_away_from_a_removal_stays():
    text = 'a  b\t\tc [http://spam.example x] d  e  \n\n\n\nf  '
    assert remove_links(text, DOMAIN).text == 'a  b\t\tc d  e  \n\n\n\nf  '


def test_result_is_frozen():
    result = remove_links('x', DOMAIN)
    with pytest.raises(AttributeError):
        result.text = 'y'


ARTICLE = """\
{{Short description|A town}}
'''Exampleville''' is a town.<ref name="census">{{cite web \
|url=https://stats.ham.example/town |title=Census \
|archive-url=http://spam.example/copy}}</ref> Its best shop is \
[http://www.spam.example/shop Cheap Pills], near the river.<ref \
name="ad">[http://spam.example/ad Advert].</ref>

== History ==
The town was founded in 1820.<ref>{{Cite news|url=http://SPAM.example/\
news|title=Old}}</ref> It grew fast (see http://spam.example/growth) \
and http://ham.example/growth.<ref name="ad" />

http://spam.example/lonely

The mill closed in 1901.<ref>Smith, J. (2001). \
[http://spam.example/book Town history]. Ham Press.</ref>\
<ref name="census"/>

<!-- old link: http://spam.example/old -->
== External links ==
* [https://ham.example/ Official site]
* [http://spam.example/ Buy now]
* http://deals.spam.example/
* {{cite web|url=//spam.example/x|title=Deals}}
* [http://notspam.example/ Not spam]

== References ==
{{reflist}}
"""

ARTICLE_CLEAN = """\
{{Short description|A town}}
'''Exampleville''' is a town.<ref name="census">{{cite web \
|url=https://stats.ham.example/town |title=Census \
|archive-url=http://spam.example/copy}}</ref> Its best shop is, \
near the river.

== History ==
The town was founded in 1820. It grew fast (see) \
and http://ham.example/growth.

The mill closed in 1901.<ref>Smith, J. (2001). Ham Press.</ref>\
<ref name="census"/>

<!-- old link: http://spam.example/old -->
== External links ==
* [https://ham.example/ Official site]
* [http://notspam.example/ Not spam]

== References ==
{{reflist}}
"""


def test_article():
    result = remove_links(ARTICLE, DOMAIN)
    assert result.text == ARTICLE_CLEAN
    assert result.removed == (
        'http://www.spam.example/shop',
        'http://spam.example/ad',
        'http://SPAM.example/news',
        'http://spam.example/growth',
        'http://spam.example/lonely',
        'http://spam.example/book',
        'http://spam.example/',
        'http://deals.spam.example/',
        '//spam.example/x',
    )
    assert result.changed
    # a second pass finds nothing left
    again = remove_links(result.text, DOMAIN)
    assert again.text == result.text and not again.changed

"""Input validation and normalisation (no wiki needed)."""
from __future__ import annotations

import pytest
import pywikibot

from pywikibot_revert.wiki._validate import (
    is_ip,
    normalize_ip,
    normalize_username,
    parse_log_timestamp,
    parse_timestamp,
)


@pytest.mark.parametrize(('given', 'expected'), [
    ('20261123154500', '2026-11-23T15:45:00Z'),
    ('2026-11-23T15:45:00Z', '2026-11-23T15:45:00Z'),
    ('2026-11-23T15:45:00+00:00', '2026-11-23T15:45:00Z'),
    (' 2026-11-23T15:45:00-0000 ', '2026-11-23T15:45:00Z'),
])
def test_timestamps_accepted(given, expected):
    assert parse_timestamp(given).isoformat() == expected


@pytest.mark.parametrize('given', [
    '2026-11-23', '2026-11-23 15:45', '2026-11-23T15:45:00',
    '2026-11-23T15:45:00+01:00', '23/11/2026', '2026112315450',
    '20261323154500', 'yesterday', '',
])
def test_timestamps_refused(given):
    with pytest.raises(ValueError):
        parse_timestamp(given)


def test_timestamp_passthrough():
    ts = pywikibot.Timestamp(2026, 1, 1)
    assert parse_timestamp(ts) is ts


@pytest.mark.parametrize(('given', 'expected'), [
    ('20261123', '2026-11-23T00:00:00Z'),
    ('20261123154500', '2026-11-23T15:45:00Z'),
])
def test_log_timestamps_accepted(given, expected):
    assert parse_log_timestamp(given).isoformat() == expected


@pytest.mark.parametrize('given', [
    '2026-11-23', '2026-11-23T15:45:00Z', '2026112', '2026112315',
    '20261323',
    ' 20261123', 'yesterday',
])
def test_log_timestamps_refused(given):
    with pytest.raises(ValueError):
        parse_log_timestamp(given)


def test_log_timestamp_no_bound():
    assert parse_log_timestamp('') is None
    assert parse_log_timestamp(None) is None


@pytest.mark.parametrize(('given', 'expected'), [
    ('User:Some_vandal', 'Some vandal'),
    ('user:  some   vandal ', 'Some vandal'),
    ('Ünïcode', 'Ünïcode'),
    ('U\u0308ber', '\u00dcber'),  # NFC
    ('ßpam', 'ßpam'),
    ('192.0.2.010', '192.0.2.10'),
    ('2001:db8::1', '2001:DB8:0:0:0:0:0:1'),
    ('User:2001:DB8:0:0:0:0:0:0001', '2001:DB8:0:0:0:0:0:1'),
    ('::ffff:1.2.3.4', '0:0:0:0:0:FFFF:102:304'),
])
def test_usernames(given, expected):
    assert normalize_username(given) == expected


@pytest.mark.parametrize('given', ['', 'User:', 'A|B', 'A[b]', 'x#y',
                                   'a/b', '   '])
def test_bad_usernames(given):
    with pytest.raises(ValueError):
        normalize_username(given)


def test_ip_detection():
    assert is_ip('10.0.0.1') and is_ip('fe80::1') and not is_ip('Alice')
    assert not is_ip('256.1.1.1') and not is_ip('1.2.3')
    with pytest.raises(ValueError):
        normalize_ip('1.2.3.4.5')

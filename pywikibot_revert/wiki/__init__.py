"""Talking to MediaWiki, with no run policy.

Everything that reads from or writes to the wiki goes through here, by
way of pywikibot's ``site.simple_request`` (login, tokens, throttle and
retries stay pywikibot's):

- ``_query``: reads with typed errors, continuation and batching;
- ``_listings``: the wiki's lists (contributions, logs) as page streams;
- ``_write``: one write, never resent blindly;
- ``_params``: API parameters for the wiki's MediaWiki version;
- ``_apierrors``: API error codes to typed errors, in one table;
- ``_rights``: the account's rights and blocks, before the first write;
- ``_messages``: the wiki's own messages and the default summaries;
- ``_validate``: operator input checked before anything is written;
- ``_redact``: passwords, tokens and cookies kept out of output and logs.

The modules import nothing from :mod:`pywikibot_revert.ops`,
``bot`` or ``crosswiki``.
"""

# pywikibot-revert: example user-config.py
#
# Copy to user-config.py in your pywikibot config directory (or in this
# checkout) and fill in your wiki and account. Never commit real
# secrets: passwords live in the password file below, mode 600.

family = 'wikipedia'
mylang = 'en'
usernames['wikipedia']['en'] = 'ExampleAdmin'

# BotPasswords (Special:BotPasswords): one line per account in this
# file, for example
#   ('ExampleAdmin', BotPassword('cleanup', 'BOT_PASSWORD_SECRET'))
# The bot password needs the grants: editpage, rollback, delete
# (undelete), uploadfile + uploadeditmovefile (filerevert).
password_file = 'user-password.py'

# In a checkout of pywikibot-revert, this finds scripts/rollback.py etc.
# when pwb runs from this directory. With the package installed (README,
# Install) it is not needed: pwb finds the scripts itself.
user_script_paths = ['scripts']

# Be kind to the wiki: one write at a time, honour replication lag.
put_throttle = 1
maxlag = 5

"""How pwb finds the scripts, and that core's messages survive it."""
from __future__ import annotations

import importlib
import subprocess
import sys
from importlib.metadata import distributions, entry_points
from pathlib import Path

import pytest


ROOT = Path(__file__).resolve().parents[1]


def test_entry_point_names_an_importable_scripts_package():
    eps = [ep for ep in entry_points(group='pywikibot')
           if ep.name == 'scriptspath'
           and ep.value.startswith('pywikibot_revert_scripts')]
    assert eps, 'pywikibot_revert_scripts entry point not installed'
    path = eps[0].load()
    for script in ('rollback', 'undelete', 'filerevert'):
        assert (path / f'{script}.py').is_file()
    # pwb imports "<directory name>.i18n" (find_filename in
    # pywikibot/scripts/wrapper.py). A plain `pip install -e .` leaves the
    # directory named "scripts", and pwb fails: No module named 'scripts'
    # (README, Install).
    assert path.name == 'pywikibot_revert_scripts', (
        f'{path}: pwb would import {path.name}.i18n; a plain editable '
        'install? use editable_mode=strict')
    i18n = importlib.import_module(f'{path.name}.i18n')
    assert i18n.__file__ is not None


def test_core_messages_still_work_after_pwb_switches_package():
    code = (
        'import importlib\n'
        'from pywikibot import i18n\n'
        'm = importlib.import_module("pywikibot_revert_scripts.i18n")\n'
        'assert m.__file__ is not None\n'
        'i18n.set_messages_package("pywikibot_revert_scripts.i18n")\n'
        'assert i18n.messages_available()\n'
        'print(i18n.twtranslate("de", "pywikibot-enter-category-name"))\n'
        # the plugin's own bundle, through the same package
        'print(i18n.twtranslate("uk", "pwbrevert-undo-undelete"))\n'
        'print(i18n.twtranslate("de", "pwbrevert-undo-edits",\n'
        '                       {"count": 2, "revid": 7}))\n')
    out = subprocess.run([sys.executable, '-c', code], capture_output=True,
                         text=True, check=False, cwd='/')
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == [
        'Bitte Name der Kategorie eingeben:', 'Скасування відновлення',
        '2 Aufräumbearbeitungen rückgängig gemacht (zurück zu Version 7)']


def test_plugin_messages_in_library_use_leave_the_message_package_alone():
    code = (
        'from pywikibot import i18n\n'
        'before = i18n._messages_package_name\n'
        'import pywikibot_revert\n'
        'from pywikibot_revert.wiki._i18n import plugin_message\n'
        'print(plugin_message("de", "undo-undelete"))\n'
        'assert i18n._messages_package_name == before, before\n'
        'print(i18n.twtranslate("de", "pywikibot-enter-category-name"))\n')
    out = subprocess.run([sys.executable, '-c', code], capture_output=True,
                         text=True, check=False, cwd='/')
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == [
        'Wiederherstellung rückgängig gemacht',
        'Bitte Name der Kategorie eingeben:']


def test_message_bundle_is_installed_from_the_wheel():
    # bootstrap installs the wheel built from setup.cfg (pip install .):
    # its RECORD lists what the wheel held (a checkout's egg-info, found
    # first from the repository's root, has no RECORD)
    wheels = [d for d in distributions(name='pywikibot-revert')
              if d.read_text('RECORD')]
    assert wheels, 'pywikibot-revert not installed from a wheel'
    installed = {str(f) for f in wheels[0].files or ()}
    for lang in ('en', 'qqq', 'de', 'uk'):
        assert (f'pywikibot_revert_scripts/i18n/pwbrevert/{lang}.json'
                in installed), sorted(installed)


# how pwb finds the scripts asks the wiki nothing new (left out on the
# other MediaWiki releases, see .ci/run)
@pytest.mark.mediawiki_neutral
@pytest.mark.wiki
def test_help_via_installed_entry_point_and_checkout(wiki, config_dir_for,
                                                    tmp_path):
    # installed: no user_script_paths, found through the entry point
    out = wiki.run_pwb(['undelete', '-help'], config_dir_for('Admin'))
    assert out.returncode == 0
    assert '-except-user:NAME' in out.stdout + out.stderr
    # checkout: user-config.example.py's user_script_paths = ['scripts']
    cfg = config_dir_for('Admin', "user_script_paths = ['scripts']")
    link = cfg / 'scripts'
    if not link.exists():
        link.symlink_to(ROOT / 'scripts')
    out = wiki.run_pwb(['filerevert', '-help'], cfg)
    assert out.returncode == 0
    assert '-to:TS' in out.stdout + out.stderr


def test_example_user_config_has_no_secret():
    text = (ROOT / 'user-config.example.py').read_text()
    assert "user_script_paths = ['scripts']" in text
    assert 'password_file' in text and 'BotPassword(' in text

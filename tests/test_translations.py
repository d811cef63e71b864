"""The German and Spanish catalogues hold every string the code marks for translation: the
strings are gathered afresh (makemessages, into a copy of `locale/`), and a string without a
translation, a fuzzy one or one the code no longer has fails the run, as does a catalogue
msgfmt would refuse."""

import gettext
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command

LANGUAGES = ["de", "es"]
# Folders that hold no strings of the app's own (tests, benchmarks, pictures, packages).
IGNORED = ["tests/*", "bench/*", "docs/*", "var/*", "static/*", "node_modules/*"]

pytestmark = pytest.mark.skipif(
    shutil.which("msgmerge") is None, reason="gettext is not installed: make test installs it"
)


def fresh_catalogues(tmp_path: Path, settings, monkeypatch) -> Path:
    """A copy of `locale/` merged with the strings the code marks today. (One run for both
    languages: makemessages writes scratch files beside the templates it reads.)"""
    copy = tmp_path / "locale"
    shutil.copytree(Path(settings.BASE_DIR) / "locale", copy)
    monkeypatch.chdir(settings.BASE_DIR)
    settings.LOCALE_PATHS = [copy]
    call_command("makemessages", locale=LANGUAGES, ignore_patterns=IGNORED, verbosity=0)
    return copy


def _entries(po: Path, *flags: str) -> list[str]:
    """The msgids msgattrib picks from a catalogue with `flags` (e.g. --untranslated)."""
    out = subprocess.run(
        ["msgattrib", *flags, "--no-wrap", str(po)], capture_output=True, text=True, check=True
    ).stdout
    return [
        line.removeprefix("msgid ").removeprefix("#~ msgid ")
        for line in out.splitlines()
        if line.startswith(("msgid ", "#~ msgid ")) and line not in ('msgid ""', '#~ msgid ""')
    ]


def test_every_marked_string_has_a_translation(tmp_path, settings, monkeypatch):
    catalogues = fresh_catalogues(tmp_path, settings, monkeypatch)

    problems = {}
    for language in LANGUAGES:
        po = catalogues / language / "LC_MESSAGES" / "django.po"
        for flag, what in [
            ("--untranslated", "without a translation"),
            ("--only-fuzzy", "fuzzy, to check"),
            ("--only-obsolete", "no longer in the code (run makemessages)"),
        ]:
            if found := _entries(po, flag):
                problems[f"{language}: {what}"] = found
    assert not problems, problems


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_catalogue_in_the_repository_compiles_cleanly(language):
    po = Path(django_settings.BASE_DIR) / "locale" / language / "LC_MESSAGES" / "django.po"

    result = subprocess.run(
        ["msgfmt", "--check", "--output-file=/dev/null", str(po)], capture_output=True, text=True
    )

    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_compiled_catalogue_matches_its_source(tmp_path, language):
    """The .mo files are kept in the repository (no build step for `make run`, the image or a
    test run): they must say what their .po says."""
    folder = Path(django_settings.BASE_DIR) / "locale" / language / "LC_MESSAGES"
    fresh = tmp_path / "django.mo"
    subprocess.run(["msgfmt", f"--output-file={fresh}", str(folder / "django.po")], check=True)

    def catalogue(path: Path) -> dict:
        with path.open("rb") as mo:
            return gettext.GNUTranslations(mo)._catalog

    assert catalogue(folder / "django.mo") == catalogue(fresh), (
        f"run: msgfmt -o locale/{language}/LC_MESSAGES/django.mo "
        f"locale/{language}/LC_MESSAGES/django.po"
    )

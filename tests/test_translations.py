"""The German and Spanish catalogues hold every string the code marks for translation, those
of the pages (domain "django") and those the JavaScript shows ("djangojs", served by
/jsi18n/): the strings are gathered afresh (makemessages, into a copy of `locale/`), and a
string without a translation, a fuzzy one or one the code no longer has fails the run, as does
a catalogue msgfmt would refuse."""

import gettext
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command

LANGUAGES = ["de", "es"]
DOMAINS = ["django", "djangojs"]
# Folders that hold no strings of the app's own (tests, benchmarks, pictures, packages, test
# traces). The JavaScript's own files are in static/, read for djangojs only.
IGNORED = ["tests/*", "bench/*", "docs/*", "var/*", "node_modules/*", "test-results/*"]
IGNORED_FOR = {"django": [*IGNORED, "static/*"], "djangojs": IGNORED}

pytestmark = pytest.mark.skipif(
    shutil.which("msgmerge") is None, reason="gettext is not installed: make test installs it"
)


# What makemessages reads: the apps, the templates, the JavaScript, and the catalogues.
SOURCES = ["impact", "groups", "narratives", "metrics", "templates", "static", "locale"]


def fresh_catalogues(tmp_path: Path, settings, monkeypatch, domain: str) -> Path:
    """The catalogues merged with the strings the code marks today, in a copy of the project:
    makemessages writes into the `locale/` beside the files it reads (and scratch files beside
    the templates), so it never runs on the repository itself."""
    source = tmp_path / "src"
    for name in SOURCES:
        shutil.copytree(
            Path(settings.BASE_DIR) / name,
            source / name,
            ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.mo"),
        )
    copy = source / "locale"
    monkeypatch.chdir(source)
    settings.LOCALE_PATHS = [copy]
    call_command(
        "makemessages",
        locale=LANGUAGES,
        domain=domain,
        ignore_patterns=IGNORED_FOR[domain],
        verbosity=0,
    )
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


@pytest.mark.parametrize("domain", DOMAINS)
def test_every_marked_string_has_a_translation(tmp_path, settings, monkeypatch, domain):
    catalogues = fresh_catalogues(tmp_path, settings, monkeypatch, domain)

    problems = {}
    for language in LANGUAGES:
        po = catalogues / language / "LC_MESSAGES" / f"{domain}.po"
        for flag, what in [
            ("--untranslated", "without a translation"),
            ("--only-fuzzy", "fuzzy, to check"),
            ("--only-obsolete", "no longer in the code (run makemessages)"),
        ]:
            if found := _entries(po, flag):
                problems[f"{language}: {what}"] = found
    assert not problems, problems


@pytest.mark.parametrize("domain", DOMAINS)
@pytest.mark.parametrize("language", LANGUAGES)
def test_the_catalogue_in_the_repository_compiles_cleanly(language, domain):
    po = Path(django_settings.BASE_DIR) / "locale" / language / "LC_MESSAGES" / f"{domain}.po"

    result = subprocess.run(
        ["msgfmt", "--check", "--output-file=/dev/null", str(po)], capture_output=True, text=True
    )

    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("domain", DOMAINS)
@pytest.mark.parametrize("language", LANGUAGES)
def test_the_compiled_catalogue_matches_its_source(tmp_path, language, domain):
    """The .mo files are kept in the repository (no build step for `make run`, the image or a
    test run): they must say what their .po says."""
    folder = Path(django_settings.BASE_DIR) / "locale" / language / "LC_MESSAGES"
    fresh = tmp_path / f"{domain}.mo"
    subprocess.run(["msgfmt", f"--output-file={fresh}", str(folder / f"{domain}.po")], check=True)

    def catalogue(path: Path) -> dict:
        with path.open("rb") as mo:
            return gettext.GNUTranslations(mo)._catalog

    assert catalogue(folder / f"{domain}.mo") == catalogue(fresh), (
        f"run: msgfmt -o locale/{language}/LC_MESSAGES/{domain}.mo "
        f"locale/{language}/LC_MESSAGES/{domain}.po"
    )

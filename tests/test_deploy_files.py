"""The image carries the whole app: the Dockerfile and .dockerignore against the project's parts.

`make deploy-check` lints the Dockerfile and validates docker-compose.yml; neither notices a new
app that never reaches the image, which would fail only in production, at import time.
"""

import fnmatch
import re
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)


def _copied_into_image() -> set[str]:
    dockerfile = (ROOT / "Dockerfile").read_text()
    copy = re.search(r"cp -a ((?:[\w.]+ )+)/app/", dockerfile)
    assert copy, "the Dockerfile's source stage no longer copies the app with `cp -a ... /app/`"
    return set(copy.group(1).split())


def _first_party_apps() -> set[str]:
    packages = {app.split(".")[0] for app in settings.INSTALLED_APPS}
    return {package for package in packages if (ROOT / package / "__init__.py").is_file()}


def test_image_copies_every_first_party_app_with_templates_and_static():
    expected = _first_party_apps() | {"manage.py", "templates", "static"}
    assert expected <= _copied_into_image()


def test_dockerignore_keeps_what_the_image_needs():
    patterns = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    needed = _copied_into_image() | {"pyproject.toml", "uv.lock", "locale"}
    ignored = {name for name in needed for pattern in patterns if fnmatch.fnmatch(name, pattern)}
    assert not ignored

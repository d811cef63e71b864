"""The project's shape: deployment files that have no other test."""

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def test_compose_file_has_the_production_services():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert set(services) == {"postgres", "redis", "web", "worker", "beat"}
    # gunicorn with uvicorn workers: pages and the live room's sockets (impact/gunicorn.py).
    assert "gunicorn -c python:impact.gunicorn" in services["web"]["command"]
    assert services["worker"]["command"].startswith("celery -A impact worker")
    assert services["beat"]["command"].startswith("celery -A impact beat")
    for name in ("web", "worker", "beat"):
        env = services[name]["environment"]
        assert env["DEBUG"] == "0"
        assert env["DATABASE_URL"].startswith("postgres://")
        assert env["REDIS_URL"].startswith("redis://redis:")
        # Built from the top-level Dockerfile (installs from uv.lock), not an inline recipe.
        assert services[name]["build"] in (".", {"context": "."}), services[name]["build"]
        assert services[name]["depends_on"]["postgres"]["condition"] == "service_healthy"


def test_env_example_lists_every_setting_the_settings_module_reads():
    settings_source = (ROOT / "impact" / "settings.py").read_text()
    example = (ROOT / ".env.example").read_text()
    import re

    read = set(re.findall(r'env(?:\.\w+)?\(\s*"([A-Z_]+)"', settings_source))
    documented = set(re.findall(r"^#?\s*([A-Z_]+)=", example, flags=re.MULTILINE))
    assert read, "no settings found: the pattern above needs updating"
    assert read <= documented, f"undocumented in .env.example: {sorted(read - documented)}"


def test_ci_runs_the_readme_test_command():
    assert "make test" in (ROOT / ".ci" / "run").read_text()
    readme = (ROOT / "README.md").read_text()
    head = readme[:600]
    assert "make run" in head and "make test" in head


def test_every_model_of_the_project_is_in_the_admin(db):
    from django.apps import apps
    from django.contrib import admin

    ours = ("impact", "groups", "metrics", "narratives")
    missing = [
        model._meta.label
        for model in apps.get_models()
        if model._meta.app_label in ours and model not in admin.site._registry
    ]
    assert missing == []


def test_every_admin_changelist_loads(admin_client):
    from django.contrib import admin
    from django.urls import reverse

    for model in admin.site._registry:
        if model._meta.app_label not in ("impact", "groups", "metrics", "narratives"):
            continue
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        assert admin_client.get(url).status_code == 200, url

"""The installable app's service worker never keeps an export on the device."""

import re

from django.urls import reverse


def _never_kept(worker: str) -> list[re.Pattern]:
    (line,) = [text for text in worker.splitlines() if text.startswith("const NEVER = [")]
    # The JavaScript regular expressions of the list: plain enough to read as Python's.
    return [re.compile(body) for body in re.findall(r"/(\^?[^,\]]*?[^\\])/", line[15:])]


def test_the_service_worker_never_keeps_the_export_zips(client):
    worker = client.get(reverse("service_worker")).content.decode()
    never = _never_kept(worker)

    for url in [
        reverse("metrics:my_data_export"),
        reverse("metrics:network_export", args=["green-town"]),
        reverse("metrics:my_export"),
    ]:
        assert any(rule.search(url) for rule in never), url
    assert not any(rule.search("/me/week/") for rule in never)

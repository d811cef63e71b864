"""An initiative's status has wording of its own, apart from the "Done" of buttons and
headings: in Spanish the four agree with "iniciativa" (feminine)."""

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext

from narratives.models import Initiative


def _labels(language: str) -> list[str]:
    with translation.override(language):
        return [str(label) for label in Initiative.Status.labels]


def test_the_statuses_agree_with_each_other_and_not_with_the_done_button():
    assert _labels("en") == ["Proposed", "Active", "Done", "Dropped"]
    assert _labels("es") == ["Propuesta", "En marcha", "Terminada", "Descartada"]
    assert _labels("de") == ["Vorgeschlagen", "Aktiv", "Erledigt", "Verworfen"]
    with translation.override("es"):
        assert gettext("Done") == "Hecho"  # the button and the heading keep theirs


def test_the_initiative_list_shows_the_status_and_the_button_each_in_its_own_words():
    active = Initiative(pk=1, group_id=1, title="Bridge garden", status="active")
    done = Initiative(pk=2, group_id=1, title="Seed swap", status="done")
    with translation.override("es"):
        html = render_to_string(
            "narratives/_quadrant.html", {"items": [active, done], "access": {"moderate": True}}
        )
    assert ">En marcha</span>" in html and ">Terminada</span>" in html
    assert ">Hecho</button>" in html

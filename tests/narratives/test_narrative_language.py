"""A narrative says which language it is written in (issue #19): shown as written, never
translated, with lang= on the writer's own words."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from groups import services as group_services
from narratives import services
from narratives.forms import NarrativeForm
from narratives.models import Adoption, Narrative, written_language_choices
from tests.narratives.conftest import narrative_fields

pytestmark = pytest.mark.django_db

GERMAN = {"Accept-Language": "de"}


@pytest.fixture(autouse=True)
def bilingual(settings):
    settings.LANGUAGES = [("en", "English"), ("de", "Deutsch"), ("es", "Español")]


def write(organizer, network, **fields) -> Narrative:
    return services.narrative_create(actor=organizer, network=network, **narrative_fields(**fields))


def test_people_may_write_in_any_language_each_named_in_itself():
    choices = dict(written_language_choices())
    assert len(choices) > 80
    assert choices["de"] == "Deutsch" and choices["es"] == "español" and choices["ja"] == "日本語"
    # Only codes that name a language of their own (zh-cn is just a pointer to zh-hans).
    assert "zh-cn" not in choices and "zh-hans" in choices


def test_a_narrative_is_in_the_writers_language_unless_they_say_otherwise(organizer, network):
    with translation.override("es"):
        assert write(organizer, network).language == "es"
    with translation.override("de-at"):  # a regional variant counts as its language
        assert write(organizer, network).language == "de"
    assert write(organizer, network, language="pt").language == "pt"


def test_a_language_nobody_knows_is_refused(organizer, network, narrative):
    with pytest.raises(ValidationError) as caught:
        write(organizer, network, language="xx")
    assert "language" in caught.value.message_dict
    with pytest.raises(ValidationError):
        services.narrative_update(actor=organizer, narrative=narrative, language="klingon")


def test_an_edit_may_change_the_language_and_the_history_keeps_the_old_one(organizer, narrative):
    assert narrative.language == "en"

    services.narrative_update(actor=organizer, narrative=narrative, language="fr")

    narrative.refresh_from_db()
    assert narrative.language == "fr"
    assert narrative.revisions.first().before["language"] == "en"


def test_the_form_starts_in_the_writers_language_with_every_language_to_pick():
    with translation.override("de"):
        form = NarrativeForm()
        html = str(form["language"])
    assert form["language"].value() == "de"
    assert '<option value="de" selected>Deutsch</option>' in html
    assert '<option value="sw">Kiswahili</option>' in html
    assert "initial-language" not in html


def test_a_german_organizer_writes_a_narrative_in_german(signed_in, organizer, network):
    client = signed_in(organizer)
    url = reverse("narratives:network_narrative_create", args=[network.slug])

    client.post(url, narrative_fields(), headers=GERMAN)

    assert Narrative.objects.get().language == "de"


def test_the_writer_picks_another_language_and_an_edit_without_one_keeps_it(
    signed_in, organizer, network
):
    client = signed_in(organizer)
    url = reverse("narratives:network_narrative_create", args=[network.slug])
    client.post(url, narrative_fields(language="fr"), headers=GERMAN)
    narrative = Narrative.objects.get()
    assert narrative.language == "fr"

    edit = reverse("narratives:narrative_edit", args=[narrative.pk])
    page = client.get(edit, headers=GERMAN).content.decode()
    assert '<option value="fr" selected>français</option>' in page
    client.post(edit, narrative_fields(title="Ríos vivos"), headers=GERMAN)

    narrative.refresh_from_db()
    assert (narrative.title, narrative.language) == ("Ríos vivos", "fr")


def test_the_page_says_the_language_and_marks_the_writers_words(
    signed_in, organizer, network, django_assert_max_num_queries
):
    narrative = write(organizer, network, language="fr", title="Des rivières vivantes")
    client = signed_in(organizer)

    with django_assert_max_num_queries(12):
        html = client.get(narrative.get_absolute_url()).content.decode()

    assert 'Written in French (<span lang="fr">français</span>)' in html
    assert '<h2 class="narrative-title" lang="fr">Des rivières vivantes</h2>' in html
    assert html.count('<div lang="fr">') == 3  # opportunity, why now, call to action
    # The site's own headings stay in the site's language.
    assert '<h3>The opportunity</h3><div lang="fr">' in html


def test_a_narrative_in_the_readers_language_names_it_once(signed_in, organizer, network):
    narrative = write(organizer, network, language="en")

    html = signed_in(organizer).get(narrative.get_absolute_url()).content.decode()

    assert "Written in English</span>" in html


def test_a_right_to_left_narrative_is_marked_so(signed_in, organizer, network):
    narrative = write(organizer, network, language="ar")

    html = signed_in(organizer).get(narrative.get_absolute_url()).content.decode()

    assert 'lang="ar" dir="rtl"' in html


def test_the_networks_narrative_page_marks_it_too(signed_in, organizer, network, member):
    narrative = write(organizer, network, language="es")
    services.narrative_set_status(actor=organizer, narrative=narrative, status="published")

    html = signed_in(member).get(reverse("narratives:network_narrative", args=[network.slug]))

    assert '<h2 class="narrative-title" lang="es">' in html.content.decode()


def test_a_spun_out_group_keeps_the_language_of_its_parents_own_narrative(
    organizer, moderator, group, member
):
    own = services.narrative_create(actor=moderator, group=group, **narrative_fields(language="nl"))
    services.narrative_set_status(actor=moderator, narrative=own, status="published")
    services.narrative_adopt(actor=moderator, group=group, narrative=own)
    child = group_services.group_create(
        organizer=organizer,
        network=group.network,
        name="Willow Crew",
        purpose="Plant willows along the lower river.",
        moderator=member,
    )

    services.copy_narrative_to_spin_out(group, child)

    assert Adoption.objects.get(group=child).narrative.language == "nl"


# The API -----------------------------------------------------------------------------------


def test_the_api_takes_and_gives_the_language(api, organizer, network):
    client = api(organizer)
    payload = narrative_fields(network=network.slug)

    created = client.post("/api/narratives/", payload, format="json", headers=GERMAN)
    picked = client.post(
        "/api/narratives/", payload | {"language": "pt"}, format="json", headers=GERMAN
    )
    unknown = client.post("/api/narratives/", payload | {"language": "xx"}, format="json")

    assert created.status_code == 201, created.json()
    assert created.json()["language"] == "de"
    assert picked.json()["language"] == "pt"
    assert unknown.status_code == 400 and "language" in unknown.json()["fields"]
    narrative = Narrative.objects.get(pk=created.json()["id"])
    changed = client.patch(f"/api/narratives/{narrative.pk}/", {"language": "it"}, format="json")
    assert changed.json()["language"] == "it"
    assert client.get(f"/api/narratives/{narrative.pk}/").json()["language"] == "it"

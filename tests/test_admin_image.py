"""Staff upload, replace and delete an image's local copy in the admin: nothing is left on
disk that no image uses."""

from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from quizzes.models import CachedImage
from quizzes.services.images import image_store_upload, image_upload_verify
from tests.editing_helpers import admin_form_data, png_upload
from tests.factories import image_bytes

pytestmark = pytest.mark.django_db

IMAGE_URL = "https://aiquizzes.com/gcp_images/shot.png"


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


@pytest.fixture
def card(make_deck, staff_client):
    card = make_deck(2).cards.get(number=1)
    url = reverse("admin:quizzes_card_change", args=[card.pk])
    staff_client.post(
        url,
        admin_form_data(staff_client.get(url), question_html=f'<p>Q</p><img src="{IMAGE_URL}">'),
    )
    return card


def stored_files() -> list[str]:
    root = Path(settings.MEDIA_ROOT)
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())


def upload(client, card, file):
    url = reverse("admin:quizzes_card_change", args=[card.pk])
    return client.post(url, {**admin_form_data(client.get(url)), "card_images-0-upload": file})


def test_a_replaced_upload_leaves_no_file_behind(
    staff_client, card, django_capture_on_commit_callbacks
):
    upload(staff_client, card, png_upload(size=(40, 30)))

    with django_capture_on_commit_callbacks(execute=True):
        assert upload(staff_client, card, png_upload(size=(50, 20))).status_code == 302

    image = CachedImage.objects.get(url=IMAGE_URL)
    assert stored_files() == [image.file.name]
    assert image.width == 50


def test_a_file_another_image_shares_is_kept_when_one_is_replaced(
    staff_client, card, django_capture_on_commit_callbacks
):
    first = png_upload(size=(40, 30))
    upload(staff_client, card, first)
    shared = image_bytes("PNG", (40, 30))
    other = CachedImage.objects.create(url="https://aiquizzes.com/same-bytes.png")
    image_store_upload(
        image=other,
        data=shared,
        verified=image_upload_verify(data=shared, declared_content_type="image/png"),
    )

    with django_capture_on_commit_callbacks(execute=True):
        upload(staff_client, card, png_upload(size=(50, 20)))

    other.refresh_from_db()
    assert other.file.name in stored_files()
    assert len(stored_files()) == 2


def test_an_images_url_stays_what_the_cards_html_names(staff_client, card):
    image = CachedImage.objects.get(url=IMAGE_URL)
    url = reverse("admin:quizzes_cachedimage_change", args=[image.pk])
    form = admin_form_data(staff_client.get(url))

    staff_client.post(url, {**form, "url": "https://aiquizzes.com/elsewhere.png"})

    image.refresh_from_db()
    assert image.url == IMAGE_URL
    assert [row.image for row in card.card_images.all()] == [image]


def test_images_no_card_uses_are_listed_and_deleted_with_their_files(
    staff_client, card, django_capture_on_commit_callbacks
):
    upload(staff_client, card, png_upload(size=(40, 30)))
    unused = CachedImage.objects.create(url="https://aiquizzes.com/unused.png")
    data = image_bytes("PNG", (9, 9))
    image_store_upload(
        image=unused,
        data=data,
        verified=image_upload_verify(data=data, declared_content_type="image/png"),
    )
    changelist = reverse("admin:quizzes_cachedimage_changelist")
    listed = staff_client.get(changelist, {"used": "no"}).context["cl"].result_list
    assert [image.url for image in listed] == [unused.url]

    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(
            changelist,
            {"action": "delete_selected", "_selected_action": [unused.pk], "post": "yes"},
        )

    assert list(CachedImage.objects.values_list("url", flat=True)) == [IMAGE_URL]
    assert stored_files() == [CachedImage.objects.get().file.name]


def test_an_image_a_card_shows_cannot_be_deleted(staff_client, card):
    upload(staff_client, card, png_upload(size=(40, 30)))
    image = CachedImage.objects.get(url=IMAGE_URL)

    response = staff_client.post(
        reverse("admin:quizzes_cachedimage_delete", args=[image.pk]), {"post": "yes"}
    )

    assert response.status_code == 200
    assert "would require deleting the following protected related objects" in response.text
    assert stored_files() == [image.file.name]

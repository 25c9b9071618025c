from django.contrib.staticfiles import finders
from django.templatetags.static import static


def test_the_old_favicon_address_leads_to_the_sites_icon(client):
    response = client.get("/favicon.ico")

    assert response.status_code == 301
    assert response["Location"] == static("favicon.svg")
    assert finders.find("favicon.svg")

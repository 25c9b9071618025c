"""Accounts staff add or rename in the admin are held to sign-up's rules for names."""

import pytest
from axes.models import AccessLog
from bs4 import BeautifulSoup
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from tests.concurrency import postgresql_only, statuses_sent_at_once
from tests.test_view_account_export import SIGN_INS_KEPT

pytestmark = pytest.mark.django_db

ADD = reverse("admin:auth_user_add")
PASSWORD = "a long enough passphrase"


def _add(client, username):
    return client.post(
        ADD,
        {
            "username": username,
            "usable_password": "true",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )


def _rename(client, user, username):
    change = reverse("admin:auth_user_change", args=[user.pk])
    return client.post(
        change,
        {
            "username": username,
            "email": user.email,
            "is_active": "on",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "00:00:00",
        },
    )


def test_staff_cannot_add_a_look_alike_of_a_name_taken(client, staff, alice):
    client.force_login(staff)

    response = _add(client, "\u0430\u04cf\u0456\u0441\u0435")

    assert response.status_code == 200
    assert "This name looks like “alice”" in response.text
    assert get_user_model().objects.count() == 2


def test_staff_add_a_name_that_only_reads_as_latin(client, staff):
    client.force_login(staff)

    response = _add(client, "\u0412\u0435\u0440\u0430")

    assert response.status_code == 302
    assert get_user_model().objects.filter(username="\u0412\u0435\u0440\u0430").exists()


def test_staff_cannot_rename_an_account_to_look_like_another(client, staff, alice, bob):
    client.force_login(staff)

    response = _rename(client, bob, "aIice")

    assert "This name looks like “alice”" in response.text
    assert get_user_model().objects.get(pk=bob.pk).username == "bob"


# On SQLite the admin's transaction holds the database's write lock, which the advisory
# lock on the name's skeleton stands for on PostgreSQL.
@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_two_accounts_renamed_to_look_alike_names_at_once_are_not_both_renamed(staff, alice, bob):
    renames = iter([(alice, "Carol"), (bob, "caro1")])

    def rename(client):
        user, name = next(renames)
        return _rename(client, user, name)

    statuses = statuses_sent_at_once(staff, rename, times=2)

    assert sorted(statuses) == [200, 302]
    names = set(get_user_model().objects.values_list("username", flat=True))
    assert len(names & {"Carol", "caro1"}) == 1


def test_a_rename_may_look_like_the_accounts_own_name(client, staff, alice):
    client.force_login(staff)

    response = _rename(client, alice, "Alice")

    assert response.status_code == 302
    assert get_user_model().objects.get(pk=alice.pk).username == "Alice"


def test_staff_may_edit_an_account_whose_name_came_before_the_rules(client, staff, alice):
    impersonator = get_user_model().objects.create_user("aIice", password=PASSWORD)
    client.force_login(staff)

    response = _rename(client, impersonator, "aIice")  # the same name, other fields saved

    assert response.status_code == 302


def test_an_accounts_date_and_time_boxes_are_each_named(client, staff, alice):
    # One label, "Last login:", over a date box and a time box, pointed at neither: a
    # screen reader read two boxes without a name.
    client.force_login(staff)

    response = client.get(reverse("admin:auth_user_change", args=[alice.pk]))

    soup = BeautifulSoup(response.text, "html.parser")
    named = {box["name"]: box.get("aria-label") for box in soup.select("p.datetime input")}
    assert named == {
        "last_login_0": "Last login: date",
        "last_login_1": "Last login: time",
        "date_joined_0": "Date joined: date",
        "date_joined_1": "Date joined: time",
    }


@pytest.mark.skipif(not SIGN_INS_KEPT, reason="django-axes keeps them in Redis, briefly")
def test_a_renamed_accounts_sign_ins_follow_its_name(client, staff, alice, password):
    # Kept by name: left under the old one, a learner's download would miss them and the
    # deletion of the account would leave their addresses behind.
    Client().post(reverse("login"), {"username": "alice", "password": password})
    client.force_login(staff)

    _rename(client, alice, "alicia")
    learner = Client()
    learner.force_login(get_user_model().objects.get(username="alicia"))
    signed_in = learner.get(reverse("account_export")).json()["sign_ins"]

    assert AccessLog.objects.filter(username="alice").count() == 0
    assert "127.0.0.1" in [row["ip_address"] for row in signed_in]  # the one as "alice"
    learner.post(reverse("account_delete"), {"password": password})
    assert not AccessLog.objects.exclude(username="staff").exists()


PAST_64_BITS = str(2**64)


@pytest.mark.parametrize("field", ["groups", "user_permissions"])
def test_an_id_past_64_bits_among_a_users_groups_is_refused(client, staff, alice, field):
    # SQLite cannot hold it (OverflowError), PostgreSQL refuses it (DataError): a 500.
    client.force_login(staff)
    change = reverse("admin:auth_user_change", args=[alice.pk])

    response = client.post(change, {"username": "alice", field: PAST_64_BITS})

    assert response.status_code == 200
    assert f"Select a valid choice. {PAST_64_BITS} is not one of" in response.text


@pytest.mark.parametrize("name", ["admin:auth_group_add", "admin:auth_group_change"])
def test_an_id_past_64_bits_among_a_groups_permissions_is_refused(client, staff, name):
    from django.contrib.auth.models import Group

    client.force_login(staff)
    args = [Group.objects.get(name="Editors").pk] if name.endswith("change") else []

    response = client.post(reverse(name, args=args), {"name": "x", "permissions": PAST_64_BITS})

    assert response.status_code == 200
    assert f"Select a valid choice. {PAST_64_BITS} is not one of" in response.text

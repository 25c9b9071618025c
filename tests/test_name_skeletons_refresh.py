"""`manage.py name_skeletons_refresh`: usernames' skeletons worked out again when the rules
of quizzes/lookalikes.py change."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from quizzes.lookalikes import reading, skeleton
from quizzes.models import NameSkeleton

pytestmark = pytest.mark.django_db


def signup(client, username):
    return client.post(
        reverse("signup"),
        {"username": username, "password1": "a long passphrase", "password2": "a long passphrase"},
    )


def test_names_saved_under_older_rules_get_the_rules_of_now(client, django_user_model, capsys):
    ali = django_user_model.objects.create_user("ali", password="x" * 12)
    bob = django_user_model.objects.create_user("bob", password="x" * 12)
    # As the rules before kept them: a lower-case i made an l, no reading.
    NameSkeleton.objects.filter(user=ali).update(skeleton="all", reading="")
    assert signup(client, "all").status_code == 200  # refused, by a rule no longer in force

    call_command("name_skeletons_refresh")

    assert "1 usernames' skeletons changed" in capsys.readouterr().out
    assert NameSkeleton.objects.get(user=ali).skeleton == skeleton("ali")
    assert NameSkeleton.objects.get(user=ali).reading == reading("ali")
    assert NameSkeleton.objects.get(user=bob).skeleton == "bob"
    assert signup(client, "all").status_code == 302


def test_a_user_without_a_skeleton_gets_one(django_user_model):
    carol = django_user_model.objects.create_user("Caro1", password="x" * 12)
    NameSkeleton.objects.filter(user=carol).delete()

    call_command("name_skeletons_refresh")

    assert NameSkeleton.objects.get(user=carol).reading == "carol"


def test_nothing_changed_is_nothing_written(django_user_model, django_assert_num_queries):
    django_user_model.objects.create_user("alice", password="x" * 12)

    # The names with their skeletons, read; no write (a transaction with nothing in it).
    with django_assert_num_queries(3):
        call_command("name_skeletons_refresh")

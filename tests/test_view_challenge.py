from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse
from django.utils import timezone

from quizzes.models import Attempt
from quizzes.services import attempts as services
from tests.quizplay import READ, finish, self_grade, start

pytestmark = pytest.mark.django_db


@pytest.fixture
def original(alice, deck):
    return finish(start(alice, deck, count=3), right={1})


def test_the_link_shows_who_challenges_and_their_score(client, bob, original):
    client.force_login(bob)
    response = client.get(reverse("challenge", args=[original.pk]))
    assert response.status_code == 200
    assert "alice challenges you" in response.text
    assert "3 questions, 20\N{NO-BREAK SPACE}s per question." in response.text
    assert f"{original.score} points" in response.text


def test_the_owner_sees_their_own_link(client, alice, original):
    client.force_login(alice)
    response = client.get(reverse("challenge", args=[original.pk]))
    assert "Your challenge link" in response.text


def test_accepting_starts_the_same_quiz(client, bob, original):
    client.force_login(bob)

    response = client.post(reverse("challenge_accept", args=[original.pk]))

    challenge = Attempt.objects.get(challenge_of=original)
    assert response["Location"] == reverse("attempt_play", args=[challenge.pk])
    assert challenge.user == bob
    texts = lambda a: [[c["text"] for c in q.choices] for q in a.questions.all()]  # noqa: E731
    assert texts(challenge) == texts(original)


def test_a_guest_can_take_a_challenge(client, original):
    response = client.post(reverse("challenge_accept", args=[original.pk]))
    challenge = Attempt.objects.get(challenge_of=original)
    assert client.get(response["Location"], follow=True).status_code == 200
    assert challenge.user is None


def test_an_unfinished_attempt_cannot_be_challenged(client, alice, bob, deck):
    attempt = start(alice, deck)
    client.force_login(bob)
    assert client.get(reverse("challenge", args=[attempt.pk])).status_code == 404
    assert client.post(reverse("challenge_accept", args=[attempt.pk])).status_code == 404


def test_the_challenge_page_answers_head_as_get_without_the_page(client, original):
    # It was a 405: a chat app asks with HEAD before previewing the link it was sent.
    response = client.head(reverse("challenge", args=[original.pk]))

    assert response.status_code == 200
    assert not response.content


def test_the_challenge_page_rejects_post_and_accept_rejects_get(client, bob, original):
    client.force_login(bob)
    assert client.post(reverse("challenge", args=[original.pk])).status_code == 405
    assert client.get(reverse("challenge_accept", args=[original.pk])).status_code == 405


def take(original, user, *, right=(), session_key="", after=READ):
    challenge = services.attempt_start_challenge(
        original=original, user=user, session_key=session_key, now=timezone.now()
    )
    return finish(challenge, right=right, after=after)


def who_took_it(client, original):
    page = BeautifulSoup(client.get(reverse("challenge", args=[original.pk])).text, "html.parser")
    return [item.text for item in page.select("ol li")]


def test_a_learner_is_listed_with_their_first_try_not_a_replay(client, bob, original):
    # The first try's feedback gave every answer away: the second got them all.
    take(original, bob, right={1})
    take(original, bob, right={1, 2, 3})

    listed = who_took_it(client, original)

    assert len(listed) == 1 and listed[0].startswith("bob:") and "(1 / 3" in listed[0]


def test_a_try_given_up_is_the_first_a_replay_comes_after(client, bob, original):
    given_up = services.attempt_start_challenge(
        original=original,
        user=bob,
        session_key="",
        now=timezone.now() - timedelta(seconds=services.TWIN_START_SECONDS + 1),
    )
    take(original, bob, right={1, 2, 3})
    assert who_took_it(client, original) == []
    finish(given_up)
    assert [item.split(":")[0] for item in who_took_it(client, original)] == ["bob"]


def test_the_owner_taking_their_own_challenge_is_not_listed(client, alice, original):
    take(original, alice, right={1, 2, 3})
    assert who_took_it(client, original) == []


def guests_line(client, original) -> str:
    page = BeautifulSoup(client.get(reverse("challenge", args=[original.pk])).text, "html.parser")
    line = page.select_one(".challenge-guests")
    return line.text if line else ""


def test_guests_tries_are_counted_not_ranked(client, bob, original):
    """A guest can take a challenge in many browsers and keep the best: as on the
    leaderboard, only tries played signed in rank."""
    take(original, None, right=(), session_key="guest-one")
    take(original, None, right={1, 2, 3}, session_key="guest-one")  # a replay: not counted
    take(original, None, right={1, 2, 3}, session_key="guest-two")
    take(original, bob, right={1})

    listed = who_took_it(client, original)

    assert len(listed) == 1 and listed[0].startswith("bob:")
    assert guests_line(client, original) == "2 tries played as a guest, not ranked."


def test_tries_answered_faster_than_anyone_reads_are_counted_not_ranked(
    client, bob, django_user_model, original
):
    """A bot tapping blind, or a second account that saw the answers, ranked above a
    learner who read the questions: as on the leaderboard, such a try does not rank."""
    tapper = django_user_model.objects.create_user("tapper", password="a long passphrase")
    take(original, tapper, right={1, 2, 3}, after=timedelta(0))
    take(original, bob, right={1})

    listed = who_took_it(client, original)

    assert len(listed) == 1 and listed[0].startswith("bob:")
    page = BeautifulSoup(client.get(reverse("challenge", args=[original.pk])).text, "html.parser")
    assert page.select_one(".challenge-too-fast").text == (
        "1 try answered faster than anyone reads, not ranked."
    )


def test_a_guests_try_claimed_at_sign_up_is_not_ranked_nor_the_replay_after_it(
    client, bob, original
):
    take(original, None, right={1, 2, 3}, session_key="bobs-browser")
    services.attempts_claim(user=bob, guest_session_key="bobs-browser")
    take(original, bob, right={1, 2, 3})  # knows the answers from the first

    assert who_took_it(client, original) == []
    assert guests_line(client, original) == "1 try played as a guest, not ranked."


def test_a_learner_who_took_the_same_questions_through_another_link_is_not_listed(
    client, alice, bob, django_user_model, original
):
    # Bob's result has a challenge link of its own, to the same questions as alice's: alice,
    # who wrote them, and erin, who took alice's link first, both knew every answer.
    erin = django_user_model.objects.create_user("erin", "erin@example.com", "pw")
    bobs = take(original, bob, right={1})
    take(original, erin, right={1})
    take(bobs, alice, right={1, 2, 3})
    take(bobs, erin, right={1, 2, 3})
    # And bob, through erin's link, after his own try.
    erins = Attempt.objects.get(challenge_of=original, user=erin)
    take(erins, bob, right={1, 2, 3})

    assert who_took_it(client, bobs) == []
    assert who_took_it(client, erins) == []
    assert sorted(item.split(":")[0] for item in who_took_it(client, original)) == ["bob", "erin"]


def test_a_first_try_through_anothers_link_is_listed(client, bob, django_user_model, original):
    erin = django_user_model.objects.create_user("erin", "erin@example.com", "pw")
    bobs = take(original, bob, right={1})

    take(bobs, erin, right={1, 2})

    assert [item.split(":")[0] for item in who_took_it(client, bobs)] == ["erin"]


def test_a_flashcard_challenges_list_says_its_points_are_self_graded(client, alice, bob, deck):
    original = self_grade(start(alice, deck, count=2, mode="flashcard"), knew=False)
    self_grade(
        services.attempt_start_challenge(
            original=original, user=bob, session_key="", now=timezone.now()
        ),
        knew=True,
    )

    response = client.get(reverse("challenge", args=[original.pk]))

    assert "bob: " in response.text
    assert "graded by each learner" in response.text


def test_its_deck_is_named_apart_from_another_of_its_name(
    client, bob, make_deck, original, django_assert_num_queries
):
    make_deck(1, slug="synthetic-b", name="SYNTHETIC synthetic")
    client.force_login(bob)
    url = reverse("challenge", args=[original.pk])
    client.get(url)
    # As many queries as with one deck of the name: the decks' tree is kept.
    with django_assert_num_queries(3):
        response = client.get(url)
    assert "on Synthetic synthetic (synthetic): 3 questions" in response.text


def test_accepting_twice_starts_one_quiz(client, bob, original):
    client.force_login(bob)

    first = client.post(reverse("challenge_accept", args=[original.pk]))
    second = client.post(reverse("challenge_accept", args=[original.pk]))

    challenge = Attempt.objects.get(challenge_of=original)  # one, not two
    assert first["Location"] == second["Location"] == reverse("attempt_play", args=[challenge.pk])


def test_a_guests_second_accept_is_not_another_learners_quiz(client, bob, original):
    client.force_login(bob)
    client.post(reverse("challenge_accept", args=[original.pk]))
    client.logout()

    client.post(reverse("challenge_accept", args=[original.pk]))

    assert Attempt.objects.filter(challenge_of=original, user=None).count() == 1
    assert Attempt.objects.filter(challenge_of=original, user=bob).count() == 1

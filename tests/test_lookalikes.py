"""Usernames' skeletons (quizzes.lookalikes), without a database."""

import pytest

from quizzes.lookalikes import lock_key, reading, skeleton


@pytest.mark.parametrize(
    ("name", "other"),
    [
        pytest.param("\u0430\u04cf\u0456\u0441\u0435", "alice", id="all Cyrillic"),
        pytest.param("aIice", "alice", id="capital i for l"),
        pytest.param("rnary", "mary", id="r and n for m"),
        pytest.param("vvill", "will", id="two v for w"),
        pytest.param("b0b1", "bobl", id="zero and one"),
        pytest.param("\u13aalice", "Alice", id="Cherokee A"),
    ],
)
def test_names_that_pass_for_each_other_share_a_skeleton(name, other):
    assert skeleton(name) == skeleton(other)


@pytest.mark.parametrize(
    ("name", "other"),
    [
        pytest.param("\u0430\u043b\u0438\u0441\u0430", "alice", id="alisa in Cyrillic"),
        pytest.param("\u0415\u0433\u043e\u0440", "Erop", id="Yegor, its g unlike an r"),
        ("zoë", "zoe"),
        ("bob", "rob"),
        ("anna", "anne"),
        pytest.param("ali", "all", id="a dotted i is no l"),
        ("Neil", "Nell"),
        ("Ilia", "Lila"),
        ("Bili", "Bill"),
    ],
)
def test_names_that_look_different_keep_different_skeletons(name, other):
    assert skeleton(name) != skeleton(other)
    assert reading(name) != reading(other)


@pytest.mark.parametrize(
    ("name", "other"),
    [
        pytest.param("ALICE", "alice", id="case"),
        pytest.param("\ua4ee\ua4e1\ua4f2\ua4da\ua4f0", "Alice", id="ALICE in Lisu"),
        pytest.param("\u0391\u0392\u0395", "abe", id="ABE in Greek"),
        pytest.param("Caro1", "carol", id="a one for an l"),
    ],
)
def test_names_that_read_the_same_case_aside_share_a_reading(name, other):
    assert reading(name) == reading(other)


@pytest.mark.parametrize(
    ("name", "other"),
    [
        ("aIice", "alice"),
        ("ALICE", "alice"),
        ("\ua4ee\ua4e1\ua4f2\ua4da\ua4f0", "Alice"),
        ("\u04c0\u0456\u04c0\u0443", "lily"),
        ("rnary", "MARY"),
        ("B0B1", "bobl"),
    ],
)
def test_names_sharing_a_skeleton_or_a_reading_share_a_lock_key(name, other):
    """Sign-ups of such names wait for each other (services.accounts)."""
    assert lock_key(name) == lock_key(other)

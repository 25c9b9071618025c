"""Usernames' skeletons (quizzes.lookalikes), without a database."""

import pytest

from quizzes.lookalikes import skeleton


@pytest.mark.parametrize(
    ("name", "other"),
    [
        pytest.param("\u0430\u04cf\u0456\u0441\u0435", "alice", id="all Cyrillic"),
        pytest.param("aIice", "alice", id="capital i for l"),
        pytest.param("ALICE", "alice", id="case"),
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
    ],
)
def test_names_that_look_different_keep_different_skeletons(name, other):
    assert skeleton(name) != skeleton(other)

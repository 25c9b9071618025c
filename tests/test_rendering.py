"""Card images render from the local cache, or as a visible placeholder; an answer becomes a
multiple choice with its structure; no database."""

import re

import pytest
from bs4 import BeautifulSoup

from quizzes import rendering
from quizzes.rendering import (
    LocalImage,
    answer_needs_image,
    choice_content,
    describe_image,
    highlight,
    localize_images,
)

URL = "https://aiquizzes.com/gcp_images/add_dim.png"
SOURCE = f'<p>Look:</p><a href="{URL}"><img src="{URL}"></a><p>What happens?</p>'


def test_a_cached_image_points_at_the_local_copy_with_its_size():
    html = localize_images(
        SOURCE, {URL: LocalImage(src="/media/images/x.png", width=640, height=80)}
    )
    img = '<img alt="Screenshot: add dim" height="80" loading="lazy" src="/media/images/x.png"'
    assert f'{img} width="640"/>' in html
    assert 'href="/media/images/x.png"' in html
    assert URL not in html


def test_an_uncached_image_becomes_a_placeholder_linking_to_the_original():
    html = localize_images(SOURCE, {URL: LocalImage(src=None)})
    assert "<img" not in html
    assert "Image not cached" in html
    assert f'<a href="{URL}" rel="noopener noreferrer nofollow">Open the original</a>' in html
    assert label_text(html) == "Image not cached (Screenshot: add dim)"


def label_text(html: str) -> str:
    return BeautifulSoup(html, "html.parser").select_one(".image-missing-label").get_text()


def test_an_image_missing_from_the_mapping_is_treated_as_uncached():
    assert "Image not cached" in localize_images(f'<img src="{URL}">', {})


def test_text_and_images_keep_their_order():
    html = localize_images(
        f'<p>one</p><img src="{URL}"><p>two</p><img src="{URL}">',
        {URL: LocalImage(src="/media/a.png")},
    )
    assert html.index("one") < html.index("/media/a.png") < html.index("two")
    assert html.count("/media/a.png") == 2


def test_an_image_that_failed_for_good_says_why_in_its_placeholder():
    html = localize_images(
        '<img src="nothere.png">', {"nothere.png": LocalImage(src=None, problem="missing here")}
    )

    assert label_text(html) == "Image missing here (Screenshot: nothere)"
    assert "not cached" not in html


def test_html_without_images_is_returned_unchanged():
    assert localize_images("<p>a &amp; b</p>", {}) == "<p>a &amp; b</p>"


def test_it_keeps_an_alt_text_the_source_gave():
    html = localize_images(f'<img src="{URL}" alt="shape code">', {URL: LocalImage(src="/m.png")})
    assert 'alt="shape code"' in html


def test_the_alt_text_comes_from_the_file_name():
    assert describe_image("https://h/gcp_images/matrix_scalar-comparison.png") == (
        "Screenshot: matrix scalar comparison"
    )


@pytest.mark.parametrize(
    ("name", "alt"),
    [
        ("my%20photo.png", "Screenshot: my photo"),
        ("Caf%C3%A9_menu.jpg", "Screenshot: Café menu"),
        ("paste-4f3a9e0c1d2b3a4f5e6d7c8b9a0f1e2d3c4b5a69.jpg", "Screenshot"),
        ("paste-1234567890.png", "Screenshot"),
        ("inline-af87446eb0e14f0f.png", "Screenshot"),
        ("heart-diagram-2a9f8e7d6c5b.png", "Screenshot: heart diagram"),
        # An Anki file name may hold '#' or '?': a web address's fragment, not the name's.
        ("step#1 and 2?.png", "Screenshot: step#1 and 2?"),
        ("https://h/step_one.png?width=200#top", "Screenshot: step one"),
    ],
)
def test_the_alt_text_leaves_out_percent_encoding_and_hashes(name, alt):
    # Anki names a pasted image by its hash: the alt text read "Screenshot: paste 4f3a9e0c...".
    assert describe_image(name) == alt


def test_highlight_marks_every_word_in_text_case_insensitively():
    html = highlight("<p>Batch norm and <code>batch_norm</code></p>", ["batch", "NORM"])
    assert html == (
        "<p><mark>Batch</mark> <mark>norm</mark> and "
        "<code><mark>batch</mark>_<mark>norm</mark></code></p>"
    )


def test_highlight_never_touches_tags_attributes_or_comments():
    source = '<p><a href="https://h/mark" title="mark">a mark</a><!-- mark --></p>'
    html = highlight(source, ["mark", "href", "p"])
    assert html == (
        '<p><a href="https://h/mark" title="mark">a <mark>mark</mark></a><!-- mark --></p>'
    )


def test_highlight_treats_words_as_text_not_patterns_or_markup():
    html = highlight("<p>a.*b &lt;b&gt; (x)</p>", ["a.*b", "<b>", "("])
    assert html == "<p><mark>a.*b</mark> <mark>&lt;b&gt;</mark> <mark>(</mark>x)</p>"


def test_highlight_without_words_returns_the_html_unchanged():
    assert highlight("<p>a<br>b</p>", []) == "<p>a<br>b</p>"


def test_highlight_leaves_the_sites_words_of_an_image_placeholder_alone():
    html = localize_images('<p>An image:</p><img src="https://x.org/image.png">', {})

    marked = highlight(html, ["image", "cached", "screenshot", "original"])

    assert marked.startswith("<p>An <mark>image</mark>:</p>")
    assert marked.count("<mark>") == 2  # the card's "image", and the file name's
    assert label_text(marked) == "Image not cached (Screenshot: image)"
    assert BeautifulSoup(marked, "html.parser").select_one(".image-missing-words mark")


def test_highlight_marks_search_words_in_a_placeholders_image_words():
    # Search finds a card by its images' words (alt text, else file name): the page shows
    # where, even when the image is not cached.
    named = localize_images('<img src="https://x.org/mixed_precision.png">', {})
    alt = localize_images('<img src="https://x.org/a1b2c3.png" alt="Loss (log) curve">', {})

    assert "mixed <mark>precision</mark>" in highlight(named, ["precision"])
    assert "Loss (<mark>log</mark>) curve" in highlight(alt, ["log"])
    assert label_text(highlight(alt, ["log"])) == "Image not cached (Loss (log) curve)"


# --- An answer as a choice ---


def test_a_list_answer_stays_a_list_inside_the_button():
    choice = choice_content(
        "The two ways are: <ul><li>greater <code>eps</code></li><li>running BatchNorm</li></ul>",
        drop_words=4,
    )

    soup = BeautifulSoup(choice.html, "html.parser")
    assert [item.get_text() for item in soup.select("span.choice-list > span.choice-item")] == [
        "greater eps",
        "running BatchNorm",
    ]
    assert not soup.find(["ul", "li", "p", "div"])  # only phrasing content in a button
    assert choice.text == "greater eps\nrunning BatchNorm"


def test_a_cut_sentence_starts_with_a_capital_and_code_stays_code():
    choice = choice_content(
        "Label smoothing is a technique for <code>noisy</code> labels.", drop_words=3
    )
    assert choice.html == "A technique for <code>noisy</code> labels."
    assert choice.code_share == pytest.approx(5 / 25)  # "noisy" of "Atechniquefornoisylabels."

    code_first = choice_content("You need to call <code>module.state_dict()</code>.", drop_words=4)
    assert code_first.html == "<code>module.state_dict()</code>."
    assert code_first.code_share > 0.9


def test_a_long_answer_keeps_its_first_words_and_closes_what_it_opened():
    choice = choice_content("<p>One <b>two three</b> four. Five six.</p>", keep_words=3)
    assert choice.html == '<span class="choice-block">One <b>two three</b></span>'
    inline = choice_content("One <b>two three</b> four. Five six.", keep_words=2)
    assert inline.html == "One <b>two</b>"


def test_links_become_text_and_illustrations_go():
    choice = choice_content(
        '<p>See <a href="https://x.org">the paper</a>.</p><img src="https://x.org/a.png">'
    )
    assert choice.html == '<span class="choice-block">See the paper.</span>'


@pytest.mark.parametrize(
    ("answer", "shown"),
    [
        ('<span style="color: #00aa00">das</span> Mädchen', "das Mädchen"),
        ('<span style="background-color: yellow">das</span> Mädchen', "das Mädchen"),
        (
            '<span style="color: red; font-style: italic">das</span> Mädchen',
            '<span style="font-style: italic">das</span> Mädchen',
        ),
        (
            '<b style="font-weight: normal; color: red">das</b> Mädchen',
            '<b style="font-weight: normal">das</b> Mädchen',
        ),
        ('<b style="color: red">das</b> Mädchen', "<b>das</b> Mädchen"),
    ],
)
def test_a_choice_shows_the_answers_formatting_but_not_its_colours(answer, shown):
    assert choice_content(answer).html == shown


@pytest.mark.parametrize(
    "answer",
    [
        r"\(x^2 + 1\)",
        r"<p>The mean is \[\frac{1}{n}\sum x_i\]</p>",
        "[$]x^2 + 1[/$]",
        "[$$]x^2 + 1[/$$]",
        r"<ul><li>Square it: \(x^2\)</li><li>Add one</li></ul>",
    ],
)
def test_a_choice_shows_its_math_as_the_cards_page_does(answer):
    choice = choice_content(answer)

    assert "<math" in choice.html
    assert not re.search(r"\\[(\[]|\[\$|\[/\$", choice.html)


def test_a_choice_leaves_out_its_sounds_and_a_sound_alone_is_no_choice():
    spoken = choice_content("<p>der Hund [sound:hund.mp3]</p>")
    only_sound = choice_content("[sound:hund.mp3]")

    assert "[sound:" not in spoken.html + spoken.text
    assert "der Hund" in spoken.html
    assert only_sound.html == ""


def test_a_rule_in_an_answer_is_a_line_break_in_the_choice():
    choice = choice_content("<p>Adam</p><hr><p>momentum and RMSProp</p>")

    assert "<hr" not in choice.html  # no rule inside a button
    assert choice.text == "Adam\nmomentum and RMSProp"


def test_a_list_written_on_one_line_between_dashes_is_a_list_in_the_choice():
    choice = choice_content("get more data - augment data - add regularization")

    assert choice.html == (
        '<span class="choice-list"><span class="choice-item">get more data</span>'
        '<span class="choice-item">augment data</span>'
        '<span class="choice-item">add regularization</span></span>'
    )
    assert choice.text == "get more data\naugment data\nadd regularization"


@pytest.mark.parametrize(
    "answer",
    [
        "x - y - z",  # parts of one word: arithmetic, not a list
        "get more data - or augment it",  # two parts
        "<code>a - b</code> - then more - and more",  # markup: left as written
        r"\( x^2 - 5 x - 6 \)",  # math's minus signs
        r"\( (a + b) - (c + d) - (e + f) \)",
        "The liver \u2013 a large organ \u2013 stores glycogen.",  # en dashes set a clause off
        "The liver - a large organ - stores glycogen.",  # a sentence
        "[sound:lesson one - word list - part two.mp3] the answer word",
    ],
)
def test_a_line_with_dashes_that_is_no_list_stays_a_line(answer):
    choice = choice_content(answer)

    assert "choice-list" not in choice.html
    assert "\n" not in choice.text


def test_math_in_a_choice_keeps_its_minus_signs():
    choice = choice_content(r"\( x^2 - 5 x - 6 \)")

    assert choice.html.count("<mo>\u2212</mo>") == 2


def test_a_hint_in_an_answer_is_left_out_of_the_choice():
    # A toggle inside a button cannot open, and what it hides is no part of the answer.
    choice = choice_content("Paris<details><summary>Hint</summary>on the Seine</details>")

    assert (choice.html, choice.text) == ("Paris", "Paris")


def test_an_answer_that_needs_its_image_is_a_choice_only_once_the_image_is_cached():
    needs = '<p>Instead we can do this:</p><img src="https://x.org/mix.png">'
    assert answer_needs_image(needs)
    assert answer_needs_image('<img src="https://x.org/only.png">')
    assert not answer_needs_image('<p>A full sentence.</p><img src="https://x.org/a.png">')

    assert choice_content(needs).html == ""
    cached = choice_content(
        needs, images={"https://x.org/mix.png": LocalImage(src="/media/mix.png", width=4, height=3)}
    )
    assert '<img alt="Screenshot: mix"' in cached.html and 'src="/media/mix.png"' in cached.html


@pytest.mark.parametrize(
    ("answer", "drop", "keep"),
    [
        ("Label smoothing is a very <em>effective</em> technique. It helps.", 3, 0),
        ("You need to call <code>module.state_dict()</code>. You can then save it.", 4, 2),
        ("a &lt; b &amp;&amp; c is <strong>true</strong> when it is", 0, 4),
        ("<code>__call__</code>", 0, 0),
        ("A <b>tensor</b> of shape (3, 3),<br>computed lazily &amp; cached.", 2, 0),
        ("A <b>tensor</b> of shape (3, 3),<br>computed lazily &amp; cached.", 0, 6),
        ("A <b>tensor</b> of shape (3, 3),<br>computed lazily &amp; cached.", 7, 2),
        ("The answer is:<br>use a bigger batch", 3, 0),
        ("The answer is:<br>use a bigger batch", 9, 0),
        ("<br>A leading break, then text<br><br>", 1, 0),
        ("one two<br><br>three four five<br>six", 1, 3),
        ("one two<br>three", 0, 2),
        ("<b>bold<br>across a break</b> then", 0, 2),
        ("<code>x = 1</code><br><code>y = 2</code>", 0, 0),
    ],
)
def test_plain_answers_take_a_shortcut_with_the_same_result(answer, drop, keep, monkeypatch):
    quick = choice_content(answer, drop_words=drop, keep_words=keep)
    monkeypatch.setattr(rendering, "_INLINE_ONLY", re.compile("(?!)"))  # never matches
    parsed = choice_content(answer, drop_words=drop, keep_words=keep)

    assert (quick.text, quick.code_share) == (parsed.text, parsed.code_share)
    same = lambda html: str(BeautifulSoup(html, "html.parser"))  # noqa: E731
    assert same(quick.html) == same(parsed.html)


# --- cloze, math, sound and text direction (issue 11) ---


def test_a_cloze_card_hides_its_deletion_and_fills_it_in_on_the_answer():
    from quizzes.rendering import page_ready

    question, answer = page_ready(
        "{{c1::Paris}} is in {{c2::France::a country}}", "Back extra", {}, {}, cloze=2
    )

    assert question == 'Paris is in <span class="cloze">[a country]</span>'
    assert answer == (
        'Paris is in <span class="cloze">France</span><div class="cloze-extra">Back extra</div>'
    )


def test_cloze_markup_that_does_not_close_stays_as_written():
    from quizzes.rendering import cloze_numbers, cloze_side

    assert cloze_numbers("{{c1::open") == []
    assert cloze_side("{{c1::a}} {{c2::open", 1, answer=False) == (
        '<span class="cloze">[…]</span> {{c2::open'
    )


def test_math_becomes_mathml_and_its_text_cannot_carry_markup():
    from quizzes.rendering import math_to_mathml

    html = math_to_mathml(r"a \(x^2\) b \[\text{&lt;img src=x onerror=alert(1)&gt;}\] c \(\frac{\)")

    assert html.startswith('a <math display="inline"><mrow><msup><mi>x</mi><mn>2</mn>')
    assert '<math display="block">' in html
    assert "<img" not in html and "onerror" not in html
    assert html.endswith(r"c \(\frac{\)")


def test_ankis_older_math_marks_become_mathml_too():
    from quizzes.rendering import math_to_mathml

    inline = math_to_mathml("Euler: [$]e^{i\\pi}+1=0[/$].")
    display = math_to_mathml("[$$]\\sum_{n=1}^\\infty 1/n^2[/$$]")

    assert inline.startswith('Euler: <math display="inline">') and inline.endswith("</math>.")
    assert display.startswith('<math display="block">') and "<munderover>" in display
    assert "[$" not in inline + display


def test_a_latex_document_beyond_words_and_math_is_shown_as_a_code_block_of_its_source():
    from quizzes.rendering import math_to_mathml

    shown = math_to_mathml("Greek [latex]\\alpha &amp; <b>x</b><br>\\beta[/latex] letters")

    assert shown == ('Greek <pre class="latex"><code>\\alpha &amp; x\n\\beta</code></pre> letters')


def test_a_latex_document_of_words_and_math_reads_as_words_and_mathml():
    """A math note type wraps each field in `[latex]`: sentences with LaTeX's `$x$` and
    `\\[ \\]`, line breaks `\\\\`, bold, escaped signs. Shown as the card's words, the math as
    MathML, not as a code block of the source (359 cards of two university decks)."""
    from quizzes.rendering import math_to_mathml

    shown = math_to_mathml(
        "[latex]Es sei $a^{(k)}$ eine Folge, \\textbf{konvergent} \\\\ falls<br>"
        "\\[\\lim_{k \\to \\infty} a_k = a\\]<div>und 5\\% \\$ kosten$$x&lt;y$$</div>[/latex]"
    )

    assert "<pre" not in shown and "$" not in shown.replace("5% $ kosten", "")
    assert shown.startswith('Es sei <math display="inline">')
    assert '<b>konvergent</b> <br> falls<br><math display="block">' in shown
    assert '<div>und 5% $ kosten<math display="block">' in shown
    assert "<mo>&lt;</mo>" in shown


def test_a_latex_documents_comments_are_left_out_and_its_lists_are_lists():
    from quizzes.rendering import math_to_mathml

    shown = math_to_mathml(
        "[latex]% Satz 15.1<div>Es gilt:</div><div>\\begin{enumerate}</div>"
        "<div>\\item $f(D)$ ist kompakt</div><div>\\item[(b)] stetig</div>"
        "<div>\\end{enumerate}</div>[/latex]"
    )

    assert "Satz" not in shown and "<pre" not in shown
    assert shown.startswith("Es gilt:<br><ol><br><li><math")
    assert "<li>(b) stetig<br></ol>" in shown


@pytest.mark.parametrize(
    "document",
    [
        "\\begin{tikzpicture}\\draw (0,0) -- (1,1);\\end{tikzpicture}",  # a picture
        "Es sei $\\frac{1}{$ offen",  # math latex2mathml cannot read
        "Satz: " + "$x$ " * 1300,  # longer than a field's worth
    ],
)
def test_a_latex_document_it_cannot_show_is_shown_as_its_source(document):
    from quizzes.rendering import math_to_mathml

    shown = math_to_mathml(f"[latex]{document}[/latex]")

    assert shown.startswith('<pre class="latex"><code>') and "<math" not in shown


def _table_rows(mathml: str) -> list[list[tuple[str, str]]]:
    """Each row of the MathML's table: its cells, as (columnalign, text)."""
    table = BeautifulSoup(mathml, "html.parser").find("mtable")
    return [
        [(cell.get("columnalign", ""), cell.get_text()) for cell in row("mtd")]
        for row in table("mtr")
    ]


@pytest.mark.parametrize(
    ("begin", "end"),
    [
        (r"\begin{aligned}", r"\end{aligned}"),
        (r"\begin{align}", r"\end{align}"),
        (r"\begin{align*}", r"\end{align*}"),
        (r"\begin{aligned}[t]", r"\end{aligned}"),
        (r"\begin{alignedat}{2}", r"\end{alignedat}"),
        (r"\begin{flalign*}", r"\end{flalign*}"),
    ],
)
def test_aligned_equations_are_a_table_aligned_on_their_ampersands(begin, end):
    # latex2mathml read `aligned` as a row of symbols: the `&` showed as a sign.
    from quizzes.rendering import math_to_mathml

    shown = math_to_mathml(rf"\[{begin} f(x) &amp;= (x+1)^2 \\ &amp;= x^2+2x+1 {end}\]")

    assert shown.startswith('<math display="block">') and "&amp;" not in shown
    assert _table_rows(shown) == [
        [("right", "f(x)"), ("left", "=(x+1)2")],
        [("right", ""), ("left", "=x2+2x+1")],
    ]
    assert "(1)" not in shown  # Anki's MathJax numbers no equation


@pytest.mark.parametrize(
    ("latex", "rows"),
    [
        (
            r"\begin{eqnarray*} a &amp;=&amp; b \\ c &amp;\le&amp; d \end{eqnarray*}",
            [
                [("right", "a"), ("center", "="), ("left", "b")],
                [("right", "c"), ("center", "\u2264"), ("left", "d")],
            ],
        ),
        (r"\begin{gather} a+b \\ c \end{gather}", [[("center", "a+b")], [("center", "c")]]),
        (
            r"|x| = \begin{dcases} x &amp; x \ge 0 \\ -x &amp; x &lt; 0 \end{dcases}",
            [[("left", "x"), ("left", "x≥0")], [("left", "\u2212x"), ("left", "x<0")]],
        ),
        (
            r"\begin{pmatrix} 1 &amp; 2 \\ 3 &amp; 4 \end{pmatrix}",
            [[("", "1"), ("", "2")], [("", "3"), ("", "4")]],
        ),
    ],
)  # fmt: skip
def test_other_environments_with_columns_are_tables_too(latex, rows):
    from quizzes.rendering import math_to_mathml

    shown = math_to_mathml(rf"\({latex}\)")

    assert shown.startswith('<math display="inline">') and "&amp;" not in shown
    assert _table_rows(shown) == rows


@pytest.mark.parametrize(
    ("latex", "fences", "align"),
    [
        (r"\begin{bmatrix*}[r] 1 &amp; -2 \\ 3 &amp; 4 \end{bmatrix*}", ("[", "]"), "right"),
        (r"\begin{pmatrix*} 1 &amp; -2 \\ 3 &amp; 4 \end{pmatrix*}", ("(", ")"), ""),
        (r"\begin{vmatrix*}[l] 1 &amp; -2 \\ 3 &amp; 4 \end{vmatrix*}", ("|", "|"), "left"),
        (r"\begin{Vmatrix*} 1 &amp; -2 \\ 3 &amp; 4 \end{Vmatrix*}", ("\u2016", "\u2016"), ""),
        (r"\begin{Bmatrix*}[c] 1 &amp; -2 \\ 3 &amp; 4 \end{Bmatrix*}", ("{", "}"), "center"),
        (r"\begin{bsmallmatrix} 1 &amp; -2 \\ 3 &amp; 4 \end{bsmallmatrix}", ("[", "]"), ""),
    ],
)
def test_mathtools_matrices_keep_their_brackets_and_alignment(latex, fences, align):
    # latex2mathml dropped a starred matrix's brackets and showed a small one's `&`.
    from quizzes.rendering import math_to_mathml

    shown = math_to_mathml(rf"\({latex}\)")

    assert "&amp;" not in shown
    assert _table_rows(shown) == [[(align, "1"), (align, "\u22122")], [(align, "3"), (align, "4")]]
    soup = BeautifulSoup(shown, "html.parser")
    assert [soup.find("mo").get_text(), soup.find_all("mo")[-1].get_text()] == list(fences)


def test_aligned_equations_in_a_latex_documents_math_are_a_table_too():
    from quizzes.rendering import math_to_mathml

    shown = math_to_mathml(
        r"[latex]Es gilt $$\begin{aligned} a &amp;= b \\ &amp;= c \end{aligned}$$[/latex]"
    )

    assert shown.startswith("Es gilt <math")
    assert _table_rows(shown) == [[("right", "a"), ("left", "=b")], [("right", ""), ("left", "=c")]]


def test_the_brace_of_rcases_is_on_the_right():
    from quizzes.rendering import math_to_mathml

    shown = math_to_mathml(r"\[\begin{rcases} a &amp; b \\ c &amp; d \end{rcases} = 1\]")

    assert _table_rows(shown) == [[("left", "a"), ("left", "b")], [("left", "c"), ("left", "d")]]
    assert shown.index("</mtable>") < shown.index("}")


@pytest.mark.parametrize(
    ("chemistry", "plain"),
    [
        (r"\ce{H2O}", r"\text{H}_{2}\text{O}"),
        (r"\ce{SO4^2-}", r"\text{S}\text{O}_{4}^{2-}"),
        (
            r"\ce{Na+ + Cl- -&gt; NaCl}",
            r"\text{Na}^{+}+\text{Cl}^{-}\rightarrow\text{Na}\text{Cl}",
        ),
        (r"\ce{2H2(g) + O2(g) &lt;=&gt; 2H2O(l)}", None),  # as Anki stores "<=>"
        (r"\ce{CuSO4*5H2O}", r"\text{Cu}\text{S}\text{O}_{4}\cdot5\text{H}_{2}\text{O}"),
        (r"\ce{Ca(OH)2}", r"\text{Ca}(\text{O}\text{H})_{2}"),
    ],
)
def test_chemistry_in_mhchems_ce_reads_as_anki_shows_it(chemistry, plain):
    # MathJax in Anki reads \ce{} (mhchem); here it showed "\ce" and the formula as
    # variables: H₂O as the product of H, 2 and O in italics.
    from quizzes.rendering import math_to_mathml

    shown = math_to_mathml(rf"\({chemistry}\)")

    assert "\\ce" not in shown and '<math display="inline">' in shown
    if plain is not None:
        assert shown == math_to_mathml(rf"\({plain}\)")
    else:
        assert shown.count("<msub>") == 3 and "\u21cc" in shown  # ⇌
        assert "<mtext>(g)</mtext>" in shown
    assert "<mtext>" in shown and "<mi>" not in shown  # upright, never an italic variable


def test_a_sound_plays_when_the_file_is_there_and_says_so_when_not():
    from quizzes.rendering import sounds_to_audio

    html = sounds_to_audio("[sound:a.mp3] [sound:b&lt;.mp3]", {"a.mp3": "/media/sounds/a.mp3"})

    assert html == (
        '<audio controls preload="none" src="/media/sounds/a.mp3"></audio> '
        '<span class="audio-missing">audio not available (b&lt;.mp3)</span>'
    )


def test_a_cut_inside_a_list_leaves_out_the_items_after_it():
    choice = choice_content(
        "A decorator is: <ul> <li>a function that returns a function.</li> "
        "<li>a mechanism for making code concise</li> <li>a function taking a function</li> </ul>",
        keep_words=3,
    )

    assert choice.text == "A decorator is:"
    assert "function" not in choice.html

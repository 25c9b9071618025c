import re

import pytest

from quizzes.sanitize import html_to_text, sanitize_card_html

XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    "<svg onload=alert(1)>",
    '<p style="background:url(javascript:alert(1))">x</p>',
    '<iframe src="https://evil.example/"></iframe>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<a href="&#106;avascript:alert(1)">x</a>',
    '<a href="jav&#x09;ascript:alert(1)">x</a>',
    '<a href="java\nscript:alert(1)">x</a>',
    '<a href=" javascript:alert(1)">x</a>',
    '<a href="javascript&colon;alert(1)">x</a>',
    '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
    '<img src="data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=">',
    "<body onload=alert(1)>x",
    '<div onclick="alert(1)" class="x" id="y">x</div>',
    "<<script>script>alert(1)<</script>/script>",
]


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_it_neutralizes_xss_payloads(payload):
    cleaned = sanitize_card_html(payload)

    assert "<script" not in cleaned.lower()
    assert "javascript" not in cleaned.lower()
    assert not re.search(r"\son\w+\s*=", cleaned)
    assert "style=" not in cleaned
    assert "<iframe" not in cleaned
    assert "<svg" not in cleaned


def test_it_removes_script_together_with_its_content():
    assert sanitize_card_html("a<script>alert(1)</script>b") == "ab"


def test_it_removes_style_together_with_its_content():
    assert sanitize_card_html("a<style>p { color: red }</style>b") == "ab"


def test_it_removes_svg_together_with_its_content():
    assert sanitize_card_html("<svg onload=alert(1)><text>x</text></svg>after") == "after"


def test_it_strips_event_handlers_from_images():
    assert sanitize_card_html("<img src=x onerror=alert(1)>") == '<img src="x">'


def test_it_drops_a_javascript_href_but_keeps_the_link_text():
    cleaned = sanitize_card_html('<a href="javascript:alert(1)">click</a>')

    assert cleaned == '<a rel="noopener noreferrer nofollow">click</a>'


def test_it_strips_class_and_id_attributes():
    assert sanitize_card_html('<p class="x" id="y">t</p>') == "<p>t</p>"


# --- the colours and layout Anki's editor writes ---


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ('<span style="color: #FF0000;">w</span>', '<span style="color: #ff0000">w</span>'),
        ('<span style="color:#f00">w</span>', '<span style="color: #f00">w</span>'),
        ('<span style="color: darkgreen">w</span>', '<span style="color: darkgreen">w</span>'),
        (
            '<span style="color: rgb(255, 0, 0);">w</span>',
            '<span style="color: rgb(255, 0, 0)">w</span>',
        ),
        (
            '<span style="color: rgba(0, 128, 0, 0.5)">w</span>',
            '<span style="color: rgba(0, 128, 0, 0.5)">w</span>',
        ),
        (
            '<span style="color: hsl(120deg 100% 25% / 50%)">w</span>',
            '<span style="color: hsl(120deg 100% 25% / 50%)">w</span>',
        ),
        (
            '<span style="background-color: rgb(255, 255, 0);">w</span>',
            '<span style="background-color: rgb(255, 255, 0)">w</span>',
        ),
        ('<b style="font-weight:normal">w</b>', '<b style="font-weight: normal">w</b>'),
        ('<span style="font-weight: 700">w</span>', '<span style="font-weight: 700">w</span>'),
        ('<span style="font-style: italic">w</span>', '<span style="font-style: italic">w</span>'),
        (
            '<span style="text-decoration: underline line-through">w</span>',
            '<span style="text-decoration: underline line-through">w</span>',
        ),
        (
            '<span style="text-decoration-line: underline">w</span>',
            '<span style="text-decoration-line: underline">w</span>',
        ),
        ('<div style="text-align: center;">w</div>', '<div style="text-align: center">w</div>'),
        ('<td style="vertical-align: top">w</td>', '<td style="vertical-align: top">w</td>'),
        (
            '<div style="COLOR: Red; Text-Align: Right">w</div>',
            '<div style="color: red; text-align: right">w</div>',
        ),
    ],
)
def test_it_keeps_the_colour_and_layout_anki_writes(typed, kept):
    # In a table when the tag needs one, as the parser would otherwise drop it.
    wrap = typed.startswith("<td")
    html = f"<table><tbody><tr>{typed}</tr></tbody></table>" if wrap else typed

    cleaned = sanitize_card_html(html)

    assert cleaned == (f"<table><tbody><tr>{kept}</tr></tbody></table>" if wrap else kept)


@pytest.mark.parametrize(
    "style",
    [
        "background: url(https://evil.example/x.png)",
        "background-image: url(https://evil.example/x.png)",
        "background-color: url(https://evil.example/x.png)",
        "color: url(https://evil.example/x.png)",
        "background-image: image-set('x.png' 1x)",
        "color: image-set(x)",
        "color: var(--accent)",
        "color: attr(title)",
        "color: expression(alert(1))",
        "color: rgb(url(x))",
        "@import 'https://evil.example/x.css'",
        "color: red !important",
        "color: red /* a comment */",
        "color: \\72 ed",
        "color: 'red'",
        "-moz-binding: url(x.xml#xss)",
        "behavior: url(x.htc)",
        "position: fixed",
        "position: absolute; top: 0; left: 0",
        "display: none",
        "visibility: hidden",
        "opacity: 0",
        "z-index: 9999",
        "font-size: 500px",
        "font-family: Comic Sans MS",
        "width: 100vw",
        "height: 100vh",
        "margin-top: -500px",
        "transform: scale(50)",
        "content: 'x'",
        "vertical-align: -500px",
        "text-decoration: underline wavy red",
        "font-weight: 10000",
    ],
)
def test_it_refuses_css_that_could_fetch_hide_or_move_content(style):
    assert sanitize_card_html(f'<span style="{style}">w</span>') == "w"


def test_it_keeps_the_allowed_declarations_beside_refused_ones():
    html = '<p style="font-size: 30px; color: red; position: absolute; font-weight: bold">t</p>'

    assert sanitize_card_html(html) == '<p style="color: red; font-weight: bold">t</p>'


@pytest.mark.parametrize(
    "style",
    [
        "color: black",
        "color: rgb(0, 0, 0)",
        "color: #000000",
        "background-color: white",
        "background-color: rgb(255, 255, 255)",
        "background-color: #FFF",
        "background-color: transparent",
        "background-color: rgba(0, 0, 0, 0)",
    ],
)
def test_it_drops_colours_that_only_restate_ankis_default_card(style):
    # Pasting into Anki's editor leaves these on every word.
    assert sanitize_card_html(f'<span style="{style}">w</span>') == "w"


def test_a_font_colour_becomes_a_span_of_that_colour():
    html = '<font color="#FF0000">wrong</font> / <font color="green">right</font>'

    assert sanitize_card_html(html) == (
        '<span style="color: #ff0000">wrong</span> / <span style="color: green">right</span>'
    )


def test_a_font_keeps_its_colour_but_not_its_face_or_size():
    html = '<font face="Arial" size="7" color="blue">a</font><font face="Arial">b</font>'

    assert sanitize_card_html(html) == '<span style="color: blue">a</span>b'


def test_a_font_style_wins_over_its_colour_as_in_a_browser():
    html = '<font color="red" style="color: blue; background-color: yellow">a</font>'

    assert sanitize_card_html(html) == (
        '<span style="color: blue; background-color: yellow">a</span>'
    )


@pytest.mark.parametrize(
    "colour", ["javascript:alert(1)", "expression(alert(1))", "url(x)", "red; position: fixed"]
)
def test_a_font_colour_that_is_no_colour_is_dropped(colour):
    assert sanitize_card_html(f'<font color="{colour}">a</font>') == "a"


def test_a_span_left_without_style_goes_and_its_text_stays():
    html = '<span style="font-size: 20px"><span style="color: red"><span>a</span></span></span>'

    assert sanitize_card_html(html) == '<span style="color: red">a</span>'


def test_it_keeps_the_allowed_formatting():
    html = (
        "<h3>T</h3><p><strong>s</strong> <em>e</em> <b>b</b> <i>i</i> <u>u</u> x<sub>1</sub>"
        "<sup>2</sup> <code>c</code> <kbd>k</kbd></p><pre>p</pre><blockquote>q</blockquote>"
        "<ul><li>a</li></ul><ol><li>b</li></ol><h4>H</h4><div>d</div>"
        "<table><thead><tr><th>h</th></tr></thead><tbody><tr><td>d</td></tr></tbody></table>"
    )

    assert sanitize_card_html(html) == html


def test_it_keeps_a_rule_but_not_its_id():
    assert sanitize_card_html('Front<hr id="answer">Back<hr>') == "Front<hr>Back<hr>"


def test_it_drops_unknown_tags_but_keeps_their_text():
    assert sanitize_card_html("<span>a</span><font>b</font>") == "ab"


def test_it_adds_a_safe_rel_to_links():
    cleaned = sanitize_card_html('<a href="https://example.org" title="t">x</a>')

    assert cleaned == (
        '<a href="https://example.org" title="t" rel="noopener noreferrer nofollow">x</a>'
    )


def test_it_keeps_image_alt_and_size():
    html = '<img src="https://example.org/a.png" alt="A" width="10" height="20">'

    assert sanitize_card_html(html) == html


@pytest.mark.parametrize(
    ("url", "kept"),
    [
        ("https://example.org/", True),
        ("http://example.org/", True),
        ("mailto:a@example.org", True),
        ("ftp://example.org/", False),
        ("data:text/html,x", False),
    ],
)
def test_it_allows_only_http_https_and_mailto_urls(url, kept):
    cleaned = sanitize_card_html(f'<a href="{url}">x</a>')

    assert ("href=" in cleaned) is kept


def test_it_strips_comments():
    assert sanitize_card_html("a<!-- secret -->b") == "ab"


@pytest.mark.parametrize(
    "html",
    [
        *XSS_PAYLOADS,
        "</p><br><br><p>x",
        "<ul><li>a</li><ul>",
        "&#95;&#95;call__ &amp; &lt;b&gt; &nbsp; &quot;q&quot; &#39;",
        "<p>a<p>b</p></p>",
        "<b><div>x</div></b>",
        '<font color="red"><span style="color: blue; font-size: 9px">a</span>b</font>',
        '<span><font face="x" color="#0F0">a<span style="font-weight:bold">b</span></font></span>',
        '<p style="text-align:center; color: RGB(1,2,3)">a<font>b</font></p>',
    ],
)
def test_it_is_idempotent(html):
    once = sanitize_card_html(html)

    assert sanitize_card_html(once) == once


def test_text_puts_blocks_and_line_breaks_on_their_own_lines():
    html = "<p>one</p><p>two<br>three</p><ul><li>four</li><li>five</li></ul>six"

    assert html_to_text(html) == "one\ntwo\nthree\nfour\nfive\nsix"


def test_text_puts_the_parts_a_rule_parts_on_their_own_lines():
    assert html_to_text("Front<hr>Back") == "Front\nBack"


def test_text_keeps_inline_elements_in_the_line():
    assert html_to_text("call <code>f</code>() <b>now</b>") == "call f() now"


def test_text_collapses_whitespace():
    assert html_to_text("  a \t\n  b&nbsp; c  ") == "a b c"


def test_text_ignores_images():
    assert html_to_text('see <img src="https://example.org/a.png" alt="A"> here') == "see here"


def test_text_of_an_image_alone_is_empty():
    assert html_to_text('<img src="https://example.org/a.png">') == ""


def test_text_decodes_entities():
    assert html_to_text("&#95;&#95;call__ &amp; &lt;b&gt; &#39;x&#39;") == "__call__ & <b> 'x'"


def test_text_skips_script_content():
    assert html_to_text("a<script>alert(1)</script>b") == "ab"


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        (r"\(a<b\) end", r"\(a&lt;b\) end"),
        (r"\[x<y\] end", r"\[x&lt;y\] end"),
        ("[$]a<b[/$] end", "[$]a&lt;b[/$] end"),
        ("[$$]a<b[/$$] end", "[$$]a&lt;b[/$$] end"),
        ("[latex]$a<b$[/LaTeX] end", "[latex]$a&lt;b$[/LaTeX] end"),
        # A tag in the math is a tag; a `<` outside math, or in math never closed, opens one.
        (r"\(a<br>b\)", r"\(a<br>b\)"),
        (r"a<b \(x\)", "a"),
        ("[$]a<b", "[$]a"),
    ],
)
def test_a_less_than_sign_inside_math_is_less_than(typed, kept):
    # Every way in passes here: text files, CSV, packages, the admin's card form.
    assert sanitize_card_html(typed) == kept
    assert sanitize_card_html(kept) == kept


def test_a_hints_toggle_is_kept_closed_and_without_handlers():
    # Anki's {{hint:}}, as the importer writes it; `open` and handlers are no card's.
    cleaned = sanitize_card_html(
        '<details open ontoggle="alert(1)"><summary onclick="x()">Hint</summary>a</details>'
    )

    assert cleaned == "<details><summary>Hint</summary>a</details>"
    assert html_to_text(cleaned) == "Hint\na"


@pytest.mark.parametrize(
    ("markup", "kept"),
    [
        ('<p dir="rtl">שלום</p>', '<p dir="rtl">שלום</p>'),
        ('<span dir=" LTR ">a</span>', '<span dir="ltr">a</span>'),
        ('<div dir="auto">a</div>', '<div dir="auto">a</div>'),
        ('<div dir="rtl;color:red">a</div>', "<div>a</div>"),
        ('<span dir="sideways">a</span>', "a"),
    ],
)
def test_a_text_direction_is_kept_as_given_and_nothing_else(markup, kept):
    # Arabic and Hebrew decks mark their text right to left.
    assert sanitize_card_html(markup) == kept

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


def test_it_strips_style_class_and_id_attributes():
    assert sanitize_card_html('<p style="color:red" class="x" id="y">t</p>') == "<p>t</p>"


def test_it_keeps_the_allowed_formatting():
    html = (
        "<h3>T</h3><p><strong>s</strong> <em>e</em> <b>b</b> <i>i</i> <u>u</u> x<sub>1</sub>"
        "<sup>2</sup> <code>c</code> <kbd>k</kbd></p><pre>p</pre><blockquote>q</blockquote>"
        "<ul><li>a</li></ul><ol><li>b</li></ol><h4>H</h4><div>d</div>"
        "<table><thead><tr><th>h</th></tr></thead><tbody><tr><td>d</td></tr></tbody></table>"
    )

    assert sanitize_card_html(html) == html


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
    ],
)
def test_it_is_idempotent(html):
    once = sanitize_card_html(html)

    assert sanitize_card_html(once) == once


def test_text_puts_blocks_and_line_breaks_on_their_own_lines():
    html = "<p>one</p><p>two<br>three</p><ul><li>four</li><li>five</li></ul>six"

    assert html_to_text(html) == "one\ntwo\nthree\nfour\nfive\nsix"


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

"""Card images render from the local cache, or as a visible placeholder; no database."""

from quizzes.rendering import LocalImage, describe_image, highlight, localize_images

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
    assert "Image not cached (Screenshot: add dim)" in html


def test_an_image_missing_from_the_mapping_is_treated_as_uncached():
    assert "Image not cached" in localize_images(f'<img src="{URL}">', {})


def test_text_and_images_keep_their_order():
    html = localize_images(
        f'<p>one</p><img src="{URL}"><p>two</p><img src="{URL}">',
        {URL: LocalImage(src="/media/a.png")},
    )
    assert html.index("one") < html.index("/media/a.png") < html.index("two")
    assert html.count("/media/a.png") == 2


def test_html_without_images_is_returned_unchanged():
    assert localize_images("<p>a &amp; b</p>", {}) == "<p>a &amp; b</p>"


def test_it_keeps_an_alt_text_the_source_gave():
    html = localize_images(f'<img src="{URL}" alt="shape code">', {URL: LocalImage(src="/m.png")})
    assert 'alt="shape code"' in html


def test_the_alt_text_comes_from_the_file_name():
    assert describe_image("https://h/gcp_images/matrix_scalar-comparison.png") == (
        "Screenshot: matrix scalar comparison"
    )


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


def test_highlight_leaves_the_words_of_an_image_placeholder_alone():
    html = localize_images('<p>An image:</p><img src="https://x.org/image.png">', {})

    marked = highlight(html, ["image"])

    assert marked.startswith("<p>An <mark>image</mark>:</p>")
    assert marked.count("<mark>") == 1

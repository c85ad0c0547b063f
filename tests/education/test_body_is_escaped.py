from education.markup import body_render


def test_author_html_is_escaped_and_markdown_kept():
    html = body_render(
        "## Título\n\n<script>alert(1)</script> **negrita** <img src=x onerror=alert(1)>\n\n"
        "- uno\n- dos\n\nVer https://shop.example/a"
    )
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;" in html
    assert "<h3>Título</h3>" in html
    assert "<strong>negrita</strong>" in html
    assert "<ul><li>uno</li><li>dos</li></ul>" in html
    assert '<a href="https://shop.example/a" rel="noopener nofollow">' in html


def test_a_quote_cannot_break_out_of_a_link():
    html = body_render('https://x.example/"onmouseover="alert(1)')
    assert 'onmouseover="' not in html

"""Email specifics: text from HTML, CSS inlined, the preheader as a hidden span."""

from campaigns.rendering import (
    SAMPLE_CREATOR,
    MessageRenderer,
    PreviewLinks,
    creator_context_build,
    html_to_text,
)

EMAIL_HTML = """<!doctype html>
<html><head><title>Reto</title>
<style>
  p { color: #333333; margin: 0 0 12px; }
  .cta { background: #fe2c55; color: #ffffff; }
  @media (max-width: 600px) { p { font-size: 18px; } }
</style></head>
<body>
<h1>¡Hola {{ creator.first_name }}!</h1>
<p>Tus ventas de 30 días: <strong>{{ creator.gmv_30d|mxn }}</strong>.</p>
<p><a class="cta" href="https://altavoz.mx/reto">Únete al reto</a></p>
<ul><li>Publica 3 videos</li><li>Haz 1 LIVE</li></ul>
<p>Dudas: <a href="mailto:ayuda@altavoz.mx">ayuda@altavoz.mx</a> · <a href="https://altavoz.mx/faq">https://altavoz.mx/faq</a></p>
<p style="display:none">oculto</p>
<p><a href="{{ unsubscribe_url() }}">Darte de baja</a></p>
</body></html>"""


def render(fields):
    return MessageRenderer("email", fields).render(
        creator=creator_context_build(SAMPLE_CREATOR),
        campaign={},
        links=PreviewLinks(base_url="https://app.altavoz.mx"),
    )


def test_text_is_generated_from_html_when_blank():
    out = render({"subject": "Reto", "html": EMAIL_HTML, "text": "  "})
    assert out["text"] == (
        "¡Hola María!\n"
        "\n"
        "Tus ventas de 30 días: $48,250.50 MXN.\n"
        "\n"
        "Únete al reto (https://altavoz.mx/reto)\n"
        "\n"
        "- Publica 3 videos\n"
        "- Haz 1 LIVE\n"
        "\n"
        "Dudas: ayuda@altavoz.mx · https://altavoz.mx/faq\n"
        "\n"
        "Darte de baja (https://app.altavoz.mx/u/preview/)\n"
    )


def test_written_text_is_kept():
    out = render({"subject": "x", "html": EMAIL_HTML, "text": "Hola {{ creator.first_name }}"})
    assert out["text"] == "Hola María"


def test_css_is_inlined_and_media_queries_kept():
    out = render({"subject": "x", "html": EMAIL_HTML})
    assert '<p style="color: #333333;margin: 0 0 12px;">' in out["html"]
    assert (
        'class="cta" href="https://altavoz.mx/reto" style="background: #fe2c55;color: #ffffff;"'
        in out["html"]
    )
    assert "@media (max-width: 600px)" in out["html"]
    assert ".cta {" not in out["html"]


def test_preheader_is_a_hidden_span_at_the_top_of_the_body():
    out = render(
        {
            "subject": "x",
            "preheader": "Solo hoy, {{ creator.first_name }} & más",
            "html": EMAIL_HTML,
        }
    )
    body = out["html"].split("<body>", 1)[1]
    assert body.startswith('<span class="preheader" style="display:none!important;')
    assert "Solo hoy, María &amp; más" in body.split("</span>", 1)[0]
    assert "Solo hoy" not in out["text"]


def test_preheader_without_a_body_tag_goes_first():
    out = render({"subject": "x", "preheader": "Hoy", "html": "<p>Hola</p>"})
    assert out["html"].startswith('<span class="preheader"') and out["html"].endswith("<p>Hola</p>")


def test_html_to_text_handles_breaks_ordered_lists_images_and_tables():
    text = html_to_text(
        "<div>Línea 1<br>Línea 2</div><ol><li>uno</li><li>dos</li></ol>"
        '<img src="x.png" alt="Logo Altavoz">'
        "<table><tr><td>GMV</td><td>$10</td></tr><tr><td>Nivel</td><td>3</td></tr></table>"
        "<script>alert(1)</script><p>Fin &amp; adiós</p>"
    )
    assert text == (
        "Línea 1\nLínea 2\n\n1. uno\n2. dos\n\nLogo Altavoz\n\nGMV $10\nNivel 3\n\nFin & adiós\n"
    )

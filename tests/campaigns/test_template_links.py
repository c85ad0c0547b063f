"""Every link of a rendered message goes through the caller's tracking, except the ones that must not."""

from campaigns.rendering import (
    SAMPLE_CREATOR,
    MessageRenderer,
    campaign_context_build,
    creator_context_build,
    html_links_track,
    text_links_track,
)

TRACKER = "https://t.altavoz.test/c/"


class CountingLinks:
    """A LinkBuilder as dispatch supplies one: numbered tracked URLs, recorded with labels."""

    def __init__(self):
        self.tracked: list[tuple[str, str | None]] = []

    def track(self, url, label=None):
        self.tracked.append((url, label))
        return f"{TRACKER}{len(self.tracked)}"

    def is_tracked(self, url):
        return url.startswith(TRACKER)

    def never_tracked(self, url):
        return url in (self.unsubscribe(), self.preferences(), self.portal())

    def learn(self, slug):
        return self.track(f"https://app.altavoz.test/learn/{slug}/?lang=es-MX", f"learn:{slug}")

    def preferences(self):
        return "https://app.altavoz.test/p/tok"

    def unsubscribe(self):
        return "https://app.altavoz.test/u/tok"

    def portal(self):
        return "https://app.altavoz.test/p/magic"


def test_html_hrefs_are_tracked_and_the_rest_left_alone():
    links = CountingLinks()
    html = (
        '<a href="https://shop.mx/a?x=1&amp;y=2">tienda</a>'
        "<a href='http://blog.mx/b'>blog</a>"
        "<A HREF=https://up.mx/c>mayúsculas</A>"
        '<a href="mailto:ayuda@altavoz.mx">correo</a>'
        '<a href="tel:+525512345678">llamar</a>'
        '<a href="#arriba">arriba</a>'
        '<a href="https://app.altavoz.test/u/tok">baja</a>'
        '<a href="https://app.altavoz.test/p/tok">preferencias</a>'
        f'<a href="{TRACKER}99">ya rastreado</a>'
        '<a data-no-track href="https://legal.mx">aviso</a>'
        '<img src="https://img.mx/logo.png"> https://texto.mx/suelto'
    )
    out = html_links_track(html, links)
    assert links.tracked == [
        ("https://shop.mx/a?x=1&y=2", None),
        ("http://blog.mx/b", None),
        ("https://up.mx/c", None),
    ]
    assert f'<a href="{TRACKER}1">tienda</a>' in out
    assert f'<a href="{TRACKER}2">blog</a>' in out
    assert f'<A HREF="{TRACKER}3">mayúsculas</A>' in out
    for untouched in (
        "mailto:ayuda@altavoz.mx",
        "tel:+525512345678",
        "#arriba",
        "https://app.altavoz.test/u/tok",
        "https://app.altavoz.test/p/tok",
        f"{TRACKER}99",
        "https://legal.mx",
        "https://img.mx/logo.png",
    ):
        assert untouched in out


def test_plain_text_urls_are_tracked_without_their_punctuation():
    links = CountingLinks()
    out = text_links_track(
        "Entra a https://altavoz.mx/reto. (Detalles: https://altavoz.mx/b?q=(1)) "
        "o baja: https://app.altavoz.test/u/tok",
        links,
    )
    assert out == (
        f"Entra a {TRACKER}1. (Detalles: {TRACKER}2) o baja: https://app.altavoz.test/u/tok"
    )
    assert [url for url, _ in links.tracked] == [
        "https://altavoz.mx/reto",
        "https://altavoz.mx/b?q=(1)",
    ]


def render(channel, fields, links):
    return MessageRenderer(channel, fields).render(
        creator=creator_context_build(SAMPLE_CREATOR),
        campaign=campaign_context_build({"id": 7, "name": "Reto"}),
        links=links,
    )


def test_every_channel_tracks_its_links_once():
    links = CountingLinks()
    push = render(
        "push",
        {
            "title": "Mira https://no-en-titulos.mx",
            "body": "Ve {{ link('https://altavoz.mx/a', 'cta') }} y https://altavoz.mx/b",
            "link": "https://altavoz.mx/app/{{ creator.handle }}",
            "image": "https://img.altavoz.mx/banner.png",
        },
        links,
    )
    assert push == {
        "title": "Mira https://no-en-titulos.mx",
        "body": f"Ve {TRACKER}1 y {TRACKER}2",
        "link": f"{TRACKER}3",
        "image": "https://img.altavoz.mx/banner.png",
    }
    assert links.tracked == [
        ("https://altavoz.mx/a", "cta"),
        ("https://altavoz.mx/b", None),
        ("https://altavoz.mx/app/maria.lopez", None),
    ]


def test_deep_links_are_not_tracked():
    links = CountingLinks()
    out = render("inbox", {"title": "x", "cta_label": "Ver", "cta_link": "altavoz://reto/7"}, links)
    assert out["cta_link"] == "altavoz://reto/7"
    assert links.tracked == []


def test_email_links_from_helpers_are_not_tracked_twice():
    links = CountingLinks()
    out = render(
        "email",
        {
            "subject": "x",
            "html": "<a href=\"{{ link('https://altavoz.mx/a?b=1&c=2') }}\">a</a>"
            "<a href=\"{{ learn('live-101') }}\">aprende</a>"
            '<a href="{{ unsubscribe_url() }}">baja</a>'
            '<a href="https://altavoz.mx/{{ creator.handle }}">perfil</a>',
        },
        links,
    )
    assert [url for url, _ in links.tracked] == [
        "https://altavoz.mx/a?b=1&c=2",
        "https://app.altavoz.test/learn/live-101/?lang=es-MX",
        "https://altavoz.mx/maria.lopez",
    ]
    assert out["html"].count(TRACKER) == 3
    assert 'href="https://app.altavoz.test/u/tok"' in out["html"]
    assert f"perfil ({TRACKER}3)" in out["text"]


def test_whatsapp_variables_and_body_are_tracked():
    links = CountingLinks()
    out = render("whatsapp", {"variables": {"1": "https://altavoz.mx/x", "2": "reto/7"}}, links)
    assert out["variables"] == {"1": f"{TRACKER}1", "2": "reto/7"}
    out = render("whatsapp", {"body": "Hola, entra: https://altavoz.mx/y"}, links)
    assert out["body"] == f"Hola, entra: {TRACKER}2"

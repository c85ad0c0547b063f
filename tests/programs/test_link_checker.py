"""The link checker only reaches public addresses over http(s), hop by hop."""

from __future__ import annotations

import pytest

from programs.linkcheck import LinkChecker

NAMES = {
    "loop.test": ["127.0.0.1"],
    "corp.test": ["10.20.30.40"],
    "metadata.test": ["169.254.169.254"],
    "six.test": ["::1"],
    "mixed.test": ["93.184.216.34", "10.0.0.1"],
    "mapped.test": ["::ffff:127.0.0.1"],
}


def resolver(host: str, port: int) -> list[str]:
    """DNS for the tests: the names above, nothing else."""
    if host not in NAMES:
        raise OSError(f"unknown name {host}")
    return NAMES[host]


@pytest.fixture(autouse=True)
def no_private_addresses(settings):
    settings.LINK_CHECK_ALLOW_PRIVATE = False
    settings.LINK_CHECK_TIMEOUT = 0.5


@pytest.mark.parametrize(
    "target",
    [
        "http://127.0.0.1:{port}/ok",
        "http://10.0.0.1/",
        "http://10.255.1.2:8080/x",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]:{port}/ok",
        "http://loop.test:{port}/ok",
        "http://corp.test/",
        "http://metadata.test/latest/meta-data/",
        "http://six.test:{port}/ok",
        "http://mixed.test/",
        "http://mapped.test:{port}/ok",
    ],
)
def test_private_loopback_and_metadata_addresses_are_refused(loopback_site, target):
    url = target.format(port=loopback_site.port)

    result = LinkChecker(resolver=resolver).check(url)

    assert not result.ok
    assert "Refused" in result.detail
    assert loopback_site.requests == []


@pytest.mark.parametrize(
    "location",
    [
        "http://10.0.0.5/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]:{port}/ok",
        "http://127.0.0.2:{port}/ok",
        "http://metadata.test/",
        "http://corp.test/",
    ],
)
def test_a_redirect_to_a_private_address_is_refused(loopback_site, location):
    # Only the test site's exact address counts as public here: it is the first hop.
    checker = LinkChecker(resolver=resolver, allow_networks=["127.0.0.1/32"])
    target = location.format(port=loopback_site.port)

    result = checker.check(f"{loopback_site.url}/redirect?to={target}")

    assert not result.ok
    assert "Refused" in result.detail
    assert len(result.hops) == 2
    assert [request.split("?")[0] for request in loopback_site.requests] == ["HEAD /redirect"]


def test_metadata_address_is_refused_even_when_private_addresses_are_allowed(
    loopback_site, settings
):
    settings.LINK_CHECK_ALLOW_PRIVATE = True
    checker = LinkChecker(resolver=resolver)

    assert checker.check(f"{loopback_site.url}/ok").ok
    result = checker.check(f"{loopback_site.url}/redirect?to=http://169.254.169.254/")
    assert not result.ok
    assert "169.254.169.254" in result.detail


def test_redirects_are_followed_hop_by_hop_up_to_the_cap(loopback_site, settings):
    settings.LINK_CHECK_ALLOW_PRIVATE = True
    checker = LinkChecker(resolver=resolver, max_redirects=3)

    followed = checker.check(f"{loopback_site.url}/redirect?to=/ok")
    looping = checker.check(f"{loopback_site.url}/loop")

    assert followed.ok and followed.status == 200 and len(followed.hops) == 2
    assert not looping.ok and "More than 3 redirects" in looping.detail
    assert loopback_site.requests.count("HEAD /loop") == 4


def test_broken_slow_and_non_http_links_fail(loopback_site, settings):
    settings.LINK_CHECK_ALLOW_PRIVATE = True
    checker = LinkChecker(resolver=resolver, timeout=0.3)

    missing = checker.check(f"{loopback_site.url}/missing")
    slow = checker.check(f"{loopback_site.url}/slow")

    assert not missing.ok and missing.status == 404
    assert not slow.ok and "No answer" in slow.detail
    for url in ("ftp://example.com/x", "file:///etc/passwd", "javascript:alert(1)"):
        refused = checker.check(url)
        assert not refused.ok and "Only http and https" in refused.detail

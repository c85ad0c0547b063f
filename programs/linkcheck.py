"""Does a link answer? Checked without becoming a way into our own network (SSRF).

- only http and https;
- the host name is resolved here (through an injectable resolver) and EVERY address it
  resolves to must be public, else the link is refused; the connection then goes to the
  vetted address itself (the Host header and TLS SNI carry the name), so a second DNS answer
  cannot point the request somewhere else;
- redirects are never followed by an HTTP library: each `Location` is a new hop, checked the
  same way, up to LINK_CHECK_MAX_REDIRECTS;
- connect and read time out after LINK_CHECK_TIMEOUT seconds.

Loopback, private (RFC 1918, unique-local), link-local, shared, reserved and multicast
addresses are refused. `LINK_CHECK_ALLOW_PRIVATE` (tests only) lets loopback and private
addresses through; link-local addresses such as the cloud metadata service 169.254.169.254
stay refused whatever the setting.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

Resolver = Callable[[str, int], list[str]]
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def resolver_system(host: str, port: int) -> list[str]:
    """Every address the system resolver gives for `host`."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


@dataclass(frozen=True)
class LinkResult:
    url: str
    ok: bool
    status: int | None = None
    detail: str = ""
    hops: tuple[str, ...] = ()


def _address_problem(
    address: IPAddress, *, allow_private: bool, allow_networks: Iterable[ipaddress._BaseNetwork]
) -> str | None:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    if any(address in network for network in allow_networks):
        return None
    if address.is_link_local or address.is_multicast or address.is_unspecified:
        return _("%(address)s is a link-local, multicast or unspecified address") % {
            "address": address
        }
    if address.is_global:
        return None
    if allow_private and (address.is_loopback or address.is_private):
        return None
    return _("%(address)s is not a public address") % {"address": address}


class LinkChecker:
    def __init__(
        self,
        *,
        resolver: Resolver | None = None,
        allow_private: bool | None = None,
        allow_networks: Iterable[str] = (),
        timeout: float | None = None,
        max_redirects: int | None = None,
    ) -> None:
        self.resolver = resolver or resolver_system
        self.allow_private = (
            settings.LINK_CHECK_ALLOW_PRIVATE if allow_private is None else allow_private
        )
        # Extra networks treated as public (a test's loopback server, and nothing else).
        self.allow_networks = [ipaddress.ip_network(network) for network in allow_networks]
        self.timeout = settings.LINK_CHECK_TIMEOUT if timeout is None else timeout
        self.max_redirects = (
            settings.LINK_CHECK_MAX_REDIRECTS if max_redirects is None else max_redirects
        )

    def vet(self, host: str, port: int) -> str:
        """The address to connect to for `host`, or LinkRefused if any address is not public."""
        from programs.exceptions import LinkRefused

        try:
            literal: IPAddress | None = ipaddress.ip_address(host.strip("[]"))
        except ValueError:
            literal = None
        if literal is not None:
            addresses = [str(literal)]
        else:
            try:
                addresses = self.resolver(host, port)
            except OSError as error:
                raise LinkRefused(
                    _("%(host)s does not resolve: %(error)s") % {"host": host, "error": error}
                ) from error
        if not addresses:
            raise LinkRefused(_("%(host)s does not resolve") % {"host": host})
        for address in addresses:
            problem = _address_problem(
                ipaddress.ip_address(address),
                allow_private=self.allow_private,
                allow_networks=self.allow_networks,
            )
            if problem:
                raise LinkRefused(
                    _("Refused %(host)s: %(problem)s") % {"host": host, "problem": problem}
                )
        return addresses[0]

    def _request(self, url: str) -> tuple[int, str | None]:
        """One request to one vetted address: (status, Location header)."""
        from programs.exceptions import LinkRefused

        parts = urlsplit(url)
        scheme = (parts.scheme or "").lower()
        if scheme not in ("http", "https"):
            raise LinkRefused(
                _("Only http and https links are checked, not “%(scheme)s”.")
                % {"scheme": scheme or "—"}
            )
        host = parts.hostname
        if not host:
            raise LinkRefused(_("The link has no host."))
        port = parts.port or (443 if scheme == "https" else 80)
        address = self.vet(host, port)
        sock = socket.create_connection((address, port), timeout=self.timeout)
        try:
            if scheme == "https":
                sock = ssl.create_default_context().wrap_socket(sock, server_hostname=host)
            connection_class = (
                http.client.HTTPSConnection if scheme == "https" else http.client.HTTPConnection
            )
            connection = connection_class(host, port, timeout=self.timeout)
            connection.sock = sock  # already connected to the vetted address
            path = parts.path or "/"
            if parts.query:
                path = f"{path}?{parts.query}"
            status, location = 0, None
            for method in ("HEAD", "GET"):
                connection.request(method, path, headers={"User-Agent": "Altavoz link check"})
                response = connection.getresponse()
                response.read(65536)
                status, location = response.status, response.getheader("Location")
                if status not in (405, 501) or method == "GET":
                    break
            connection.close()
            return status, location
        finally:
            sock.close()

    def check(self, url: str) -> LinkResult:
        from programs.exceptions import LinkRefused

        hops: list[str] = []
        current = url
        try:
            for _hop in range(self.max_redirects + 1):
                hops.append(current)
                status, location = self._request(current)
                if status in (301, 302, 303, 307, 308) and location:
                    current = urljoin(current, location)
                    continue
                ok = 200 <= status < 400
                detail = "" if ok else _("Answered HTTP %(status)d") % {"status": status}
                return LinkResult(url, ok, status, detail, tuple(hops))
            return LinkResult(
                url,
                False,
                None,
                _("More than %(count)d redirects") % {"count": self.max_redirects},
                tuple(hops),
            )
        except LinkRefused as error:
            return LinkResult(url, False, None, str(error), tuple(hops))
        except (OSError, http.client.HTTPException) as error:
            return LinkResult(
                url, False, None, _("No answer: %(error)s") % {"error": error}, tuple(hops)
            )


def link_check(url: str, **options: object) -> LinkResult:
    return LinkChecker(**options).check(url)  # type: ignore[arg-type]

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
from django.utils.translation import gettext_lazy as _

from common.system_messages import SystemMessage, system_messages_define

# Checks run in a thread pool, where no language is active: every reason is a code, put into
# words where it is shown (common/system_messages.py).
system_messages_define(
    {
        "link.address_special": _("%(address)s is a link-local, multicast or unspecified address"),
        "link.address_private": _("%(address)s is not a public address"),
        "link.unresolved": _("%(host)s does not resolve"),
        "link.refused": _("Refused %(host)s: %(problem)s"),
        "link.scheme": _("Only http and https links are checked, not “%(scheme)s”."),
        "link.no_host": _("The link has no host."),
        "link.http_status": _("Answered HTTP %(status)d"),
        "link.redirects": _("More than %(count)d redirects"),
        "link.timeout": _("No answer within %(seconds)s seconds"),
        "link.connection_refused": _("No answer: the server refused the connection"),
        "link.connection_reset": _("No answer: the server closed the connection"),
        "link.tls": _("No answer: the secure connection (TLS) failed"),
        "link.network": _("No answer: the server could not be reached"),
        "link.http_invalid": _("No answer: the server's reply was not valid HTTP"),
    }
)

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
    reason: SystemMessage | None = None
    hops: tuple[str, ...] = ()

    @property
    def detail(self) -> str:
        """Why the link fails, in the active language ("" when it answers)."""
        return str(self.reason) if self.reason is not None else ""


def _no_answer(error: Exception, *, timeout: float) -> SystemMessage:
    """What went wrong on the wire, in words (never a raw errno)."""
    if isinstance(error, TimeoutError | socket.timeout):
        return SystemMessage("link.timeout", seconds=timeout)
    if isinstance(error, ConnectionRefusedError):
        return SystemMessage("link.connection_refused")
    if isinstance(error, ConnectionResetError | ConnectionAbortedError | BrokenPipeError):
        return SystemMessage("link.connection_reset")
    if isinstance(error, ssl.SSLError | ssl.CertificateError):
        return SystemMessage("link.tls")
    if isinstance(error, http.client.HTTPException):
        return SystemMessage("link.http_invalid")
    return SystemMessage("link.network")


def _address_problem(
    address: IPAddress, *, allow_private: bool, allow_networks: Iterable[ipaddress._BaseNetwork]
) -> SystemMessage | None:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    if any(address in network for network in allow_networks):
        return None
    if address.is_link_local or address.is_multicast or address.is_unspecified:
        return SystemMessage("link.address_special", address=str(address))
    if address.is_global:
        return None
    if allow_private and (address.is_loopback or address.is_private):
        return None
    return SystemMessage("link.address_private", address=str(address))


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
                raise LinkRefused(SystemMessage("link.unresolved", host=host)) from error
        if not addresses:
            raise LinkRefused(SystemMessage("link.unresolved", host=host))
        for address in addresses:
            problem = _address_problem(
                ipaddress.ip_address(address),
                allow_private=self.allow_private,
                allow_networks=self.allow_networks,
            )
            if problem:
                raise LinkRefused(SystemMessage("link.refused", host=host, problem=problem))
        return addresses[0]

    def _request(self, url: str) -> tuple[int, str | None]:
        """One request to one vetted address: (status, Location header)."""
        from programs.exceptions import LinkRefused

        parts = urlsplit(url)
        scheme = (parts.scheme or "").lower()
        if scheme not in ("http", "https"):
            raise LinkRefused(SystemMessage("link.scheme", scheme=scheme or "—"))
        host = parts.hostname
        if not host:
            raise LinkRefused(SystemMessage("link.no_host"))
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
                reason = None if ok else SystemMessage("link.http_status", status=status)
                return LinkResult(url, ok, status, reason, tuple(hops))
            return LinkResult(
                url,
                False,
                None,
                SystemMessage("link.redirects", count=self.max_redirects),
                tuple(hops),
            )
        except LinkRefused as error:
            return LinkResult(url, False, None, error.reason, tuple(hops))
        except (OSError, http.client.HTTPException) as error:
            return LinkResult(
                url, False, None, _no_answer(error, timeout=self.timeout), tuple(hops)
            )


def link_check(url: str, **options: object) -> LinkResult:
    return LinkChecker(**options).check(url)  # type: ignore[arg-type]

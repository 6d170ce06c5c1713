"""Which URLs an outgoing request (a webhook) may go to: the guard against SSRF.

A URL is http or https, without credentials, and every address its host resolves to is a
public unicast address: loopback, private (RFC 1918, ULA), link-local (cloud metadata such as
169.254.169.254 and fd00:ec2::254), unspecified, multicast, shared (100.64.0.0/10), reserved
and documentation ranges are refused, and so are IPv4-mapped, 6to4 and NAT64 forms of them.
An allow list (host names, addresses, networks) lets on-premises receivers through.

`vet` is called when a URL is saved and again just before connecting; the sender then connects
to the very addresses vetted, so a name that resolves elsewhere later (DNS rebinding) cannot
slip through. Pure: no database, no web framework; the resolver is injected.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
Resolver = Callable[[str, int], Sequence[IPAddress]]
"""(host, port) -> its addresses, in the order to try them; raises NameNotResolved."""


class UrlRefused(ValueError):
    """The URL may not be used; `reason` says why in words a user can act on."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class NameNotResolved(UrlRefused):
    """The host name has no address (now): not a refusal at save time, a failure at send."""


def _nets(*cidrs: str) -> tuple[IPNetwork, ...]:
    return tuple(ipaddress.ip_network(c) for c in cidrs)


# IANA's special-purpose registries, with the words used in refusals.
_IPV4_REFUSED: tuple[tuple[str, tuple[IPNetwork, ...]], ...] = (
    ("an unspecified address", _nets("0.0.0.0/8")),
    ("a loopback address", _nets("127.0.0.0/8")),
    ("a private address", _nets("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16")),
    ("a link-local or cloud metadata address", _nets("169.254.0.0/16")),
    ("a shared (carrier-grade NAT) address", _nets("100.64.0.0/10")),
    ("a multicast address", _nets("224.0.0.0/4")),
    (
        "a reserved address",
        _nets(
            "192.0.0.0/24",
            "192.0.2.0/24",
            "192.88.99.0/24",
            "198.18.0.0/15",
            "198.51.100.0/24",
            "203.0.113.0/24",
            "240.0.0.0/4",
        ),
    ),
)
_IPV6_REFUSED: tuple[tuple[str, tuple[IPNetwork, ...]], ...] = (
    ("an unspecified address", _nets("::/128")),
    ("a loopback address", _nets("::1/128")),
    ("a private address", _nets("fc00::/7", "fec0::/10", "64:ff9b:1::/48")),
    ("a link-local or cloud metadata address", _nets("fe80::/10")),
    ("a multicast address", _nets("ff00::/8")),
    (
        "a reserved address",
        _nets("2001::/23", "2001:db8::/32", "3fff::/20", "5f00::/16"),
    ),
)
_GLOBAL_UNICAST = ipaddress.ip_network("2000::/3")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_LOCAL_NAMES = ("localhost",)


def refusal(address: IPAddress) -> str | None:
    """Why `address` may not be reached (None when it may): checked on the IPv4 address inside
    an IPv4-mapped, 6to4 or NAT64 address, which reach that IPv4 address."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(address)
        if embedded is not None:
            return refusal(embedded)
        for reason, networks in _IPV6_REFUSED:
            if any(address in net for net in networks):
                return reason
        if address not in _GLOBAL_UNICAST:
            return "a reserved address"
        return None
    for reason, networks in _IPV4_REFUSED:
        if any(address in net for net in networks):
            return reason
    return None


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


@dataclass(frozen=True)
class AllowList:
    """Receivers let through whatever their addresses: host names (exact, any case) and
    addresses or networks (CIDR) the resolved addresses may fall in."""

    hosts: frozenset[str] = frozenset()
    networks: tuple[IPNetwork, ...] = ()

    @classmethod
    def parse(cls, text: str | Iterable[str]) -> AllowList:
        """From ``"hooks.corp.example, 10.1.2.3, 192.168.0.0/16, ::1"``; ValueError if an
        entry is neither a host name nor an address or network."""
        entries = text.split(",") if isinstance(text, str) else list(text)
        hosts: set[str] = set()
        networks: list[IPNetwork] = []
        for raw in entries:
            entry = raw.strip().lower()
            if not entry:
                continue
            try:
                networks.append(ipaddress.ip_network(entry.strip("[]"), strict=False))
                continue
            except ValueError:
                pass
            if not _is_host_name(entry):
                raise ValueError(
                    f"{raw.strip()!r} is neither a host name nor an IP address or CIDR"
                )
            hosts.add(entry.rstrip("."))
        return cls(frozenset(hosts), tuple(networks))

    def allows_host(self, host: str) -> bool:
        return host.lower().rstrip(".") in self.hosts

    def allows_address(self, address: IPAddress) -> bool:
        return any(address.version == net.version and address in net for net in self.networks)

    def __bool__(self) -> bool:
        return bool(self.hosts or self.networks)


def _is_host_name(text: str) -> bool:
    labels = text.rstrip(".").split(".")
    return all(
        0 < len(label) <= 63
        and label[0] != "-"
        and label[-1] != "-"
        and all(c.isascii() and (c.isalnum() or c == "-") for c in label)
        for label in labels
    )


def system_resolver(host: str, port: int) -> list[IPAddress]:
    """The operating system's resolver (hosts file, DNS), each address once, in its order."""
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise NameNotResolved(f"the host name {host!r} does not resolve") from exc
    out: list[IPAddress] = []
    for _family, _type, _proto, _name, sockaddr in found:
        address = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
        if address not in out:
            out.append(address)
    if not out:
        raise NameNotResolved(f"the host name {host!r} does not resolve")
    return out


@dataclass(frozen=True)
class Target:
    """A vetted URL: where to connect (the addresses), and what to say (host, path)."""

    scheme: str
    host: str
    port: int
    path: str
    addresses: tuple[IPAddress, ...]


@dataclass(frozen=True)
class UrlPolicy:
    allowed: AllowList = field(default_factory=AllowList)
    resolve: Resolver = system_resolver

    def vet(self, url: str) -> Target:
        """The URL's target, every address checked; raises UrlRefused (NameNotResolved when
        the name has no address)."""
        scheme, host, port, path = split_url(url)
        allowed_name = self.allowed.allows_host(host)
        local_name = host.rstrip(".") in _LOCAL_NAMES or host.rstrip(".").endswith(".localhost")
        literal = _ip_literal(host)
        try:
            addresses = (literal,) if literal is not None else tuple(self.resolve(host, port))
        except NameNotResolved:
            if local_name and not allowed_name:
                raise UrlRefused(f"{host} is a loopback name") from None
            raise
        if not addresses:
            raise NameNotResolved(f"the host name {host!r} does not resolve")
        if allowed_name:
            return Target(scheme, host, port, path, addresses)
        for address in addresses:
            reason = refusal(address)
            if reason is not None and not self.allowed.allows_address(address):
                shown = host if literal is not None else f"{host} resolves to {address}, which"
                raise UrlRefused(f"{shown} is {reason}")
        if local_name:  # RFC 6761: whatever a resolver says, these names mean this machine
            raise UrlRefused(f"{host} is a loopback name")
        return Target(scheme, host, port, path, addresses)


def split_url(url: str) -> tuple[str, str, int, str]:
    """(scheme, host, port, path with query) of an absolute http(s) URL without credentials;
    raises UrlRefused otherwise."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise UrlRefused(f"is not a valid URL ({exc})") from exc
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        raise UrlRefused("must be an absolute http:// or https:// URL")
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise UrlRefused("must not carry credentials (user:password@)")
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return scheme, parts.hostname, port or (443 if scheme == "https" else 80), path


def _ip_literal(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return None

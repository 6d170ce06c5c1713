"""The URL policy against SSRF, pure: which addresses a webhook may reach, checked against the
`ipaddress` module's own classification, the allow list, and the forms that hide an address
(IPv4-mapped, 6to4, NAT64, decimal and octal host names)."""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

import pytest
from hypothesis import given
from hypothesis import strategies as st

from plaudit.kit.url_policy import (
    AllowList,
    IPAddress,
    NameNotResolved,
    UrlPolicy,
    UrlRefused,
    refusal,
    system_resolver,
)

SPECIAL_V4 = [
    "0.0.0.0/8",
    "10.0.0.0/8",
    "100.64.0.0/10",
    "127.0.0.0/8",
    "169.254.0.0/16",
    "172.16.0.0/12",
    "192.0.0.0/24",
    "192.0.2.0/24",
    "192.168.0.0/16",
    "198.18.0.0/15",
    "224.0.0.0/4",
    "240.0.0.0/4",
]
SPECIAL_V6 = ["::/127", "fc00::/7", "fe80::/10", "ff00::/8", "2001::/23", "2001:db8::/32"]


def v4_addresses() -> st.SearchStrategy[ipaddress.IPv4Address]:
    """Anywhere, and often inside the special ranges, where the edges are."""
    inside = st.sampled_from(SPECIAL_V4).flatmap(lambda net: st.ip_addresses(network=net))
    return st.one_of(st.ip_addresses(v=4), inside)


def v6_addresses() -> st.SearchStrategy[ipaddress.IPv6Address]:
    inside = st.sampled_from(SPECIAL_V6).flatmap(lambda net: st.ip_addresses(network=net))
    return st.one_of(st.ip_addresses(v=6), inside)


@given(v4_addresses())
def test_an_ipv4_address_is_reachable_only_when_ipaddress_calls_it_global_unicast(
    address: ipaddress.IPv4Address,
) -> None:
    """One way only: the policy may be stricter than `ipaddress` (all of 192.0.0.0/24, which
    Python versions classify differently), never looser."""
    reachable = refusal(address) is None
    if reachable:
        assert address.is_global and not address.is_multicast, address
    if not address.is_global or address.is_multicast:
        assert not reachable, address


@given(v6_addresses())
def test_an_ipv6_address_that_is_not_global_is_refused(address: ipaddress.IPv6Address) -> None:
    embeds_ipv4 = (
        address.ipv4_mapped is not None
        or address.sixtofour is not None
        or address in ipaddress.ip_network("64:ff9b::/96")
    )
    if embeds_ipv4:
        return  # judged by the IPv4 address inside (next test)
    if not address.is_global or address.is_multicast:
        assert refusal(address) is not None, address
    if refusal(address) is None:
        assert address in ipaddress.ip_network("2000::/3") and address.is_global, address


@given(v4_addresses())
def test_ipv4_inside_ipv6_is_judged_as_the_ipv4_address(address: ipaddress.IPv4Address) -> None:
    mapped = ipaddress.IPv6Address(f"::ffff:{address}")
    sixtofour = ipaddress.IPv6Address((0x2002 << 112) | (int(address) << 80))
    nat64 = ipaddress.IPv6Address(f"64:ff9b::{address}")
    assert sixtofour.sixtofour == address
    expected = refusal(address)
    assert refusal(mapped) == refusal(sixtofour) == refusal(nat64) == expected


@pytest.mark.parametrize(
    "address",
    ["169.254.169.254", "fd00:ec2::254", "100.100.100.200", "fe80::a9fe:a9fe"],
)
def test_cloud_metadata_addresses_are_refused(address: str) -> None:
    assert refusal(ipaddress.ip_address(address)) is not None


def fixed(*addresses: str) -> UrlPolicy:
    def resolve(host: str, port: int) -> Sequence[IPAddress]:
        return [ipaddress.ip_address(a) for a in addresses]

    return UrlPolicy(resolve=resolve)


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://127.0.0.1/", "127.0.0.1 is a loopback address"),
        ("http://10.0.0.1/", "10.0.0.1 is a private address"),
        ("http://169.254.169.254/latest", "is a link-local or cloud metadata address"),
        ("http://[::1]:8000/", "::1 is a loopback address"),
        ("http://[::ffff:127.0.0.1]/", "is a loopback address"),
        ("http://[::ffff:7f00:1]/", "is a loopback address"),
        ("http://0.0.0.0/", "0.0.0.0 is an unspecified address"),
        ("http://[::]/", "is an unspecified address"),
        ("http://[fd00:ec2::254]/", "is a private address"),
        ("http://[fe80::1%25eth0]/", "is a link-local or cloud metadata address"),
        ("http://100.64.0.1/", "is a shared (carrier-grade NAT) address"),
        ("http://224.0.0.1/", "is a multicast address"),
        ("http://255.255.255.255/", "is a reserved address"),
        ("http://[64:ff9b::a00:1]/", "is a private address"),
        ("http://[2002:7f00:1::]/", "is a loopback address"),
    ],
)
def test_literal_addresses_are_refused_with_the_reason(url: str, reason: str) -> None:
    with pytest.raises(UrlRefused, match=None) as refused:
        UrlPolicy(resolve=unreachable_resolver).vet(url)
    assert reason in refused.value.reason


def unreachable_resolver(host: str, port: int) -> Sequence[IPAddress]:
    raise AssertionError("a literal address is never resolved")


@pytest.mark.parametrize(
    "url", ["http://localhost/", "http://2130706433/", "http://0177.0.0.1/", "http://0x7f.1/"]
)
def test_names_and_numeric_forms_are_judged_by_what_they_resolve_to(url: str) -> None:
    """The system resolver (the hosts file, inet_aton's decimal and octal forms) says where
    these go: 127.0.0.1."""
    with pytest.raises(UrlRefused) as refused:
        UrlPolicy().vet(url)
    assert "resolves to 127.0.0.1, which is a loopback address" in refused.value.reason


def test_a_name_with_any_internal_address_is_refused() -> None:
    with pytest.raises(UrlRefused, match=r"resolves to 10\.1\.2\.3"):
        fixed("93.184.215.14", "10.1.2.3").vet("https://mixed.example/hook")
    target = fixed("93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c").vet(
        "https://hooks.example/a?b=1"
    )
    assert (target.host, target.port, target.path) == ("hooks.example", 443, "/a?b=1")
    assert [str(a) for a in target.addresses] == [
        "93.184.215.14",
        "2606:2800:21f:cb07:6820:80da:af6b:8b2c",
    ]


def test_localhost_names_are_refused_even_unresolved() -> None:
    def nothing(host: str, port: int) -> Sequence[IPAddress]:
        raise NameNotResolved("no")

    with pytest.raises(UrlRefused, match="loopback name"):
        UrlPolicy(resolve=nothing).vet("http://api.localhost/")
    with pytest.raises(NameNotResolved):
        UrlPolicy(resolve=nothing).vet("http://hooks.invalid/")


@pytest.mark.parametrize(
    "url", ["ftp://example.com/", "http://user:pw@example.com/", "http://@example.com/", "x"]
)
def test_only_http_urls_without_credentials(url: str) -> None:
    with pytest.raises(UrlRefused):
        UrlPolicy(resolve=unreachable_resolver).vet(url)


def test_the_allow_list_lets_listed_hosts_addresses_and_networks_through() -> None:
    allowed = AllowList.parse("hooks.corp.example, 10.1.2.3, 192.168.0.0/16, [::1]")
    policy = UrlPolicy(allowed=allowed, resolve=fixed("10.9.9.9").resolve)
    assert policy.vet("http://HOOKS.corp.example./x").addresses == (
        ipaddress.ip_address("10.9.9.9"),
    )
    for url in ["http://10.1.2.3/", "http://192.168.44.5:8080/", "http://[::1]/"]:
        policy.vet(url)
    for url in ["http://10.1.2.4/", "http://other.corp.example/", "http://127.0.0.1/"]:
        with pytest.raises(UrlRefused):
            policy.vet(url)


@given(st.ip_addresses(v=4, network="127.0.0.0/8"))
def test_an_allowed_network_admits_every_address_in_it(address: ipaddress.IPv4Address) -> None:
    policy = UrlPolicy(allowed=AllowList.parse("127.0.0.0/8"), resolve=unreachable_resolver)
    assert policy.vet(f"http://{address}:9/").addresses == (address,)


@pytest.mark.parametrize("entry", ["not a host!", "http://x/", "10.0.0.0/33"])
def test_the_allow_list_refuses_what_is_neither_a_host_nor_an_address(entry: str) -> None:
    with pytest.raises(ValueError, match="neither a host name nor"):
        AllowList.parse(entry)


def test_the_system_resolver_reads_the_hosts_file() -> None:
    assert ipaddress.ip_address("127.0.0.1") in system_resolver("localhost", 80)
    with pytest.raises(NameNotResolved):
        system_resolver("nothing.invalid", 80)

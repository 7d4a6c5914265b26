"""The SSRF guard: which URLs an ordinary (non-intranet) source may reach."""

from __future__ import annotations

import ipaddress

import pytest

from yuqing.sources.fetchers.base import BlockedURLError, FetchError
from yuqing.sources.fetchers.guard import check_url, is_forbidden_address


@pytest.mark.parametrize(
    ("url", "address"),
    [
        ("http://127.0.0.1/feed", "127.0.0.1"),
        ("http://127.8.9.10:8080/", "127.8.9.10"),
        ("http://10.12.0.5/api", "10.12.0.5"),
        ("http://172.16.3.4/", "172.16.3.4"),
        ("http://192.168.1.1/admin", "192.168.1.1"),
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254"),
        ("http://100.64.0.1/", "100.64.0.1"),
        ("http://0.0.0.0/", "0.0.0.0"),
        ("http://224.0.0.1/", "224.0.0.1"),
        ("http://[::1]/", "::1"),
        ("http://[::ffff:127.0.0.1]/", "::ffff:127.0.0.1"),
        ("http://[fe80::1]/", "fe80::1"),
        ("http://[fc00::5]/", "fc00::5"),
        ("http://[2002:a00:1::1]/", "2002:a00:1::1"),  # 6to4 wrapping 10.0.0.1
    ],
)
def test_private_and_special_addresses_are_refused_for_ordinary_sources(url: str, address: str) -> None:
    with pytest.raises(BlockedURLError) as caught:
        check_url(url, intranet=False)
    assert str(caught.value).startswith(f"地址被拒绝：{address} 是内网或本机地址")


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1/feed", "http://10.12.0.5/api", "http://169.254.169.254/", "http://[::1]:8080/"]
)
def test_intranet_sources_may_reach_private_addresses(url: str) -> None:
    check_url(url, intranet=True)  # no exception


def test_localhost_by_name_is_refused_naming_the_resolved_address() -> None:
    with pytest.raises(BlockedURLError) as caught:
        check_url("http://localhost:8000/", intranet=False)
    message = str(caught.value)
    assert message.startswith("地址被拒绝：localhost（解析为 ")
    assert "127.0.0.1" in message or "::1" in message


def test_public_address_literal_is_allowed() -> None:
    check_url("https://8.8.8.8/rss.xml", intranet=False)
    check_url("http://[2001:4860:4860::8888]/", intranet=False)


@pytest.mark.parametrize(
    ("url", "scheme"),
    [("file:///etc/passwd", "file"), ("gopher://127.0.0.1:70/", "gopher"), ("ftp://example.cn/a", "ftp")],
)
def test_non_http_schemes_are_refused_even_for_intranet(url: str, scheme: str) -> None:
    for intranet in (False, True):
        with pytest.raises(BlockedURLError) as caught:
            check_url(url, intranet=intranet)
        assert str(caught.value) == f"地址被拒绝：只允许 http/https，不允许 {scheme}：{url}"


def test_url_without_host_is_refused() -> None:
    with pytest.raises(BlockedURLError):
        check_url("http:///path", intranet=True)


def test_unresolvable_host_is_a_fetch_error_not_a_block() -> None:
    with pytest.raises(FetchError) as caught:
        check_url("http://no-such-host.invalid/", intranet=False)
    assert not isinstance(caught.value, BlockedURLError)
    assert str(caught.value) == "无法解析域名：no-such-host.invalid"


def test_ipv4_embedded_in_ipv6_is_judged_as_ipv4() -> None:
    assert is_forbidden_address(ipaddress.ip_address("::ffff:10.0.0.1"))
    assert is_forbidden_address(ipaddress.ip_address("64:ff9b::a9fe:a9fe"))  # NAT64 of 169.254.169.254
    assert not is_forbidden_address(ipaddress.ip_address("::ffff:8.8.8.8"))
    assert not is_forbidden_address(ipaddress.ip_address("114.114.114.114"))

"""SSRF guard: keep ordinary sources away from loopback, private and other non-public addresses.

Two layers, because a check before the request alone loses to DNS rebinding (the name resolves to a
public address for the check and to 127.0.0.1 for the connection):

* :func:`check_url` runs before every hop (first request and each redirect) and gives a clear refusal
  naming the address;
* :class:`GuardedBackend` is the network backend of the non-intranet connection pool: it resolves the
  host itself, refuses if any address is forbidden, and connects to the very address it checked.

Intranet sources (admin-marked) skip the address rules but never the scheme rule.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable
from urllib.parse import urlsplit

import httpcore2

from yuqing.sources.fetchers.base import BlockedURLError, FetchError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

ALLOWED_SCHEMES = ("http", "https")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def is_forbidden_address(ip: IPAddress) -> bool:
    """True for loopback, private, link-local, reserved, multicast, unspecified, shared (CGNAT) and
    documentation addresses; IPv4 embedded in IPv6 (mapped, 6to4, NAT64, Teredo) is judged as IPv4."""
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return is_forbidden_address(ip.ipv4_mapped)
        if ip.sixtofour is not None:
            return is_forbidden_address(ip.sixtofour)
        if ip.teredo is not None:
            return is_forbidden_address(ip.teredo[1])
        if ip in _NAT64:
            return is_forbidden_address(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    return (
        ip.is_loopback
        or ip.is_private
        or ip.is_link_local
        or ip.is_reserved
        or ip.is_multicast
        or ip.is_unspecified
        or not ip.is_global
    )


def resolve(host: str, port: int) -> list[tuple[socket.AddressFamily, str]]:
    """(family, address) pairs for ``host``, in resolver order; FetchError when the name does not resolve."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, OSError) as exc:
        raise FetchError(f"无法解析域名：{host}") from exc
    seen: list[tuple[socket.AddressFamily, str]] = []
    for family, _type, _proto, _canon, sockaddr in infos:
        pair = (family, str(sockaddr[0]).split("%", 1)[0])  # drop an IPv6 zone id
        if pair not in seen:
            seen.append(pair)
    return seen


def _refuse_forbidden(host: str, addresses: Iterable[str]) -> None:
    for address in addresses:
        if is_forbidden_address(ipaddress.ip_address(address)):
            where = address if address == host.strip("[]") else f"{host}（解析为 {address}）"
            raise BlockedURLError(
                f"地址被拒绝：{where} 是内网或本机地址；如确为内部源，请由管理员标记为内网源"
            )


def split_url(url: str) -> tuple[str, str, int]:
    """(scheme, host, port) of an http(s) URL; BlockedURLError for other schemes or a missing host."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise FetchError(f"无效的地址：{url[:200]}") from exc
    scheme = parts.scheme.lower()
    if scheme not in ALLOWED_SCHEMES:
        raise BlockedURLError(f"地址被拒绝：只允许 http/https，不允许 {scheme or '无协议'}：{url[:200]}")
    host = (parts.hostname or "").lower()
    if not host:
        raise BlockedURLError(f"地址被拒绝：缺少主机名：{url[:200]}")
    return scheme, host, port or (443 if scheme == "https" else 80)


def check_url(url: str, intranet: bool) -> None:
    """Refuse (BlockedURLError) a URL a source must not fetch.

    Only http/https. Unless ``intranet``, the host is resolved and every address it resolves to must be
    public. Costs one DNS lookup (none for IP literals or intranet sources).
    """
    _scheme, host, port = split_url(url)
    if intranet:
        return
    _refuse_forbidden(host, (address for _family, address in resolve(host, port)))


class GuardedBackend(httpcore2.SyncBackend):
    """httpcore network backend that resolves, checks and connects to the checked address itself."""

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore2.SOCKET_OPTION] | None = None,
    ) -> httpcore2.NetworkStream:
        addresses = resolve(host, port)
        _refuse_forbidden(host, (address for _family, address in addresses))
        last_error: Exception | None = None
        for _family, address in addresses:
            try:
                return super().connect_tcp(address, port, timeout, local_address, socket_options)
            except (httpcore2.ConnectError, httpcore2.ConnectTimeout) as exc:
                last_error = exc
        assert last_error is not None
        raise last_error

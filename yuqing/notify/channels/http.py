"""The HTTP client of the outbound channels: short timeouts, no redirects, errors as DeliveryError.

Channel addresses are configured by administrators (intranet gateways, bot URLs), so no SSRF guard here;
error texts name the host only, never the URL, whose query string often carries the bot token."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

import httpx2
from django.conf import settings

from yuqing.notify.channels.base import DeliveryError, PermanentDeliveryError


def absolute(link: str) -> str:
    if not link or link.startswith(("http://", "https://")):
        return link
    return settings.NOTIFY_PUBLIC_URL.rstrip("/") + "/" + link.lstrip("/")


def request(
    method: str,
    url: str,
    *,
    content: bytes | str = b"",
    headers: dict[str, str] | None = None,
    params: dict[str, str] | None = None,
) -> httpx2.Response:
    """Send one request; a 2xx answer is returned, anything else raises DeliveryError with the reason."""
    timeout = float(settings.NOTIFY_HTTP_TIMEOUT)
    host = urlsplit(url).netloc or url[:40]
    try:
        # Merged, not replaced: a bot URL already carries its token in the query string.
        target = httpx2.URL(url).copy_merge_params(params) if params else httpx2.URL(url)
        with httpx2.Client(timeout=timeout, follow_redirects=False) as client:
            response = client.request(method, target, content=content, headers=headers)
    except httpx2.TimeoutException:
        raise DeliveryError(f"超时：{host} 在 {timeout:g} 秒内没有应答")
    except httpx2.ConnectError as exc:
        raise DeliveryError(f"无法连接 {host}：{exc}")
    except httpx2.HTTPError as exc:
        raise DeliveryError(f"请求 {host} 失败（{type(exc).__name__}）：{exc}")
    except (httpx2.InvalidURL, UnicodeError) as exc:
        raise PermanentDeliveryError(f"地址或请求头无效（{host}）：{exc}")
    if not 200 <= response.status_code < 300:
        snippet = response.text[:200].strip()
        raise DeliveryError(f"{host} 应答 HTTP {response.status_code}" + (f"：{snippet}" if snippet else ""))
    return response


def post_json(url: str, payload: dict[str, Any], *, params: dict[str, str] | None = None) -> httpx2.Response:
    body = json.dumps(payload, ensure_ascii=False).encode()
    return request("POST", url, content=body, headers={"Content-Type": "application/json"}, params=params)


def check_bot_answer(response: httpx2.Response) -> str:
    """WeCom and DingTalk answer 200 with ``{"errcode": 0, "errmsg": "ok"}``; another errcode is a refusal."""
    try:
        data = response.json()
    except ValueError:
        raise DeliveryError(f"机器人应答不是 JSON：{response.text[:120]}")
    errcode = data.get("errcode") if isinstance(data, dict) else None
    if errcode != 0:
        errmsg = data.get("errmsg", "") if isinstance(data, dict) else ""
        raise DeliveryError(f"机器人拒收：errcode={errcode} {errmsg}".strip())
    return "errcode=0"

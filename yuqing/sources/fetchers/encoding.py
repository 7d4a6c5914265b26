"""Bytes → text for Chinese pages, feeds and files, also when the declared charset lies.

Order of evidence (:func:`detect_encoding`):

1. a byte-order mark decides;
2. valid UTF-8 (allowing a stray bad byte or two) wins over any declaration — legacy-encoded Chinese is
   practically never valid UTF-8, while "GB2312" meta tags left on pages converted to UTF-8 are common;
3. the declared charsets — the HTTP header, then ``<meta charset>`` / the XML declaration — tried
   strictly (GB2312/GBK as GB18030, Big5 as Big5-HKSCS); latin-1/ascii/windows-1252 declarations are
   not trusted for bytes above 0x7F (servers default to them). GB18030 decodes almost any byte string,
   so when both GB18030 and Big5 decode, the one whose characters look like real Chinese wins;
4. undeclared: the more plausible of GB18030 and Big5-HKSCS, else charset-normalizer's guess;
5. last resort GB18030 with replacement characters.
"""

from __future__ import annotations

import codecs
import itertools
import re

from charset_normalizer import from_bytes

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16 LE, whose BOM is its prefix
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
GB = "gb18030"
BIG5 = "big5hkscs"
_SUPERSETS = {"gbk": GB, "gb2312": GB, "gb18030": GB, "big5": BIG5, "cp950": BIG5, "big5hkscs": BIG5}
_ALIASES = {
    "x-gbk": "gbk",
    "x-big5": "big5",
    "big5-hkscs": "big5hkscs",
    "x-euc-cn": "gb2312",
    "cn-big5": "big5",
}
# Declarations servers and CMSs emit by default; not evidence about bytes above 0x7F.
_UNTRUSTED = frozenset({"ascii", "latin-1", "iso8859-1", "cp1252"})

_XML_DECL = re.compile(rb"^\s*<\?xml\b[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9_.:\-]+)[\"']", re.I)
_META_CHARSET = re.compile(rb"<meta\b[^>]*?charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:\-]+)", re.I)
_CT_CHARSET = re.compile(r"charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:\-]+)", re.I)
_XML_DECL_TEXT = re.compile(r"^\s*<\?xml\b[^>]*\?>", re.I)
_ASCII_BYTES = bytes(range(0x80))
SNIFF_BYTES = 16 * 1024  # Chinese CMS pages often put the meta tag after long comments and scripts


def normalize_charset(name: str | None) -> str | None:
    """Python codec name for a declared charset, with GBK family → gb18030 and Big5 → big5hkscs.

    None for unknown names and for UTF-16/32 declarations (only a BOM is believed for those).
    """
    if not name:
        return None
    name = name.strip().strip("\"'").lower()
    name = _ALIASES.get(name, name)
    try:
        codec = codecs.lookup(name).name
    except LookupError:
        return None
    if codec.startswith(("utf-16", "utf-32")):
        return None
    return _SUPERSETS.get(codec, codec)


def charset_from_content_type(content_type: str | None) -> str | None:
    """The raw ``charset=`` parameter of a Content-Type header, if any."""
    match = _CT_CHARSET.search(content_type or "")
    return match.group(1) if match else None


def sniff_declared_charset(body: bytes) -> str | None:
    """The charset named by an XML declaration or a ``<meta>`` tag near the start of ``body``."""
    head = body[:SNIFF_BYTES]
    match = _XML_DECL.match(head) or _META_CHARSET.search(head)
    return match.group(1).decode("ascii") if match else None


def _decode_leniently(body: bytes, codec: str, tolerance: float = 0.005) -> str | None:
    """Decode strictly; failing that, accept a few bad bytes (≤ ``tolerance`` per non-ASCII byte), as
    long pages often carry one stray byte pasted from another encoding. Short texts get no tolerance."""
    try:
        return body.decode(codec)
    except UnicodeDecodeError:
        pass
    except LookupError:
        return None
    text = body.decode(codec, errors="replace")
    bad = text.count("\ufffd")
    non_ascii_bytes = len(body.translate(None, _ASCII_BYTES))
    return text if bad <= tolerance * non_ascii_bytes else None


def _is_common_cjk(ch: str) -> bool:
    """In GB2312 level 1 or Big5 level 1 (the most frequent simplified/traditional characters), or
    common CJK punctuation — what real Chinese text is mostly made of, and mis-decoded bytes are not."""
    for codec, lead_ranges in (
        ("gb2312", ((0xA1, 0xA3), (0xB0, 0xD7))),
        ("big5", ((0xA1, 0xA3), (0xA4, 0xC6))),
    ):
        try:
            encoded = ch.encode(codec)
        except UnicodeEncodeError:
            continue
        if len(encoded) == 2 and any(lo <= encoded[0] <= hi for lo, hi in lead_ranges):
            return True
    return False


def plausibility(text: str, sample: int = 2000) -> float:
    """Share (0..1) of the first ``sample`` non-ASCII characters that are common Chinese."""
    chars = list(itertools.islice((ch for ch in text if ord(ch) > 0x7F), sample))
    if not chars:
        return 1.0
    return sum(1 for ch in chars if _is_common_cjk(ch)) / len(chars)


def _best_chinese(body: bytes, first: str) -> str | None:
    """Of GB18030 and Big5-HKSCS (``first`` preferred on a tie), the codec giving the more plausible text."""
    other = BIG5 if first == GB else GB
    texts = {codec: _decode_leniently(body, codec) for codec in (first, other)}
    scored = [(plausibility(text), codec) for codec, text in texts.items() if text is not None]
    if not scored:
        return None
    if len(scored) == 2 and scored[1][0] > scored[0][0] + 0.15:
        return scored[1][1]
    return scored[0][1]


def detect_encoding(body: bytes, content_type: str | None = "", *, sniff: bool = True) -> str:
    """The Python codec to decode ``body`` with (see the module docstring for the order of evidence).

    ``sniff`` looks for ``<meta charset>`` / an XML declaration; turn it off for CSV and JSON.
    """
    for bom, bom_codec in _BOMS:
        if body.startswith(bom):
            return bom_codec
    if body.isascii():
        return "utf-8"
    if _decode_leniently(body, "utf-8") is not None:
        return "utf-8"
    declared = [charset_from_content_type(content_type)]
    if sniff:
        declared.append(sniff_declared_charset(body))
    for declared_codec in (normalize_charset(name) for name in declared):
        if declared_codec is None or declared_codec in _UNTRUSTED or declared_codec == "utf-8":
            continue
        if declared_codec in (GB, BIG5):
            chinese = _best_chinese(body, declared_codec)
            if chinese is not None:
                return chinese
        elif _decode_leniently(body, declared_codec) is not None:
            return declared_codec
    best = _best_chinese(body, GB)
    if best is not None and plausibility(body.decode(best, errors="replace")) >= 0.6:
        return best
    guess = from_bytes(body).best()
    if guess is not None:
        guessed = normalize_charset(guess.encoding)
        if guessed and _decode_leniently(body, guessed) is not None:
            return guessed
    return best or GB


def decode_text(body: bytes, content_type: str | None = "", *, sniff: bool = True) -> str:
    """Decode ``body`` (see :func:`detect_encoding`); never raises, stray bad bytes become U+FFFD."""
    text = body.decode(detect_encoding(body, content_type, sniff=sniff), errors="replace")
    return text.removeprefix("\ufeff")


def decode_html(body: bytes, content_type: str | None = "") -> str:
    """Text of an HTML page, whatever its header and meta tag claim."""
    return decode_text(body, content_type, sniff=True)


def decode_feed(body: bytes, content_type: str | None = "") -> bytes:
    """A feed re-encoded as UTF-8 with its XML declaration saying so, for feedparser.

    feedparser does its own charset guessing from the header and declaration, which goes wrong exactly
    when they lie; handing it UTF-8 that says UTF-8 leaves it nothing to guess.
    """
    text = decode_text(body, content_type, sniff=True)
    text, count = _XML_DECL_TEXT.subn('<?xml version="1.0" encoding="utf-8"?>', text, count=1)
    if not count:
        text = '<?xml version="1.0" encoding="utf-8"?>\n' + text.lstrip()
    return text.encode("utf-8")

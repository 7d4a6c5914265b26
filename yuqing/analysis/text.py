"""Text normalisation and Chinese segmentation shared by every part of the analysis core.

Everything here is deterministic and never raises on a ``str``: emoji, URLs only, 1 MB of text, traditional
characters, mixed English and control characters all give a result.

- :func:`normalize` — NFKC, traditional → simplified, control/format characters removed, whitespace
  collapsed (a run containing a line break becomes one ``"\\n"``, any other run one space), capped at
  :data:`MAX_CHARS` characters.
- :func:`tokens` — jieba precise mode on normalised text, punctuation/whitespace tokens dropped, Latin
  lower-cased.
- :func:`search_tokens` — jieba ``cut_for_search`` (adds the 2- and 3-character sub-words of long words).
- :func:`index_tokens` — precise tokens plus *every* dictionary word inside each (any length) and the Latin
  or digit runs of mixed tokens: what a full-text index wants, so that any word a query is cut into is
  found even inside a longer word (个人所得税 in 个人所得税APP, app in 个人所得税APP).
- :func:`content_tokens` — :func:`tokens` without stopwords (``data/stopwords.txt``): for hot words,
  clustering and other "what is this about" uses. Negations are not stopwords.

Segmentation runs on ``jieba_fast_dat`` (jieba's algorithm in C++ over a double-array trie, ≈ 7× faster
than pure-Python jieba), on a private ``Tokenizer`` (not the global one) with **jieba's own main dictionary**
(``jieba/dict.txt``) and the project dictionary ``data/tax_dict.txt`` added. jieba_fast_dat ships a larger
dictionary (jieba's ``dict.txt.big``, with traditional forms) that cuts ≈ 3 % of texts differently
(速度快 vs 速度/快); with jieba's dictionary the words are the same as pure-Python jieba's on 99.9 % of
23,136 real texts (the rest differ only in the order of one token), so the trained classifiers and the
``search_text`` stored by earlier versions stay consistent with the words computed now. The tokenizer is
built lazily on first use, once per process (≈ 1 s, or ≈ 0.05 s from the trie cache, thread-safe).
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import importlib.util
import logging
import os
import re
import tempfile
import threading
import unicodedata
from pathlib import Path

import jieba_fast_dat
import opencc

DATA_DIR = Path(__file__).resolve().parent / "data"
TAX_DICT_PATH = DATA_DIR / "tax_dict.txt"
STOPWORDS_PATH = DATA_DIR / "stopwords.txt"

#: Texts longer than this are cut (before and after NFKC, which can lengthen text).
MAX_CHARS = 100_000


def _jieba_main_dictionary() -> Path:
    spec = importlib.util.find_spec("jieba")  # located, not imported
    if spec is None or spec.origin is None:
        raise ImportError("the jieba package (its dict.txt is the main dictionary) is not installed")
    return Path(spec.origin).resolve().parent / "dict.txt"


#: The main dictionary: jieba's own ``dict.txt`` (jieba stays installed; its IDF table is used too).
MAIN_DICT_PATH = _jieba_main_dictionary()

#: jieba's HMM guesses out-of-vocabulary words (names, coinages). Measured here on the 1,149 real tax posts
#: of ../shared/data: HMM on takes 1.7× the time of HMM off (0.79 vs 0.47 ms a post), and the cuts differ
#: only on rare words (刚开 vs 刚/开, 抖店 vs 抖/店) because the tax dictionary covers the domain's terms.
#: Off: the whole analysis must cost at most 2× bare segmentation, and the difference buys little.
USE_HMM = False

# Control (Cc), format (Cf: zero-width spaces, BOM, direction marks), surrogate (Cs) and private-use (Co)
# characters carry no text. Tabs and line breaks are whitespace and handled by the collapse below.
_DROP_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co"})
_KEEP_CONTROLS = frozenset("\t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x85")
_ANY_WS = re.compile(r"\s")
_WS_WITH_NEWLINE = re.compile(r"\s*\n\s*")
_WS = re.compile(r"[^\S\n]+")
# A token is kept when it has at least one letter, digit or CJK character.
_WORDLIKE = re.compile(r"[^\W_]")

_t2s = opencc.OpenCC("t2s")


def _traditional_trigger() -> frozenset[str]:
    """The characters that OpenCC 't2s' could change.

    opencc-python-reimplemented is pure Python (≈ 0.3 ms for a 150-character post, as much as segmenting
    it); ≈ 98 % of real posts are already simplified, so :func:`normalize` converts only texts that contain
    one of these characters. For a phrase entry it is enough that one of its characters is a trigger.
    """
    chars: set[str] = set()
    folder = Path(opencc.__file__).resolve().parent / "dictionary"
    for name in ("TSCharacters.txt", "TSPhrases.txt"):
        for line in (folder / name).read_text(encoding="utf-8").splitlines():
            key, _, values = line.partition("\t")
            value = values.split(" ")[0]
            if not key or key == value or chars.intersection(key):
                continue
            if len(key) != len(value):
                chars.update(key)
            else:
                chars.update(a for a, b in zip(key, value, strict=True) if a != b)
    return frozenset(chars)


_TRADITIONAL = _traditional_trigger()
_init_lock = threading.Lock()
_tokenizer: jieba_fast_dat.Tokenizer | None = None
_stopwords: frozenset[str] | None = None
_terms: dict[str, frozenset[str]] | None = None


def _drop_controls(text: str) -> str:
    """Remove control/format/surrogate/private-use characters; whitespace controls become spaces."""
    if _ANY_WS.sub(" ", text).isprintable():
        return text  # fast path: besides whitespace, nothing non-printable in the text
    out = []
    for ch in text:
        if ch in _KEEP_CONTROLS:
            out.append(" " if ch not in "\n\r\x85" else "\n")
        elif unicodedata.category(ch) not in _DROP_CATEGORIES:
            out.append(ch)
    return "".join(out)


#: Only texts up to this length go through the small result caches (bounds their memory).
_CACHE_MAX_LEN = 20_000


def _normalize(text: str) -> str:
    text = text[:MAX_CHARS]
    text = _drop_controls(text)  # before NFKC: lone surrogates would make later steps fail
    if not unicodedata.is_normalized("NFKC", text):  # a quick check (≈ 0.1 µs) spares most texts the pass
        text = unicodedata.normalize("NFKC", text)[:MAX_CHARS]
    if not _TRADITIONAL.isdisjoint(text):
        text = _t2s.convert(text)
    text = _WS_WITH_NEWLINE.sub("\n", text)
    text = _WS.sub(" ", text)
    return text.strip()


_normalize_cached = functools.lru_cache(maxsize=4096)(_normalize)


def normalize(text: str) -> str:
    """Return *text* NFKC-normalised, in simplified characters, without control characters.

    Whitespace runs collapse (one ``"\\n"`` if the run held a line break, else one space) so line-based
    cues such as ``转自`` lines survive. Results for the last few thousand texts are cached because the
    pipeline normalises the same item in several steps. ``None`` or a non-string gives ``""`` or ``str(x)``.
    """
    if text is None:
        return ""
    if not isinstance(text, str):
        text = str(text)
    return _normalize_cached(text) if len(text) <= _CACHE_MAX_LEN else _normalize(text)


def _read_dictionary() -> list[tuple[str, int | None, str]]:
    entries = []
    for raw in TAX_DICT_PATH.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split()
        word, tag = parts[0], parts[-1] if len(parts) > 1 else "tax"
        freq = int(parts[1]) if len(parts) == 3 else None
        entries.append((word, freq, tag))
    return entries


def _trie_cache_path() -> Path:
    """Where the compiled main-dictionary trie is cached: keyed by dictionary file and library version."""
    st = MAIN_DICT_PATH.stat()
    key = f"{MAIN_DICT_PATH}|{st.st_size}|{st.st_mtime_ns}|{importlib.metadata.version('jieba-fast-dat')}"
    digest = hashlib.md5(key.encode("utf-8"), usedforsecurity=False).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"yuqing-jieba-fast-dat.{digest}.cache"


def _new_tokenizer() -> jieba_fast_dat.Tokenizer:
    """A tokenizer over jieba's main dictionary, its trie loaded from the cache or built and cached.

    jieba_fast_dat writes its cache in place, so a process starting at the same moment could read a
    half-written file; the trie is written under a private name here and moved into place atomically.
    """
    tk = jieba_fast_dat.Tokenizer(MAIN_DICT_PATH)
    tk.tmp_dir = tempfile.gettempdir()
    cache = _trie_cache_path()
    if cache.exists():
        tk.cache_file = str(cache)  # a cache that fails to load is rebuilt by the library
        tk.initialize()
        return tk
    tmp = cache.with_name(f"{cache.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    tk.cache_file = str(tmp)
    tk.initialize()
    try:
        os.replace(tmp, cache)
    except OSError:
        tmp.unlink(missing_ok=True)
    tk.cache_file = str(cache)
    return tk


def get_tokenizer() -> jieba_fast_dat.Tokenizer:
    """The process-wide tokenizer with the tax dictionary loaded (built on first call)."""
    global _tokenizer, _terms
    if _tokenizer is not None:
        return _tokenizer
    with _init_lock:
        if _tokenizer is None:
            jieba_fast_dat.setLogLevel(logging.WARNING)
            tk = _new_tokenizer()
            entries = _read_dictionary()
            by_tag: dict[str, set[str]] = {}
            for word, freq, tag in entries:
                # suggest_freq gives the smallest frequency that keeps the word whole in precise mode
                tk.add_word(word, freq if freq is not None else max(tk.suggest_freq(word, False), 20), tag)
                by_tag.setdefault(tag, set()).add(word)
            _terms = {tag: frozenset(words) for tag, words in by_tag.items()}
            _tokenizer = tk
    return _tokenizer


def dictionary_terms(tag: str | None = None) -> frozenset[str]:
    """Words of the project dictionary: all, or those tagged ``tax``, ``loc`` (places) or ``org`` (bodies)."""
    get_tokenizer()
    assert _terms is not None
    if tag is None:
        return frozenset().union(*_terms.values())
    return _terms.get(tag, frozenset())


def stopwords() -> frozenset[str]:
    """The analysis stopword list (``data/stopwords.txt``)."""
    global _stopwords
    if _stopwords is None:
        lines = STOPWORDS_PATH.read_text(encoding="utf-8").splitlines()
        _stopwords = frozenset(w.strip() for w in lines if w.strip() and not w.startswith("#"))
    return _stopwords


def _keep(token: str) -> bool:
    return bool(_WORDLIKE.search(token))


def _tokenize(norm: str, search: bool) -> tuple[str, ...]:
    tk = get_tokenizer()
    pieces = tk.lcut_for_search(norm, HMM=USE_HMM) if search else tk.lcut(norm, HMM=USE_HMM)
    return tuple(t.lower() for t in pieces if _keep(t))


_tokenize_cached = functools.lru_cache(maxsize=4096)(_tokenize)


def _tokens_cached(text: str, search: bool) -> tuple[str, ...]:
    norm = normalize(text)
    return _tokenize_cached(norm, search) if len(norm) <= _CACHE_MAX_LEN else _tokenize(norm, search)


def tokens(text: str) -> list[str]:
    """jieba precise-mode tokens of normalised *text*, no punctuation/whitespace, Latin lower-cased."""
    return list(_tokens_cached(text, False))


def search_tokens(text: str) -> list[str]:
    """jieba search-mode tokens (words plus their dictionary sub-words), for full-text indexing."""
    return list(_tokens_cached(text, True))


_LATIN_RUN = re.compile(r"[a-z0-9]+")


def _index_tokenize(norm: str) -> tuple[str, ...]:
    """Precise tokens, each preceded by the dictionary words inside it and, for a token mixing Latin or
    digits with other letters, its Latin/digit runs. jieba's ``cut_for_search`` stops at 3-character
    sub-words, so a query for 个人所得税 missed texts cut as 个人所得税APP (issue 12)."""
    tk = get_tokenizer()
    out: list[str] = []
    for piece in tk.lcut(norm, HMM=USE_HMM):
        if not _keep(piece):
            continue
        if len(piece) > 2:
            # The DAG holds, for each start, the ends of the dictionary words starting there (lookups are
            # on the text as written: the project dictionary has entries such as 个人所得税APP).
            for start, ends in sorted(tk.get_DAG(piece).items()):
                for end in ends:
                    if end > start and end - start + 1 < len(piece):
                        out.append(piece[start : end + 1].lower())
        word = piece.lower()
        if len(word) > 1:
            runs = _LATIN_RUN.findall(word)
            if runs and runs != [word]:
                out.extend(run for run in runs if run != word)
        out.append(word)
    return tuple(out)


def index_tokens(text: str) -> list[str]:
    """The words a full-text index holds for *text*: every precise token, every dictionary word inside a
    longer token (any length) and the Latin/digit runs of mixed tokens. A superset of
    :func:`search_tokens`; a query cut by :func:`tokens` finds each of its words here."""
    norm = normalize(text)
    return list(_index_tokenize(norm))


def content_tokens(text: str) -> list[str]:
    """:func:`tokens` without stopwords and without pure numbers: the words that say what a text is about."""
    stop = stopwords()
    return [t for t in _tokens_cached(text, False) if t not in stop and not t.isdigit()]


def strip_for_hash(text: str) -> str:
    """Normalised *text* keeping only letters, digits and CJK, lower-cased (for exact hashes)."""
    return "".join(_WORD_CHARS.findall(normalize(text))).lower()


_WORD_CHARS = re.compile(r"[^\W_]+")

"""Monitoring plans (监测方案): word groups plus an advanced expression language, compiled for fast matching.

A plan has four word groups — 地域词 ``region``, 主体词 ``subject``, 事件词 ``event``, 排除词 ``exclude`` —
and an optional ``expression``. A document matches when it contains ≥ 1 region word (if any are given),
≥ 1 subject word (if any), ≥ 1 event word (if any), no exclude word, and the expression holds (if given).
Group words look in the title and the content.

Expression language (precedence from loosest to tightest: OR, AND, NOT, NEAR, field scope)::

    a OR b     a | b     a 或 b          either
    a AND b    a & b     a 与 b   a b    both (juxtaposition is AND)
    NOT a      -a        !a      非 a    not
    a NEAR/10 b                          both, in the same field, at most 10 characters apart, either order
    "a phrase with spaces or AND"        quoted phrase (straight or Chinese quotes)
    title:a  content:(a OR b)  author:"x"  source:y   field scope (also 标题: 正文: 作者: 来源:)
    ( … )                                grouping; an unscoped word looks in title and content

Words match as substrings of the *normalised* text (Chinese has no spaces); Latin is case-insensitive and a
word that begins/ends with a Latin letter or digit must not continue a Latin word there (``vat`` does not
match ``private``). The Chinese operators 与/或/非 and the English keywords (upper case) are operators only
when they stand alone between spaces or brackets: ``税务局与纳税人`` is one word.

Matching cost does not grow with the number of words: all words of a plan (or of a :class:`PlanSet`) are
compiled into one trie-shaped regular expression scanned once per field.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from yuqing.analysis.plan_syntax import (
    DEFAULT_FIELDS,
    FIELD_ALIASES,
    FIELDS,
    And,
    Near,
    Node,
    Not,
    Or,
    PlanError,
    PlanSyntaxError,
    Scope,
    Term,
    fold,
    parse_expression,
    term_key,
)
from yuqing.analysis.text import DATA_DIR, normalize

__all__ = [
    "DEFAULT_FIELDS",
    "FIELDS",
    "FIELD_ALIASES",
    "CompiledPlan",
    "Doc",
    "Hit",
    "PlanError",
    "PlanMatch",
    "PlanSet",
    "PlanSyntaxError",
    "TermScanner",
    "compile_plan",
    "default_plan",
    "fold",
    "load_default_plan",
    "parse_expression",
    "term_key",
]

GROUP_LABELS: dict[str, str] = {
    "region": "地域词",
    "subject": "主体词",
    "event": "事件词",
    "exclude": "排除词",
    "expression": "表达式",
}
#: At most this many occurrences of one word in one field are kept (for hits and NEAR).
MAX_SPANS = 1_000


def _is_latin(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


class TermScanner:
    """Finds every occurrence of a set of words in a text, overlapping ones included, in one regex pass.

    The regex is the words' trie inside a lookahead, so it reports the longest word starting at each
    position; the shorter words starting there are exactly its prefixes that are words (precomputed).
    """

    def __init__(self, words: Iterable[str]) -> None:
        self.words = sorted({w for w in words if w})
        self._prefixes = {w: [u for u in self.words if w.startswith(u)] for w in self.words}
        self._regex = re.compile("(?=(" + _trie_pattern(self.words) + "))") if self.words else None

    def scan(self, text: str) -> dict[str, list[tuple[int, int]]]:
        """``word → [(start, end), …]`` for the words present in *text* (already normalised and folded)."""
        found: dict[str, list[tuple[int, int]]] = {}
        if self._regex is None or not text:
            return found
        for m in self._regex.finditer(text):
            start = m.start()
            for word in self._prefixes[m.group(1)]:
                end = start + len(word)
                if _is_latin(word[0]) and start > 0 and _is_latin(text[start - 1]):
                    continue
                if _is_latin(word[-1]) and end < len(text) and _is_latin(text[end]):
                    continue
                spans = found.setdefault(word, [])
                if len(spans) < MAX_SPANS:
                    spans.append((start, end))
        return found


def _trie_pattern(words: list[str]) -> str:
    trie: dict[str, dict] = {}
    for w in words:
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict[str, dict]) -> str:
        alts = [re.escape(ch) + build(sub) for ch, sub in sorted(node.items()) if ch]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        return f"(?:{body})?" if "" in node else body

    return build(trie)


@dataclass(frozen=True)
class Doc:
    """A document to match: title, content and optional author and source (site or account name)."""

    title: str
    content: str
    author: str = ""
    source: str = ""


@dataclass(frozen=True)
class Hit:
    """Word ``word`` (normalised) occurs in ``field`` at ``[start, end)`` of ``normalize(field text)``."""

    word: str
    field: str
    start: int
    end: int
    group: str = "expression"


@dataclass(frozen=True)
class PlanMatch:
    plan: str
    hits: list[Hit]

    def words(self) -> list[str]:
        """The distinct matched words, in order of first appearance."""
        return list(dict.fromkeys(h.word for h in self.hits))


Occurrences = Mapping[str, Mapping[str, list[tuple[int, int]]]]  # field → word → spans


def scan_doc(scanner: TermScanner, doc: Doc) -> dict[str, dict[str, list[tuple[int, int]]]]:
    """Scan each non-empty field of *doc* once: ``field → word → spans``."""
    out = {}
    for name in FIELDS:
        value = getattr(doc, name) or ""
        if value:
            out[name] = scanner.scan(fold(normalize(value)))
    return out


Predicate = Callable[[Occurrences], bool]
_EMPTY: Mapping[str, list[tuple[int, int]]] = {}


def _compile(node: Node, fields: tuple[str, ...]) -> Predicate:
    """Turn the AST into nested closures; an OR of plain words becomes one set-disjointness test."""
    if isinstance(node, Or) and all(isinstance(c, Term) for c in node.children):
        keys = frozenset(c.key for c in node.children if isinstance(c, Term))
        return lambda occ: any(not keys.isdisjoint(occ.get(f, _EMPTY)) for f in fields)
    if isinstance(node, Term):
        key = node.key
        return lambda occ: any(key in occ.get(f, _EMPTY) for f in fields)
    if isinstance(node, And):
        parts = [_compile(c, fields) for c in node.children]
        return lambda occ: all(p(occ) for p in parts)
    if isinstance(node, Or):
        parts = [_compile(c, fields) for c in node.children]
        return lambda occ: any(p(occ) for p in parts)
    if isinstance(node, Not):
        inner = _compile(node.child, fields)
        return lambda occ: not inner(occ)
    if isinstance(node, Scope):
        return _compile(node.child, (node.field,))
    return _near_predicate(node, fields)


def _operand_keys(node: Node, fields: tuple[str, ...]) -> list[tuple[str, tuple[str, ...]]]:
    """``(word key, fields)`` pairs of a NEAR operand (a term, an OR of terms, or a scoped one)."""
    if isinstance(node, Scope):
        return _operand_keys(node.child, (node.field,))
    if isinstance(node, Or):
        return [pair for child in node.children for pair in _operand_keys(child, fields)]
    assert isinstance(node, Term)
    return [(node.key, fields)]


def _near_predicate(node: Near, fields: tuple[str, ...]) -> Predicate:
    left, right, distance = _operand_keys(node.left, fields), _operand_keys(node.right, fields), node.distance

    def spans(occ: Occurrences, keys: list[tuple[str, tuple[str, ...]]]) -> dict[str, list[tuple[int, int]]]:
        out: dict[str, list[tuple[int, int]]] = {}
        for key, in_fields in keys:
            for f in in_fields:
                found = occ.get(f, _EMPTY).get(key)
                if found:
                    out.setdefault(f, []).extend(found)
        return out

    def check(occ: Occurrences) -> bool:
        lspans = spans(occ, left)
        if not lspans:
            return False
        rspans = spans(occ, right)
        for f, ls_list in lspans.items():
            rs_list = sorted(rspans.get(f, ()))
            for ls, le in ls_list:
                for rs, re_ in rs_list:
                    if rs - le > distance:
                        break
                    if max(ls, rs) - min(le, re_) <= distance:  # characters between the two
                        return True
        return False

    return check


def _positive_terms(
    node: Node, fields: tuple[str, ...], negated: bool, out: list[tuple[Term, tuple]]
) -> None:
    if isinstance(node, Term):
        if not negated:
            out.append((node, fields))
    elif isinstance(node, And | Or):
        for c in node.children:
            _positive_terms(c, fields, negated, out)
    elif isinstance(node, Not):
        _positive_terms(node.child, fields, not negated, out)
    elif isinstance(node, Scope):
        _positive_terms(node.child, (node.field,), negated, out)
    else:
        _positive_terms(node.left, fields, negated, out)
        _positive_terms(node.right, fields, negated, out)


def _all_terms(node: Node) -> list[Term]:
    if isinstance(node, Term):
        return [node]
    if isinstance(node, And | Or):
        return [t for c in node.children for t in _all_terms(c)]
    if isinstance(node, Not | Scope):
        return _all_terms(node.child)
    return _all_terms(node.left) + _all_terms(node.right)


@dataclass
class CompiledPlan:
    """A plan ready to match: the combined AST (groups AND expression) and a scanner for its words."""

    name: str
    root: Node
    expression: Node | None
    groups: dict[str, list[str]]
    scanner: TermScanner = field(repr=False)
    predicate: Predicate = field(repr=False)
    _positive: list[tuple[Term, tuple]] = field(default_factory=list, repr=False)

    @property
    def words(self) -> list[str]:
        """Every distinct matched form of the plan's words."""
        return self.scanner.words

    def match(self, doc: Doc) -> PlanMatch | None:
        """Match one document; ``None`` when it does not match. For many plans use :class:`PlanSet`."""
        return self.match_scanned(scan_doc(self.scanner, doc))

    def match_scanned(self, occ: Occurrences) -> PlanMatch | None:
        """Match pre-scanned occurrences (from a scanner holding at least this plan's words)."""
        if not self.predicate(occ):
            return None
        hits: dict[tuple, Hit] = {}
        for term, fields in self._positive:
            for f in fields:
                for start, end in occ.get(f, {}).get(term.key, ()):
                    hits.setdefault((f, start, end), Hit(term.key, f, start, end, term.group))
        order = {f: i for i, f in enumerate(FIELDS)}
        kept: list[Hit] = []
        reach: dict[str, int] = {}
        for hit in sorted(hits.values(), key=lambda h: (order[h.field], h.start, -h.end)):
            if hit.end <= reach.get(hit.field, -1):
                continue  # inside a longer hit (铁门关 within 铁门关市): the longer one says it
            reach[hit.field] = hit.end
            kept.append(hit)
        return PlanMatch(self.name, kept)


def _group_node(words: Iterable[str], group: str) -> Or | None:
    terms = tuple(Term(w.strip(), True, 0, group) for w in words if w and w.strip() and term_key(w.strip()))
    return Or(terms) if terms else None


def compile_plan(
    *,
    region: Iterable[str] = (),
    subject: Iterable[str] = (),
    event: Iterable[str] = (),
    exclude: Iterable[str] = (),
    expression: str = "",
    name: str = "",
) -> CompiledPlan:
    """Validate and compile a plan. Raises :class:`PlanSyntaxError` for a bad expression and
    :class:`PlanError` for a plan that is empty or would match everything (e.g. only NOT/exclude terms)."""
    groups = {
        "region": [w.strip() for w in region if w and w.strip()],
        "subject": [w.strip() for w in subject if w and w.strip()],
        "event": [w.strip() for w in event if w and w.strip()],
        "exclude": [w.strip() for w in exclude if w and w.strip()],
    }
    expr = parse_expression(expression)
    parts: list[Node] = []
    for group in ("region", "subject", "event"):
        node = _group_node(groups[group], group)
        if node is not None:
            parts.append(node)
    excluded = _group_node(groups["exclude"], "exclude")
    if excluded is not None:
        parts.append(Not(excluded))
    if expr is not None:
        parts.append(expr)
    if not parts:
        raise PlanError("方案为空：请填写主体词等词组或高级表达式")
    root = parts[0] if len(parts) == 1 else And(tuple(parts))
    predicate = _compile(root, DEFAULT_FIELDS)
    if predicate({}):
        raise PlanError("方案会匹配所有内容（只有排除条件或“非”条件）：请至少加入一个必须出现的词")
    scanner = TermScanner(t.key for t in _all_terms(root))
    positive: list[tuple[Term, tuple]] = []
    _positive_terms(root, DEFAULT_FIELDS, False, positive)
    return CompiledPlan(name, root, expr, groups, scanner, predicate, positive)


class PlanSet:
    """Several compiled plans matched together: one scan of each field serves every plan."""

    def __init__(self, plans: Iterable[CompiledPlan]) -> None:
        self.plans = list(plans)
        self.scanner = TermScanner(w for p in self.plans for w in p.words)

    def match(self, doc: Doc) -> list[PlanMatch]:
        """The matches of every plan that matches *doc*, in the order the plans were given."""
        occ = scan_doc(self.scanner, doc)
        return [m for p in self.plans if (m := p.match_scanned(occ)) is not None]


DEFAULT_PLAN_PATH = DATA_DIR / "default_plan.json"


def load_default_plan(path: Path = DEFAULT_PLAN_PATH) -> dict:
    """The demo's plan for 铁门关 as a dict: ``name``, ``region``, ``subject``, ``event``, ``exclude``,
    ``expression`` (what the lead stores in the database)."""
    return json.loads(path.read_text(encoding="utf-8"))


def default_plan() -> CompiledPlan:
    """:func:`load_default_plan`, compiled."""
    spec = load_default_plan()
    return compile_plan(
        region=spec["region"],
        subject=spec["subject"],
        event=spec["event"],
        exclude=spec["exclude"],
        expression=spec["expression"],
        name=spec["name"],
    )

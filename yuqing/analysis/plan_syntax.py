"""Syntax of monitoring-plan expressions: AST dataclasses, lexer and recursive-descent parser.

See :mod:`yuqing.analysis.plans` for the language and for matching. Errors carry a 0-based ``position``
in the expression as typed and what was ``expected`` there; full-width brackets, quotes and colons are
accepted as their ASCII forms, so positions always refer to what the person typed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from yuqing.analysis.text import normalize

FIELDS: tuple[str, ...] = ("title", "content", "author", "source")
DEFAULT_FIELDS: tuple[str, ...] = ("title", "content")
FIELD_ALIASES: dict[str, str] = {
    "title": "title",
    "标题": "title",
    "content": "content",
    "正文": "content",
    "内容": "content",
    "author": "author",
    "作者": "author",
    "source": "source",
    "来源": "source",
}
MAX_EXPRESSION_CHARS = 20_000
MAX_DEPTH = 60


def fold(text: str) -> str:
    """Lower-case Latin without changing the length (hit offsets stay valid in the normalised text)."""
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join(ch.lower()[:1] or ch for ch in text)


def term_key(word: str) -> str:
    """The form a word is matched in: normalised, Latin lower-cased."""
    return fold(normalize(word))


class PlanError(ValueError):
    """A plan that cannot be used (empty, or matching everything); ``message`` is Chinese, for people."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class PlanSyntaxError(PlanError):
    """An expression that does not parse. ``position`` is a 0-based character offset in the expression
    (the message says it 1-based, as people count), ``expected`` what would have been valid there."""

    def __init__(self, message: str, position: int, expected: str) -> None:
        super().__init__(message)
        self.position = position
        self.expected = expected


# ---------------------------------------------------------------------------------------------- AST


@dataclass(frozen=True)
class Term:
    """A word or quoted phrase; ``text`` is as written, matching uses its normalised form."""

    text: str
    phrase: bool = False
    position: int = 0
    group: str = "expression"
    key: str = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "key", term_key(self.text))

    def __str__(self) -> str:
        return f'"{self.text}"' if self.phrase else self.text


@dataclass(frozen=True)
class And:
    children: tuple[Node, ...]
    position: int = 0

    def __str__(self) -> str:
        return "(" + " AND ".join(map(str, self.children)) + ")"


@dataclass(frozen=True)
class Or:
    children: tuple[Node, ...]
    position: int = 0

    def __str__(self) -> str:
        return "(" + " OR ".join(map(str, self.children)) + ")"


@dataclass(frozen=True)
class Not:
    child: Node
    position: int = 0

    def __str__(self) -> str:
        return f"NOT {self.child}"


@dataclass(frozen=True)
class Near:
    left: Node
    right: Node
    distance: int
    position: int = 0

    def __str__(self) -> str:
        return f"({self.left} NEAR/{self.distance} {self.right})"


@dataclass(frozen=True)
class Scope:
    field: str
    child: Node
    position: int = 0

    def __str__(self) -> str:
        return f"{self.field}:{self.child}"


Node = Term | And | Or | Not | Near | Scope


# -------------------------------------------------------------------------------------------- lexer

_OPEN, _CLOSE = "(（", ")）"
_QUOTES_OPEN, _QUOTES_CLOSE = '"“”＂', '"”“＂'
_OR_CHARS, _AND_CHARS, _NOT_CHARS = "|｜", "&＆", "!！-－"
_BREAK = set(_OPEN + _CLOSE + _QUOTES_OPEN + _OR_CHARS + _AND_CHARS)
_KEYWORDS = {"AND": "AND", "与": "AND", "OR": "OR", "或": "OR", "NOT": "NOT", "非": "NOT"}
_NEAR = re.compile(r"NEAR(?:/(\d*))?")


@dataclass(frozen=True)
class _Tok:
    kind: str  # WORD PHRASE LPAREN RPAREN AND OR NOT NEAR FIELD EOF
    value: str
    pos: int
    number: int = 0
    field: str = ""


def _at(pos: int) -> str:
    return f"第 {pos + 1} 个字符处"


def _lex(src: str) -> list[_Tok]:
    toks: list[_Tok] = []
    i, n = 0, len(src)
    while i < n:
        c = src[i]
        if c.isspace():
            i += 1
        elif c in _OPEN:
            toks.append(_Tok("LPAREN", c, i))
            i += 1
        elif c in _CLOSE:
            toks.append(_Tok("RPAREN", c, i))
            i += 1
        elif c in _QUOTES_OPEN:
            j = i + 1
            while j < n and src[j] not in _QUOTES_CLOSE:
                j += 1
            if j >= n:
                raise PlanSyntaxError(f'{_at(n)}缺少右引号“"”（{_at(i)}的引号没有闭合）', n, '右引号“"”')
            if not src[i + 1 : j].strip():
                raise PlanSyntaxError(f"{_at(i)}的引号中没有内容", i, "引号中的短语")
            toks.append(_Tok("PHRASE", src[i + 1 : j], i))
            i = j + 1
        elif c in _OR_CHARS or c in _AND_CHARS:
            kind = "OR" if c in _OR_CHARS else "AND"
            toks.append(_Tok(kind, c, i))
            i += 2 if i + 1 < n and src[i + 1] == c else 1
        elif c in _NOT_CHARS:  # only reached at the start of a token: inside a word "-" is a character
            toks.append(_Tok("NOT", c, i))
            i += 1
        else:
            i = _lex_word(src, i, toks)
    toks.append(_Tok("EOF", "", n))
    return toks


def _lex_word(src: str, i: int, toks: list[_Tok]) -> int:
    j, n = i, len(src)
    while j < n and not src[j].isspace() and src[j] not in _BREAK:
        if src[j] in ":：" and src[i:j].lower() in FIELD_ALIASES:
            toks.append(_Tok("FIELD", src[i : j + 1], i, field=FIELD_ALIASES[src[i:j].lower()]))
            return j + 1
        j += 1
    word = src[i:j]
    if word in _KEYWORDS:
        toks.append(_Tok(_KEYWORDS[word], word, i))
    elif m := _NEAR.fullmatch(word):
        if not m.group(1):
            raise PlanSyntaxError(f"{_at(i)}的 NEAR 缺少距离，应写成 NEAR/10 这样", i, "NEAR/数字")
        toks.append(_Tok("NEAR", word, i, int(m.group(1))))
    elif word.startswith("NEAR/"):
        raise PlanSyntaxError(f"{_at(i + 5)}的 NEAR 距离必须是整数，应写成 NEAR/10 这样", i + 5, "数字")
    else:
        toks.append(_Tok("WORD", word, i))
    return j


# ------------------------------------------------------------------------------------------- parser


class _Parser:
    """Recursive descent over the token list; each level returns an AST node."""

    _STARTS = frozenset({"WORD", "PHRASE", "LPAREN", "NOT", "FIELD"})

    def __init__(self, src: str) -> None:
        self.src = src
        self.toks = _lex(src)
        self.i = 0
        self.depth = 0

    def peek(self) -> _Tok:
        return self.toks[self.i]

    def take(self) -> _Tok:
        tok = self.toks[self.i]
        self.i += 1
        return tok

    def parse(self) -> Node:
        node = self.parse_or()
        tok = self.peek()
        if tok.kind == "RPAREN":
            raise PlanSyntaxError(
                f"{_at(tok.pos)}多了一个右括号“)”，前面没有对应的左括号“(”", tok.pos, "运算符或表达式结尾"
            )
        if tok.kind != "EOF":  # defensive: every other token is consumed by the levels below
            raise PlanSyntaxError(f"{_at(tok.pos)}不能出现“{tok.value}”", tok.pos, "运算符或表达式结尾")
        return node

    def _missing_operand(self, after: _Tok | None) -> PlanSyntaxError:
        tok = self.peek()
        if after is None:
            what = "表达式开头需要一个词、短语或“(”"
        else:
            what = f"“{after.value}”后面需要一个词、短语或“(”"
        if tok.kind == "EOF":
            return PlanSyntaxError(f"{_at(tok.pos)}缺少词或短语：{what}", tok.pos, "词、短语或“(”")
        return PlanSyntaxError(f"{_at(tok.pos)}不能出现“{tok.value}”：{what}", tok.pos, "词、短语或“(”")

    def parse_or(self, after: _Tok | None = None) -> Node:
        start = self.peek()
        children = [self.parse_and(after)]
        while self.peek().kind == "OR":
            op = self.take()
            children.append(self.parse_and(op))
        return children[0] if len(children) == 1 else Or(tuple(children), start.pos)

    def parse_and(self, after: _Tok | None) -> Node:
        start = self.peek()
        children = [self.parse_unary(after)]
        while True:
            tok = self.peek()
            if tok.kind == "AND":
                self.take()
                children.append(self.parse_unary(tok))
            elif tok.kind in self._STARTS:
                children.append(self.parse_unary(None))  # juxtaposition means AND
            else:
                break
        return children[0] if len(children) == 1 else And(tuple(children), start.pos)

    def parse_unary(self, after: _Tok | None) -> Node:
        tok = self.peek()
        if tok.kind == "NOT":
            self.take()
            return Not(self.parse_unary(tok), tok.pos)
        return self.parse_near(after)

    def parse_near(self, after: _Tok | None) -> Node:
        left = self.parse_scoped(after)
        while self.peek().kind == "NEAR":
            op = self.take()
            right = self.parse_scoped(op)
            for side in (left, right):
                if not _near_operand_ok(side):
                    raise PlanSyntaxError(
                        f"{_at(side.position)}不能作为 NEAR 的一边：NEAR 两边只能是词、短语或用 OR 连接的词",
                        side.position,
                        "词或短语",
                    )
            left = Near(left, right, op.number, left.position)
        return left

    def parse_scoped(self, after: _Tok | None) -> Node:
        tok = self.peek()
        if tok.kind == "FIELD":
            self.take()
            return Scope(tok.field, self.parse_primary(tok), tok.pos)
        return self.parse_primary(after)

    def parse_primary(self, after: _Tok | None) -> Node:
        tok = self.peek()
        if tok.kind in ("WORD", "PHRASE"):
            self.take()
            term = Term(tok.value, tok.kind == "PHRASE", tok.pos)
            if not term.key:
                raise PlanSyntaxError(f"{_at(tok.pos)}的词只含不可见字符", tok.pos, "词或短语")
            return term
        if tok.kind == "LPAREN":
            self.take()
            if self.peek().kind == "RPAREN":
                close = self.peek().pos
                raise PlanSyntaxError(
                    f"{_at(close)}缺少词或短语：{_at(tok.pos)}的括号中没有内容", close, "词、短语或“(”"
                )
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise PlanSyntaxError(f"{_at(tok.pos)}括号嵌套超过 {MAX_DEPTH} 层", tok.pos, "更少的嵌套")
            node = self.parse_or(tok)
            self.depth -= 1
            end = self.peek()
            if end.kind != "RPAREN":
                raise PlanSyntaxError(
                    f"{_at(end.pos)}缺少右括号“)”（与{_at(tok.pos)}的“(”配对）", end.pos, "右括号“)”"
                )
            self.take()
            return node
        raise self._missing_operand(after)


def _near_operand_ok(node: Node) -> bool:
    if isinstance(node, Term):
        return True
    if isinstance(node, Or):
        return all(_near_operand_ok(c) for c in node.children)
    if isinstance(node, Scope):
        return _near_operand_ok(node.child)
    return False


def parse_expression(expression: str) -> Node | None:
    """Parse *expression* to an AST; ``None`` for a blank one. Raises :class:`PlanSyntaxError`."""
    if not expression or not expression.strip():
        return None
    if len(expression) > MAX_EXPRESSION_CHARS:
        raise PlanSyntaxError(
            f"表达式过长（{len(expression)} 个字符，最多 {MAX_EXPRESSION_CHARS}）",
            MAX_EXPRESSION_CHARS,
            "更短的表达式",
        )
    return _Parser(expression).parse()

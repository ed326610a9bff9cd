"""A small expression language for comparison levels, with two readings.

A node reads prepared values of the two records of a pair: :func:`L` and
:func:`R` name a column of the left and the right record. Every node has

* a **polars reading**, :meth:`Expr.to_polars`: an expression over a pair frame
  (columns prefixed ``l_`` and ``r_``), and
* a **Python reading**, :meth:`Expr.evaluate`: the value for one pair, given the
  two records as mappings of unprefixed values (a column a record does not
  have reads as None).

The Python reading follows polars' null semantics exactly: a comparison or an
arithmetic step with a null operand is null, ``&``/``|``/``~`` are three-valued
(Kleene), and a null condition in a level chain counts as false. It is compiled
to Python source once per expression (as ``attrs`` compiles its methods):
statically known non-null operands skip their None tests, and a subtree that is
null whenever one of its inputs is null tests those inputs once.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable, Iterator
from typing import Any, ClassVar, Final

import attrs
import polars as pl

from cpflag.linkage._expr_py import PyGen, Rec, compile_value, walk

__all__ = [
    "BinOp", "Expr", "FillNull", "IsNull", "L", "Lit", "Logic", "Not", "R", "StrSlice", "Strict",
    "Unary", "any_null", "days_between", "list_len", "nodes", "str_len",
]  # fmt: skip


@attrs.frozen(cache_hash=True)
class Expr:
    """A node. ``a & b``, ``a | b``, ``~a``, ``a + b``, ``a - b``, ``a // k``, ``a % k``,
    ``abs(a)`` and ``a.eq(b)``, ``a.ne(b)`` ... build nodes (``==`` is structural equality)."""

    KIND: ClassVar[str] = "other"
    COST: ClassVar[int] = 1

    def to_polars(self) -> pl.Expr:
        """The polars reading over an ``l_``/``r_`` pair frame."""
        raise NotImplementedError

    def evaluate(self, left: Rec, right: Rec) -> Any:
        """The Python reading for one pair of (unprefixed) records."""
        return _function(self)(left, right, None)

    def children(self) -> Iterator[Expr]:
        """The direct operands."""
        # The fields' values, without reaching for them by a computed name.
        for v in attrs.astuple(self, recurse=False):
            if isinstance(v, Expr):
                yield v
            elif isinstance(v, tuple):
                yield from (x for x in v if isinstance(x, Expr))

    def null_tested(self) -> list[Expr]:
        """Operands known not null where this condition is false."""
        return []

    def may_be_null(self, g: PyGen) -> bool:
        return any(g.nullable(c) for c in self.children())

    def python_code(self, g: PyGen, truthy: bool) -> str:
        raise NotImplementedError

    def plain_operation(self, r: Callable[[Any], str]) -> str:
        raise NotImplementedError

    def __and__(self, other: Expr) -> Expr:
        return Logic("and", (*_flat(self, "and"), *_flat(other, "and")))

    def __or__(self, other: Expr) -> Expr:
        return Logic("or", (*_flat(self, "or"), *_flat(other, "or")))

    def __invert__(self) -> Expr:
        return Not(self)

    def __add__(self, other: Expr) -> Expr:
        return BinOp("+", self, other)

    def __sub__(self, other: Expr) -> Expr:
        return BinOp("-", self, other)

    def __floordiv__(self, k: int) -> Expr:
        return BinOp("//", self, Lit(k))

    def __mod__(self, k: int) -> Expr:
        return BinOp("%", self, Lit(k))

    def __abs__(self) -> Expr:
        return Unary("abs", self)

    def cmp(self, op: str, other: Expr | Any) -> Expr:
        """``self op other`` for op in ``== != < <= > >=`` (null when either is null)."""
        return BinOp(op, self, other if isinstance(other, Expr) else Lit(other))

    def eq(self, other: Expr | Any) -> Expr:
        return self.cmp("==", other)

    def ne(self, other: Expr | Any) -> Expr:
        return self.cmp("!=", other)

    def lt(self, other: Expr | Any) -> Expr:
        return self.cmp("<", other)

    def gt(self, other: Expr | Any) -> Expr:
        return self.cmp(">", other)

    def le(self, other: Expr | Any) -> Expr:
        return self.cmp("<=", other)

    def ge(self, other: Expr | Any) -> Expr:
        return self.cmp(">=", other)

    def is_null(self) -> Expr:
        return IsNull(self)

    def fill_null(self, value: Any) -> Expr:
        return FillNull(self, value if isinstance(value, Expr) else Lit(value))


def _flat(e: Expr, op: str) -> tuple[Expr, ...]:
    return e.args if isinstance(e, Logic) and e.op == op else (e,)


@attrs.frozen(cache_hash=True)
class Col(Expr):
    """A prepared column of the left (``side="l"``) or right (``"r"``) record."""

    KIND: ClassVar[str] = "col"
    side: str
    name: str

    def to_polars(self) -> pl.Expr:
        return pl.col(f"{self.side}_{self.name}")

    def may_be_null(self, g: PyGen) -> bool:
        return True

    def python_code(self, g: PyGen, truthy: bool) -> str:
        return f"{self.side}.get({self.name!r})"


def L(name: str) -> Col:  # noqa: N802 -- reads as "the left record's"
    """Column ``name`` of the left record."""
    return Col("l", name)


def R(name: str) -> Col:  # noqa: N802
    """Column ``name`` of the right record."""
    return Col("r", name)


@attrs.frozen(cache_hash=True)
class Lit(Expr):
    """A literal (None, bool, int, float, str or a date)."""

    KIND: ClassVar[str] = "lit"
    value: Any
    #: Part of equality: ``Lit(1)``, ``Lit(1.0)`` and ``Lit(True)`` are different nodes.
    type_: type = attrs.field(
        init=False, default=attrs.Factory(lambda self: type(self.value), takes_self=True)
    )

    def to_polars(self) -> pl.Expr:
        return pl.lit(self.value)

    def may_be_null(self, g: PyGen) -> bool:
        return self.value is None

    def python_code(self, g: PyGen, truthy: bool) -> str:
        return g.lit(self.value)


@attrs.frozen(cache_hash=True)
class Strict(Expr):
    """A node that is null when any operand is null, else a plain Python operation."""

    KIND: ClassVar[str] = "strict"

    def python_code(self, g: PyGen, truthy: bool) -> str:
        return g.strict([self], truthy, lambda raws: raws[0], "None")


_BIN: Final[dict[str, tuple[Callable[[Any, Any], Any], str]]] = {
    **{op: (fn, f"({{}} {op} {{}})") for op, fn in [
        ("==", operator.eq), ("!=", operator.ne), ("<", operator.lt), ("<=", operator.le),
        (">", operator.gt), (">=", operator.ge), ("+", operator.add), ("-", operator.sub),
        ("//", operator.floordiv), ("%", operator.mod)]},
    "days": (lambda a, b: (a - b).dt.total_days(), "({}.toordinal() - {}.toordinal())"),
}  # fmt: skip


@attrs.frozen(cache_hash=True)
class BinOp(Strict):
    """``a op b``: a comparison (``== != < <= > >=``), integer ``+ -``, ``// k`` and ``% k``
    (``k`` a non-zero literal; floored, as Python), or ``days`` (whole days from date b to a)."""

    op: str
    a: Expr
    b: Expr

    def __attrs_post_init__(self) -> None:
        if self.op in ("//", "%") and not (isinstance(self.b, Lit) and self.b.value):
            raise ValueError("// and % take a non-zero literal divisor")

    def to_polars(self) -> pl.Expr:
        out: pl.Expr = _BIN[self.op][0](self.a.to_polars(), self.b.to_polars())
        return out

    def plain_operation(self, r: Callable[[Any], str]) -> str:
        return _BIN[self.op][1].format(r(self.a), r(self.b))


def days_between(a: Expr, b: Expr) -> Expr:
    """Whole days from date ``b`` to date ``a``."""
    return BinOp("days", a, b)


_UNARY: Final[dict[str, tuple[Callable[[pl.Expr], pl.Expr], str]]] = {
    "abs": (lambda a: a.abs(), "abs({})"),
    "str_len": (lambda a: a.str.len_chars().cast(pl.Int64), "len({})"),
    "list_len": (lambda a: a.list.len().cast(pl.Int64), "len({})"),
}


@attrs.frozen(cache_hash=True)
class Unary(Strict):
    """``abs``, a string's length in characters, or a list's length (Int64)."""

    op: str
    a: Expr

    def to_polars(self) -> pl.Expr:
        return _UNARY[self.op][0](self.a.to_polars())

    def plain_operation(self, r: Callable[[Any], str]) -> str:
        return _UNARY[self.op][1].format(r(self.a))


def str_len(a: Expr) -> Expr:
    return Unary("str_len", a)


def list_len(a: Expr) -> Expr:
    return Unary("list_len", a)


@attrs.frozen(cache_hash=True)
class StrSlice(Strict):
    """``length`` characters of a string from ``start`` (``str.slice``)."""

    a: Expr
    start: int
    length: int

    def to_polars(self) -> pl.Expr:
        return self.a.to_polars().str.slice(self.start, self.length)

    def plain_operation(self, r: Callable[[Any], str]) -> str:
        return f"{r(self.a)}[{self.start}:{self.start + self.length}]"


@attrs.frozen(cache_hash=True)
class Logic(Expr):
    """``and`` / ``or`` of the args, three-valued."""

    op: str
    args: tuple[Expr, ...]

    def to_polars(self) -> pl.Expr:
        fn = operator.and_ if self.op == "and" else operator.or_
        return functools.reduce(fn, [a.to_polars() for a in self.args])

    def python_code(self, g: PyGen, truthy: bool) -> str:
        return g.kleene(self.args, truthy, self.op)

    def null_tested(self) -> list[Expr]:
        return [x for a in self.args for x in a.null_tested()] if self.op == "or" else []


@attrs.frozen(cache_hash=True)
class Not(Expr):
    a: Expr

    def to_polars(self) -> pl.Expr:
        return ~self.a.to_polars()

    def python_code(self, g: PyGen, truthy: bool) -> str:
        if not g.nullable(self.a):
            return f"(not {g.t(self.a)})"
        if truthy:
            return f"({g.v(self.a)} is False)"
        x, first = g.operand(self.a)
        return f"(None if {first} is None else not {x})"


@attrs.frozen(cache_hash=True)
class IsNull(Expr):
    a: Expr

    def to_polars(self) -> pl.Expr:
        return self.a.to_polars().is_null()

    def may_be_null(self, g: PyGen) -> bool:
        return False

    def python_code(self, g: PyGen, truthy: bool) -> str:
        return f"({g.v(self.a)} is None)" if g.nullable(self.a) else "False"

    def null_tested(self) -> list[Expr]:
        return [self.a]


@attrs.frozen(cache_hash=True)
class FillNull(Expr):
    COST: ClassVar[int] = 2
    a: Expr
    value: Expr

    def to_polars(self) -> pl.Expr:
        return self.a.to_polars().fill_null(self.value.to_polars())

    def may_be_null(self, g: PyGen) -> bool:
        return g.nullable(self.a) and g.nullable(self.value)

    def python_code(self, g: PyGen, truthy: bool) -> str:
        if not g.nullable(self.a) or (truthy and self.value == Lit(False)):
            return g.t(self.a) if truthy else g.v(self.a)
        x, first = g.operand(self.a)
        return f"({g.v(self.value)} if {first} is None else {x})"


def any_null(*exprs: Expr) -> Expr:
    """True where any of ``exprs`` is null."""
    return functools.reduce(operator.or_, [IsNull(e) for e in exprs])


def nodes(e: Expr) -> Iterator[Expr]:
    """Every node of ``e`` (each occurrence), operands before the node."""
    return walk(e)  # type: ignore[return-value]


@functools.cache
def _function(e: Expr) -> Callable[[Rec, Rec, str | None], Any]:
    return compile_value(e)

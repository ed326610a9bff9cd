"""The Python reading of level expressions: compiled to Python source, once per expression.

:mod:`cpflag.linkage._expr` nodes write their own snippets (``python_code``; a *strict*
node, null whenever an operand is, writes the plain operation, ``plain_operation``); this
module assembles them into one function, keeping polars' null semantics:

* in *value* context a snippet gives the exact value (None for null; ``&``/``|``
  are Kleene's); in *truth* context (a condition of the level chain) only
  whether the value is true counts, so Python's ``and``/``or`` do;
* a strict subtree tests its inputs for None once, then computes plainly;
* columns are read into locals before the condition that first needs them, and
  a costly subexpression used more than once is computed once, on first use;
* after ``if a is None or b is None: return -1`` the compiler knows ``a`` and
  ``b`` are not None and drops later tests.

This is how ``attrs`` writes its methods: the source only holds column names
and literals (``repr``) from the declaration; other constants go by name.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, ClassVar, Final, Protocol

from rapidfuzz.distance import JaroWinkler

__all__ = ["LevelFn", "Node", "PyGen", "Rec", "compile_chain", "compile_value", "walk"]

Rec = Mapping[str, Any]
LevelFn = Callable[[Rec, Rec, "str | None"], int]


class Node(Protocol):
    """What the compiler asks of a node."""

    #: ``col``, ``lit``, ``ref``, ``strict`` (null when an operand is) or ``other``.
    KIND: ClassVar[str]
    #: Rough cost of the node's own step (a shared subtree costing 4 or more is
    #: computed once, on first use).
    COST: ClassVar[int]

    def __hash__(self) -> int: ...

    def children(self) -> Iterator[Node]: ...

    def null_tested(self) -> Sequence[Node]: ...

    def may_be_null(self, g: PyGen) -> bool: ...

    def python_code(self, g: PyGen, truthy: bool) -> str: ...

    def plain_operation(self, r: Callable[[Node], str]) -> str: ...


def walk(e: Node) -> Iterator[Node]:
    """Every node of ``e`` (each occurrence), operands before the node."""
    for c in e.children():
        yield from walk(c)
    yield e


#: A shared subexpression not computed yet.
_UNSET: Final = object()


def cost(e: Node) -> int:
    """Rough cost of computing ``e`` (columns and literals are free)."""
    return 0 if e.KIND in ("col", "lit") else e.COST + sum(cost(c) for c in e.children())


def shared(roots: Sequence[Node]) -> set[Node]:
    """Costly subexpressions that would be computed more than once: largest first."""
    counts = Counter(n for r in roots for n in walk(r))
    out = set()
    for n in sorted(counts, key=lambda n: -sum(1 for _ in walk(n))):
        if counts[n] > 1 and cost(n) >= 4:
            out.add(n)
            # Its operands are now computed once, inside it.
            inner = Counter(walk(n))
            inner[n] -= 1
            for d, k in inner.items():
                counts[d] -= (counts[n] - 1) * k
    # Not worth it where the costly part is itself shared (``~x``, x shared).
    return {n for n in out if _own_cost(n, out) >= 4}


def _own_cost(e: Node, shared: set[Node]) -> int:
    kids = (c for c in e.children() if c not in shared)
    return 0 if e.KIND in ("col", "lit") else e.COST + sum(_own_cost(c, shared) for c in kids)


class PyGen:
    """Python source being written: named values, and the names that may hold None."""

    def __init__(self) -> None:
        self.names: dict[Node, str] = {}
        #: Shared subexpressions computed on first use: name, and its code.
        self.lazy: dict[Node, tuple[str, str]] = {}
        self.maybe_none: set[str] = set()
        self.consts: dict[str, Any] = {"_jw": JaroWinkler.normalized_similarity, "_U": _UNSET}
        self.lines: list[str] = []
        self.n = 0

    def tmp(self) -> str:
        self.n += 1
        return f"_t{self.n}"

    def lit(self, v: Any) -> str:
        """A literal's source: its ``repr``, or a constant's name."""
        if v is None or type(v) in (bool, int, str) or (type(v) is float and math.isfinite(v)):
            return repr(v)
        name = f"_k{len(self.consts)}"
        self.consts[name] = v
        return name

    def nullable(self, e: Node) -> bool:
        name = self.names.get(e) or (self.lazy[e][0] if e in self.lazy else None)
        return name in self.maybe_none if name is not None else e.may_be_null(self)

    def _named(self, e: Node) -> str | None:
        if e in self.lazy:
            name, code = self.lazy[e]
            return f"({name} if {name} is not _U else ({name} := {code}))"
        return self.names.get(e)

    def v(self, e: Node) -> str:
        """``e``'s value (None for null)."""
        return self._named(e) or e.python_code(self, False)

    def t(self, e: Node) -> str:
        """Something true exactly where ``e`` is true."""
        return self._named(e) or e.python_code(self, True)

    def share(self, e: Node) -> None:
        """Compute ``e`` once, where first needed (a condition may short-circuit past it)."""
        if e in self.lazy:
            return
        code, nullable, name = self.v(e), self.nullable(e), self.tmp()
        self.lines.append(f"    {name} = _U")
        self.lazy[e] = (name, code)
        if nullable:
            self.maybe_none.add(name)

    def bind(self, e: Node) -> None:
        """Compute ``e`` into a local."""
        if e in self.names:
            return
        code, nullable, name = self.v(e), self.nullable(e), self.tmp()
        self.lines.append(f"    {name} = {code}")
        self.names[e] = name
        if nullable:
            self.maybe_none.add(name)

    def operand(self, e: Node) -> tuple[str, str]:
        """``(later use, first use)``: a name or literal, or a walrus assignment to a new name."""
        name = self.names.get(e) or (e.python_code(self, False) if e.KIND == "lit" else None)
        if name is not None:
            return name, name
        t = self.tmp()
        return t, f"({t} := {self.v(e)})"

    def _leaves(self, e: Node, out: list[Node]) -> None:
        if e in self.names or e.KIND != "strict":
            out.append(e)
        else:
            for c in e.children():
                self._leaves(c, out)

    def null_leaves(self, e: Node) -> frozenset[Node]:
        """The inputs of ``e``'s strict subtree that may be None."""
        out: list[Node] = []
        self._leaves(e, out)
        return frozenset(x for x in out if self.nullable(x))

    def strict(
        self, top: Sequence[Node], truthy: bool, combine: Callable[[list[str]], str], null: str
    ) -> str:
        """Strict subtrees: ``null`` if an input is None, else ``combine`` of their plain forms."""
        found: list[Node] = []
        for e in top:
            self._leaves(e, found)
        counts = Counter(found)
        checks, sub = [], {}
        for leaf in dict.fromkeys(found):
            if leaf in self.names or leaf.KIND == "lit":
                sub[leaf], _ = self.operand(leaf)
                if self.nullable(leaf):
                    checks.append(sub[leaf])
            elif self.nullable(leaf) or counts[leaf] > 1:
                sub[leaf], first = self.operand(leaf)
                checks.append(first)
            else:
                sub[leaf] = self.v(leaf)

        def r(x: Node) -> str:
            return sub[x] if x in sub else x.plain_operation(r)

        raw = combine([r(e) for e in top])
        if not checks:
            return raw
        if truthy:
            return "(" + " and ".join(f"{c} is not None" for c in checks) + f" and {raw})"
        return f"({null} if " + " or ".join(f"{c} is None" for c in checks) + f" else {raw})"

    def kleene(self, args: Sequence[Node], truthy: bool, op: str) -> str:
        """``and``/``or``: Python's where only truth counts or nothing is null, else Kleene's."""
        if truthy or not any(self.nullable(a) for a in args):
            return "(" + f" {op} ".join(self.t(a) if truthy else self.v(a) for a in args) + ")"
        wins, loses = ("False", "True") if op == "and" else ("True", "False")
        acc = self.v(args[0])
        for a in args[1:]:
            x, y = self.tmp(), self.tmp()
            acc = (
                f"({wins} if ({x} := {acc}) is {wins} else ({wins} if ({y} := {self.v(a)}) is "
                f"{wins} else (None if {x} is None or {y} is None else {loses})))"
            )
        return acc

    def prepare(self, e: Node, shared: set[Node]) -> None:
        """Read ``e``'s columns into locals; mark its shared subexpressions."""
        for n in walk(e):
            if n.KIND == "col":
                self.bind(n)
            elif n in shared:
                self.share(n)

    def function(self) -> LevelFn:
        source = "def _f(l, r, c=None):\n" + "\n".join(self.lines)
        namespace = dict(self.consts)
        exec(compile(source, "<cpflag declared levels>", "exec"), namespace)
        fn: LevelFn = namespace["_f"]
        return fn


def compile_chain(branches: Sequence[tuple[Node, int]], otherwise: int) -> LevelFn:
    """A level chain's Python reading: the first true condition's level, else ``otherwise``.

    Args:
        branches: ``(condition, level)`` in order (a null condition counts as false).
        otherwise: The level when no condition holds.

    Returns:
        ``fn(left, right, column) -> level``.
    """
    g = PyGen()
    share = shared([cond for cond, _ in branches])
    for cond, level in branches:
        g.prepare(cond, share)
        g.lines.append(f"    if {g.t(cond)}:\n        return {level}")
        # Past ``if a is None or ...: return``, ``a`` is not None.
        for tested in cond.null_tested():
            if tested in g.names:
                g.maybe_none.discard(g.names[tested])
    g.lines.append(f"    return {otherwise}")
    return g.function()


def compile_value(e: Node) -> Callable[[Rec, Rec, str | None], Any]:
    """``fn(left, right, column) -> value`` of one expression."""
    g = PyGen()
    g.prepare(e, set())
    g.lines.append(f"    return {g.v(e)}")
    return g.function()

"""Small-number suppression with complementary (secondary) suppression, for any set of published counts
that add up to other published counts: a breakdown and its total, a table with row, column and grand
totals, a timeline and its total, a cross-tab whose group sizes are another question's counts.

The rule: nobody who may not see small groups can learn a count below the threshold, from one figure
or by adding and subtracting figures. So, given every count and every "this total is the sum of
these parts" relation a reader knows:

1. each published count under the threshold (0 included) is hidden ("fewer than t": primary);
2. while some hidden count, or any count under the threshold (never published ones too), can be pinned to one value by
   linear algebra over the relations with what is known (shown values; hidden ones are below t or
   at least t, as their label says; no count is negative), one more published count is hidden
   (secondary): the cheapest that un-pins it, preferring inner cells to totals and small to large.

"Pinned" is checked exactly, with a linear programme per count (its least and greatest value given
everything published), so sums, differences, their combinations and zero cells ("Yes 12 (100%)"
means every other answer is 0) are all covered. Surveys today; boards, user tests and themes by
cohort reuse `protect` and `protect_table`.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linprog

PRIMARY = "small"
SECONDARY = "complementary"


@dataclass(frozen=True)
class Relation:
    """A published (or derivable) total that is the sum of its parts."""

    total: Hashable
    parts: tuple[Hashable, ...]


def relation(total: Hashable, parts: Iterable[Hashable]) -> Relation:
    return Relation(total, tuple(parts))


class _Ledger:
    """The counts, the relations between them, and which relations each count is in."""

    def __init__(self, values: Mapping[Hashable, int], relations: Sequence[Relation], threshold: int, published: Sequence[Hashable]):
        self.values, self.relations, self.threshold, self.published = values, relations, threshold, published
        self.published_set = set(published)
        self.lines: dict[Hashable, list[Relation]] = {}
        for rel in relations:
            for k in dict.fromkeys((rel.total, *rel.parts)):
                self.lines.setdefault(k, []).append(rel)

    def unknown(self, k, hidden) -> bool:
        return k in hidden or k not in self.published_set

    def direct(self, cell, hidden) -> list[Relation]:
        """Lines that give `cell` away on their own: it is their only unknown, or their unknowns add up to 0."""
        out = []
        for rel in self.lines.get(cell, ()):
            members = (rel.total, *rel.parts)
            unknowns = [k for k in members if self.unknown(k, hidden)]
            if len(set(unknowns)) == 1 or (rel.total not in unknowns and sum(self.values[k] for k in unknowns) == 0):
                out.append(rel)
        return out

    def component(self, cell, hidden) -> list:
        """The unknown counts linked to `cell` through relations (known counts do not link)."""
        seen, todo = {cell}, [cell]
        while todo:
            for rel in self.lines.get(todo.pop(), ()):
                for k in (rel.total, *rel.parts):
                    if k not in seen and self.unknown(k, hidden):
                        seen.add(k)
                        todo.append(k)
        return sorted(seen, key=repr)

    def value_range(self, cell, hidden: Mapping[Hashable, str], *, stop_above: float = math.inf) -> tuple[float, float]:
        """The least and greatest value a reader can give `cell` from what is shown (LP relaxation);
        when the greatest is above `stop_above`, the least is not worked out (returned as -inf)."""
        if not self.unknown(cell, hidden):
            return self.values[cell], self.values[cell]
        unknown = self.component(cell, hidden)
        index = {k: i for i, k in enumerate(unknown)}
        rows, rhs = [], []
        for rel in dict.fromkeys(rel for k in unknown for rel in self.lines.get(k, ())):
            row = np.zeros(len(index))
            constant = 0.0
            for k, sign in [(rel.total, 1.0)] + [(p, -1.0) for p in rel.parts]:
                if k in index:
                    row[index[k]] += sign
                else:
                    constant += sign * self.values[k]
            rows.append(row)
            rhs.append(-constant)
        t = self.threshold
        bounds = [(0, t - 1) if hidden.get(k) == PRIMARY else (t, None) if hidden.get(k) == SECONDARY else (0, None) for k in unknown]
        objective = np.zeros(len(index))
        objective[index[cell]] = 1.0
        a_eq, b_eq = (np.array(rows), np.array(rhs)) if rows else (None, None)
        high = linprog(-objective, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
        if high.status not in (0, 3):
            # Cannot happen with true counts (they satisfy every relation); treat as pinned to stay safe.
            return self.values[cell], self.values[cell]
        greatest = math.inf if high.status == 3 else -high.fun
        if greatest > stop_above:
            return -math.inf, greatest
        low = linprog(objective, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
        if low.status != 0:
            return self.values[cell], self.values[cell]
        return low.fun, greatest

    def exposed(self, cell, hidden) -> bool:
        # The true count is always possible, so it can move up (one programme) or it is pinned from above.
        return bool(self.direct(cell, hidden)) or pinned(*self.value_range(cell, hidden, stop_above=self.values[cell] + 0.5))

    def lone_lines(self, hidden) -> int:
        return sum(1 for rel in self.relations if len({k for k in (rel.total, *rel.parts) if self.unknown(k, hidden)}) == 1)


def pinned(low: float, high: float) -> bool:
    """Only one whole number fits between the bounds."""
    return math.isfinite(high) and math.isfinite(low) and math.floor(high + 1e-6) <= math.ceil(low - 1e-6)


def protect(values: Mapping[Hashable, int], relations: Sequence[Relation], *, threshold: int,
            published: Sequence[Hashable], locked: Iterable[Hashable] = (),
            totals: Iterable[Hashable] = (), hidden: Mapping[Hashable, str] | None = None) -> dict[Hashable, str]:
    """Which published counts to hide, and why (PRIMARY or SECONDARY).

    `values` holds every count, published or not (a derivable count such as "asked but skipped" is a
    cell a reader can work towards, so it is protected too). `locked` counts are never hidden
    secondarily (e.g. a survey's response count, shown on other pages); `totals` are hidden only
    when no inner cell would do. `hidden` is what an earlier call hid (figures added since are
    protected without changing it, when everything shown then is `locked` now).
    """
    published = list(dict.fromkeys(published))
    ledger = _Ledger(values, relations, threshold, published)
    locked, totals = set(locked), set(totals)
    hidden = {**{k: PRIMARY for k in published if values[k] < threshold}, **(hidden or {})}
    sensitive = [k for k in values if values[k] < threshold]
    order = {k: i for i, k in enumerate(published)}
    safe: set[Hashable] = set()
    while True:
        # Counts under the threshold, and every hidden count (a hidden 12 that can be worked out is
        # a hint, and usually the way to the small count next to it).
        guarded = [k for k in dict.fromkeys([*sensitive, *hidden]) if k not in safe]
        # First a count that one line gives away (cheap to see, and mending it closes loops of
        # hidden cells), then one that only a combination of lines pins (a linear programme).
        at_risk = next((k for k in guarded if ledger.direct(k, hidden)), None)
        if at_risk is None:
            for k in guarded:
                if ledger.exposed(k, hidden):
                    at_risk = k
                    break
                safe.add(k)  # a count once un-pinned stays so: hiding more only widens its range
        if at_risk is None:
            return hidden
        choice = _next_to_hide(ledger, at_risk, hidden, locked, totals, order)
        if choice is None:
            safe.add(at_risk)  # nothing left that may be hidden for it (callers' attacker tests catch this)
            continue
        hidden[choice] = SECONDARY


def _next_to_hide(ledger: _Ledger, cell, hidden, locked, totals, order):
    """A shown count whose hiding protects `cell`: from a line that gives it away if there is one,
    else from its lines, else from anything linked to it; one that leaves fewest lines with a lone
    unknown (closing a loop of hidden cells), an inner cell before a total, small before large."""
    # A count tied by one line to locked counts alone would be hidden for nothing: it stays shown.
    fixed = {k for rel in ledger.relations for k in (rel.total, *rel.parts)
             if all(m in locked for m in (rel.total, *rel.parts) if m != k)}
    shown = {k for k in ledger.published if k not in hidden and k not in locked and k not in fixed}
    lines = ledger.direct(cell, hidden) or ledger.lines.get(cell, [])
    candidates = {k for rel in lines for k in (rel.total, *rel.parts) if k in shown}
    if not candidates:
        reach = set(ledger.component(cell, hidden))
        candidates = {k for k in shown for rel in ledger.lines.get(k, ()) if reach & {rel.total, *rel.parts}}
    if not candidates:
        return None
    values = ledger.values

    def cost(k):
        return (ledger.lone_lines({**hidden, k: SECONDARY}), k in totals, values[k], order[k])

    ranked = sorted(candidates, key=cost)
    if not ledger.direct(cell, hidden):
        # Given away only by a combination of lines: prefer a count that breaks it on its own.
        return next((k for k in ranked[:8] if not ledger.exposed(cell, {**hidden, k: SECONDARY})), ranked[0])
    return ranked[0]


@dataclass(frozen=True)
class TableSuppression:
    """Which cells of a rows × columns table with margins to hide (True = hidden)."""

    cells: list[list[bool]]
    row_totals: list[bool]
    column_totals: list[bool]
    grand_total: bool
    reasons: dict[Hashable, str]


def protect_table(cells: Sequence[Sequence[int]], *, threshold: int, lock_grand_total: bool = False) -> TableSuppression:
    """A table whose row totals, column totals and grand total are all shown: hide enough that no
    hidden cell (0 included) can be recovered, and no line is left with a lone hidden cell."""
    n_rows, n_cols = len(cells), len(cells[0]) if cells else 0
    values: dict[Hashable, int] = {("cell", i, j): cells[i][j] for i in range(n_rows) for j in range(n_cols)}
    values |= {("row", i): sum(cells[i]) for i in range(n_rows)}
    values |= {("column", j): sum(cells[i][j] for i in range(n_rows)) for j in range(n_cols)}
    values["grand"] = sum(values[("row", i)] for i in range(n_rows))
    relations = [relation(("row", i), [("cell", i, j) for j in range(n_cols)]) for i in range(n_rows)]
    relations += [relation(("column", j), [("cell", i, j) for i in range(n_rows)]) for j in range(n_cols)]
    relations += [relation("grand", [("row", i) for i in range(n_rows)]), relation("grand", [("column", j) for j in range(n_cols)])]
    margins = [k for k in values if k[0] != "cell"]
    hidden = protect(values, relations, threshold=threshold, published=list(values), totals=margins,
                     locked=["grand"] if lock_grand_total else ())
    return TableSuppression(
        [[("cell", i, j) in hidden for j in range(n_cols)] for i in range(n_rows)],
        [("row", i) in hidden for i in range(n_rows)], [("column", j) in hidden for j in range(n_cols)],
        "grand" in hidden, hidden,
    )

"""Complementary suppression of tables with margins (surveys.participation.suppression), checked by the attacker."""

import itertools
import math
import random

import pytest

from surveys.participation.suppression import PRIMARY, SECONDARY, pinned, protect, protect_table, relation
from tests.suppression_attacker import hidden_recovered


def table_attack(cells, result, threshold):
    """Publish the table as a page would, then let the attacker add and subtract along every line."""
    n_rows, n_cols = len(cells), len(cells[0])

    def shown(hidden, value):
        return ("hidden" if result.reasons.get(hidden) == SECONDARY else f"<{threshold}") if hidden in result.reasons else value

    figures = {f"c{i},{j}": shown(("cell", i, j), cells[i][j]) for i in range(n_rows) for j in range(n_cols)}
    figures |= {f"r{i}": shown(("row", i), sum(cells[i])) for i in range(n_rows)}
    figures |= {f"k{j}": shown(("column", j), sum(row[j] for row in cells)) for j in range(n_cols)}
    figures["g"] = shown("grand", sum(map(sum, cells)))
    lines = [(f"r{i}", [f"c{i},{j}" for j in range(n_cols)]) for i in range(n_rows)]
    lines += [(f"k{j}", [f"c{i},{j}" for i in range(n_rows)]) for j in range(n_cols)]
    lines += [("g", [f"r{i}" for i in range(n_rows)]), ("g", [f"k{j}" for j in range(n_cols)])]
    return hidden_recovered(figures, lines, threshold=threshold)


def test_one_small_cell_takes_the_cheapest_rectangle_with_it():
    cells = [[20, 30, 3, 40], [25, 12, 30, 8], [7, 50, 60, 35]]
    result = protect_table(cells, threshold=5, lock_grand_total=True)
    hidden = {(i, j) for i, j in itertools.product(range(3), range(4)) if result.cells[i][j]}
    assert hidden == {(0, 2), (0, 0), (1, 2), (1, 0)}
    assert not any(result.row_totals) and not any(result.column_totals) and not result.grand_total
    assert result.reasons[("cell", 0, 2)] == PRIMARY and result.reasons[("cell", 0, 0)] == SECONDARY
    assert table_attack(cells, result, 5) == {}


def test_no_line_is_left_with_a_lone_hidden_cell():
    cells = [[20, 30, 3, 40], [25, 12, 30, 8], [7, 50, 60, 35]]
    result = protect_table(cells, threshold=5)
    for line in [*result.cells, *zip(*result.cells, strict=True)]:
        assert sum(line) != 1


def test_zero_cells_are_protected_too():
    # "Yes 12 (100%)": with No and Not sure both 0, their sum would be 0, so Yes goes as well.
    hidden = protect({"answered": 12, "yes": 12, "no": 0, "not_sure": 0}, [relation("answered", ["yes", "no", "not_sure"])],
                     threshold=5, published=["answered", "yes", "no", "not_sure"], locked=["answered"])
    assert hidden == {"no": PRIMARY, "not_sure": PRIMARY, "yes": SECONDARY}


def test_an_unpublished_small_count_is_protected():
    # Asked 26, answered 18, declined 6: the 2 who skipped would be 26 - 18 - 6.
    values = {"asked": 26, "answered": 18, "declined": 6, "skipped": 2, "a": 9, "b": 9}
    relations = [relation("asked", ["answered", "declined", "skipped"]), relation("answered", ["a", "b"])]
    published = ["asked", "answered", "declined", "a", "b"]
    hidden = protect(values, relations, threshold=5, published=published, locked=["asked"])
    assert hidden
    figures = {k: ("hidden" if k in hidden else values[k]) for k in published} | {"skipped": None}
    assert hidden_recovered(figures, [("asked", ["answered", "declined", "skipped"]), ("answered", ["a", "b"])], threshold=5) == {}


@pytest.mark.parametrize("seed", range(12))
def test_random_tables_with_small_cells_resist_the_attacker(seed):
    rng = random.Random(seed)
    cells = [[rng.choice([0, 1, 2, 3, 6, 9, 14, 30]) for _ in range(rng.randint(2, 4))]]
    cells += [[rng.choice([0, 1, 2, 3, 6, 9, 14, 30]) for _ in cells[0]] for _ in range(rng.randint(1, 3))]
    result = protect_table(cells, threshold=5)
    assert table_attack(cells, result, 5) == {}


def test_a_count_with_no_upper_bound_is_not_pinned():
    # A hidden count known only to be "at least 5" (its total never shown) is not worked out.
    assert not pinned(5, math.inf) and pinned(3, 3.0000001) and not pinned(2, 3)

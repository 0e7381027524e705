"""People reshaping themes: split a theme in two (automatically, or by moving ticked answers to a
new theme), move answers between themes, and keep both across re-runs.

A theme's answers are its members and those of themes merged into it. Splits and moves re-describe
the themes whose answers changed with `analysis.theme_edits` (keywords and redacted quotes from the
answers they now hold, never from held ones), in a thread, inside one transaction with the audit
row, so a refused or failed edit leaves everything as it was.
"""

from __future__ import annotations

import asyncio

from analysis.redact import redact
from app.audit.services import Actor
from app.database import write_transaction
from app.insights.services import MAX_LABEL, EditRefused, _audit, source_of, theme
from app.insights.sources import SourceItem
from app.insights.tables import Theme, ThemeMember

OTHER = "other"
"""The destination that sends answers to the run's "Other answers" group (made if the run has none)."""
SPLIT_KINDS = {"theme": "theme", "other": "theme"}
"""A part split off a topical theme or "other" is a topic; one split off a fixed group stays that kind."""


def quote_of(text: str) -> str:
    """An answer as a quote: redacted and trimmed the way the model's quotes are."""
    return redact(text).strip()[:300]


async def _items(run: dict) -> dict[int, SourceItem]:
    """The run's answers as they are now: held and erased ones are not among them."""
    return {i.id: i for i in await source_of(run).items()}


async def _members(run_id: int) -> list[dict]:
    return await ThemeMember.select(ThemeMember.id, ThemeMember.theme, ThemeMember.item_id, ThemeMember.placed_by_hand).where(
        ThemeMember.run == run_id)


def _holds(row: dict, rows: dict[int, dict]) -> set[int]:
    """The theme rows whose answers show under `row`: itself and those merged into it."""
    return {row["id"], *(r["id"] for r in rows.values() if r["merged_into"] == row["id"])}


async def theme_answers(theme_id: int) -> tuple[dict, dict, list[dict]]:
    """A shown theme, its run and its answers ({"item", "quote"}), redacted, in the order they came."""
    row = await theme(theme_id)
    run = (await source_run(row))
    rows = {r["id"]: r for r in await Theme.select().output(load_json=True).where(Theme.run == row["run"])}
    items = await _items(run)
    holds = _holds(row, rows)
    answers = sorted(m["item_id"] for m in await _members(row["run"]) if m["theme"] in holds and m["item_id"] in items)
    return row, run, [{"item": i, "quote": quote_of(items[i].text)} for i in answers]


async def source_run(row: dict) -> dict:
    from app.insights.services import get_run

    return await get_run(row["run"])


# --- describing themes whose answers changed ---------------------------------------------------


async def _describe(run: dict, rows: list[dict], answers: dict[int, list[int]], items: dict[int, SourceItem], *,
                    relabel: set[int] = frozenset(), taken_labels: set[str] = frozenset(),
                    quote_choices: list[dict] = ()) -> dict[int, dict[str, object]]:
    """New keywords and quotes (and, for `relabel`, found labels) for each row from the answers it
    now holds. Pinned quotes follow their answers: a quote pinned in any of `quote_choices` (and
    the rows themselves) is pinned where its answer now is, shown first; hidden quotes stay hidden."""
    from analysis.theme_edits import describe_parts

    parameters = run["parameters"]
    texts = [[items[i].text for i in answers.get(r["id"], []) if i in items] for r in rows]
    kinds = [r["kind"] for r in rows]
    described = await asyncio.to_thread(
        describe_parts, texts, taken_labels=set(taken_labels), kinds=kinds,
        representation=parameters.get("representation", "wordllama"), random_state=parameters.get("random_state", 0))
    choices = [*rows, *quote_choices]
    pinned = list(dict.fromkeys(q for r in choices for q in r["pinned_quotes"]))
    hidden = list(dict.fromkeys(q for r in choices for q in r["hidden_quotes"]))
    values = {}
    for row, part, part_texts in zip(rows, described, texts, strict=True):
        own = {quote_of(t) for t in part_texts}
        kept_pins = [q for q in pinned if q in own]
        update = {"keywords": part.keywords, "quotes": [*kept_pins, *(q for q in part.quotes if q not in kept_pins)],
                  "pinned_quotes": kept_pins, "hidden_quotes": hidden}
        if row["id"] in relabel and part.label:
            update["found_label"] = part.label[:200]
            if not row["renamed"]:
                update["label"] = part.label[:200]
        values[row["id"]] = update
    return values


async def _update(theme_id: int, values: dict) -> None:
    await Theme.update({getattr(Theme, name): value for name, value in values.items()}).where(Theme.id == theme_id)


async def _insert_after(row: dict, model_id: str, **values) -> int:
    """A new theme just after `row` in its run's order, with a model id no other theme there has."""
    await Theme.update({Theme.position: Theme.position + 1}).where((Theme.run == row["run"]) & (Theme.position > row["position"]))
    taken = {r["model_id"] for r in await Theme.select(Theme.model_id).where(Theme.run == row["run"])}
    unique, suffix = model_id[:40], 1
    while unique in taken:
        suffix += 1
        unique = f"{model_id[:36]}/{suffix}"
    inserted = await Theme.insert(Theme(run=row["run"], model_id=unique, position=row["position"] + 1, **values))
    return inserted[0]["id"]


async def _insert_part(row: dict, *, label: str, found_label: str, renamed: bool, split_from: int | None) -> int:
    return await _insert_after(row, f"{row['model_id']}/split"[:36], kind=SPLIT_KINDS.get(row["kind"], row["kind"]),
                               found_label=found_label[:200], label=label[:200], renamed=renamed, not_useful=row["not_useful"],
                               split_from=split_from)


# --- the edits -----------------------------------------------------------------------------------


async def _editable(theme_id: int) -> tuple[dict, dict, dict[int, dict], dict[int, SourceItem], list[dict], set[int]]:
    row = await theme(theme_id)
    if row["merged_into"] is not None:
        raise EditRefused("This theme is merged into another: undo the merge first, or change the theme it is merged into.")
    run = await source_run(row)
    rows = {r["id"]: r for r in await Theme.select().output(load_json=True).where(Theme.run == row["run"])}
    items = await _items(run)
    holds = _holds(row, rows)
    members = [m for m in await _members(row["run"]) if m["theme"] in holds and m["item_id"] in items]
    return row, run, rows, items, members, holds


def _ticked(members: list[dict], item_ids: list[int]) -> set[int]:
    ticked = set(item_ids)
    if not ticked:
        raise EditRefused("Tick the answers to move first.")
    if not ticked <= {m["item_id"] for m in members}:
        raise EditRefused("Some ticked answers are no longer in this theme (someone changed it): look again and tick them again.")
    return ticked


def _name(name: str) -> str:
    name = " ".join(name.split())
    if len(name) > MAX_LABEL:
        raise EditRefused(f"Keep the name to {MAX_LABEL} characters or fewer (it has {len(name)}).")
    return name


async def split_automatically(theme_id: int, *, actor: Actor, ip_address: str = "") -> int:
    """Split a theme in two by re-clustering its answers (KMeans, k=2, on the representation its run
    used); both parts are labelled by the model (a name people gave stays on the larger part).
    Returns the new theme's id."""
    from analysis.theme_edits import CannotSplit, split_in_two

    row, run, rows, items, members, holds = await _editable(theme_id)
    if len(members) < 2:
        raise EditRefused("A theme with one answer cannot be split: one of the two themes would be empty.")
    answers = sorted(m["item_id"] for m in members)
    parameters = run["parameters"]
    try:
        halves = await asyncio.to_thread(split_in_two, [items[i].text for i in answers],
                                         representation=parameters.get("representation", "wordllama"),
                                         random_state=parameters.get("random_state", 0))
    except CannotSplit:
        raise EditRefused("These answers are too alike to split automatically: tick the ones to move to a new theme instead.") from None
    moving = [i for i, half in zip(answers, halves, strict=True) if half == 1]
    return await _split(row, run, rows, items, members, holds, moving, name="", automatic=True, actor=actor, ip_address=ip_address)


async def split_ticked(theme_id: int, item_ids: list[int], name: str, *, actor: Actor, ip_address: str = "") -> int:
    """Move the ticked answers of a theme to a new theme (named `name`, or by the model when blank).
    Returns the new theme's id."""
    name = _name(name)
    row, run, rows, items, members, holds = await _editable(theme_id)
    if len(members) < 2:
        raise EditRefused("A theme with one answer cannot be split: one of the two themes would be empty.")
    ticked = _ticked(members, item_ids)
    if len(ticked) == len(members):
        raise EditRefused("You ticked every answer: leave at least one in this theme, or rename it instead.")
    return await _split(row, run, rows, items, members, holds, sorted(ticked), name=name, automatic=False, actor=actor,
                        ip_address=ip_address)


async def _split(row, run, rows, items, members, holds, moving: list[int], *, name: str, automatic: bool, actor: Actor,
                 ip_address: str) -> int:
    moving_set = set(moving)
    staying = [m["item_id"] for m in members if m["item_id"] not in moving_set]
    taken = {r["label"] for r in rows.values() if r["id"] not in holds}
    placeholder = {**row, "id": 0, "kind": SPLIT_KINDS.get(row["kind"], row["kind"]), "renamed": False}
    described = await _describe(run, [row, placeholder], {row["id"]: staying, 0: moving}, items,
                                relabel={0, *([row["id"]] if automatic and row["kind"] == "theme" else [])}, taken_labels=taken,
                                quote_choices=[rows[h] for h in holds])
    new_values = described[0]
    found = new_values.get("found_label") or f"{row['label']} (part 2)"
    async with write_transaction():
        new_id = await _insert_part(row, label=name or found, found_label=found, renamed=bool(name) and name != found,
                                    split_from=row["id"])
        await _update(new_id, {k: v for k, v in new_values.items() if k not in ("found_label", "label")})
        await _update(row["id"], described[row["id"]])
        # Merged themes' quotes show under this one: drop the moved answers' quotes from them too.
        await _drop_quotes(rows, holds - {row["id"]}, {quote_of(items[i].text) for i in moving})
        await ThemeMember.update({ThemeMember.theme: new_id, ThemeMember.placed_by_hand: not automatic}).where(
            (ThemeMember.run == row["run"]) & ThemeMember.item_id.is_in(moving))
        await _audit(actor, row, "split_automatically" if automatic else "split_ticked", ip_address, into=new_id, moved=len(moving))
    return new_id


async def _drop_quotes(rows: dict[int, dict], row_ids: set[int], quotes: set[str]) -> None:
    for row_id in row_ids:
        kept = [q for q in rows[row_id]["quotes"] if q not in quotes]
        if kept != rows[row_id]["quotes"]:
            await Theme.update({Theme.quotes: kept}).where(Theme.id == row_id)


async def move_answers(theme_id: int, item_ids: list[int], to: str, *, actor: Actor, ip_address: str = "") -> int:
    """Move the ticked answers of a theme to another theme of the same run, or to "other". Returns
    the destination's id."""
    row, run, rows, items, members, holds = await _editable(theme_id)
    ticked = _ticked(members, item_ids)
    destination = None
    if to == OTHER:
        destination = next((r for r in rows.values() if r["model_id"] == "other"), None)
    elif to.isdigit():
        destination = await Theme.select().output(load_json=True).where(Theme.id == int(to)).first()
        if destination is None or destination["run"] != row["run"]:
            raise EditRefused("Choose a theme from the same set of themes.")
    else:
        raise EditRefused("Choose the theme to move the answers to.")
    if destination is not None and destination["id"] in holds:
        raise EditRefused("The answers are in that theme already: choose another theme.")
    if destination is not None and destination["merged_into"] is not None:
        raise EditRefused("That theme is merged into another: move the answers to that one instead.")
    losing = {m["theme"] for m in members if m["item_id"] in ticked}
    target = destination or {"id": 0, "run": row["run"], "kind": "other", "model_id": "other", "label": "Other answers",
                             "found_label": "Other answers", "renamed": False, "pinned_quotes": [], "hidden_quotes": [],
                             "quotes": [], "not_useful": False, "position": max(r["position"] for r in rows.values())}
    all_members = await _members(row["run"])
    answers = {r: [m["item_id"] for m in all_members if m["theme"] == r and m["item_id"] not in ticked and m["item_id"] in items]
               for r in losing}
    answers[target["id"]] = [m["item_id"] for m in all_members if m["theme"] == target["id"] and m["item_id"] in items] + sorted(ticked)
    changed = [rows[r] for r in sorted(losing)] + [target]
    described = await _describe(run, changed, answers, items)
    async with write_transaction():
        if destination is None:
            target_id = (await Theme.insert(Theme(run=row["run"], model_id="other", kind="other", found_label="Other answers",
                                                  label="Other answers", position=target["position"] + 1)))[0]["id"]
        else:
            target_id = destination["id"]
        for theme_id_, values in described.items():
            await _update(theme_id_ or target_id, values)
        await ThemeMember.update({ThemeMember.theme: target_id, ThemeMember.placed_by_hand: True}).where(
            (ThemeMember.run == row["run"]) & ThemeMember.item_id.is_in(sorted(ticked)))
        await _audit(actor, row, "move", ip_address, to=target_id, moved=len(ticked))
    return target_id


# --- keeping splits and moves across re-runs -----------------------------------------------------


async def carry_edits(previous_run: int, run_id: int, matched: dict[int, int]) -> None:
    """After `carry_decisions` matched the new run's themes to the previous run's (new -> old):

    - a split stays split: when only one of its two parts has a counterpart (the model put them
      together again), the other is made again in the new run from the counterpart, with its
      name and decisions, taking back its answers; new answers there go to the nearer part;
    - an answer moved by hand, still among the answers, is put in the counterpart of the theme it
      was moved to (made again from the old theme if the model found none; "other" if it was other).
    Themes whose answers changed get keywords and quotes from the answers they now hold."""
    old_rows = {r["id"]: r for r in await Theme.select().output(load_json=True).where(Theme.run == previous_run)}
    old_members = await _members(previous_run)
    split_parts = [r for _, r in sorted(old_rows.items()) if r["split_from"] in old_rows]
    by_hand = [m for m in old_members if m["placed_by_hand"]]
    if not split_parts and not by_hand:
        return
    from analysis.theme_edits import nearest_part
    from app.insights.services import get_run

    run = await get_run(run_id)
    items = await _items(run)
    new_rows = {r["id"]: r for r in await Theme.select().output(load_json=True).where(Theme.run == run_id)}
    new_theme_of = {m["item_id"]: m["theme"] for m in await _members(run_id) if m["item_id"] in items}
    old_theme_of = {m["item_id"]: m["theme"] for m in old_members}
    new_for_old = {o: n for n, o in matched.items()}
    moves: dict[int, int] = {}
    placed: set[int] = set()
    changed: set[int] = set()

    def now_in(item: int) -> int:
        return moves.get(item, new_theme_of[item])

    async def again(old: dict, after: dict) -> int:
        """The old theme made again in the new run, with people's decisions, next to `after`."""
        new_id = await _insert_after(after, old["model_id"], kind=old["kind"], found_label=old["found_label"], label=old["label"],
                                     renamed=old["renamed"], keywords=old["keywords"], quotes=old["quotes"],
                                     pinned_quotes=old["pinned_quotes"], hidden_quotes=old["hidden_quotes"],
                                     not_useful=old["not_useful"])
        new_rows[new_id] = (await Theme.select().output(load_json=True).where(Theme.id == new_id).first())
        for position_row in new_rows.values():  # _insert_after moved the rows after it down by one
            if position_row["id"] != new_id and position_row["position"] > after["position"]:
                position_row["position"] += 1
        new_for_old[old["id"]] = new_id
        if old["merged_into"] in new_for_old:
            await Theme.update({Theme.merged_into: new_for_old[old["merged_into"]]}).where(Theme.id == new_id)
        for merged in (r for r in old_rows.values() if r["merged_into"] == old["id"] and r["id"] in new_for_old):
            await Theme.update({Theme.merged_into: new_id}).where(Theme.id == new_for_old[merged["id"]])
        return new_id

    for part in split_parts:
        parent = old_rows[part["split_from"]]
        new_parent, new_part = new_for_old.get(parent["id"]), new_for_old.get(part["id"])
        if new_parent and new_part:
            await Theme.update({Theme.split_from: new_parent}).where(Theme.id == new_part)
            continue
        if not new_parent and not new_part:
            continue
        kept, missing = (parent, part) if new_parent else (part, parent)
        present = new_for_old[kept["id"]]
        theirs = [i for i in new_theme_of if old_theme_of.get(i) == missing["id"] and now_in(i) == present]
        if not theirs:
            continue
        newcomers = [i for i in new_theme_of if i not in old_theme_of and now_in(i) == present]
        ours = [i for i in new_theme_of if old_theme_of.get(i) == kept["id"] and now_in(i) == present]
        if newcomers and ours:
            nearest = await asyncio.to_thread(
                nearest_part, [[items[i].text for i in ours], [items[i].text for i in theirs]], [items[i].text for i in newcomers],
                representation=run["parameters"].get("representation", "wordllama"),
                random_state=run["parameters"].get("random_state", 0))
            theirs += [i for i, side in zip(newcomers, nearest, strict=True) if side == 1]
        made = await again(missing, new_rows[present])
        if missing is part:
            await Theme.update({Theme.split_from: present}).where(Theme.id == made)
        else:
            await Theme.update({Theme.split_from: made}).where(Theme.id == present)
        moves.update(dict.fromkeys(theirs, made))
        changed |= {present, made}

    for member in by_hand:
        item = member["item_id"]
        if item not in new_theme_of:
            continue  # no longer among the answers (erased, or held for the safeguarding lead)
        destination = new_for_old.get(member["theme"])
        if destination is None:
            old = old_rows[member["theme"]]
            other = next((r for r in new_rows.values() if r["model_id"] == "other"), None) if old["model_id"] == "other" else None
            last = max(new_rows.values(), key=lambda r: r["position"])
            destination = other["id"] if other else await again(old, last)
            new_for_old[old["id"]] = destination
        placed.add(item)
        if now_in(item) != destination:
            changed |= {now_in(item), destination}
            moves[item] = destination

    async with write_transaction():
        for destination in set(moves.values()):
            await ThemeMember.update({ThemeMember.theme: destination}).where(
                (ThemeMember.run == run_id) & ThemeMember.item_id.is_in([i for i, d in moves.items() if d == destination]))
        if placed:
            await ThemeMember.update({ThemeMember.placed_by_hand: True}).where(
                (ThemeMember.run == run_id) & ThemeMember.item_id.is_in(sorted(placed)))
    if changed:
        rows = await Theme.select().output(load_json=True).where(Theme.id.is_in(sorted(changed)))
        answers = {r["id"]: [i for i in new_theme_of if now_in(i) == r["id"]] for r in rows}
        described = await _describe(run, rows, answers, items)
        async with write_transaction():
            for theme_id, values in described.items():
                await _update(theme_id, values)

"""Theme runs: starting one, running it as a job with progress, keeping people's decisions across
re-runs, the edits people make, and the sweep that fails runs whose worker died."""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import date, timedelta

from app import clock
from app.audit.services import Actor, AuditAction, record
from app.insights import live
from app.insights.sources import SourceError, SourceItem, SurveyQuestionSource, ThemeSource
from app.insights.tables import ACTIVE_STATES, RunState, Theme, ThemeMember, ThemeRun
from surveys.participation.suppression import PRIMARY, protect_table
from surveys.questionnaires.results import Count

logger = logging.getLogger("chorus.insights")

MODEL_PARAMETERS = {"k": "auto", "random_state": 0, "representation": "wordllama"}
MIN_ANSWERS = 2
"""Fewer answers than this give "not enough answers", not themes."""
SILENT_AFTER = timedelta(minutes=10)
"""A running run whose heartbeat is older than this has lost its worker (it writes every second)."""
MATCH_OVERLAP = 0.3
"""A new theme keeps an old theme's decisions when their answers overlap at least this much (Jaccard)."""
MAX_LABEL = 80
INCREMENTAL_MAX_NEW_SHARE = 0.2
"""A re-run places new answers in the previous run's themes when they are at most this share of its
answers (and none of the reasons for a full run holds); above it, it clusters from scratch."""
INCREMENTAL_MAX_OTHER_SHARE = 0.1
"""...unless that would leave more than this share of the answers in "other" (the new answers are
about something new): then it clusters from scratch too."""


class RunRefused(Exception):
    """A run that cannot start (one already queued or running for the same selection)."""


class EditRefused(ValueError):
    """An edit that would leave the themes inconsistent; nothing was changed."""


# --- starting a run ----------------------------------------------------------------------------


async def start_run(source: ThemeSource, *, requested_by: int | None, full: bool = False) -> int:
    """Queue a run for `source` and its job; refuse if one is already queued or running for it.
    `full`: cluster from scratch even when only a few answers are new."""
    existing = await ThemeRun.select(ThemeRun.id).where(ThemeRun.active_key == source.key).first()
    if existing:
        raise RunRefused("Themes are already being found for these answers: wait for that run to finish.")
    now = clock.now()
    try:
        run = ThemeRun(source_key=source.key, source_kind=source.kind, survey=source.parameters().get("survey"),
                       parameters={**source.parameters(), **MODEL_PARAMETERS, **({"full": True} if full else {})},
                       active_key=source.key,
                       state=RunState.queued, requested_by=requested_by, queued_at=now, stage="waiting for a worker")
        await run.save()
    except Exception as error:  # two requests at once: the unique active_key lets one win
        if await ThemeRun.exists().where(ThemeRun.active_key == source.key):
            raise RunRefused("Themes are already being found for these answers: wait for that run to finish.") from error
        raise
    from app import jobs

    try:
        await jobs.enqueue(jobs.theme_run, run.id, key=f"insights.theme_run:{run.id}")
    except Exception:
        await _finish(run.id, RunState.failed, error="The job could not be queued; try again.")
        raise
    return run.id


def source_of(run: dict) -> ThemeSource:
    if run["source_kind"] == "survey_question":
        return SurveyQuestionSource.from_parameters(run["parameters"])
    if run["source_kind"] == "board_cards":
        from surveys.boards.sources import BoardCardsSource

        return BoardCardsSource.from_parameters(run["parameters"])
    if run["source_kind"] == "study_observations":
        from surveys.user_tests.sources import StudyObservationSource

        return StudyObservationSource.from_parameters(run["parameters"])
    raise SourceError(f"unknown source kind {run['source_kind']!r}")


# --- running it (the job) ----------------------------------------------------------------------


async def _update(run_id: int, **values) -> None:
    await ThemeRun.update({getattr(ThemeRun, k): v for k, v in values.items()}).where(ThemeRun.id == run_id)


async def _finish(run_id: int, state: RunState, *, error: str = "", outcome: str = "", answer_count: int | None = None) -> None:
    values = {"state": state, "active_key": None, "finished_at": clock.now(), "error": error, "outcome": outcome,
              "stage": "finished" if state == RunState.done else "failed"}
    if state == RunState.done:
        values["progress"] = 100
    if answer_count is not None:
        values["answer_count"] = answer_count
    await _update(run_id, **values)
    await live.publish(run_id, await status(run_id))


async def status(run_id: int) -> dict:
    row = await ThemeRun.select(ThemeRun.state, ThemeRun.progress, ThemeRun.stage, ThemeRun.error, ThemeRun.outcome).where(
        ThemeRun.id == run_id).first()
    return {"run": run_id, **row} if row else {"run": run_id, "state": "missing"}


async def execute_run(run_id: int) -> None:
    """The job: theme the source's texts, store themes and members, carry decisions over. Run
    again (a retry after a worker died), it starts over; a finished run is left alone."""
    run = await ThemeRun.select().output(load_json=True).where(ThemeRun.id == run_id).first()
    if run is None or run["state"] in (RunState.done, RunState.failed):
        return
    await _update(run_id, state=RunState.running, started_at=clock.now(), heartbeat_at=clock.now(), progress=0, stage="reading answers")
    await live.publish(run_id, await status(run_id))
    # A retry starts from nothing.
    await ThemeMember.delete().where(ThemeMember.run == run_id)
    await Theme.delete().where(Theme.run == run_id)
    try:
        items = await source_of(run).items()
        plan = await plan_run(run, items)
        if len(items) < MIN_ANSWERS:
            await _record_path(run, plan)
            await _finish(run_id, RunState.done, outcome="not_enough_answers", answer_count=len(items))
            return
        model = await _fit_with_progress(run_id, items, run["parameters"], plan, source_key=run["source_key"])
        await _record_path(run, plan)
        await _store(run_id, items, model)
        previous = await ThemeRun.select(ThemeRun.id).where(
            (ThemeRun.source_key == run["source_key"]) & (ThemeRun.state == RunState.done) & (ThemeRun.outcome == "themed")
            & (ThemeRun.id != run_id)).order_by(ThemeRun.id, ascending=False).first()
        if previous:
            await carry_decisions(previous["id"], run_id)
        await _finish(run_id, RunState.done, outcome="themed", answer_count=len(items))
    except SourceError as error:
        await _finish(run_id, RunState.failed, error=str(error))
    except Exception as error:
        logger.exception("theme run %s failed", run_id)
        # The kind of failure only: a message could quote a participant's words.
        await _finish(run_id, RunState.failed, error=f"The analysis failed ({type(error).__name__}); try again.")


@dataclass
class RunPlan:
    """How a run themes its answers: from scratch ("full", and why) or by placing the new answers
    in the previous run's themes ("incremental")."""

    path: str
    reason: str = ""
    from_run: int | None = None
    earlier: dict[int, str] = field(default_factory=dict)  # item -> the previous run's theme (model id)
    described: list = field(default_factory=list)  # the previous run's themes as analysis.themes.Theme
    new_answers: int = 0
    removed_answers: int = 0

    def recorded(self) -> dict:
        if self.path == "full":
            return {"path": "full", "reason": self.reason}
        return {"path": "incremental", "from_run": self.from_run, "new_answers": self.new_answers,
                "kept_answers": len(self.earlier), "removed_answers": self.removed_answers}


async def plan_run(run: dict, items: list[SourceItem]) -> RunPlan:
    """Incremental when the selection's previous run found themes with the same model settings,
    some answers are still there and at most INCREMENTAL_MAX_NEW_SHARE of them are new; else full."""
    previous = await ThemeRun.select().output(load_json=True).where(
        (ThemeRun.source_key == run["source_key"]) & (ThemeRun.id < run["id"])
        & ThemeRun.state.is_in([RunState.done, RunState.failed])).order_by(ThemeRun.id, ascending=False).first()
    if len(items) < MIN_ANSWERS:
        return RunPlan("full", "not enough answers")
    if run["parameters"].get("full"):
        return RunPlan("full", "a full re-run was asked for")
    if previous is None:
        return RunPlan("full", "first run")
    if previous["state"] == RunState.failed:
        return RunPlan("full", "the previous run failed")
    if previous["outcome"] != "themed":
        return RunPlan("full", "the previous run found no themes (not enough answers)")
    if any(previous["parameters"].get(k) != run["parameters"].get(k) for k in MODEL_PARAMETERS):
        return RunPlan("full", "the model settings changed")
    before = await ThemeMember.select(ThemeMember.item_id, ThemeMember.text_digest, ThemeMember.theme.model_id).where(
        ThemeMember.run == previous["id"])
    # An answer is the previous run's only if its text is the same: a changed text, or an id the
    # database reused after an erasure, is new.
    current = {item.id: _digest(item.text) for item in items}
    earlier = {r["item_id"]: r["theme.model_id"] for r in before if r["text_digest"] and current.get(r["item_id"]) == r["text_digest"]}
    kept = len(earlier)
    new = len(items) - kept
    if kept == 0:
        return RunPlan("full", "every answer is new")
    if new > INCREMENTAL_MAX_NEW_SHARE * len(items):
        return RunPlan("full", f"{round(100 * new / len(items))} % of the answers are new")
    from analysis.themes import Theme as FoundTheme

    sizes: dict[str, int] = {}  # the previous run's, so a theme that lost answers is described again
    for row in before:
        sizes[row["theme.model_id"]] = sizes.get(row["theme.model_id"], 0) + 1
    described = [FoundTheme(id=t["model_id"], label=t["found_label"], keywords=t["keywords"], size=sizes.get(t["model_id"], 0),
                            share=0.0, quotes=t["quotes"], sentiment=0.0, kind=t["kind"])
                 for t in await Theme.select().output(load_json=True).where(Theme.run == previous["id"])]
    return RunPlan("incremental", from_run=previous["id"], earlier=earlier, described=described, new_answers=new,
                   removed_answers=len(before) - kept)


PATH_KEYS = ("path", "reason", "from_run", "new_answers", "kept_answers", "removed_answers")


async def _record_path(run: dict, plan: RunPlan) -> None:
    # A retry may take the other path: none of an earlier attempt's record stays.
    run["parameters"] = {**{k: v for k, v in run["parameters"].items() if k not in PATH_KEYS}, **plan.recorded()}
    await _update(run["id"], parameters=run["parameters"])


_PARSE_CACHE: OrderedDict[str, dict[int, tuple[str, object]]] = OrderedDict()
"""Per process, the parses of the last few selections' answers: item -> (digest of its text, parse).
Parsing (tagging) is the costly per-answer step a re-run can skip; a changed text misses its digest."""
PARSE_CACHE_SELECTIONS = 8


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _cached_parses(source_key: str, items: list[SourceItem]) -> list:
    known = _PARSE_CACHE.get(source_key, {})
    return [known[item.id][1] if item.id in known and known[item.id][0] == _digest(item.text) else None for item in items]


def _keep_parses(source_key: str, items: list[SourceItem], parsed: list) -> None:
    _PARSE_CACHE[source_key] = {item.id: (_digest(item.text), p) for item, p in zip(items, parsed, strict=True) if p is not None}
    _PARSE_CACHE.move_to_end(source_key)
    while len(_PARSE_CACHE) > PARSE_CACHE_SELECTIONS:
        _PARSE_CACHE.popitem(last=False)


async def _fit_with_progress(run_id: int, items: list[SourceItem], parameters: dict, plan: RunPlan, *, source_key: str):
    """Fit the theme model in a thread (the worker's event loop keeps serving) while this loop
    writes its progress and a heartbeat to the run's row and publishes it, once a second. On the
    incremental path the model extends the previous run's themes; should that leave too many
    answers in "other", the plan turns full and the model clusters from scratch."""
    from analysis.themes import ThemeModel

    latest = {"fraction": 0.0, "stage": "reading answers"}

    def report(fraction: float, stage: str) -> None:
        latest.update(fraction=fraction, stage=stage)

    texts = [item.text for item in items]
    # Work already done per answer: its stored sentiment label, and its parse when this process has it.
    given = {"parsed": _cached_parses(source_key, items),
             "sentiments": [item.sentiment for item in items]}

    def fit():
        model = ThemeModel(k=parameters.get("k", "auto"), random_state=parameters.get("random_state", 0),
                           representation=parameters.get("representation", "wordllama"), progress=report)
        if plan.path == "incremental":
            model.update(texts, [plan.earlier.get(item.id) for item in items], themes=plan.described, **given)
            if model.labels_.count("other") <= INCREMENTAL_MAX_OTHER_SHARE * len(texts):
                return model
            plan.path, plan.reason = "full", "the new answers fit none of the previous themes"
            given["parsed"] = model.parsed_
        return model.fit(texts, **given)

    fitting = asyncio.ensure_future(asyncio.to_thread(fit))
    sent = None
    while True:
        done, _ = await asyncio.wait({fitting}, timeout=1.0)
        # Fitting is 5-95 %; storing the themes is the rest.
        now = (5 + round(90 * latest["fraction"]), latest["stage"])
        await _update(run_id, heartbeat_at=clock.now(), **({"progress": now[0], "stage": now[1]} if now != sent else {}))
        if now != sent:
            await live.publish(run_id, await status(run_id))
            sent = now
        if done:
            model = fitting.result()
            _keep_parses(source_key, items, model.parsed_)
            return model


async def _store(run_id: int, items: list[SourceItem], model) -> None:
    result = model.result_
    positions = model.positions_
    theme_rows = [
        Theme(run=run_id, model_id=t.id, kind=t.kind, found_label=t.label[:200], label=t.label[:200], keywords=t.keywords,
              quotes=t.quotes, position=index)
        for index, t in enumerate(result.themes)
    ]
    await Theme.insert(*theme_rows)
    ids = {r["model_id"]: r["id"] for r in await Theme.select(Theme.id, Theme.model_id).where(Theme.run == run_id)}
    members = []
    for item, assigned, (x, y) in zip(items, result.assignments, positions, strict=True):
        if assigned is None:
            continue
        on_map = x == x and y == y  # NaN for texts that name no topic
        members.append(ThemeMember(run=run_id, theme=ids[assigned], item_id=item.id, text_digest=_digest(item.text),
                                   x=round(float(x), 4) if on_map else None, y=round(float(y), 4) if on_map else None))
    for start in range(0, len(members), 500):
        await ThemeMember.insert(*members[start:start + 500])
    await _update(run_id, progress=97, stage="keeping your decisions", heartbeat_at=clock.now())


# --- keeping decisions across runs -------------------------------------------------------------


async def members_by_theme(run_id: int) -> dict[int, set[int]]:
    out: dict[int, set[int]] = {}
    for row in await ThemeMember.select(ThemeMember.theme, ThemeMember.item_id).where(ThemeMember.run == run_id):
        out.setdefault(row["theme"], set()).add(row["item_id"])
    return out


def match_themes(old: dict[int, set[int]], new: dict[int, set[int]], *, old_ids: dict[int, str] | None = None,
                 new_ids: dict[int, str] | None = None) -> dict[int, int]:
    """new theme -> old theme, one to one: the same fixed group (general praise, other…) by id, the
    rest by answer overlap (Jaccard, best pairs first, at least MATCH_OVERLAP)."""
    old_ids, new_ids = old_ids or {}, new_ids or {}
    matched: dict[int, int] = {}
    fixed_old = {model_id: theme for theme, model_id in old_ids.items() if not model_id.startswith("t")}
    for theme, model_id in new_ids.items():
        if not model_id.startswith("t") and model_id in fixed_old:
            matched[theme] = fixed_old[model_id]
    pairs = sorted(
        ((len(a & b) / len(a | b), n, o) for n, a in new.items() if n not in matched
         for o, b in old.items() if o not in matched.values() and a & b),
        reverse=True,
    )
    for overlap, n, o in pairs:
        if overlap < MATCH_OVERLAP:
            break
        if n not in matched and o not in matched.values():
            matched[n] = o
    return matched


async def carry_decisions(previous_run: int, run_id: int) -> None:
    """Matched themes keep their names, merges, "not useful" and quote choices; the rest are new.
    Splits and answers moved by hand are kept by `editing.carry_edits`."""
    old_rows = {r["id"]: r for r in await Theme.select().output(load_json=True).where(Theme.run == previous_run)}
    new_rows = {r["id"]: r for r in await Theme.select().output(load_json=True).where(Theme.run == run_id)}
    matched = match_themes(await members_by_theme(previous_run), await members_by_theme(run_id),
                           old_ids={i: r["model_id"] for i, r in old_rows.items()},
                           new_ids={i: r["model_id"] for i, r in new_rows.items()})
    new_for_old = {o: n for n, o in matched.items()}
    for theme_id in new_rows:
        old = old_rows.get(matched.get(theme_id, -1))
        if old is None:
            await Theme.update({Theme.is_new: True}).where(Theme.id == theme_id)
            continue
        values = {Theme.not_useful: old["not_useful"], Theme.pinned_quotes: old["pinned_quotes"], Theme.hidden_quotes: old["hidden_quotes"]}
        if old["renamed"]:
            values |= {Theme.label: old["label"], Theme.renamed: True}
        if old["merged_into"] in new_for_old:
            values[Theme.merged_into] = new_for_old[old["merged_into"]]
        await Theme.update(values).where(Theme.id == theme_id)
    from app.insights import editing

    await editing.carry_edits(previous_run, run_id, matched)


# --- people's edits ----------------------------------------------------------------------------


async def theme(theme_id: int) -> dict:
    row = await Theme.select().output(load_json=True).where(Theme.id == theme_id).first()
    if row is None:
        raise LookupError("There is no such theme.")
    return row


async def _audit(actor: Actor, row: dict, edit: str, ip_address: str, **detail) -> None:
    await record(AuditAction.theme_edited, actor=actor, target_type="theme", target_id=row["id"],
                 detail={"edit": edit, "run": row["run"], **detail}, ip_address=ip_address)


async def rename(theme_id: int, label: str, *, actor: Actor, ip_address: str = "") -> None:
    row = await theme(theme_id)
    label = " ".join(label.split())
    if not label:
        raise EditRefused("Give the theme a name.")
    if len(label) > MAX_LABEL:
        raise EditRefused(f"Keep the name to {MAX_LABEL} characters or fewer (it has {len(label)}).")
    await Theme.update({Theme.label: label, Theme.renamed: label != row["found_label"]}).where(Theme.id == theme_id)
    await _audit(actor, row, "rename", ip_address)


async def merge(theme_id: int, into_id: int, *, actor: Actor, ip_address: str = "") -> None:
    """Merge a theme into another of the same run; themes merged into it follow it."""
    row = await theme(theme_id)
    if theme_id == into_id:
        raise EditRefused("A theme cannot be merged into itself: choose another theme.")
    target = await Theme.select().output(load_json=True).where(Theme.id == into_id).first()
    if target is None or target["run"] != row["run"]:
        raise EditRefused("Choose a theme from the same set of themes.")
    if target["merged_into"] is not None:
        raise EditRefused("That theme is already merged into another: merge into that one instead.")
    if row["merged_into"] is not None:
        raise EditRefused("This theme is already merged.")
    await Theme.update({Theme.merged_into: into_id}).where((Theme.id == theme_id) | (Theme.merged_into == theme_id))
    await _audit(actor, row, "merge", ip_address, into=into_id)


async def unmerge(theme_id: int, *, actor: Actor, ip_address: str = "") -> None:
    row = await theme(theme_id)
    if row["merged_into"] is None:
        raise EditRefused("This theme is not merged.")
    await Theme.update({Theme.merged_into: None}).where(Theme.id == theme_id)
    await _audit(actor, row, "unmerge", ip_address)


async def set_not_useful(theme_id: int, not_useful: bool, *, actor: Actor, ip_address: str = "") -> None:
    row = await theme(theme_id)
    await Theme.update({Theme.not_useful: not_useful}).where(Theme.id == theme_id)
    await _audit(actor, row, "not_useful" if not_useful else "useful", ip_address)


async def quote_action(theme_id: int, index: int, action: str, *, actor: Actor, ip_address: str = "") -> None:
    """Pin, unpin, hide or show one of the theme's quotes (by its place in the model's list)."""
    row = await theme(theme_id)
    if not 0 <= index < len(row["quotes"]):
        raise EditRefused("There is no such quote.")
    quote = row["quotes"][index]
    pinned, hidden = list(row["pinned_quotes"]), list(row["hidden_quotes"])
    if action == "pin":
        pinned, hidden = [*[q for q in pinned if q != quote], quote], [q for q in hidden if q != quote]
    elif action == "unpin":
        pinned = [q for q in pinned if q != quote]
    elif action == "hide":
        hidden, pinned = [*[q for q in hidden if q != quote], quote], [q for q in pinned if q != quote]
    elif action == "show":
        hidden = [q for q in hidden if q != quote]
    else:
        raise EditRefused("Quotes can be pinned, unpinned, hidden or shown.")
    await Theme.update({Theme.pinned_quotes: pinned, Theme.hidden_quotes: hidden}).where(Theme.id == theme_id)
    await _audit(actor, row, f"quote_{action}", ip_address, quote=index)


# --- the sweep ---------------------------------------------------------------------------------


async def sweep_silent_runs() -> int:
    """Fail runs whose worker went silent (died mid-run) and queued runs whose job is gone, so none
    stays "running" for ever. Returns how many it failed."""
    now = clock.now()
    failed = 0
    for run in await ThemeRun.select(ThemeRun.id, ThemeRun.state, ThemeRun.heartbeat_at, ThemeRun.queued_at).where(
            ThemeRun.state.is_in(list(ACTIVE_STATES))):
        if run["state"] == RunState.running and (run["heartbeat_at"] or run["queued_at"]) < now - SILENT_AFTER:
            await _finish(run["id"], RunState.failed, error="The worker running this analysis stopped; start it again.")
            failed += 1
        elif run["state"] == RunState.queued and run["queued_at"] < now - SILENT_AFTER and not await _job_waiting(run["id"]):
            await _finish(run["id"], RunState.failed, error="This analysis was never started; start it again.")
            failed += 1
    return failed


async def _job_waiting(run_id: int) -> bool:
    from app.database import current_engine

    rows = await current_engine().run_ddl(
        f"SELECT status FROM queue_task WHERE task_key = 'insights.theme_run:{int(run_id)}'")
    return any(r["status"] in ("pending", "scheduled", "running") for r in rows)


async def visible_themes(run: dict | None, *, threshold: int, reveal_small_groups: bool = False) -> list[dict]:
    """A finished run's themes as an activity's own page lists them (a board's summary, a study's
    results): label and size (a `Count`, through the one suppression service), merged themes counted
    in the one they joined, without "not useful" ones, largest first.

    The sizes are published as a one-column table whose total is known elsewhere (every note was
    sent), so the total is locked shown and enough other sizes are hidden that no small one can be
    worked out by subtraction."""
    if run is None or run["state"] != RunState.done:
        return []
    themes = await Theme.select(Theme.id, Theme.label, Theme.found_label, Theme.merged_into, Theme.not_useful).where(Theme.run == run["id"])
    joined = {t["id"]: t["merged_into"] or t["id"] for t in themes}
    sizes: dict[int, int] = {}
    for member in await ThemeMember.select(ThemeMember.theme).where(ThemeMember.run == run["id"]):
        target = joined.get(member["theme"], member["theme"])
        sizes[target] = sizes.get(target, 0) + 1
    kept = sorted((t for t in themes if not t["merged_into"] and sizes.get(t["id"])), key=lambda t: -sizes[t["id"]])
    table = [[sizes[t["id"]]] for t in kept]
    hidden = None if reveal_small_groups or not table else protect_table(table, threshold=threshold, lock_grand_total=True)
    shown = []
    for i, t in enumerate(kept):
        value = sizes[t["id"]]
        if hidden is not None and hidden.row_totals[i]:
            size = Count(None, None, threshold, hidden.reasons.get(("row", i), PRIMARY))
        else:
            size = Count(value, None, threshold, small=value < threshold and reveal_small_groups)
        if not t["not_useful"]:
            shown.append({"label": t["label"] or t["found_label"], "size": size})
    return shown


async def latest_run(source_key: str) -> dict | None:
    return await ThemeRun.select().output(load_json=True).where(ThemeRun.source_key == source_key).order_by(ThemeRun.id, ascending=False).first()


async def get_run(run_id: int) -> dict | None:
    return await ThemeRun.select().output(load_json=True).where(ThemeRun.id == run_id).first()


# --- what a page shows -------------------------------------------------------------------------


async def cohort_split(survey_id: int, by_key: str) -> tuple[list[str], dict[int, str]] | None:
    """For "share by cohort": the choice question's option labels and each response's answer."""
    from surveys.questionnaires import definitions as survey_definitions
    from surveys.questionnaires import responses as survey_responses
    from surveys.questionnaires import results as survey_results

    definition = await survey_definitions.load_definition(survey_id)
    question = next((q for q in survey_results.crosstab_candidates(definition) if q.key == by_key), None)
    if question is None:
        return None
    labels = [o.label for o in question.options]
    mapping = {}
    for response in await survey_responses.load_responses(definition):
        answer = response.answers.get(by_key)
        if answer is not None and isinstance(answer.given.value, str):
            mapping[response.id] = question.label_of(answer.given.value)
    return labels, mapping


OVER_TIME = "@month"
"""The split that shows each theme over time: its answers per calendar month, suppressed as one table
with the themes, exactly as a cohort split is."""


def month_split(items: list[SourceItem]) -> tuple[list[str], dict[int, str]]:
    """Each item's calendar month ("October 2026"), and the months in order."""
    months = sorted({(i.submitted_at.year, i.submitted_at.month) for i in items})
    label = {m: date(m[0], m[1], 1).strftime("%B %Y") for m in months}
    return [label[m] for m in months], {i.id: label[(i.submitted_at.year, i.submitted_at.month)] for i in items}


async def run_view(run: dict, *, viewer, threshold: int, by_key: str = ""):
    """The finished run as its page shows it (None while it has no themes)."""
    from app.insights import summary

    if run["state"] != RunState.done or run["outcome"] != "themed":
        return None
    items = await source_of(run).items()
    if by_key == OVER_TIME:
        split = month_split(items)
    else:
        split = await cohort_split(run["parameters"]["survey"], by_key) if by_key else None
    return await summary.build(run["id"], items, viewer=viewer, threshold=threshold,
                               cohort_of=split[1] if split else None, cohort_labels=split[0] if split else None,
                               unknown_column=by_key != OVER_TIME)

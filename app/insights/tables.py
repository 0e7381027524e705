"""Theme runs and their results.

A `ThemeRun` is one analysis of one source selection (a survey's free-text question, optionally
between dates and for one cohort), with the parameters it used, its state and progress. Its
`Theme`s hold what the model found *and* what people decided (a new name, a merge, a split, "not useful",
pinned and hidden quotes; answers moved by hand are marked on their member row); a re-run copies the decisions onto the themes it matches. Members name
their source item by kind and id (like safeguarding's disclosures), so board cards and
user-testing notes (ROADMAP) can be themed through the same tables.
"""

from enum import Enum

from piccolo.columns import JSON, Boolean, ForeignKey, Integer, Real, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from app.accounts.tables import StaffUser
from surveys.questionnaires.tables import Survey


class RunState(str, Enum):
    queued = "queued"
    running = "running"
    done = "done"
    failed = "failed"


ACTIVE_STATES = (RunState.queued, RunState.running)


class ThemeRun(Table, help_text="One theme analysis of one source selection: parameters, state, progress, outcome."):
    source_key = Varchar(length=200, index=True, help_text="The selection, e.g. survey:12:q3:from=…:to=…:cohort=area=north.")
    source_kind = Varchar(length=30, help_text="survey_question now; board cards and user-testing notes later.")
    survey = ForeignKey(Survey, null=True, index=True, on_delete=OnDelete.cascade)
    parameters = JSON(default={}, help_text="The selection and the model's parameters used (k, random_state, representation).")
    active_key = Varchar(length=200, null=True, default=None, unique=True,
                         help_text="The source key while queued or running, else empty: the database refuses a second active run.")
    state = Varchar(length=10, choices=RunState, default=RunState.queued, index=True)
    progress = Integer(default=0, help_text="0-100.")
    stage = Varchar(length=40, default="", help_text="What the run is doing now, in words.")
    error = Text(default="", help_text="Why it failed, in words (never a participant's text).")
    outcome = Varchar(length=40, default="", help_text="'themed', or 'not_enough_answers'.")
    answer_count = Integer(default=0)
    requested_by = ForeignKey(StaffUser, null=True, on_delete=OnDelete.set_null)
    queued_at = Timestamptz()
    started_at = Timestamptz(null=True, default=None)
    finished_at = Timestamptz(null=True, default=None)
    heartbeat_at = Timestamptz(null=True, default=None, help_text="Written while running; a sweep fails runs whose worker went silent.")


class Theme(Table, tablename="insight_theme", help_text="A theme of a run: what the model found and what people decided about it."):
    run = ForeignKey(ThemeRun, index=True, on_delete=OnDelete.cascade)
    model_id = Varchar(length=40, help_text="The model's id (t1, other, general-praise …).")
    kind = Varchar(length=20, default="theme", help_text="theme, general, other or not_english.")
    found_label = Varchar(length=200, help_text="The label the model gave.")
    label = Varchar(length=200, help_text="The label shown: the model's, or the name people gave it.")
    renamed = Boolean(default=False)
    keywords = JSON(default=[])
    quotes = JSON(default=[], help_text="Redacted quotes chosen by the model.")
    pinned_quotes = JSON(default=[], help_text="Quotes people pinned (shown first).")
    hidden_quotes = JSON(default=[], help_text="Quotes people hid (never shown or exported).")
    not_useful = Boolean(default=False)
    # An id, not a foreign key to this table: Piccolo's migrations cannot create a table that refers to itself.
    merged_into = Integer(null=True, default=None, help_text="Merged into this theme (same run): its answers count there.")
    is_new = Boolean(default=False, help_text="Matched no theme of the previous run.")
    split_from = Integer(null=True, default=None,
                         help_text="Made by splitting this theme (same run): the two are kept apart on a re-run.")
    position = Integer(default=0)


class ThemeMember(Table, help_text="One source item (an answer) in a theme, with its place on the map."):
    run = ForeignKey(ThemeRun, index=True, on_delete=OnDelete.cascade)
    theme = ForeignKey(Theme, index=True, on_delete=OnDelete.cascade)
    item_kind = Varchar(length=30, default="survey_answer")
    item_id = Integer(help_text="The response id for a survey question (one answer per question per response).")
    placed_by_hand = Boolean(default=False, help_text="A person moved this answer here: a re-run keeps it here.")
    x = Real(null=True, default=None)
    y = Real(null=True, default=None)
    text_digest = Varchar(length=64, null=True, default=None,
                          help_text="SHA-256 of the text themed: a re-run counts an item whose text differs (or whose id was reused) as new.")

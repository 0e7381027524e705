"""Survey tables. Participants never have accounts: a response carries no name, email or address.

Answers are JSON values keyed by question; free-text answers carry their safeguarding screening
and sentiment, measured once when the response is stored.
"""

from enum import Enum

from piccolo.columns import (
    JSON,
    Boolean,
    ForeignKey,
    Integer,
    Real,
    SmallInt,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table

from app.accounts.tables import StaffUser
from app.governance.tables import Outcome, Project


class Audience(str, Enum):
    children = "children"
    young_people = "young_people"
    young_adults = "young_adults"
    parents_carers = "parents_carers"
    staff = "staff"


class SurveyStatus(str, Enum):
    draft = "draft"
    published = "published"
    closed = "closed"
    archived = "archived"


class QuestionKind(str, Enum):
    single_choice = "single_choice"
    multiple_choice = "multiple_choice"
    likert = "likert"
    rating = "rating"
    yes_no = "yes_no"
    short_text = "short_text"
    long_text = "long_text"
    ranking = "ranking"
    number = "number"
    date = "date"


class ResponseMode(str, Enum):
    online = "online"
    kiosk = "kiosk"
    paper = "paper"
    assisted = "assisted"


class Survey(Table, help_text="A questionnaire, its audience, languages and how it is shared."):
    title = Varchar(length=200)
    purpose = Text(default="", help_text="Why we ask, shown on the first page.")
    audience = Varchar(length=20, choices=Audience)
    languages = JSON(default=["en"], help_text="Language codes offered; English is always first.")
    consent_text = Text(default="")
    local_contact = Text(default="", help_text="A local person or service to contact, shown in the help footer.")
    status = Varchar(length=10, choices=SurveyStatus, default=SurveyStatus.draft, index=True)
    public_code = Varchar(length=40, unique=True, help_text="The code in /s/<code>.")
    join_code = Varchar(length=8, unique=True, help_text="Short code typed on /join.")
    opens_at = Timestamptz(null=True, default=None)
    closes_at = Timestamptz(null=True, default=None)
    response_cap = Integer(null=True, default=None)
    one_question_per_page = Boolean(default=False)
    easy_read = Boolean(default=False, help_text="Start in easy-read mode (larger text, faces, short hints).")
    project = ForeignKey(Project, null=True, help_text="The project whose lead (and board) may see results.")
    created_by = ForeignKey(StaffUser, null=True)
    created_at = Timestamptz()
    updated_at = Timestamptz()
    version = Varchar(length=16, default="", help_text="New random value on every change participants could see: keys each worker's cached definition.")


class Section(Table, help_text="A group of questions shown together (unless one question per page)."):
    survey = ForeignKey(Survey, index=True)
    position = SmallInt(default=0)
    title = Varchar(length=200, default="")
    intro = Text(default="")
    show_if = JSON(null=True, default=None, help_text='{"question": key, "values": [...]}: shown only then.')


class Question(Table, help_text="One question; `key` names its column in exports."):
    survey = ForeignKey(Survey, index=True)
    section = ForeignKey(Section, index=True)
    position = SmallInt(default=0)
    key = Varchar(length=40)
    kind = Varchar(length=20, choices=QuestionKind)
    text = Text()
    hint = Text(default="")
    required = Boolean(default=False)
    options = JSON(default=[], help_text='[{"value": ..., "label": ...}] for choice and ranking questions.')
    allow_other = Boolean(default=False, help_text='Multiple choice: offer "other, please say".')
    faces = Boolean(default=False, help_text="Likert: show the smileyometer faces.")
    min_value = Real(null=True, default=None)
    max_value = Real(null=True, default=None)
    show_if = JSON(null=True, default=None)
    outcome = ForeignKey(Outcome, null=True, help_text="The theory-of-change outcome this question evidences.")


class Translation(Table, help_text="One survey text in one language, e.g. key 'q:12:text' in 'bn'."):
    survey = ForeignKey(Survey, index=True)
    language = Varchar(length=10)
    key = Varchar(length=60)
    text = Text()


class BankQuestion(Table, help_text="A reusable question, optionally tagged to an outcome."):
    kind = Varchar(length=20, choices=QuestionKind)
    text = Text()
    hint = Text(default="")
    options = JSON(default=[])
    allow_other = Boolean(default=False)
    faces = Boolean(default=False)
    outcome = ForeignKey(Outcome, null=True)
    created_at = Timestamptz()


class Draft(Table, help_text="Answers so far, for one participant's unfinished survey. Expires."):
    survey = ForeignKey(Survey, index=True)
    token_hash = Varchar(length=64, unique=True)
    resume_code_hash = Varchar(length=64, null=True, default=None, unique=True)
    language = Varchar(length=10, default="en")
    mode = Varchar(length=10, choices=ResponseMode, default=ResponseMode.online)
    easy_read = Boolean(default=False)
    answers = JSON(default={})
    furthest_page = SmallInt(default=0)
    started_at = Timestamptz()
    updated_at = Timestamptz()
    expires_at = Timestamptz(index=True)


class Response(Table, help_text="One participant's submitted answers. No personal details."):
    survey = ForeignKey(Survey, index=True)
    submission_key = Varchar(length=64, unique=True, help_text="Makes a repeated submit store nothing new.")
    receipt_hash = Varchar(length=64, unique=True, help_text="Lets the participant ask for deletion later.")
    language = Varchar(length=10, default="en")
    mode = Varchar(length=10, choices=ResponseMode, default=ResponseMode.online)
    entered_by = ForeignKey(StaffUser, null=True, help_text="Staff who typed in a paper or assisted response.")
    started_at = Timestamptz()
    submitted_at = Timestamptz(index=True)
    flagged = Boolean(default=False, help_text="Some free text was flagged by safeguarding screening.")


class Answer(Table, help_text="One answer; free text carries its screening and sentiment."):
    response = ForeignKey(Response, index=True)
    question = ForeignKey(Question, index=True)
    value = JSON(null=True, default=None, help_text="The answer (string, list, number, or null when declined).")
    declined = Boolean(default=False, help_text="'I'd rather not say'.")
    other_text = Text(default="", help_text="Multiple choice: what 'other' said.")
    screening_level = Varchar(length=10, default="none")
    screening_categories = JSON(default=[])
    sentiment = Real(null=True, default=None)
    sentiment_label = Varchar(length=10, null=True, default=None,
                              help_text="analysis.sentiment's label for the free text; null for answers stored before it was kept.")
    released = Boolean(default=False, help_text="Flagged, then judged a false alarm by the safeguarding lead: back in analysis.")

"""The staff forms of user testing. Fields default to blank, so a form sent without them gets its
message on the page; lengths leave room for an over-long value to reach the service, which says so."""

from __future__ import annotations

from typing import Annotated

import msgspec

from surveys.user_tests import running, studies

Short = Annotated[str, msgspec.Meta(max_length=1000)]
Long = Annotated[str, msgspec.Meta(max_length=20_000)]


class StudyForm(msgspec.Struct):
    title: Short = ""
    subject_kind: Short = "page"
    subject: Long = ""
    project_id: Short = ""
    goals: Long = ""
    consent_text: Long = ""
    under_13: Short = ""
    sus_wording: Short = "children"

    def fields(self) -> studies.StudyFields:
        project = self.project_id.strip()
        return studies.StudyFields(
            title=self.title, subject_kind=self.subject_kind, subject=self.subject,
            project_id=int(project) if project.isdigit() and len(project) < 10 else (None if not project else -1),
            goals=self.goals, consent_text=self.consent_text, under_13=bool(self.under_13), sus_wording=self.sus_wording)


class TaskForm(msgspec.Struct):
    title: Short = ""
    scenario: Long = ""
    success_criteria: Long = ""

    def fields(self) -> studies.TaskFields:
        return studies.TaskFields(self.title, self.scenario, self.success_criteria)


class ParticipantForm(msgspec.Struct):
    age_band: Short = ""
    cohort_group: Short = ""
    access_needs: Short = ""


class ConsentForm(msgspec.Struct):
    agreed: Short = ""
    parent_carer: Short = ""


class TaskEntryForm(msgspec.Struct):
    outcome: Short = ""
    seconds: Short = ""
    seq: Short = ""
    note: Long = ""
    note_kind: Short = "observation"
    issue: Short = ""
    severity: Short = ""

    def entry(self) -> running.TaskEntry:
        return running.TaskEntry(self.outcome, self.seconds, self.seq, self.note, self.note_kind or "observation", self.issue, self.severity)


class SusForm(msgspec.Struct):
    s1: Short = ""
    s2: Short = ""
    s3: Short = ""
    s4: Short = ""
    s5: Short = ""
    s6: Short = ""
    s7: Short = ""
    s8: Short = ""
    s9: Short = ""
    s10: Short = ""
    lang: Short = "en"

    def values(self) -> list[str]:
        return [getattr(self, f"s{n}") for n in range(1, 11)]

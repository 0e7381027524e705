"""The board's summary (groups, votes, actions) and its exports: CSV, Markdown and PDF, in any phase.

What an export shows follows what the room may see: no card text while cards are still private
(write phase: counts only), no vote counts before voting has closed, and never an author on an
anonymous board. The PDF is WeasyPrint over the same HTML summary, as `app.reports` does it.
"""

from __future__ import annotations

import csv
import io

from app.spreadsheets import csv_cell
from surveys.boards import services


async def summary_of(board: dict) -> dict:
    """Everything the summary page and the exports show."""
    cards = await services.shown_cards(board) if board["phase"] != "write" else []
    groups = await services.groups_of(board["id"])
    titles = {group["id"]: group["title"] for group in groups}
    columns = {column["key"]: column["title"] for column in board["columns"]}
    for card in cards:
        card["group_title"] = titles.get(card["group"], "")
        card["column_title"] = columns.get(card["column"], card["column"])
    by_group = [{"title": group["title"], "cards": [c for c in cards if c["group"] == group["id"]]} for group in groups]
    ungrouped = [c for c in cards if c["group"] is None]
    if ungrouped:
        by_group.append({"title": "Not grouped", "cards": ungrouped})
    return {"board": board, "phase": board["phase"], "cards": cards, "groups": by_group, "counts": await services.column_counts(board),
            "columns": board["columns"], "actions": await services.actions_of(board["id"]), "tallies_open": services.tallies_open(board),
            "private": board["phase"] == "write"}


def csv_of(summary: dict) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    tallies = summary["tallies_open"]
    writer.writerow(["kind", "column", "group", "text", "votes" if tallies else "votes (hidden until voting closes)", "owner", "due", "project"])
    if summary["private"]:
        for column in summary["columns"]:
            writer.writerow(["card count", csv_cell(column["title"]), "", f"{summary['counts'].get(column['key'], 0)} cards (private until reveal)",
                             "", "", "", ""])
    for card in summary["cards"]:
        writer.writerow(["card", csv_cell(card["column_title"]), csv_cell(card["group_title"]), csv_cell(card["text"]),
                         card.get("votes", "") if tallies else "", "", "", ""])
    for action in summary["actions"]:
        writer.writerow(["action", "", "", csv_cell(action["text"]), "", csv_cell(action["owner"]), action["due"], action["project"] or ""])
    return out.getvalue()


def _md(text: str) -> str:
    """Text as one Markdown line that cannot start a heading, list or link of its own."""
    return " ".join(text.split()).replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]").replace("<", "&lt;")


def markdown_of(summary: dict) -> str:
    board = summary["board"]
    lines = [f"# {_md(board['title'])}", "", f"Phase: {services.phase_label(summary['phase'])}", ""]
    if summary["private"]:
        lines += ["Cards are private to their writers until the reveal. Cards written so far:", ""]
        lines += [f"- {_md(column['title'])}: {summary['counts'].get(column['key'], 0)}" for column in summary["columns"]]
        lines.append("")
    for group in summary["groups"]:
        lines += [f"## {_md(group['title'])}", ""]
        for card in group["cards"]:
            votes = f" ({card['votes']} votes)" if summary["tallies_open"] else ""
            lines.append(f"- **{_md(card['column_title'])}**: {_md(card['text'])}{votes}")
        lines.append("")
    lines += ["## Actions", ""]
    for action in summary["actions"] or []:
        extra = ", ".join(part for part in (f"owner: {_md(action['owner'])}" if action["owner"] else "",
                                              f"due {action['due']}" if action["due"] else "",
                                              f"project {action['project']}" if action["project"] else "") if part)
        lines.append(f"- {_md(action['text'])}" + (f" ({extra})" if extra else ""))
    if not summary["actions"]:
        lines.append("No actions yet.")
    return "\n".join(lines) + "\n"

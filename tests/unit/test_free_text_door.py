"""Every free-text path goes through the one door (app/free_text.py): nothing else screens words,
scores their sentiment or opens a disclosure, so nothing can reach storage unscreened or flagged
words reach it without being held for the safeguarding lead."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOOR = ROOT / "app" / "free_text.py"
# The application's code; analysis/ is the library behind the door, scripts/ and tests/ measure it.
APPLICATION = [p for folder in ("app", "surveys") for p in (ROOT / folder).rglob("*.py") if "piccolo_migrations" not in p.parts]


def imported_names(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            names |= {f"{node.module}.{alias.name}" for alias in node.names}
        elif isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
    return names


def test_only_the_door_imports_screening_or_sentiment():
    behind_the_door = {"analysis.screening", "analysis.sentiment"}
    users = sorted(
        str(path.relative_to(ROOT)) for path in APPLICATION
        if any(name == module or name.startswith(module + ".") or name == f"analysis.{module.split('.')[1]}"
               for name in imported_names(path) for module in behind_the_door)
    )
    # The start-up preflight also imports screening, only to check its training texts are there.
    assert users == ["app/__main__.py", "app/free_text.py"]
    preflight = (ROOT / "app" / "__main__.py").read_text(encoding="utf-8")
    assert "screening.screen" not in preflight and "require_training_data()" in preflight


def test_only_the_door_opens_disclosures():
    callers = sorted(str(p.relative_to(ROOT)) for p in APPLICATION
                     if "open_disclosures(" in p.read_text(encoding="utf-8") and p.name != "services.py")
    assert callers == ["app/free_text.py"]


def test_every_place_answers_are_stored_holds_what_screening_flags():
    # Answers are written in one place, and that place passes flagged words to the door's hold().
    writers = sorted(str(p.relative_to(ROOT)) for p in APPLICATION if "Answer.insert(" in p.read_text(encoding="utf-8"))
    assert writers == ["surveys/questionnaires/submitting.py"]
    source = (ROOT / "surveys" / "questionnaires" / "submitting.py").read_text(encoding="utf-8")
    assert source.count("Answer.insert(") == 1 and "free_text.hold(" in source

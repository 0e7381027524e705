"""`python -m analysis`: every command, and what each kind of bad input gets."""

import json
import subprocess
import sys

import pytest

from tests.conftest import ROOT


def run(*args, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "analysis", *args], cwd=ROOT, input=stdin, capture_output=True, timeout=120)


def test_screen_writes_one_json_object_per_line():
    result = run("screen", stdin=b"i want to kill myself\nmore knife crime workshops please\n")
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.decode().splitlines()]
    assert [line["level"] for line in lines] == ["urgent", "none"]
    assert "suicidal_ideation" in lines[0]["categories"] and "kill myself" in lines[0]["reasons"]


def test_sentiment_contract():
    result = run("sentiment", stdin=b"i love the youth club\nnothing\n")
    lines = [json.loads(line) for line in result.stdout.decode().splitlines()]
    assert [line["label"] for line in lines] == ["positive", "neutral"]
    assert set(lines[0]) == {"label", "polarity", "subjectivity"}


def test_redact_writes_one_line_per_text():
    result = run("redact", stdin=b"my name is Jayden\ncall 07700 900123\n")
    assert result.stdout.decode().splitlines() == ["my name is [NAME]", "call [PHONE]"]


def test_readability_contract():
    result = run("readability", stdin=b"Were you referred to MASH?\n")
    line = json.loads(result.stdout)
    assert set(line) == {"reading_age", "flesch", "jargon"} and line["jargon"][0]["term"] == "MASH"


def test_csv_input_with_a_text_column(tmp_path):
    data = tmp_path / "answers.csv"
    data.write_text("id,answer\n1,my dad hits me\n2,i like art\n", encoding="utf-8")
    result = run("screen", str(data), "--text-column", "answer")
    levels = [json.loads(line)["level"] for line in result.stdout.decode().splitlines()]
    # The level model may raise "my dad hits me" to urgent (it leans towards urgent for recall).
    assert levels[0] in ("concern", "urgent") and levels[1] == "none"


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (("screen",), b"", "input is empty"),
        (("screen",), b"\xff\xfe\xfa not utf8", "input is not UTF-8"),
        (("screen",), b"\x00\x01\x02binary\x00", "input looks binary"),
        (("screen", "/no/such/file.txt"), None, "no such file"),
    ],
)
def test_bad_input_is_one_clear_line_and_exit_2(args, stdin, message):
    result = run(*args, stdin=stdin)
    assert result.returncode == 2
    stderr = result.stderr.decode()
    assert message in stderr and "Traceback" not in stderr and len(stderr.strip().splitlines()) == 1
    assert result.stdout == b""


def test_a_wrong_column_name_names_the_columns_there_are(tmp_path):
    data = tmp_path / "answers.csv"
    data.write_text("id,answer\n1,hello\n", encoding="utf-8")
    result = run("screen", str(data), "--text-column", "text")
    assert result.returncode == 2 and "no column 'text'" in result.stderr.decode() and "id, answer" in result.stderr.decode()


def test_a_one_megabyte_text_is_cut_and_the_cut_reported():
    result = run("sentiment", stdin=("word " * 220_000).encode())
    assert result.returncode == 0
    assert "only the first 100000 were used" in result.stderr.decode()
    assert len(result.stdout.decode().splitlines()) == 1


def test_themes_writes_one_json_object_with_themes_and_assignments(tmp_path):
    lines = ["more street lights in the park", "the park is too dark at night", "open the youth club at weekends",
             "more youth clubs please", "the bus home is always late", "buses stop too early"] * 10
    data = tmp_path / "answers.txt"
    data.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run("themes", str(data), "--k", "3", "--random-state", "1")
    assert result.returncode == 0, result.stderr
    output = json.loads(result.stdout)
    assert set(output) == {"themes", "assignments"} and len(output["assignments"]) == len(lines)
    assert {"id", "label", "keywords", "size", "quotes", "sentiment", "sentiment_split"} <= set(output["themes"][0])
    # Progress on stderr (a bar on a terminal; here, one line per stage), never on stdout.
    stages = [line for line in result.stderr.decode().splitlines() if line.startswith("analysis: themes ")]
    assert stages[0] == "analysis: themes 0% reading" and stages[-1] == "analysis: themes 100% done" and len(stages) >= 4


def test_sentiment_can_learn_from_the_organisations_labelled_feedback(tmp_path):
    training = tmp_path / "labelled.tsv"
    rows = ["the zorblax was wonderful\tpositive", "i loved the zorblax\tpositive", "zorblax made my day\tpositive",
            "the quibble was awful\tnegative", "i hated the quibble\tnegative", "quibble ruined it\tnegative",
            "i went on tuesday\tneutral", "it was the blue room\tneutral", "we came by car\tneutral"]
    training.write_text("text\tlabel\n" + "\n".join(rows) + "\n", encoding="utf-8")
    result = run("sentiment", "--training", str(training), stdin=b"the zorblax again\nthe quibble again\n")
    assert result.returncode == 0, result.stderr
    first, second = [json.loads(line) for line in result.stdout.decode().splitlines()]
    assert first["polarity"] > second["polarity"]


def test_sentiment_refuses_a_training_file_it_cannot_use(tmp_path):
    training = tmp_path / "unlabelled.csv"
    training.write_text("text\nhello\n", encoding="utf-8")
    result = run("sentiment", "--training", str(training), stdin=b"hi\n")
    assert result.returncode == 2 and "needs a text" in result.stderr.decode()


@pytest.mark.parametrize("k", ["0", "many", "999"])
def test_themes_refuses_a_bad_k(k):
    result = run("themes", "--k", k, stdin=b"a\nb\n")
    assert result.returncode == 2 and "--k must be" in result.stderr.decode()

"""`python -m analysis` — the stable command-line contract (see docs/architecture.md).

Input: a file (CSV with a header, or plain text with one text per line) or stdin. Results go to
stdout as JSON lines (redact: plain lines); errors are one line on stderr with exit status 2.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import sys
from dataclasses import asdict
from pathlib import Path

MAX_TEXT = 100_000  # characters; longer texts are cut, and the cut is reported on stderr


class InputError(Exception):
    """Input the CLI cannot use; the message is the one line the user sees."""


def read_texts(source: str | None, text_column: str | None) -> list[str]:
    raw = sys.stdin.buffer.read() if source in (None, "-") else _read_file(source)
    if b"\x00" in raw[:8192]:
        raise InputError("input looks binary (it has NUL bytes): give a UTF-8 text or CSV file")
    try:
        content = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InputError(f"input is not UTF-8 (byte {error.start}): save it as UTF-8 and try again") from None
    if not content.strip():
        raise InputError("input is empty: give one text per line, or a CSV file with a header")
    is_csv = (source or "").lower().endswith(".csv") or text_column is not None
    if is_csv:
        reader = csv.DictReader(io.StringIO(content))
        column = text_column or "text"
        if column not in (reader.fieldnames or []):
            raise InputError(f"no column {column!r} in the CSV header ({', '.join(reader.fieldnames or [])}): use --text-column")
        texts = [row[column] or "" for row in reader]
    else:
        texts = content.splitlines()
    for index, text in enumerate(texts):
        if len(text) > MAX_TEXT:
            print(f"analysis: text {index + 1} is {len(text)} characters; only the first {MAX_TEXT} were used", file=sys.stderr)
            texts[index] = text[:MAX_TEXT]
    return texts


def _read_file(source: str) -> bytes:
    path = Path(source)
    if not path.is_file():
        raise InputError(f"no such file: {source}")
    return path.read_bytes()


class _ThemeProgress:
    """Theme finding's progress on stderr: a bar on a terminal, else one line per stage."""

    def __enter__(self):
        from tqdm import tqdm

        self.bar = tqdm(total=100, desc="themes", unit="%", file=sys.stderr, disable=not sys.stderr.isatty())
        self.stage = None
        return self

    def __call__(self, fraction: float, stage: str) -> None:
        self.bar.set_postfix_str(stage, refresh=False)
        self.bar.update(round(100 * fraction) - self.bar.n)
        if self.bar.disable and stage != self.stage:
            print(f"analysis: themes {round(100 * fraction)}% {stage}", file=sys.stderr)
        self.stage = stage

    def __exit__(self, *exc):
        self.bar.close()


def _progress(texts: list[str], label: str):
    from tqdm import tqdm

    return tqdm(texts, desc=label, unit="text", file=sys.stderr, disable=len(texts) < 200 or not sys.stderr.isatty())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m analysis", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    themes = commands.add_parser("themes", help="theme clustering: one JSON object with themes and assignments")
    themes.add_argument("file", nargs="?", help="CSV (with --text-column, default 'text') or one text per line; stdin if absent")
    themes.add_argument("--text-column", default=None)
    themes.add_argument("--k", default="auto", help="number of themes, or 'auto' (default)")
    themes.add_argument("--random-state", type=int, default=0)
    themes.add_argument("--representation", choices=("wordllama", "minilm"), default="wordllama",
                        help="wordllama (default) or all-MiniLM-L6-v2")
    for name, help_text in (
        ("screen", "safeguarding screening: one JSON object per text"),
        ("sentiment", "sentiment: one JSON object per text"),
        ("redact", "remove personal details: one line per text"),
        ("readability", "reading age, Flesch ease and jargon: one JSON object per text"),
    ):
        command = commands.add_parser(name, help=help_text)
        command.add_argument("file", nargs="?", help="CSV (with --text-column, default 'text') or one text per line; stdin if absent")
        command.add_argument("--text-column", default=None)
    commands.choices["sentiment"].add_argument(
        "--training", default=None,
        help="labelled feedback to fit the sentiment model on (CSV/TSV: text or comment, label or 1-5 sentiment); "
             "default: Chorus's own answers, or $CHORUS_SENTIMENT_TRAINING")
    args = parser.parse_args(argv)

    from analysis import resources

    try:
        resources.use_paths([p for p in os.environ.get("NLTK_DATA", "").split(os.pathsep) if p])
        resources.require()
        texts = read_texts(args.file, args.text_column)
        if args.command == "themes" and args.k != "auto" and not (args.k.isdigit() and 1 <= int(args.k) <= 200):
            raise InputError(f"--k must be 'auto' or a whole number from 1 to 200, not {args.k!r}")
    except (InputError, resources.MissingNLTKData) as error:
        print(f"analysis: {error}", file=sys.stderr)
        return 2

    out = sys.stdout
    if args.command == "themes":
        from analysis.themes import find_themes

        print(f"analysis: finding themes in {len(texts)} texts…", file=sys.stderr)
        try:
            with _ThemeProgress() as progress:
                result = find_themes(texts, k=int(args.k) if args.k != "auto" else "auto", random_state=args.random_state,
                                     representation=args.representation, progress=progress)
        except RuntimeError as error:
            print(f"analysis: {error}", file=sys.stderr)
            return 2
        out.write(json.dumps(result.to_dict(), ensure_ascii=False) + "\n")
    elif args.command == "screen":
        from analysis.screening import screen

        for text in _progress(texts, "screening"):
            out.write(json.dumps(asdict(screen(text))) + "\n")
    elif args.command == "sentiment":
        from analysis import sentiment

        if args.training:
            try:
                sentiment.read_training(args.training)
            except (OSError, ValueError) as error:
                print(f"analysis: --training: {error}", file=sys.stderr)
                return 2
            os.environ[sentiment.TRAINING_ENV] = args.training
        for text in _progress(texts, "sentiment"):
            out.write(json.dumps(asdict(sentiment.score(text))) + "\n")
    elif args.command == "redact":
        from analysis.redact import redact

        for text in _progress(texts, "redacting"):
            out.write(redact(text).replace("\n", " ") + "\n")
    elif args.command == "readability":
        from analysis.readability import assess

        for text in _progress(texts, "readability"):
            out.write(json.dumps(asdict(assess(text))) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())

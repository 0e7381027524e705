"""The NLTK data Chorus needs, where it is looked for, and how to get it.

Nothing here downloads on its own: `download()` is only called by set-up commands, never by a
request or a test.
"""

from __future__ import annotations

import contextlib
import io
import shutil
import socket
from collections.abc import Callable, Iterable
from pathlib import Path

import nltk

# NLTK id -> the path nltk.data.find() resolves (cmudict must be unzipped: textstat looks for it so).
REQUIRED: dict[str, str] = {
    "stopwords": "corpora/stopwords",
    "cmudict": "corpora/cmudict/cmudict",
    "vader_lexicon": "sentiment/vader_lexicon.zip",
    # Redaction: first names, English words (a name is a word that is not one), the POS tagger.
    "names": "corpora/names.zip",
    "words": "corpora/words.zip",
    "averaged_perceptron_tagger_eng": "taggers/averaged_perceptron_tagger_eng/",
}


class MissingNLTKData(RuntimeError):
    """Some NLTK data is not installed; the message says which and how to get it."""


def use_paths(paths: Iterable[Path | str]) -> None:
    """Put these folders first on NLTK's search path (idempotent)."""
    for path in reversed([str(p) for p in paths]):
        if path in nltk.data.path:
            nltk.data.path.remove(path)
        nltk.data.path.insert(0, path)


def missing() -> list[str]:
    """The ids of required NLTK packages that NLTK cannot find on its search path."""
    absent = []
    for package, resource in REQUIRED.items():
        try:
            nltk.data.find(resource)
        except LookupError:
            absent.append(package)
    return absent


def require() -> None:
    """Raise MissingNLTKData naming what is absent and the command that installs it."""
    absent = missing()
    if absent:
        raise MissingNLTKData(
            f"NLTK data missing: {', '.join(absent)}. Run `chorus nltk download` while online, "
            "or set NLTK_DATA to a folder that has them"
        )


def download(target: Path, offline_source: Path | None = None, timeout: float = 30,
             note: Callable[[str], None] | None = None) -> list[str]:
    """Fetch each missing package into `target`; return those still missing afterwards.

    With `offline_source`, packages are copied from that folder (a mirror laid out like
    nltk_data) when the download host cannot be reached; `note` is told so once, in one calm line
    (nltk's own downloader prints an alarming error per package even when quiet, so it is muted).
    """
    target.mkdir(parents=True, exist_ok=True)
    use_paths([target])
    previous_timeout = socket.getdefaulttimeout()
    socket.setdefaulttimeout(timeout)
    copied = []
    try:
        for package in missing():
            try:
                with contextlib.redirect_stdout(io.StringIO()):
                    nltk.download(package, download_dir=str(target), quiet=True, raise_on_error=True, print_error_to=io.StringIO())
            except Exception:  # noqa: BLE001 - any network failure falls through to the mirror
                if offline_source is not None:
                    _copy_from_mirror(package, offline_source, target)
                    copied.append(package)
    finally:
        socket.setdefaulttimeout(previous_timeout)
    if copied and note is not None:
        note(f"NLTK data: the download host could not be reached, so {', '.join(copied)} came from {offline_source}")
    return missing()


def _copy_from_mirror(package: str, source: Path, target: Path) -> None:
    top, _, _ = REQUIRED[package].partition("/")
    for candidate in (source / top / package, source / top / f"{package}.zip"):
        destination = target / top / candidate.name
        if candidate.is_dir():
            shutil.copytree(candidate, destination, dirs_exist_ok=True)
        elif candidate.is_file():
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(candidate, destination)

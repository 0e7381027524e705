"""The `chorus` command: Litestar's CLI for this app, after checks that fail with one clear line."""

from __future__ import annotations

import os
import sys

from analysis import resources as nltk_resources
from app.settings import ConfigError, get_settings

# What each command needs working before it starts; anything else only needs valid settings.
PREFLIGHT = {
    "run": ("database", "nltk", "screening"),
    "database": ("database",),
    "demo": ("database",),
    "governance": ("database",),
    "users": ("database",),
}


def preflight(arguments: list[str]) -> None:
    """Validate settings and, for commands that need them, the database, NLTK data and screening's training texts."""
    settings = get_settings()
    command = next((a for a in arguments if not a.startswith("-")), "")
    needs = PREFLIGHT.get(command, ())
    if "database" in needs:
        from app.database import check_reachable

        check_reachable(settings)
    if "nltk" in needs:
        nltk_resources.use_paths(settings.nltk_data)
        try:
            nltk_resources.require()
        except nltk_resources.MissingNLTKData as error:
            raise ConfigError(str(error)) from None
    if "screening" in needs:
        from analysis import screening  # imported only here: it brings scikit-learn

        try:
            screening.require_training_data()
        except screening.MissingScreeningData as error:
            raise ConfigError(str(error)) from None


def port_argument(arguments: list[str]) -> str | None:
    """The port `chorus run --port N` (or `-p N`, `--port=N`) will serve on, if given."""
    for i, argument in enumerate(arguments):
        if argument.startswith("--port="):
            return argument.split("=", 1)[1]
        if argument in ("--port", "-p") and i + 1 < len(arguments):
            return arguments[i + 1]
    return None


def main() -> None:
    os.environ.setdefault("LITESTAR_APP", "app.asgi:create_app")
    # Without CHORUS_PUBLIC_URL, development's address is http://127.0.0.1:$PORT; `chorus run --port N`
    # must mean the same, or the Host check would refuse every request to the port actually served.
    if sys.argv[1:2] == ["run"] and (port := port_argument(sys.argv[2:])):
        os.environ.setdefault("PORT", port)
    try:
        preflight(sys.argv[1:])
    except ConfigError as error:
        sys.exit(f"chorus: {error}")
    from litestar.__main__ import run_cli

    run_cli()


if __name__ == "__main__":
    main()

"""Settings, read once from the environment and validated before anything starts."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

PROJECT_ROOT = Path(__file__).resolve().parent.parent
ENVIRONMENTS = ("development", "production")
DATABASE_SCHEMES = {"sqlite": "sqlite", "postgres": "postgres", "postgresql": "postgres"}


class ConfigError(Exception):
    """A setting is missing or wrong; the message names the problem and the fix in one line."""


@dataclass(frozen=True)
class Settings:
    """Everything Chorus reads from its environment."""

    env: str = "development"
    """`development` or `production` (CHORUS_ENV)."""
    database_url: str = ""
    """`sqlite:///path/to/file.db` or `postgresql://user:pass@host:port/db` (DATABASE_URL)."""
    secret_key: str = field(default="", repr=False)
    """Signs CSRF tokens and sessions (SECRET_KEY); kept under var/ in development."""
    var_dir: Path = PROJECT_ROOT / "var"
    """Where development state lives: the SQLite file, the dev secret key, NLTK data (CHORUS_VAR_DIR)."""
    nltk_data: tuple[Path, ...] = ()
    """Folders searched for NLTK data, first match wins (NLTK_DATA, then var/nltk_data)."""
    smtp_host: str = ""
    """Outgoing mail server (SMTP_HOST); empty in development keeps mail in the outbox only."""
    smtp_port: int = 25
    """Outgoing mail port (SMTP_PORT)."""
    smtp_username: str = ""
    """SMTP login, if the server wants one (SMTP_USERNAME)."""
    smtp_password: str = field(default="", repr=False)
    """SMTP password (SMTP_PASSWORD)."""
    smtp_starttls: bool = False
    """Upgrade the SMTP connection with STARTTLS (SMTP_STARTTLS=1)."""
    mail_from: str = "Chorus <chorus@localhost>"
    """The From: address of mail Chorus sends (MAIL_FROM)."""
    sign_in_rate_limit: int = 20
    """Sign-in form posts allowed per minute from one address (SIGN_IN_RATE_LIMIT_PER_MINUTE)."""
    public_url: str = "http://127.0.0.1:8000"
    """The address people reach Chorus at (CHORUS_PUBLIC_URL): every link Chorus sends or shows starts with it."""
    extra_allowed_hosts: tuple[str, ...] = ()
    """More `Host` headers to serve besides the public address's (CHORUS_ALLOWED_HOSTS, comma-separated)."""
    small_group_threshold: int = 5
    """Groups of fewer respondents than this are shown as "fewer than N" (SMALL_GROUP_THRESHOLD, 3 or more)."""
    job_worker: str = "web"
    """Where background jobs run (CHORUS_JOB_WORKER): `web` inside each web worker, or `separate`
    when a `chorus worker` process runs them (the Procfile's `worker:` line)."""

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    @property
    def allowed_hosts(self) -> list[str]:
        """The `Host` headers Chorus answers: the public address's, loopback in development, and any extra.

        Litestar matches the whole header, port included, so each name is listed with and without it.
        """
        parts = urlsplit(self.public_url)
        names = [parts.hostname or ""]
        if not self.is_production:
            names += ["localhost", "127.0.0.1"]
        hosts = [f"{name}:{parts.port}" for name in names] if parts.port else []
        return list(dict.fromkeys([*hosts, *names, *self.extra_allowed_hosts]))

    @property
    def database_engine(self) -> str:
        """`sqlite` or `postgres`."""
        return DATABASE_SCHEMES[urlsplit(self.database_url).scheme]

    @property
    def sqlite_path(self) -> Path:
        # As in SQLAlchemy: sqlite:///relative.db and sqlite:////absolute/path.db
        return Path(urlsplit(self.database_url).path[1:])

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Build and validate settings; raise ConfigError naming the first problem found."""
        environ = os.environ if environ is None else environ
        env = environ.get("CHORUS_ENV", "development").strip() or "development"
        if env not in ENVIRONMENTS:
            raise ConfigError(
                f"CHORUS_ENV must be 'development' or 'production', not {env!r}: fix CHORUS_ENV"
            )
        var_dir = Path(environ.get("CHORUS_VAR_DIR") or PROJECT_ROOT / "var").resolve()
        database_url = environ.get("DATABASE_URL", "").strip() or f"sqlite:///{var_dir / 'chorus.db'}"
        _validate_database_url(database_url)
        secret_key = environ.get("SECRET_KEY", "").strip()
        if not secret_key:
            if env == "production":
                raise ConfigError(
                    "SECRET_KEY is required when CHORUS_ENV=production: set it to a long random "
                    "string, e.g. the output of `python -c \"import secrets; print(secrets.token_urlsafe(48))\"`"
                )
            secret_key = _development_secret_key(var_dir)
        elif len(secret_key) < 32:
            raise ConfigError("SECRET_KEY is too short: use at least 32 random characters")
        nltk_data = tuple(Path(p) for p in environ.get("NLTK_DATA", "").split(os.pathsep) if p)
        try:
            smtp_port = int(environ.get("SMTP_PORT", "25"))
        except ValueError:
            raise ConfigError(f"SMTP_PORT must be a port number, not {environ['SMTP_PORT']!r}") from None
        try:
            sign_in_rate_limit = int(environ.get("SIGN_IN_RATE_LIMIT_PER_MINUTE", "20"))
        except ValueError:
            raise ConfigError("SIGN_IN_RATE_LIMIT_PER_MINUTE must be a whole number") from None
        try:
            small_group_threshold = int(environ.get("SMALL_GROUP_THRESHOLD", "5"))
        except ValueError:
            raise ConfigError("SMALL_GROUP_THRESHOLD must be a whole number (5 unless agreed otherwise)") from None
        if small_group_threshold < 3:
            raise ConfigError(
                f"SMALL_GROUP_THRESHOLD must be 3 or more, not {small_group_threshold}: smaller groups could identify a child"
            )
        smtp_host = environ.get("SMTP_HOST", "").strip()
        if env == "production" and not smtp_host:
            raise ConfigError(
                "SMTP_HOST is required when CHORUS_ENV=production (invites and password resets are "
                "sent by email): set SMTP_HOST and SMTP_PORT to your mail relay"
            )
        public_url = _public_url(environ, env)
        extra_allowed_hosts = tuple(h.strip().lower() for h in environ.get("CHORUS_ALLOWED_HOSTS", "").split(",") if h.strip())
        if any("/" in h or "*" in h[1:] for h in extra_allowed_hosts):
            raise ConfigError(
                "CHORUS_ALLOWED_HOSTS is a comma-separated list of host names, optionally with a port "
                "(chorus.example.org, 10.0.0.5:8000, *.example.org): fix CHORUS_ALLOWED_HOSTS"
            )
        job_worker = environ.get("CHORUS_JOB_WORKER", "web").strip() or "web"
        if job_worker not in ("web", "separate"):
            raise ConfigError(
                f"CHORUS_JOB_WORKER must be 'web' or 'separate', not {job_worker!r}: fix CHORUS_JOB_WORKER"
            )
        return cls(
            env=env,
            database_url=database_url,
            secret_key=secret_key,
            var_dir=var_dir,
            nltk_data=(*nltk_data, var_dir / "nltk_data"),
            smtp_host=smtp_host,
            smtp_port=smtp_port,
            smtp_username=environ.get("SMTP_USERNAME", ""),
            smtp_password=environ.get("SMTP_PASSWORD", ""),
            smtp_starttls=environ.get("SMTP_STARTTLS", "") in ("1", "true", "yes"),
            mail_from=environ.get("MAIL_FROM", "Chorus <chorus@localhost>"),
            public_url=public_url,
            extra_allowed_hosts=extra_allowed_hosts,
            sign_in_rate_limit=sign_in_rate_limit,
            small_group_threshold=small_group_threshold,
            job_worker=job_worker,
        )


def _public_url(environ: Mapping[str, str], env: str) -> str:
    """Where people reach Chorus. Links in emails must never come from a request's Host header,
    which anyone can set, so production needs it spelt out; development defaults to the local server."""
    url = environ.get("CHORUS_PUBLIC_URL", "").strip().rstrip("/")
    if not url:
        if env == "production":
            raise ConfigError(
                "CHORUS_PUBLIC_URL is required when CHORUS_ENV=production (links in invitation and "
                "password-reset emails and survey QR codes start with it): set it to the address "
                "people use, e.g. https://chorus.example.org"
            )
        port = environ.get("PORT", "").strip() or "8000"
        url = f"http://127.0.0.1:{port}"
    parts = urlsplit(url)
    try:
        _ = parts.port  # urllib parses the port lazily: reading it raises on "abc"
    except ValueError:
        parts = parts._replace(netloc="")
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise ConfigError(
            f"CHORUS_PUBLIC_URL must be an address like https://chorus.example.org, not {url[:80]!r}: "
            "fix CHORUS_PUBLIC_URL"
        )
    return url


def _validate_database_url(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in DATABASE_SCHEMES:
        raise ConfigError(
            f"DATABASE_URL must start with sqlite:/// or postgresql://, not {url.split(':', 1)[0]!r}: "
            "fix DATABASE_URL"
        )
    if parts.scheme == "sqlite":
        if parts.netloc or not parts.path.strip("/"):
            raise ConfigError(
                "DATABASE_URL for SQLite must look like sqlite:///var/chorus.db (relative) or "
                "sqlite:////abs/path/chorus.db: fix DATABASE_URL"
            )
        return
    try:
        _ = parts.port  # urllib parses the port lazily: reading it raises on "abc"
    except ValueError:
        raise ConfigError("DATABASE_URL has a port that is not a number: fix DATABASE_URL") from None
    if not parts.hostname or not parts.path.strip("/"):
        raise ConfigError(
            "DATABASE_URL for PostgreSQL must name a host and a database, "
            "e.g. postgresql://chorus:secret@localhost:5432/chorus: fix DATABASE_URL"
        )


def _development_secret_key(var_dir: Path) -> str:
    """Keep one generated key per checkout so sessions survive restarts in development."""
    key_file = var_dir / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    var_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    key_file.touch(mode=0o600)
    key_file.write_text(key)
    return key


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (cached: the environment is read once)."""
    return Settings.from_env()

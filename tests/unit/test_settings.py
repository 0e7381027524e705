"""Settings are read from the environment once and every wrong value is named with its fix."""

from pathlib import Path

import pytest

from app.settings import ConfigError, Settings

GOOD_KEY = "k" * 40


def settings_from(tmp_path: Path, **environ: str) -> Settings:
    return Settings.from_env({"CHORUS_VAR_DIR": str(tmp_path), **environ})


def test_defaults_to_development_on_a_sqlite_file_under_var(tmp_path):
    settings = settings_from(tmp_path)
    assert settings.env == "development"
    assert settings.database_engine == "sqlite"
    assert settings.sqlite_path == tmp_path / "chorus.db"
    assert settings.nltk_data[-1] == tmp_path / "nltk_data"


def test_development_secret_key_is_generated_once_and_kept_private(tmp_path):
    first = settings_from(tmp_path).secret_key
    second = settings_from(tmp_path).secret_key
    assert first == second and len(first) >= 32
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


@pytest.mark.parametrize(
    ("url", "engine"),
    [
        ("postgresql://chorus:pw@db.example:5432/chorus", "postgres"),
        ("postgres://chorus@localhost/chorus", "postgres"),
        ("sqlite:///relative/chorus.db", "sqlite"),
    ],
)
def test_database_url_selects_the_engine(tmp_path, url, engine):
    assert settings_from(tmp_path, DATABASE_URL=url).database_engine == engine


def test_sqlite_urls_follow_the_sqlalchemy_convention(tmp_path):
    assert settings_from(tmp_path, DATABASE_URL="sqlite:///var/x.db").sqlite_path == Path("var/x.db")
    assert settings_from(tmp_path, DATABASE_URL="sqlite:////srv/x.db").sqlite_path == Path("/srv/x.db")


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"DATABASE_URL": "mysql://u@h/db"}, "DATABASE_URL must start with sqlite:/// or postgresql://"),
        ({"DATABASE_URL": "not a url"}, "DATABASE_URL must start with"),
        ({"DATABASE_URL": "postgresql://localhost"}, "must name a host and a database"),
        ({"DATABASE_URL": "postgresql:///chorus"}, "must name a host and a database"),
        ({"DATABASE_URL": "postgresql://h:port/db"}, "port that is not a number"),
        ({"DATABASE_URL": "sqlite://"}, "DATABASE_URL for SQLite must look like"),
        ({"CHORUS_ENV": "staging"}, "CHORUS_ENV must be 'development' or 'production', not 'staging'"),
        ({"CHORUS_ENV": "production"}, "SECRET_KEY is required when CHORUS_ENV=production"),
        ({"SECRET_KEY": "short"}, "SECRET_KEY is too short"),
        ({"SMTP_PORT": "twenty-five"}, "SMTP_PORT must be a port number"),
        ({"CHORUS_ENV": "production", "SECRET_KEY": GOOD_KEY}, "SMTP_HOST is required when CHORUS_ENV=production"),
        (
            {"CHORUS_ENV": "production", "SECRET_KEY": GOOD_KEY, "SMTP_HOST": "smtp.example.org"},
            "CHORUS_PUBLIC_URL is required when CHORUS_ENV=production",
        ),
        ({"CHORUS_PUBLIC_URL": "chorus.example.org"}, "CHORUS_PUBLIC_URL must be an address like https://chorus.example.org"),
        ({"CHORUS_PUBLIC_URL": "ftp://chorus.example.org"}, "fix CHORUS_PUBLIC_URL"),
        ({"CHORUS_PUBLIC_URL": "https://chorus.example.org:port"}, "fix CHORUS_PUBLIC_URL"),
        ({"CHORUS_ALLOWED_HOSTS": "https://chorus.example.org/"}, "fix CHORUS_ALLOWED_HOSTS"),
        ({"CHORUS_JOB_WORKER": "both"}, "CHORUS_JOB_WORKER must be 'web' or 'separate', not 'both'"),
    ],
)
def test_each_bad_setting_is_named_with_its_fix(tmp_path, environ, message):
    with pytest.raises(ConfigError) as error:
        settings_from(tmp_path, **environ)
    assert message in str(error.value)
    assert "\n" not in str(error.value)


def test_jobs_run_in_the_web_app_unless_a_separate_worker_is_said(tmp_path):
    assert settings_from(tmp_path).job_worker == "web"
    assert settings_from(tmp_path, CHORUS_JOB_WORKER="separate").job_worker == "separate"


def test_production_with_a_secret_key_is_accepted(tmp_path):
    settings = settings_from(
        tmp_path, CHORUS_ENV="production", SECRET_KEY=GOOD_KEY, SMTP_HOST="smtp.example.org", CHORUS_PUBLIC_URL="https://chorus.example.org/"
    )
    assert settings.is_production
    assert not (tmp_path / "secret_key").exists()


def test_production_serves_only_the_public_host_and_the_ones_added(tmp_path):
    settings = settings_from(
        tmp_path, CHORUS_ENV="production", SECRET_KEY=GOOD_KEY, SMTP_HOST="smtp.example.org",
        CHORUS_PUBLIC_URL="https://chorus.example.org/", CHORUS_ALLOWED_HOSTS="Chorus.Internal:8000, 10.0.0.5",
    )
    assert settings.public_url == "https://chorus.example.org"
    assert settings.allowed_hosts == ["chorus.example.org", "chorus.internal:8000", "10.0.0.5"]


def test_development_links_go_to_the_local_server_and_loopback_names_are_served(tmp_path):
    settings = settings_from(tmp_path, PORT="9000")
    assert settings.public_url == "http://127.0.0.1:9000"
    assert settings.allowed_hosts == ["127.0.0.1:9000", "localhost:9000", "127.0.0.1", "localhost"]


def test_secret_values_are_kept_out_of_repr(tmp_path):
    settings = settings_from(tmp_path, SECRET_KEY=GOOD_KEY, SMTP_PASSWORD="hunter2hunter2")
    assert GOOD_KEY not in repr(settings) and "hunter2" not in repr(settings)

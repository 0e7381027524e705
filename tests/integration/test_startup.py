"""Bad start-up input: `chorus` exits at once with one line naming the problem and the fix."""

import subprocess
import sys
import time

import pytest

from tests.browser_support import free_port
from tests.conftest import ROOT


def start(env: dict[str, str], *command: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "app", *command], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )


def assert_one_clear_line(result: subprocess.CompletedProcess, expected: str) -> None:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("chorus: ")
    assert expected in lines[0]


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"DATABASE_URL": "mysql://chorus@localhost/chorus"}, "DATABASE_URL must start with sqlite:/// or postgresql://"),
        ({"DATABASE_URL": "postgresql://chorus@127.0.0.1:1/chorus"}, "cannot connect to PostgreSQL at 127.0.0.1:1/chorus"),
        ({"DATABASE_URL": "sqlite:////proc/chorus/nowhere.db"}, "cannot open the SQLite database at /proc/chorus/nowhere.db"),
        ({"CHORUS_ENV": "production", "SECRET_KEY": ""}, "SECRET_KEY is required when CHORUS_ENV=production"),
        ({"CHORUS_ENV": "staging"}, "CHORUS_ENV must be 'development' or 'production', not 'staging'"),
    ],
)
def test_bad_settings_stop_chorus_run_with_one_line(subprocess_env, overrides, expected):
    subprocess_env.update(overrides)
    assert_one_clear_line(start(subprocess_env, "run", "--port", str(free_port())), expected)


def test_missing_nltk_data_stops_chorus_run_with_the_command_that_fixes_it(subprocess_env, tmp_path):
    subprocess_env["NLTK_DATA"] = str(tmp_path / "empty")
    subprocess_env["CHORUS_VAR_DIR"] = str(tmp_path / "var")
    subprocess_env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'x.db'}"
    result = start(subprocess_env, "run", "--port", str(free_port()))
    assert_one_clear_line(result, "NLTK data missing: stopwords, cmudict, vader_lexicon, names, words, averaged_perceptron_tagger_eng. Run `chorus nltk download`")


def test_unreachable_database_stops_the_upgrade_too(subprocess_env):
    subprocess_env["DATABASE_URL"] = "postgresql://chorus@127.0.0.1:1/chorus"
    assert_one_clear_line(start(subprocess_env, "database", "upgrade"), "cannot connect to PostgreSQL")


def test_commands_that_need_no_database_still_validate_settings(subprocess_env):
    subprocess_env["CHORUS_ENV"] = "qa"
    assert_one_clear_line(start(subprocess_env, "nltk", "status"), "CHORUS_ENV must be")


def test_nltk_status_reports_each_package(subprocess_env):
    result = start(subprocess_env, "nltk", "status")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "stopwords: present", "cmudict: present", "vader_lexicon: present",
        "names: present", "words: present", "averaged_perceptron_tagger_eng: present",
    ]


def test_offline_nltk_set_up_says_one_calm_line(subprocess_env, tmp_path, settings):
    """`make run` offline: no alarming download errors, one line saying where the data came from."""
    mirror = next(p for p in settings.nltk_data if (p / "corpora" / "stopwords").is_dir())
    subprocess_env.update({
        "NLTK_DATA": str(tmp_path / "empty"), "CHORUS_VAR_DIR": str(tmp_path / "var"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}",
        # The download host is "unreachable" here even on a machine that has the internet.
        "HTTPS_PROXY": "http://127.0.0.1:9", "HTTP_PROXY": "http://127.0.0.1:9", "https_proxy": "http://127.0.0.1:9",
    })
    result = start(subprocess_env, "nltk", "download", "--offline-source", str(mirror))
    assert result.returncode == 0, result.stderr
    assert "[nltk_data]" not in result.stdout + result.stderr and "Error" not in result.stdout + result.stderr
    lines = [line for line in (result.stdout + result.stderr).splitlines() if line.strip()]
    assert len(lines) == 2, lines
    assert lines[0].startswith("NLTK data: the download host could not be reached, so stopwords, cmudict, vader_lexicon, names, words, averaged_perceptron_tagger_eng came from")
    assert lines[1].startswith("NLTK data: installed into")


def test_chorus_run_on_another_port_answers_there_without_more_settings(subprocess_env, migrated_database):
    """`chorus run --port N` in development: the Host check follows the port actually served."""
    import httpx

    from tests.browser_support import wait_until_serving

    env = {k: v for k, v in subprocess_env.items() if k not in ("CHORUS_PUBLIC_URL", "PORT")}
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "app", "run", "--port", str(port)], cwd=ROOT, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_until_serving(f"http://127.0.0.1:{port}/health", process)
        assert httpx.get(f"http://127.0.0.1:{port}/").status_code == 200
        assert httpx.get(f"http://localhost:{port}/").status_code == 200
        assert httpx.get(f"http://127.0.0.1:{port}/", headers={"Host": "evil.example"}).status_code == 400
        # Serving at once, the models fitting behind it; /health says when they are ready.
        assert httpx.get(f"http://127.0.0.1:{port}/health").json()["models"] in {"warming up", "ready"}
        for _ in range(600):
            if httpx.get(f"http://127.0.0.1:{port}/health").json()["models"] == "ready":
                break
            time.sleep(0.5)
        assert httpx.get(f"http://127.0.0.1:{port}/health").json() == {"status": "ok", "database": "ok", "models": "ready"}
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_missing_screening_training_data_stops_chorus_run_with_how_to_restore_it(monkeypatch, tmp_path):
    # In-process: the training file ships inside the package, so the test points screening elsewhere.
    from analysis import screening
    from app.__main__ import preflight
    from app.settings import ConfigError

    monkeypatch.setattr(screening, "TRAINING_DATA", tmp_path / "absent.tsv")
    with pytest.raises(ConfigError, match=r"safeguarding screening needs its training texts .*absent\.tsv.*reinstall Chorus"):
        preflight(["run", "--port", "8000"])
    preflight(["routes"])  # commands that never screen do not need it

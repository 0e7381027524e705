"""NLTK data is looked for, never fetched, outside set-up commands."""


import nltk
import pytest

from analysis import resources


@pytest.fixture
def isolated_nltk_path(monkeypatch):
    monkeypatch.setattr(nltk.data, "path", [])
    return nltk.data.path


def test_required_data_is_found_in_the_configured_folder(isolated_nltk_path, settings):
    resources.use_paths(settings.nltk_data)
    assert resources.missing() == []
    resources.require()


def test_missing_data_names_each_package_and_the_command_to_get_it(isolated_nltk_path, tmp_path):
    resources.use_paths([tmp_path])
    assert resources.missing() == ["stopwords", "cmudict", "vader_lexicon", "names", "words", "averaged_perceptron_tagger_eng"]
    with pytest.raises(resources.MissingNLTKData,
                       match=r"stopwords, cmudict, vader_lexicon, names, words, averaged_perceptron_tagger_eng.*chorus nltk download"):
        resources.require()


def test_download_copies_from_an_offline_mirror_when_the_host_is_unreachable(isolated_nltk_path, tmp_path, settings, monkeypatch):
    mirror = next(p for p in settings.nltk_data if (p / "corpora" / "stopwords").is_dir())

    def unreachable(*args, **kwargs):
        raise OSError("network is unreachable")

    monkeypatch.setattr(nltk, "download", unreachable)
    target = tmp_path / "nltk_data"
    assert resources.download(target, offline_source=mirror) == []
    assert (target / "corpora" / "cmudict" / "cmudict").exists()
    assert (target / "sentiment" / "vader_lexicon.zip").exists()
    assert (target / "corpora" / "names.zip").exists() and (target / "corpora" / "words.zip").exists()
    assert (target / "taggers" / "averaged_perceptron_tagger_eng").is_dir()


def test_use_paths_puts_folders_first_without_duplicates(isolated_nltk_path, tmp_path):
    resources.use_paths([tmp_path / "a", tmp_path / "b"])
    resources.use_paths([tmp_path / "a"])
    assert nltk.data.path == [str(tmp_path / "a"), str(tmp_path / "b")]

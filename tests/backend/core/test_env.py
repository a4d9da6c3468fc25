"""backend/core/env.py: typed values, and errors that name the variable."""

from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from backend.core.env import env_choice, env_float, env_path


def test_a_float_is_read_or_defaulted(monkeypatch):
    monkeypatch.setenv("VIGIE_TEST_SECONDS", "2.5")
    assert env_float("VIGIE_TEST_SECONDS", 30) == 2.5
    monkeypatch.setenv("VIGIE_TEST_SECONDS", "")
    assert env_float("VIGIE_TEST_SECONDS", 30) == 30


@pytest.mark.parametrize("raw", ["abc", "nan", "inf"])
def test_a_bad_float_names_the_variable(monkeypatch, raw):
    monkeypatch.setenv("VIGIE_TEST_SECONDS", raw)
    with pytest.raises(ImproperlyConfigured, match="VIGIE_TEST_SECONDS must be a"):
        env_float("VIGIE_TEST_SECONDS", 30)


def test_a_path_is_read_or_defaulted_and_nothing_is_created(monkeypatch, tmp_path):
    monkeypatch.delenv("VIGIE_TEST_FOLDER", raising=False)
    assert env_path("VIGIE_TEST_FOLDER", tmp_path / "default") == tmp_path / "default"
    monkeypatch.setenv("VIGIE_TEST_FOLDER", str(tmp_path / "set"))
    assert env_path("VIGIE_TEST_FOLDER", Path("unused")) == tmp_path / "set"
    assert list(tmp_path.iterdir()) == []


def test_a_choice_outside_the_list_names_the_variable_and_the_choices(monkeypatch):
    monkeypatch.setenv("VIGIE_TEST_FORMAT", "json")
    assert env_choice("VIGIE_TEST_FORMAT", "plain", {"plain", "json"}) == "json"
    monkeypatch.setenv("VIGIE_TEST_FORMAT", "xml")
    with pytest.raises(ImproperlyConfigured, match="VIGIE_TEST_FORMAT must be one of json, plain, got 'xml'"):
        env_choice("VIGIE_TEST_FORMAT", "plain", {"plain", "json"})

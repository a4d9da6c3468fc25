"""What `make run` prints and what the README says agree on the Python to use (issue 14, README
friction): the demo's banner names the interpreter that runs it, `.venv/bin/python` under `make run`,
as the README's commands and deploy/run-embedded.sh do."""

import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[3]

pytestmark = pytest.mark.django_db


def banner(monkeypatch: pytest.MonkeyPatch, python: Path) -> str:
    monkeypatch.chdir(ROOT)
    monkeypatch.setattr(sys, "executable", str(python))
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_the_banner_and_the_readme_give_make_runs_python(monkeypatch: pytest.MonkeyPatch) -> None:
    assert "VENV ?= .venv\nPY := $(VENV)/bin/python" in (ROOT / "Makefile").read_text()
    assert "PY=${PY:-.venv/bin/python}" in (ROOT / "deploy" / "run-embedded.sh").read_text()
    command = "DEBUG=1 .venv/bin/python manage.py totp_code"
    assert f"code du moment : {command} <téléphone>" in banner(monkeypatch, ROOT / ".venv" / "bin" / "python")
    readme = (ROOT / "README.md").read_text()
    assert f"{command} +33612000002" in readme
    assert "`python manage.py" not in readme  # a bare `python` may not be the one Vigie is installed in


def test_another_python_is_named_as_it_is(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    elsewhere = tmp_path / "venv" / "bin" / "python"
    assert f"code du moment : DEBUG=1 {elsewhere} manage.py totp_code" in banner(monkeypatch, elsewhere)

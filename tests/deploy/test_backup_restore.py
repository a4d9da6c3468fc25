"""deploy/backup/: a dump made by vigie-backup.sh restores with vigie-restore.sh into another database,
and the media archive into another folder (on the machine's PostgreSQL)."""

import os
import subprocess
from pathlib import Path

import psycopg
import pytest

from tests.live import ROOT, fresh_database

pytestmark = pytest.mark.deploy

BACKUP = ROOT / "deploy" / "backup"


def server_url() -> str:
    """DATABASE_URL when it is PostgreSQL, else the machine's local server."""
    url = os.environ.get("DATABASE_URL", "")
    return (
        url
        if url.startswith(("postgres://", "postgresql://"))
        else "postgres://postgres@127.0.0.1:5432/postgres"
    )


@pytest.fixture
def databases(tmp_path: Path):
    """Two fresh databases on that server (the backup's source and the restore's target)."""
    with (
        fresh_database(server_url(), tmp_path, prefix="vigie_backup") as source,
        fresh_database(server_url(), tmp_path, prefix="vigie_restore") as target,
    ):
        yield [source, target]


@pytest.mark.services
def test_backup_then_restore_gives_back_the_rows_and_the_photos(tmp_path: Path, databases):
    source, target = databases
    with psycopg.connect(source, autocommit=True) as connection:
        connection.execute(
            "CREATE TABLE observation (id serial PRIMARY KEY, reference text UNIQUE, body text)"
        )
        connection.execute(
            "INSERT INTO observation (reference, body) SELECT 'PMB-' || n, 'texte ' || n "
            "FROM generate_series(1, 250) AS n"
        )
    media = tmp_path / "media"
    (media / "observations" / "2026").mkdir(parents=True)
    (media / "observations" / "2026" / "photo.jpg").write_bytes(b"\xff\xd8 photo \xff\xd9")
    backups = tmp_path / "backups"
    environment = {
        **os.environ,
        "DATABASE_URL": source,
        "MEDIA_ROOT": str(media),
        "MEDIA_STORAGE": "local",
        "BACKUP_DIR": str(backups),
    }
    made = subprocess.run(
        [str(BACKUP / "vigie-backup.sh")], env=environment, capture_output=True, text=True, timeout=120
    )
    assert made.returncode == 0, made.stderr
    dumps = sorted(backups.glob("vigie-*.dump"))
    archives = sorted(backups.glob("media-*.tar.gz"))
    assert len(dumps) == 1
    assert len(archives) == 1
    assert not list(backups.glob("*.partial"))

    restored_media = tmp_path / "restored-media"
    restored = subprocess.run(
        [str(BACKUP / "vigie-restore.sh"), str(dumps[0]), target, str(archives[0]), str(restored_media)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert restored.returncode == 0, restored.stderr
    with psycopg.connect(target) as connection:
        row = connection.execute("SELECT count(*), max(reference) FROM observation").fetchone()
    assert row is not None
    count, last = row
    assert count == 250
    assert last == "PMB-99"  # text order: the same rows, not just as many
    photo = restored_media / "observations" / "2026" / "photo.jpg"
    assert photo.read_bytes() == b"\xff\xd8 photo \xff\xd9"


def test_restore_refuses_a_file_that_is_not_a_dump(tmp_path: Path):
    bogus = tmp_path / "bogus.dump"
    bogus.write_text("not a dump")
    result = subprocess.run(
        [str(BACKUP / "vigie-restore.sh"), str(bogus), "postgres://nowhere/none"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "pg_restore" in result.stderr

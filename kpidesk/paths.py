"""Where the database lives, with no database code: the command line's light read path resolves
--db, KPIDESK_DB and the data folder without importing SQLAlchemy."""
from __future__ import annotations

import os
from pathlib import Path

APP_SLUG = "kpidesk"
DB_FILE_NAME = "kpidesk.db"


def data_dir() -> Path:
    """The data directory: KPIDESK_HOME if set (tests, portable build), else the platform's
    per-user data folder. Created 0700: it holds HR records."""
    home = os.environ.get("KPIDESK_HOME")
    if home:
        path = Path(home)
    else:
        import platformdirs

        path = Path(platformdirs.user_data_dir(APP_SLUG, appauthor=False))
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def resolve_db_target(cli_db: str | os.PathLike[str] | None = None) -> Path | str:
    """resolve_db_path, except that a postgresql:// URL (in --db or KPIDESK_DB) comes back as it is."""
    from kpidesk.backend import is_shared

    chosen = cli_db or os.environ.get("KPIDESK_DB")
    if chosen and is_shared(chosen):
        return str(chosen).strip()
    return resolve_db_path(cli_db)


def resolve_db_path(cli_db: str | os.PathLike[str] | None = None) -> Path:
    """--db wins over KPIDESK_DB, which wins over the default file in the data directory."""
    if cli_db:
        return Path(cli_db).expanduser()
    env = os.environ.get("KPIDESK_DB")
    if env:
        return Path(env).expanduser()
    return data_dir() / DB_FILE_NAME

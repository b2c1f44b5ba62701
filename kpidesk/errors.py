"""The core's own errors. Every message is meant to be shown to a person as it is."""
from __future__ import annotations


class KpiDeskError(Exception):
    """Base of every error the core raises on purpose; `str(err)` is a complete, plain message."""


class DatabaseError(KpiDeskError):
    pass


class NotADatabase(DatabaseError):
    pass


class SchemaTooNew(DatabaseError):
    pass


class DatabaseReadOnly(DatabaseError):
    pass


class DatabaseLocked(DatabaseError):
    pass


class DatabaseDamaged(DatabaseError):
    pass


class DiskFull(DatabaseError):
    pass


class DatabaseMissing(DatabaseError):
    """A command that reads a database was pointed at a file that does not exist."""


class NotOnSharedYet(KpiDeskError):
    """Work this version does only on a database file (its SQL is SQLite's), asked of a shared
    PostgreSQL database: refused before anything is read or written."""

    def __init__(self, what: str) -> None:
        super().__init__(
            f"{what} on a shared PostgreSQL database is not in this version of KPI Desk yet; nothing was "
            "changed. Take a copy to a file to work on (`kpidesk copy --from postgresql://... --to team.db`) "
            "and `kpidesk copy` it back to an empty database when done.")


class BackupRefused(KpiDeskError):
    """A backup or restore that would destroy something (the live file, a file that is not a
    backup) or cannot be written where asked; nothing was changed."""


class ValidationError(KpiDeskError):
    """Bad field values; `problems` maps a field name to what is wrong with it."""

    def __init__(self, problems: dict[str, str]):
        self.problems = dict(problems)
        super().__init__("; ".join(f"{k}: {v}" for k, v in self.problems.items()))


class NotFound(KpiDeskError):
    pass


class ImportFailed(KpiDeskError):
    """The file as a whole could not be imported (unreadable, wrong kind, strict mode rejected rows)."""


class ExportFailed(KpiDeskError):
    pass


class Cancelled(KpiDeskError):
    def __init__(self, message: str = "Cancelled by the user; nothing was changed.") -> None:
        super().__init__(message)

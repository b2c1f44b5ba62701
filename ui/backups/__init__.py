"""Backups in the desktop app (issue 7, items 3-4): the restore dialog, the damaged-database dialog,
and the File menu's backup, restore and integrity actions. The work itself is kpidesk.backups."""

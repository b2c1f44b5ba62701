"""How a name is matched, in one place and with no database code: the importer, the command line's
light read path (kpidesk.readonly) and the people API all fold names the same way."""
from __future__ import annotations


def alias_key(name: str) -> str:
    """How names are matched: case-insensitive, whitespace folded ("  JANE  doe" == "Jane Doe")."""
    return " ".join(str(name).casefold().split())

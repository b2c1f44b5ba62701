"""The Imports screen and its dialogs (issue 3): mapping, new names, result; models; the op's work."""
from __future__ import annotations

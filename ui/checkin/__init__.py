"""The Check-ins screen and the check-in wizard (issue 5). Widgets only: every rule lives in
kpidesk.appraisal; these modules ask it and show the answers."""
from __future__ import annotations

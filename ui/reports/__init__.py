"""Qt renderers for the core's exports (kpidesk/export): the appraisal PDF, trend plot images,
and saving a dashboard plot to PNG or PDF. The core builds the content; these draw it."""
from __future__ import annotations

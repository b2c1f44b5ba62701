"""The overall rating: proposed from the per-KPI ratings by the role profile's weights, and the
manager's override, which needs a stated reason (issue 5, step f).

Rules:
- a KPI without a rating, with a weight of 0 or less, or not rated (a team outcome; the escalation
  rate of an escalation destination) is skipped; nothing rated gives no proposal (None);
- the proposal is the weighted mean, rounded to one decimal;
- an override is any chosen overall rating that differs from the proposal by more than 0.05; it is
  refused without a reason. Choosing a rating when there is no proposal also needs a reason.
- every rating lies on the organisation's scale (setting `rating_scale`, default [1, 5]).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Optional

from kpidesk.errors import ValidationError

TOLERANCE = 0.05


@dataclass
class OverallRating:
    proposed: Optional[float]
    overall: Optional[float]  # what counts: the override if there is one, else the proposal
    overridden: bool
    reason: str = ""


def check_rating(value: Optional[float], scale: tuple[float, float], field: str = "rating") -> None:
    if value is None:
        return
    low, high = scale
    if not low <= value <= high:
        raise ValidationError({field: f"{value:g} is outside the rating scale {low:g} to {high:g}"})


def propose(ratings: Mapping[int, Optional[float]], weights: Mapping[int, float],
            rated: Optional[Mapping[int, bool]] = None) -> Optional[float]:
    """Weighted mean of the ratings given, by KPI id; KPIs missing from `weights` weigh 1."""
    total = weight_sum = 0.0
    for kpi_id, r in ratings.items():
        if r is None or (rated is not None and not rated.get(kpi_id, True)):
            continue
        w = float(weights.get(kpi_id, 1.0))
        if w <= 0:
            continue
        total += r * w
        weight_sum += w
    return round(total / weight_sum, 1) if weight_sum else None


def decide(proposed: Optional[float], override: Optional[float], reason: str,
           scale: tuple[float, float] = (1, 5)) -> OverallRating:
    """The overall rating that counts. Raises ValidationError for an override without a reason."""
    check_rating(override, scale, "overall_override")
    reason = (reason or "").strip()
    if override is None or (proposed is not None and abs(override - proposed) <= TOLERANCE):
        return OverallRating(proposed, proposed, False, "")
    if not reason:
        what = f"the proposed {proposed:g}" if proposed is not None else "no proposal (no KPI is rated)"
        raise ValidationError({"override_reason": f"an overall rating of {override:g} instead of {what} "
                               "needs a stated reason"})
    return OverallRating(proposed, override, True, reason)

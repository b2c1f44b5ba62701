"""Plain-language readings of a technician's numbers, by stated rules (issue 5, step c and d).

Nothing here is chosen at random or written by hand per person: each reading is the output of the
rules below applied to the numbers given, and it returns the rule that fired and the numbers used,
so a manager (or HR) can see why it says what it says. Rates are fractions 0..1, times in hours.

Speed (MTTR, lower is better), judged against the role target, else the person's own baseline:
    fast      value <= 0.9 x reference
    slow      value >= 1.1 x reference
    on pace   otherwise
Quality (first-contact resolution, higher is better):
    fell      fell by >= 5 points (0.05) against the previous period (checked first), and by more
              than twice the standard error of the difference of the two rates when both counts are
              known, so that ordinary noise on a few dozen tickets is not read as a decline
    high      value >= the FCR target, else >= own baseline
    low       otherwise
SLA compliance (higher is better), against its target, else own baseline:
    met       value >= reference
    short     value >= reference - 10 points
    late      otherwise
CSAT (1..5, higher is better):
    fell      fell by >= 0.3 against the previous period (checked first)
    high      value >= target (else own baseline)
    fair      value >= target - 0.5
    low       otherwise
Escalation rate (lower is better), against its target, else own baseline:
    high      value > reference + 5 points
    in line   otherwise
    beside it: CSAT of escalated tickets against CSAT of the rest; "lower" when the gap is >= 0.5.
    An escalation destination (L2/L3) receives escalations: the rate is reported, never rated.
Mix-adjusted speed (kpidesk.metrics.mix, said after the speed reading, never changing its verdict):
    expected  per ticket they resolved, the desk's mean resolution time over the 6 periods ending
              with this one for its priority and category (its priority alone, else the whole desk,
              where fewer than 5 tickets; how many fell back is said); their mean
    faster    MTTR <= 0.9 x expected
    slower    MTTR >= 1.1 x expected
    about the same  otherwise (said "in line with the desk")
Any figure missing, or resting on fewer than `min_count` tickets (responses for CSAT), gives
"unknown" and the reading says there is not enough data rather than guessing.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

FAST, SLOW = 0.9, 1.1
FCR_DROP = 0.05
SLA_SHORT = 0.10
CSAT_DROP, CSAT_FAIR = 0.3, 0.5
ESC_HIGH = 0.05
ESC_CSAT_GAP = 0.5
UNKNOWN = "unknown"


@dataclass
class Figure:
    """One number with what it is judged against. `count` is what it rests on (tickets, responses)."""

    value: Optional[float]
    target: Optional[float] = None
    baseline: Optional[float] = None
    previous: Optional[float] = None
    count: int = 0
    previous_count: int = 0


@dataclass
class Reading:
    topic: str  # speed_quality | sla_csat | escalation
    text: str
    rule: str  # the rule that fired, in words
    verdict: str = ""
    numbers: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"topic": self.topic, "text": self.text, "rule": self.rule, "verdict": self.verdict,
                "numbers": self.numbers}

    @classmethod
    def from_json(cls, d: Any) -> "Reading":
        if isinstance(d, str):  # older frozen check-ins kept the text only
            return cls(topic="", text=d, rule="")
        return cls(topic=str(d.get("topic", "")), text=str(d.get("text", "")), rule=str(d.get("rule", "")),
                   verdict=str(d.get("verdict", "")), numbers=dict(d.get("numbers") or {}))


def pct(x: Optional[float]) -> str:
    return "n/a" if x is None else f"{x * 100:.0f} %"


def hours(x: Optional[float]) -> str:
    return "n/a" if x is None else f"{x:.1f} h"


def _ref(kind: str) -> str:
    return "the target" if kind == "target" else "their own baseline"


def _n(count: int, word: str) -> str:
    return f"{count} {word}" + ("" if count == 1 else "s")


def _enough(f: Figure, min_count: int) -> bool:
    return f.value is not None and f.count >= min_count


def _numbers(**figures: Figure) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, f in figures.items():
        out[name] = {"value": f.value, "target": f.target, "baseline": f.baseline, "previous": f.previous,
                     "count": f.count}
    return out


def _beyond_noise(f: Figure) -> bool:
    """A fall in a rate larger than twice the standard error of the difference (binomial), or True
    when a count is unknown (the plain threshold alone decides then)."""
    if not f.count or not f.previous_count or f.value is None or f.previous is None:
        return True
    p1, p0 = f.value, f.previous
    se = (p1 * (1 - p1) / f.count + p0 * (1 - p0) / f.previous_count) ** 0.5
    return (p0 - p1) > 2 * se


# Classifiers ------------------------------------------------------------------------------------

def speed_state(f: Figure, min_count: int = 1) -> tuple[str, Optional[float], str]:
    """(fast | on pace | slow | unknown, reference, 'target' | 'own baseline')."""
    ref, kind = (f.target, "target") if f.target else (f.baseline, "own baseline")
    if not _enough(f, min_count) or not ref:
        return UNKNOWN, ref, kind
    ratio = f.value / ref  # type: ignore[operator]
    return ("fast" if ratio <= FAST else "slow" if ratio >= SLOW else "on pace"), ref, kind


def fcr_state(f: Figure, min_count: int = 1) -> tuple[str, Optional[float], str]:
    if not _enough(f, min_count):
        return UNKNOWN, None, ""
    if f.previous is not None and f.value <= f.previous - FCR_DROP and _beyond_noise(f):  # type: ignore[operator]
        return "fell", f.previous, "previous period"
    ref, kind = (f.target, "target") if f.target is not None else (f.baseline, "own baseline")
    if ref is None:
        return UNKNOWN, None, ""
    return ("high" if f.value >= ref else "low"), ref, kind  # type: ignore[operator]


def sla_state(f: Figure, min_count: int = 1) -> tuple[str, Optional[float], str]:
    ref, kind = (f.target, "target") if f.target is not None else (f.baseline, "own baseline")
    if not _enough(f, min_count) or ref is None:
        return UNKNOWN, ref, kind
    v = f.value
    return ("met" if v >= ref else "short" if v >= ref - SLA_SHORT else "late"), ref, kind  # type: ignore[operator]


def csat_state(f: Figure, min_count: int = 1) -> tuple[str, Optional[float], str]:
    if not _enough(f, min_count):
        return UNKNOWN, None, ""
    if f.previous is not None and f.value <= f.previous - CSAT_DROP:  # type: ignore[operator]
        return "fell", f.previous, "previous period"
    ref, kind = (f.target, "target") if f.target is not None else (f.baseline, "own baseline")
    if ref is None:
        return UNKNOWN, None, ""
    v = f.value
    return ("high" if v >= ref else "fair" if v >= ref - CSAT_FAIR else "low"), ref, kind  # type: ignore[operator]


# Speed and quality -------------------------------------------------------------------------------

SPEED_QUALITY = {
    ("fast", "high"): "efficient",
    ("fast", "low"): "speed may be costing quality",
    ("fast", "fell"): "speed may be costing quality",
    ("on pace", "high"): "steady: on pace with quality holding",
    ("on pace", "low"): "quality needs attention",
    ("on pace", "fell"): "quality needs attention",
    ("slow", "high"): "thorough: quality is high while speed lags; read MTTR by priority before judging speed",
    ("slow", "low"): "both speed and quality need support",
    ("slow", "fell"): "both speed and quality need support",
}
_CONFLICT = {("fast", "low"), ("fast", "fell"), ("slow", "high"), ("met", "low"), ("met", "fell"),
             ("late", "high"), ("short", "high")}


def speed_vs_quality(mttr: Figure, fcr: Figure, *, label: str = "MTTR", min_count: int = 5,
                     mix: Optional[Any] = None) -> Reading:
    """MTTR beside first-contact resolution. `label` names the speed figure ('MTTR P1'). With `mix`
    (a kpidesk.metrics.mix.MixFigure: that module imports this one, so it is not imported back), the
    mix-adjusted speed is said after it, with its rule; the verdict stays."""
    reading = _speed_vs_quality(mttr, fcr, label, min_count)
    if mix is not None:
        lead = "" if label == "MTTR" else "MTTR over all their tickets: "
        said = lead + mix.text
        reading.text += f" {said[0].upper()}{said[1:]}."
        ratio = "n/a" if mix.ratio is None else f"{mix.ratio:.2f}"
        reading.rule += f"; mix-adjusted {mix.verdict}: MTTR / expected = {ratio} ({mix.rule})"
        reading.numbers["mix"] = mix.to_json()
    return reading


def _speed_vs_quality(mttr: Figure, fcr: Figure, label: str, min_count: int) -> Reading:
    speed, sref, skind = speed_state(mttr, min_count)
    quality, _qref, _qkind = fcr_state(fcr, min_count)
    nums = _numbers(mttr=mttr, fcr=fcr)
    if UNKNOWN in (speed, quality):
        missing = label if speed == UNKNOWN else "first-contact resolution"
        return Reading("speed_quality", f"Not enough data to read speed against quality ({missing} has no "
                       f"reference or rests on fewer than {min_count} tickets).", "insufficient data",
                       UNKNOWN, nums)
    speed_words = f"{speed} ({label} {hours(mttr.value)} against {_ref(skind)} of {hours(sref)})"
    if quality == "fell":
        q_words = f"first-contact resolution fell from {pct(fcr.previous)} to {pct(fcr.value)}"
    else:
        q_words = f"first-contact resolution is {quality} ({pct(fcr.value)}"
        if fcr.baseline is not None and abs(fcr.value - fcr.baseline) >= FCR_DROP:  # type: ignore[operator]
            q_words += f", {'up' if fcr.value > fcr.baseline else 'down'} from their own baseline of {pct(fcr.baseline)}"  # type: ignore[operator]
        q_words += ")"
    joint = "but" if (speed, quality) in _CONFLICT else "and"
    verdict = SPEED_QUALITY[(speed, quality)]
    rule = (f"speed {speed}: {label} / {skind} = {mttr.value / sref:.2f} (fast <= {FAST}, slow >= {SLOW}); "  # type: ignore[operator]
            f"quality {quality}: " + ("drop >= 5 points against the previous period" if quality == "fell"
                                      else "against the FCR target, else own baseline"))
    text = f"{speed_words[0].upper()}{speed_words[1:]}, {joint} {q_words}: {verdict}."
    return Reading("speed_quality", text, rule, verdict, nums)


# SLA and CSAT -----------------------------------------------------------------------------------

SLA_CSAT = {
    ("met", "high"): "on time and well received",
    ("met", "fair"): "on time; satisfaction is fair",
    ("met", "low"): "meets the clock, but users are less satisfied: look at how tickets are closed",
    ("met", "fell"): "meets the clock, but users are less satisfied: look at how tickets are closed",
    ("short", "high"): "a little behind on the clock, but users are satisfied",
    ("short", "fair"): "a little behind on the clock; satisfaction is fair",
    ("short", "low"): "behind on the clock and users are less satisfied: worth a closer look",
    ("short", "fell"): "behind on the clock and users are less satisfied: worth a closer look",
    ("late", "high"): "users are satisfied despite missed deadlines: check whether the SLA targets fit the work",
    ("late", "fair"): "often late; satisfaction is fair",
    ("late", "low"): "late, and users notice",
    ("late", "fell"): "late, and users notice",
}


def sla_vs_csat(sla: Figure, csat: Figure, *, response_rate: Optional[float] = None,
                min_count: int = 5) -> Reading:
    """SLA compliance beside CSAT (with the survey response rate, so a mean on few answers is seen
    as such). SLA compliance is read here, never rated: overall SLA is a team outcome."""
    s, sref, skind = sla_state(sla, min_count)
    c, _cref, _ckind = csat_state(csat, min_count)
    nums = _numbers(sla=sla, csat=csat)
    nums["csat_response_rate"] = response_rate
    if s == UNKNOWN or c == UNKNOWN:
        why = (f"only {_n(csat.count, 'survey response')}" if s != UNKNOWN and csat.value is not None
               else "SLA compliance or CSAT is missing or has no reference")
        return Reading("sla_csat", f"Not enough data to read SLA compliance against CSAT ({why}; at least "
                       f"{min_count} needed).", "insufficient data", UNKNOWN, nums)
    s_words = f"SLA compliance {pct(sla.value)} against {_ref(skind)} of {pct(sref)}"
    if c == "fell":
        c_words = f"CSAT fell from {csat.previous:.2f} to {csat.value:.2f}"
    else:
        c_words = f"CSAT {csat.value:.2f} ({c})"
    if response_rate is not None:
        c_words += f", {pct(response_rate)} of users answered"
    verdict = SLA_CSAT[(s, c)]
    rule = (f"SLA {s} (met >= reference, short within 10 points); CSAT {c} "
            "(fell >= 0.3 against the previous period; high >= target; fair within 0.5)")
    joint = "but" if (s, c) in _CONFLICT else "and"
    return Reading("sla_csat", f"{s_words}, {joint} {c_words}: {verdict}.", rule, verdict, nums)


# Escalations ------------------------------------------------------------------------------------

def escalation_reading(rate: Figure, csat_escalated: Figure, csat_other: Figure, *, destination: bool,
                       name: str = "This technician", min_count: int = 5) -> Reading:
    """The escalation rate with the CSAT of escalated tickets beside it. For an escalation
    destination the rate is reported, never rated (verdict 'not rated')."""
    nums = _numbers(rate=rate, csat_escalated=csat_escalated, csat_other=csat_other)
    nums["destination"] = destination
    csat_part = ""
    gap = None
    if _enough(csat_escalated, min_count):
        csat_part = f"escalated tickets scored CSAT {csat_escalated.value:.2f} (n={csat_escalated.count})"
        if csat_other.value is not None:
            csat_part += f" against {csat_other.value:.2f} for the rest"
            gap = csat_other.value - csat_escalated.value  # type: ignore[operator]
    elif csat_escalated.count:
        csat_part = f"only {_n(csat_escalated.count, 'survey response')} on escalated tickets, too few to judge"
    if destination:
        text = (f"{name} is an escalation destination: escalated tickets come to {name.split()[0]}, so the "
                f"escalation rate ({pct(rate.value)}) is reported, not rated")
        text += f"; {csat_part}." if csat_part else "."
        return Reading("escalation", text, "escalation destination: reported, not rated", "not rated", nums)
    ref, kind = (rate.target, "target") if rate.target is not None else (rate.baseline, "own baseline")
    if not _enough(rate, min_count) or ref is None:
        return Reading("escalation", "Not enough data to read the escalation rate.", "insufficient data",
                       UNKNOWN, nums)
    state = "high" if rate.value > ref + ESC_HIGH else "in line"  # type: ignore[operator]
    lower = gap is not None and gap >= ESC_CSAT_GAP
    if state == "high":
        verdict = ("escalated tickets leave users less satisfied: coaching on diagnosis before escalating may help"
                   if lower else "escalates often, but escalations land well: check whether the work mix needs "
                   "L2 skills" if gap is not None else "escalates often")
    else:
        verdict = ("escalated tickets score lower: escalations may come late" if lower
                   else "escalation rate in line" + (" and escalations land well" if gap is not None else ""))
    text = f"Escalation rate {pct(rate.value)} against {_ref(kind)} of {pct(ref)} ({state})"
    text += f"; {csat_part}" if csat_part else ""
    text += f": {verdict}."
    rule = (f"rate {state} (high > reference + 5 points); escalated CSAT "
            + ("lower by >= 0.5" if lower else "not judged" if gap is None else "within 0.5 of the rest"))
    return Reading("escalation", text, rule, verdict, nums)

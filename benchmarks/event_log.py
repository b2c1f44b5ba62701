"""A stand-in for the UCI "Incident management process enriched event log" (a ServiceNow audit log).

    python benchmarks/event_log.py OUT.csv [--incidents 20769] [--seed 19]

The real file (141,712 rows, 36 columns) is not on this machine and there is no network for data
sets, so this writes one in exactly its layout and with its quirks (helpdesk-exports.md, 1b):

- the 36 field-name headers, in the real order;
- several rows per incident (one per update), spread over the file in time order, each later row
  with a larger sys_updated_at and sys_mod_count; about 5.8 rows per incident (20,769 incidents
  give about 120k rows, the size measured in issue 19);
- incident_state New -> Active (-> Awaiting User Info / Vendor / Problem -> Active) -> Resolved ->
  Closed, some incidents still open at the end, a few '-100' states;
- D/M/YYYY HH:MM dates ('29/2/2016 01:16'), '?' for nulls, true/false flags;
- anonymised names: 'Resolver 17' (assigned_to), 'Resolved by 149', 'Caller 2403', 'Group 56',
  'Category 55', ...; priorities '1 - Critical' .. '4 - Low'; contact_type almost always Phone;
- resolved_at and closed_at "enriched" onto every row of an incident (the final ones), as in the
  real log, so older rows carry an open state with a closing date;
- the same minute on two updates of one incident now and then (the later row wins the tie).

Deterministic: the same seed writes the same bytes.
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import random
import sys
from pathlib import Path

HEADERS = ["number", "incident_state", "active", "reassignment_count", "reopen_count", "sys_mod_count", "made_sla",
           "caller_id", "opened_by", "opened_at", "sys_created_by", "sys_created_at", "sys_updated_by",
           "sys_updated_at", "contact_type", "location", "category", "subcategory", "u_symptom", "cmdb_ci", "impact",
           "urgency", "priority", "assignment_group", "assigned_to", "knowledge", "u_priority_confirmation",
           "notify", "problem_id", "rfc", "vendor", "caused_by", "closed_code", "resolved_by", "resolved_at",
           "closed_at"]
INCIDENTS = 20_769
PRIORITY = {1: "1 - Critical", 2: "2 - High", 3: "3 - Moderate", 4: "4 - Low"}
LEVEL = {1: "1 - High", 2: "2 - Medium", 3: "3 - Low"}
START = dt.datetime(2016, 2, 29, 1, 16)


def fmt(when: dt.datetime | None) -> str:
    """The log's D/M/YYYY HH:MM, '?' for none."""
    return "?" if when is None else f"{when.day}/{when.month}/{when.year} {when.hour:02d}:{when.minute:02d}"


def _states(rng: random.Random) -> list[str]:
    """One incident's state sequence, an event row each."""
    out = ["New"] if rng.random() < 0.6 else []
    out += ["Active"] * rng.choice((1, 1, 1, 2, 3))
    for _ in range(rng.choice((0, 0, 0, 1, 1, 2))):
        out += [rng.choice(("Awaiting User Info", "Awaiting User Info", "Awaiting Vendor", "Awaiting Problem")),
                "Active"]
    if rng.random() < 0.005:
        out.append("-100")
    fate = rng.random()
    if fate < 0.06:  # still open when the log was taken
        return out
    out += ["Resolved"] * rng.choice((1, 1, 1, 2))
    if fate > 0.12:
        out.append("Closed")
    if rng.random() < 0.25:  # one more update on the closed incident (notes, a field fixed)
        out.append(out[-1])
    return out


def rows(incidents: int = INCIDENTS, seed: int = 19) -> list[list[str]]:
    rng = random.Random(seed)
    events: list[tuple[dt.datetime, int, int, list[str]]] = []
    number = 45
    for k in range(incidents):
        number += rng.choice((1, 1, 1, 2, 3))
        states = _states(rng)
        opened = START + dt.timedelta(minutes=rng.randrange(0, 365 * 24 * 60))
        prio = rng.choices((1, 2, 3, 4), (2, 5, 85, 8))[0]
        group = f"Group {rng.randrange(1, 80)}"
        caller = f"Caller {rng.randrange(1, 5000)}"
        opened_by = f"Opened by  {rng.randrange(1, 200)}"  # sic: two spaces, as in the real log
        created_by = rng.choice((f"Created by {rng.randrange(1, 120)}", "?"))
        location = f"Location {rng.randrange(1, 230)}"
        category = f"Category {rng.randrange(1, 60)}"
        subcategory = f"Subcategory {rng.randrange(1, 250)}"
        symptom = rng.choice((f"Symptom {rng.randrange(1, 500)}", "?"))
        contact = "Phone" if rng.random() < 0.995 else rng.choice(("Email", "Self service", "IVR"))
        impact = urgency = min(3, max(1, (prio + 1) // 2 + rng.choice((0, 0, 1))))
        knowledge = rng.choice(("true", "false", "false"))
        confirm = rng.choice(("true", "false"))
        made_sla = "true" if rng.random() < 0.63 else "false"
        resolvers = [f"Resolver {rng.randrange(1, 230)}" for _ in range(3)]
        when = opened
        times = []
        for i, _state in enumerate(states):
            if i:
                when += dt.timedelta(minutes=rng.choice((0, 1, 5, 30, 90, 240, 600, 1440, 2880)))
            times.append(when)
        resolved = next((t for s, t in zip(states, times) if s == "Resolved"), None)
        closed = times[-1] + dt.timedelta(days=5) if states and states[-1] == "Closed" else None
        if resolved is not None and closed is None and states[-1] == "Resolved":
            closed = None
        resolver_by = f"Resolved by {rng.randrange(1, 230)}" if resolved else "?"
        reassign = reopen = 0
        assignee = "?"
        for i, (state, when) in enumerate(zip(states, times)):
            if state == "Active" and (assignee == "?" or rng.random() < 0.15):
                if assignee != "?":
                    reassign += 1
                assignee = resolvers[min(reassign, 2)]
            if state == "Active" and i and states[i - 1] in ("Resolved", "Closed"):
                reopen += 1
            done = state in ("Resolved", "Closed")
            row = [
                f"INC{number:07d}", state, "false" if state == "Closed" else "true", str(reassign), str(reopen), str(i),
                made_sla, caller, opened_by, fmt(opened), created_by, fmt(opened) if created_by != "?" else "?",
                f"Updated by {rng.randrange(1, 900)}", fmt(when), contact, location, category, subcategory, symptom,
                "?", LEVEL[impact], LEVEL[urgency], PRIORITY[prio], group, assignee, knowledge, confirm,
                "Do Not Notify", "?", "?", "?", "?", f"code {rng.randrange(1, 18)}" if done else "?",
                resolver_by, fmt(resolved), fmt(closed),
            ]
            events.append((when, k, i, row))
    # A log in time order: an incident's rows lie far apart, each later one updated later.
    events.sort(key=lambda e: (e[0], e[1], e[2]))
    return [e[3] for e in events]


def write(path: Path, incidents: int = INCIDENTS, seed: int = 19) -> tuple[int, int]:
    """Write the log; (rows, incidents)."""
    data = rows(incidents, seed)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh, lineterminator="\n")
        out.writerow(HEADERS)
        out.writerows(data)
    return len(data), len({r[0] for r in data})


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out")
    ap.add_argument("--incidents", type=int, default=INCIDENTS)
    ap.add_argument("--seed", type=int, default=19)
    args = ap.parse_args(argv)
    n, k = write(Path(args.out), args.incidents, args.seed)
    print(f"{args.out}: {n:,} rows, {k:,} incidents")
    return 0


if __name__ == "__main__":
    sys.exit(main())

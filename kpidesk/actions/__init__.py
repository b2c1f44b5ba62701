"""What a user does, one function each: the window's ops, the command line, scripts and the tests
call these, and nothing below them (after Anki's pylib operations returning OpChanges).

Every action takes the store, its request and an optional Progress (polled for a cancel), and
returns an Outcome: its result, the Changes flags a screen refreshes by, the reviews it opened and
notes for the person. The rule they all keep: **when an action returns, every stored value derived
from the data is true**. The KPI values computed from tickets are stored per KPI, scope and period
(kpidesk/metrics/recompute.py), and the review triggers are checked against them: an import
recomputes the periods its tickets touch and checks the triggers; a new or changed KPI recomputes
that KPI; a change of target or trigger re-judges it; a change of teams recomputes the teams.
A test runs each action and compares the stored values with a full recompute of a copy
(tests/core/test_actions.py).

    from kpidesk import actions
    out = actions.import_file(store, actions.ImportRequest(path), progress)
    out.result.created, out.reviews, out.changes
"""
from __future__ import annotations

from kpidesk.actions.annotations import add_annotation, delete_annotation, update_annotation
from kpidesk.actions.appraisals import (
    acknowledge_checkin,
    acknowledge_review,
    correct_checkin,
    delete_note,
    export_appraisals,
    export_checkin,
    mark_reviewed,
    raise_review,
    save_checkin_step,
    save_note,
    sign_checkin,
    start_checkin,
)
from kpidesk.actions.catalog import (
    add_templates,
    create_kpi,
    create_objective,
    delete_kpi,
    set_baseline,
    set_segment_target,
    update_kpi,
)
from kpidesk.actions.cycle import (
    calibrate_rating,
    receive_self_assessment,
    send_self_assessment,
    send_self_assessments,
)
from kpidesk.actions.derived import check_reviews, recompute_all, refresh
from kpidesk.actions.evidence import export_tickets
from kpidesk.actions.imports import ImportRequest, import_file, undo_import
from kpidesk.actions.outcome import Outcome
from kpidesk.actions.people import (
    add_alias,
    add_role_template,
    alias_name,
    create_team,
    create_technician,
    delete_role_profile,
    delete_team,
    delete_technician,
    save_role_profile,
    update_team,
    update_technician,
)
from kpidesk.actions.setup import load_demo, set_setting, set_settings, start_from_templates

__all__ = [
    "ImportRequest", "Outcome", "acknowledge_checkin", "acknowledge_review", "add_alias", "add_annotation",
    "add_role_template", "delete_annotation", "update_annotation",
    "add_templates", "alias_name", "create_objective",
    "check_reviews", "correct_checkin", "create_kpi", "create_team", "create_technician", "delete_kpi", "delete_note",
    "delete_role_profile", "delete_team", "delete_technician", "export_appraisals", "export_checkin", "export_tickets", "import_file", "load_demo",
    "mark_reviewed", "recompute_all", "refresh", "save_checkin_step", "save_note", "save_role_profile", "set_baseline",
    "set_segment_target", "set_setting", "set_settings", "sign_checkin", "start_checkin", "start_from_templates", "undo_import",
    "update_kpi", "update_team", "update_technician",
    "calibrate_rating", "raise_review", "receive_self_assessment", "send_self_assessment", "send_self_assessments",
]

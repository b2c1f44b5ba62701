"""The columns an import writes once per statement because its mapping leaves them without a source
(kpidesk/importing/ticket_rows.constant_columns, issue 20): exactly which, with which value, for an
empty mapping, a full one and each rule's own edge. A wrong constant would overwrite a real value."""
from __future__ import annotations

from kpidesk.importing.ticket_rows import TEXT_FIELDS, constant_columns

NONE_UNLESS_MAPPED = ("ticket_type", "reopen_count", "reassignment_count", "escalated", "first_contact",
                      "first_response_at", "closed_at", "updated_at", "sla_due_at")


def test_an_empty_mapping_fixes_every_column_it_can():
    assert constant_columns({}, "jira") == {
        "source_system": "jira", **{f: "" for f in TEXT_FIELDS}, **{f: None for f in NONE_UNLESS_MAPPED},
        "priority_raw": "", "priority_tier": None, "technician_id": None, "shared_with": None, "sla_met": None,
        "csat_score": None, "csat_positive": None}
    # The resolution columns are always bound, never constant.
    assert not {"resolved_at", "resolved_basis", "status_category"} & set(constant_columns({}, "jira"))


def test_a_full_mapping_fixes_only_the_source():
    full = {f: f for f in (*TEXT_FIELDS, *NONE_UNLESS_MAPPED, "priority", "sla_met", "csat", "id", "created_at")}
    assert constant_columns(full, "servicenow") == {"source_system": "servicenow"}


def test_each_column_is_left_to_its_own_source():
    for f in (*TEXT_FIELDS, *NONE_UNLESS_MAPPED):
        consts = constant_columns({f: "Some header"}, "glpi")
        assert f not in consts, f
        also = {"assignee": 2, "resolver": 2, "closed_at": 1}.get(f, 0)  # the technician; the SLA from closing
        assert len(consts) == len(constant_columns({}, "glpi")) - 1 - also, f


def test_first_response_minutes_make_the_response_time_a_value():
    assert "first_response_at" not in constant_columns({"first_response_minutes": "FRT"}, "zendesk")
    assert constant_columns({"first_response_minutes": "FRT"}, "zendesk")["closed_at"] is None


def test_a_technician_from_either_name_column():
    for f in ("assignee", "resolver"):
        consts = constant_columns({f: "Name"}, "x")
        assert "technician_id" not in consts and "shared_with" not in consts


def test_sla_is_worked_out_from_any_time_or_flag():
    for f in ("sla_met", "sla_breached", "sla_remaining", "resolved_at", "closed_at", "status_changed_at"):
        assert "sla_met" not in constant_columns({f: "H"}, "x"), f
    assert constant_columns({"updated_at": "H"}, "x")["sla_met"] is None


def test_priority_and_csat():
    consts = constant_columns({"priority": "P"}, "x")
    assert "priority_raw" not in consts and "priority_tier" not in consts
    consts = constant_columns({"csat": "C"}, "x")
    assert "csat_score" not in consts and "csat_positive" not in consts

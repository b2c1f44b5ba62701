"""Create/edit dialogs for technicians, teams and role profiles.

Each dialog is given a `save(record)` callable (the screen's Store call). OK calls it: on a
ValidationError the messages appear beside the fields and the dialog stays open; on success the
dialog closes. The dialogs never talk to the database themselves.
"""
from __future__ import annotations

import dataclasses
from typing import Callable

from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from kpidesk.errors import KpiDeskError, ValidationError
from kpidesk.records import RoleKpiRecord, RoleProfileRecord, TeamRecord, TechnicianRecord
from ui.errors import show_error
from ui.fields import ChoiceCombo, FieldRow, OptionalDateEdit
from ui.people_models import RoleKpiTableModel


class _RecordDialog(QDialog):
    """Form rows with messages, OK/Cancel, and the save-or-show-problems loop."""

    def __init__(self, title: str, save: Callable[[object], object], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self._save = save
        self.rows: dict[str, FieldRow] = {}
        self.form = QFormLayout()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self._on_buttons_accepted)
        self.buttons.rejected.connect(self.reject)
        self.body = QVBoxLayout(self)
        self.body.addLayout(self.form)

    def add_row(self, label: str, key: str, editor: QWidget) -> None:
        self.rows[key] = FieldRow(editor)
        self.form.addRow(label, self.rows[key])

    def finish(self) -> None:
        self.body.addWidget(self.buttons)

    def record(self) -> object:
        raise NotImplementedError

    def show_problems(self, problems: dict[str, str]) -> None:
        first = next(iter(self.rows))
        shown = {k if k in self.rows else first: v[:1].upper() + v[1:] for k, v in problems.items()}
        for key, row in self.rows.items():
            row.set_message(shown.get(key, ""))

    def _on_buttons_accepted(self) -> None:
        try:
            self._save(self.record())
        except ValidationError as exc:
            self.show_problems(exc.problems)
            return
        except KpiDeskError as exc:
            show_error(self, exc)
            return
        self.accept()


class TechnicianDialog(_RecordDialog):
    def __init__(self, rec: TechnicianRecord | None, teams: list[TeamRecord], roles: list[RoleProfileRecord],
                 save: Callable[[TechnicianRecord], object], parent: QWidget | None = None) -> None:
        super().__init__("Edit technician" if rec and rec.id else "New technician", save, parent)  # type: ignore[arg-type]
        self._rec = rec or TechnicianRecord(display_name="")
        self.name = QLineEdit(self._rec.display_name, placeholderText="as colleagues know them")
        self.email = QLineEdit(self._rec.email)
        self.team = ChoiceCombo()
        self.team.set_choices([("No team", None)] + [(t.name, t.id) for t in teams])
        self.team.set_value(self._rec.team_id)
        self.role = ChoiceCombo()
        self.role.set_choices([("No role profile", None)] + [(r.name, r.id) for r in roles])
        self.role.set_value(self._rec.role_profile_id)
        self.aliases = QPlainTextEdit("\n".join(self._rec.aliases),
                                      placeholderText="One per line, as helpdesk exports spell the name\n"
                                      "e.g. jdoe\nDoe, Jane")
        self.aliases.setFixedHeight(84)
        self.active_from, self.active_to = OptionalDateEdit(), OptionalDateEdit()
        self.active_from.set_value(self._rec.active_from)
        self.active_to.set_value(self._rec.active_to)
        self.escalation = QCheckBox("Escalation destination (escalation rate is context, not a rating)")
        self.escalation.setChecked(self._rec.escalation_destination)
        for label, key, editor in (("Name", "display_name", self.name), ("Email", "email", self.email),
                                   ("Team", "team_id", self.team), ("Role profile", "role_profile_id", self.role),
                                   ("Aliases", "aliases", self.aliases), ("Active from", "active_from", self.active_from),
                                   ("Active to", "active_to", self.active_to), ("", "escalation", self.escalation)):
            self.add_row(label, key, editor)
        self.finish()
        self.resize(480, self.sizeHint().height())

    def record(self) -> TechnicianRecord:
        aliases = [a.strip() for a in self.aliases.toPlainText().splitlines() if a.strip()]
        return dataclasses.replace(
            self._rec, display_name=self.name.text().strip(), email=self.email.text().strip(),
            team_id=self.team.value(), role_profile_id=self.role.value(),  # type: ignore[arg-type]
            active_from=self.active_from.value(), active_to=self.active_to.value(),
            escalation_destination=self.escalation.isChecked(), aliases=aliases)


class TeamDialog(_RecordDialog):
    def __init__(self, rec: TeamRecord | None, save: Callable[[TeamRecord], object],
                 parent: QWidget | None = None) -> None:
        super().__init__("Edit team" if rec and rec.id else "New team", save, parent)  # type: ignore[arg-type]
        self._rec = rec or TeamRecord(name="")
        self.name = QLineEdit(self._rec.name)
        self.description = QLineEdit(self._rec.description)
        self.add_row("Name", "name", self.name)
        self.add_row("Description", "description", self.description)
        self.finish()
        self.resize(420, self.sizeHint().height())

    def record(self) -> TeamRecord:
        return dataclasses.replace(self._rec, name=self.name.text().strip(), description=self.description.text())


class RoleDialog(_RecordDialog):
    """A role profile with its KPIs: primary or secondary, weight, and the role's own target."""

    def __init__(self, rec: RoleProfileRecord | None, kpis: list[tuple[str, int]],
                 save: Callable[[RoleProfileRecord], object], parent: QWidget | None = None) -> None:
        super().__init__("Edit role profile" if rec and rec.id else "New role profile", save, parent)  # type: ignore[arg-type]
        self._rec = rec or RoleProfileRecord(name="")
        self.name = QLineEdit(self._rec.name, placeholderText="e.g. Service desk L1")
        self.description = QLineEdit(self._rec.description)
        self.model = RoleKpiTableModel(self, editable=True)
        self.model.set_records([dataclasses.replace(k) for k in self._rec.kpis])
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.kpi_choice = ChoiceCombo()
        self.kpi_choice.set_choices(kpis)
        add = QPushButton("Add KPI")
        remove = QPushButton("Remove")
        picker = QWidget()
        pick_lay = QHBoxLayout(picker)
        pick_lay.setContentsMargins(0, 0, 0, 0)
        pick_lay.addWidget(self.kpi_choice, 1)
        pick_lay.addWidget(add)
        pick_lay.addWidget(remove)
        self.add_row("Name", "name", self.name)
        self.add_row("Description", "description", self.description)
        self.add_row("KPIs", "kpis", self.table)
        self.add_row("", "weight", picker)
        self.finish()
        add.clicked.connect(self._on_add_clicked)
        remove.clicked.connect(self._on_remove_clicked)
        self.resize(620, 520)

    def record(self) -> RoleProfileRecord:
        return dataclasses.replace(self._rec, name=self.name.text().strip(), description=self.description.text(),
                                   kpis=self.model.records())

    def _on_add_clicked(self) -> None:
        kpi_id = self.kpi_choice.value()
        if kpi_id is None or any(k.kpi_id == kpi_id for k in self.model.records()):
            return
        self.model.append(RoleKpiRecord(kpi_id=int(kpi_id), kpi_name=self.kpi_choice.currentText()))  # type: ignore[arg-type]

    def _on_remove_clicked(self) -> None:
        self.model.remove(self.table.currentIndex().row())

"""The KPI editor form: every field of a KPI, with the core's validation messages beside the fields.

The form knows nothing of the database: the screen feeds it choices (objectives, other KPIs, owner
names) and a record, and listens to `save_requested(KpiRecord)`. The rules are the core's
(`kpidesk.validation.validate_kpi`); the form only adds "must be a number" for unreadable text.
"""
from __future__ import annotations

import dataclasses

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QCompleter,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from kpidesk.records import KpiRecord
from kpidesk.ui_queries import (
    CADENCES,
    CATEGORIES,
    DIRECTION_LABELS,
    LEVELS,
    TRIGGER_LABELS,
    VALUE_SOURCE_LABELS,
)
from kpidesk.validation import validate_kpi
from ui.fields import ChoiceCombo, FieldRow, NumberEdit, OptionalDateEdit

UNITS = ("hours", "%", "score", "count", "tickets", "days", "currency", "±%")
NUMBER_FIELDS = ("target_value", "band_low", "band_high", "baseline_value", "trigger_value")
# Form fields a core message may name but which have no editor of their own.
FIELD_ALIASES = {"database": "name", "objective_name": "objective_id", "paired_kpi_name": "paired_kpi_id"}


class KpiForm(QWidget):
    """Edit one KPI. `set_record(None)` starts a new one. Emits `save_requested` with the draft."""

    save_requested = Signal(object)  # KpiRecord (id None for a new KPI)
    draft_changed = Signal(object)  # KpiRecord: the record as currently typed (for the health panel)
    new_objective_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._record: KpiRecord | None = None
        self._loading = False
        self._show_all_messages = False
        self.rows: dict[str, FieldRow] = {}
        self._build()
        self.set_record(None)

    # Building -----------------------------------------------------------------------------------
    def _build(self) -> None:
        self.title = QLabel(objectName="sectionTitle")
        self.name = QLineEdit(placeholderText="e.g. MTTR, First-contact resolution")
        self.description = QPlainTextEdit(placeholderText="What it measures and why it matters")
        self.description.setFixedHeight(64)
        self.category = ChoiceCombo()
        self.category.set_choices([(c.capitalize(), c) for c in CATEGORIES])
        self.unit = ChoiceCombo(editable=True)
        self.unit.set_choices([("", "")] + [(u, u) for u in UNITS])
        self.direction = ChoiceCombo()
        self.direction.set_choices([(v, k) for k, v in DIRECTION_LABELS.items()])
        self.level = ChoiceCombo()
        self.level.set_choices([("Individual", "individual"), ("Team (never rates a person)", "team")])
        assert set(LEVELS) == {"individual", "team"}
        self.leading = QCheckBox("Leading indicator")
        self.leading.setToolTip("A leading KPI shows problems before they land (backlog trend, patch compliance).")
        self.target_value = NumberEdit(placeholderText="in the KPI's unit")
        self.band_low, self.band_high = NumberEdit(placeholderText="low"), NumberEdit(placeholderText="high")
        self.target_date = OptionalDateEdit()
        self.target_period = QLineEdit(placeholderText="or a period, e.g. Q4 2026")
        self.baseline_value = NumberEdit(placeholderText="mean of 3-6 periods before")
        self.baseline_value.setToolTip("By default the mean of the 3 to 6 full periods before the target was set")
        self.baseline_from, self.baseline_to = OptionalDateEdit(), OptionalDateEdit()
        self.baseline_from.setToolTip("First day of the periods the baseline was computed from")
        self.trigger_kind = ChoiceCombo()
        self.trigger_kind.set_choices([("No trigger", None)] + [(v, k) for k, v in TRIGGER_LABELS.items()])
        self.trigger_value = NumberEdit(placeholderText="% of baseline, or a limit in the unit")
        self.bands = QCheckBox("Three bands: on target, watch, act")
        self.bands.setToolTip("Judge in three bands instead of one trigger line: on target up to the target, watch "
                              "between the target and the trigger, act past the trigger")
        self.cadence = ChoiceCombo()
        self.cadence.set_choices([("Not set", None)] + [(c.capitalize(), c) for c in CADENCES])
        self.owner = QLineEdit(placeholderText="one named person")
        self.objective = ChoiceCombo()
        self.new_objective = QPushButton("New…", toolTip="Add a business objective")
        self.paired = ChoiceCombo()
        self.value_source = ChoiceCombo()
        self.value_source.set_choices([(v, k) for k, v in VALUE_SOURCE_LABELS.items()])
        self.metric_edit = QLineEdit(placeholderText="ticket metric, e.g. mttr_hours")
        self.segment = QLineEdit(placeholderText="e.g. P1 (empty: all tickets)")
        self.formula = QLineEdit(placeholderText="e.g. [Monthly cost] / [Resolved tickets]")
        self.data_source = QLineEdit(placeholderText="e.g. helpdesk export")
        self.measurement_method = QLineEdit(placeholderText="how it is measured")

        band = QWidget()
        band_lay = QHBoxLayout(band)
        band_lay.setContentsMargins(0, 0, 0, 0)
        band_lay.addWidget(self.band_low)
        band_lay.addWidget(QLabel("to"))
        band_lay.addWidget(self.band_high)
        objective = QWidget()
        obj_lay = QHBoxLayout(objective)
        obj_lay.setContentsMargins(0, 0, 0, 0)
        obj_lay.addWidget(self.objective, 1)
        obj_lay.addWidget(self.new_objective)

        sections = [
            ("What it is", [("Name", "name", self.name), ("Description", "description", self.description),
                            ("Category", "category", self.category), ("Unit", "unit", self.unit),
                            ("Direction", "direction", self.direction), ("Level", "level", self.level),
                            ("", "leading", self.leading)]),
            ("Target and trigger", [
                ("Target", "target_value", self.target_value), ("Band", "band_high", band),
                ("Target date", "target_date", self.target_date), ("Target period", "target_period",
                                                                   self.target_period),
                ("Baseline", "baseline_value", self.baseline_value), ("Baseline from", "baseline_from", self.baseline_from),
                ("Baseline to", "baseline_to", self.baseline_to),
                ("Review trigger", "trigger_kind", self.trigger_kind),
                ("Trigger value", "trigger_value", self.trigger_value), ("", "bands", self.bands)]),
            ("Ownership", [("Owner", "owner", self.owner), ("Review cadence", "cadence", self.cadence),
                           ("Objective", "objective_id", objective), ("Paired with", "paired_kpi_id", self.paired)]),
            ("Where the values come from", [
                ("Values", "value_source", self.value_source), ("Ticket metric", "metric", self.metric_edit),
                ("Segment", "segment", self.segment), ("Formula", "formula", self.formula),
                ("Data source", "data_source", self.data_source),
                ("Measured as", "measurement_method", self.measurement_method)]),
        ]
        body = QWidget()
        body_lay = QVBoxLayout(body)
        body_lay.setContentsMargins(0, 0, 6, 0)
        self._labels: dict[str, QLabel] = {}
        for title, fields in sections:
            box = QGroupBox(title)
            form = QFormLayout(box)
            form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
            form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
            form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
            for label, key, editor in fields:
                row = FieldRow(editor)
                self.rows[key] = row
                self._labels[key] = QLabel(label)
                form.addRow(self._labels[key], row)
            body_lay.addWidget(box)
        body_lay.addStretch(1)
        scroll = QScrollArea(widgetResizable=True)
        scroll.setWidget(body)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setMinimumWidth(body.minimumSizeHint().width() + 14)  # never clip the fields

        self.save_button = QPushButton("Save", objectName="primary", shortcut="Ctrl+S")
        self.save_button.setToolTip('Keep the changes (Ctrl+S); Edit > Undo takes them back')
        self.revert_button = QPushButton("Revert")
        self.revert_button.setToolTip('Throw away the changes typed since the last save')
        buttons = QHBoxLayout()
        buttons.addWidget(self.title, 1)
        buttons.addWidget(self.revert_button)
        buttons.addWidget(self.save_button)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addLayout(buttons)
        lay.addWidget(scroll, 1)

        for w in (self.name, self.target_period, self.owner, self.metric_edit, self.segment, self.formula,
                  self.data_source, self.measurement_method, self.target_value, self.band_low, self.band_high,
                  self.baseline_value, self.trigger_value):
            w.textEdited.connect(self._on_field_edited)
        self.description.textChanged.connect(self._on_field_edited)
        for c in (self.category, self.unit, self.direction, self.level, self.trigger_kind, self.cadence,
                  self.objective, self.paired, self.value_source):
            c.currentIndexChanged.connect(self._on_field_edited)
        self.unit.editTextChanged.connect(self._on_field_edited)
        self.leading.toggled.connect(self._on_field_edited)
        self.bands.toggled.connect(self._on_field_edited)
        for d in (self.target_date, self.baseline_from, self.baseline_to):
            d.dateChanged.connect(self._on_field_edited)
        self.save_button.clicked.connect(self._on_save_clicked)
        self.revert_button.clicked.connect(self._on_revert_clicked)
        self.new_objective.clicked.connect(self.new_objective_requested)

    # Choices ------------------------------------------------------------------------------------
    def set_choices(self, objectives: list[tuple[str, int]], kpis: list[tuple[str, int]], owners: list[str]) -> None:
        self._loading = True
        self.objective.set_choices([("None", None)] + [(n, i) for n, i in objectives])
        own = self._record.id if self._record else None
        self.paired.set_choices([("None", None)] + [(n, i) for n, i in kpis if i != own])
        completer = QCompleter(sorted(set(owners)), self.owner)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.owner.setCompleter(completer)
        self._loading = False

    # Record in and out --------------------------------------------------------------------------
    def set_record(self, rec: KpiRecord | None) -> None:
        """Load `rec` (None: a blank new KPI). Clears messages and the dirty state."""
        self._loading = True
        self._record = rec
        r = rec or KpiRecord(name="")
        self.name.setText(r.name)
        self.description.setPlainText(r.description)
        self.category.set_value(r.category)
        self.unit.set_value(r.unit)
        if self.unit.findData(r.unit) < 0:
            self.unit.setEditText(r.unit)
        self.direction.set_value(r.direction)
        self.level.set_value(r.level)
        self.leading.setChecked(r.leading)
        self.bands.setChecked(r.bands)
        for key in NUMBER_FIELDS:
            getattr(self, key).set_value(getattr(r, key))
        self.target_date.set_value(r.target_date)
        self.target_period.setText(r.target_period)
        self.baseline_from.set_value(r.baseline_from)
        self.baseline_to.set_value(r.baseline_to)
        self.trigger_kind.set_value(r.trigger_kind)
        self.cadence.set_value(r.cadence)
        self.owner.setText(r.owner)
        self.objective.set_value(r.objective_id)
        self.paired.set_value(r.paired_kpi_id)
        self.value_source.set_value(r.value_source)
        self.metric_edit.setText(r.metric)
        for key in ("segment", "formula", "data_source", "measurement_method"):
            getattr(self, key).setText(getattr(r, key))
        self.title.setText(f"Editing {r.name}" if rec and rec.id else "New KPI")
        self._loading = False
        self._show_all_messages = False
        self.show_problems({})
        self._update_visibility()
        self._set_dirty(False)
        self.draft_changed.emit(self.record())

    def current_id(self) -> int | None:
        return self._record.id if self._record else None

    def record(self) -> KpiRecord:
        """The KPI as typed now (unparsable numbers come out as None; see `problems()`)."""
        base = self._record or KpiRecord(name="")
        return dataclasses.replace(
            base, name=self.name.text(), description=self.description.toPlainText(),
            category=str(self.category.value()), unit=self.unit.currentText().strip(),
            direction=str(self.direction.value()), level=str(self.level.value()), leading=self.leading.isChecked(),
            bands=self.bands.isChecked(),
            target_value=self.target_value.value(), band_low=self.band_low.value(), band_high=self.band_high.value(),
            target_date=self.target_date.value(), target_period=self.target_period.text().strip(),
            baseline_value=self.baseline_value.value(), baseline_from=self.baseline_from.value(),
            baseline_to=self.baseline_to.value(), trigger_kind=self.trigger_kind.value(),  # type: ignore[arg-type]
            trigger_value=self.trigger_value.value(), cadence=self.cadence.value(),  # type: ignore[arg-type]
            owner=self.owner.text().strip(), objective_id=self.objective.value(),  # type: ignore[arg-type]
            objective_name=self.objective.currentText() if self.objective.value() is not None else "",
            paired_kpi_id=self.paired.value(),  # type: ignore[arg-type]
            paired_kpi_name=self.paired.currentText() if self.paired.value() is not None else "",
            value_source=str(self.value_source.value()), metric=self.metric_edit.text().strip(),
            segment=self.segment.text().strip(), formula=self.formula.text().strip(),
            data_source=self.data_source.text().strip(), measurement_method=self.measurement_method.text().strip(),
        )

    def problems(self) -> dict[str, str]:
        """Unreadable numbers first, then the core's rules on the draft."""
        out = {k: f"{self._labels[k].text() or k} {getattr(self, k).parse_error()}"
               for k in NUMBER_FIELDS if k in self._labels and getattr(self, k).parse_error()}
        if self.band_low.parse_error() or self.band_high.parse_error():
            out.setdefault("band_high", "The band's ends must be numbers")
        for key, msg in validate_kpi(self.record()).items():
            out.setdefault(key, msg[:1].upper() + msg[1:])
        return out

    def show_problems(self, problems: dict[str, str]) -> None:
        """Put each message beside its field (unknown fields go to the name row)."""
        shown = {FIELD_ALIASES.get(k, k if k in self.rows else "name"): v for k, v in problems.items()}
        for key, row in self.rows.items():
            row.set_message(shown.get(key, ""))

    def is_dirty(self) -> bool:
        return self.save_button.isEnabled()

    # Slots --------------------------------------------------------------------------------------
    def _on_field_edited(self, *_: object) -> None:
        if self._loading:
            return
        self._set_dirty(True)
        self._update_visibility()
        problems = self.problems()
        if not self._show_all_messages:  # before the first save: only unreadable numbers
            problems = {k: v for k, v in problems.items() if "must be a number" in v}
        self.show_problems(problems)
        self.draft_changed.emit(self.record())

    def _on_save_clicked(self) -> None:
        self._show_all_messages = True
        problems = self.problems()
        self.show_problems(problems)
        if problems:
            first = next(iter(FIELD_ALIASES.get(k, k) for k in problems))
            editor = self.rows.get(first, self.rows["name"]).editor
            editor.setFocus()
            return
        self.save_requested.emit(self.record())

    def _on_revert_clicked(self) -> None:
        self.set_record(self._record)

    # Helpers ------------------------------------------------------------------------------------
    def _set_dirty(self, dirty: bool) -> None:
        self.save_button.setEnabled(dirty or self._record is None)
        self.revert_button.setEnabled(dirty)

    def _update_visibility(self) -> None:
        band = self.direction.value() == "band"
        source = self.value_source.value()
        for key, visible in (("target_value", not band), ("band_high", band),
                             ("metric", source == "computed"), ("segment", source == "computed"),
                             ("formula", source == "formula"), ("trigger_value", self.trigger_kind.value() is not None)):
            self.rows[key].setVisible(visible)
            self._labels[key].setVisible(visible)

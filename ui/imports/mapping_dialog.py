"""The mapping dialog: which column of the file feeds which ticket field, before anything is written.

Opens on a `FilePreview` (kpidesk.importing.tickets_import.inspect_file): the detected (or remembered)
preset and mapping, and the first rows. The manager can pick another sheet (re-inspected in an Op),
another preset (mapping re-detected), correct any column, set the date order and strict mode, or
switch to a KPI values file. `request()` is what the import op runs with; a confirmed mapping is
remembered by the core for files with the same headers.
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from kpidesk.actions import ImportRequest
from kpidesk.errors import ImportFailed
from kpidesk.importing.mappings import detect_mapping
from kpidesk.importing.presets import FIELD_LABELS, FIELDS, PRESETS, REQUIRED, missing_required
from kpidesk.importing.tickets_import import FilePreview, inspect_file
from kpidesk.store import Store
from ui.errors import show_error
from ui.imports.models import PreviewModel, preset_label
from ui.ops import Op

NOT_IMPORTED = "— none —"
STATUS_CHOICES = (("open", "Open"), ("resolved", "Resolved"), ("closed", "Closed"))
KINDS = (("tickets", "Helpdesk tickets"), ("values", "KPI values (long or wide shape)"))
DATE_ORDERS: tuple[tuple[bool | None, str], ...] = (
    (None, "Detect from the data"), (True, "Day first (31/12/2026)"), (False, "Month first (12/31/2026)"))
HOW_TEXT = {"detected": "Detected layout: {preset}.", "remembered": "Using the mapping you confirmed before "
            "for files with these columns ({preset}).", "given": "Mapping chosen by hand ({preset})."}
VALUES_HELP = ("KPI values are read by their column names: a KPI column plus Period and Value columns (long "
               "shape), or one column per month or week such as 'Jan 2026' (wide shape). People, teams and "
               "projects go in Technician, Team or Project columns.")


def _scrolled(inner: QWidget, above: QWidget | None = None) -> QWidget:
    """`inner` in a vertical scroll area (a tab's page), with `above` over it."""
    scroll = QScrollArea(widgetResizable=True)
    scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    scroll.setWidget(inner)
    page = QWidget()
    lay = QVBoxLayout(page)
    lay.setContentsMargins(0, 0, 0, 0)
    if above is not None:
        lay.addWidget(above)
    lay.addWidget(scroll)
    return page


class MappingDialog(QDialog):
    """Confirm or correct how a file is read. Emits `inspected` after each (re-)inspection."""

    inspected = Signal()

    def __init__(self, store: Store, path: Path, preview: FilePreview, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store, self.path = store, Path(path)
        self.preview: FilePreview = preview
        self.how = preview.how
        self._op: Op | None = None
        self.setWindowTitle(f"Import {self.path.name}")
        self.resize(1120, 700)
        self.setMinimumSize(900, 560)
        self._build()
        self._apply_preview(preview)

    # Building -----------------------------------------------------------------------------------
    def _build(self) -> None:
        title = QLabel(self.path.name, objectName="pageTitle")
        title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.how_label = QLabel(objectName="pageSubtitle", wordWrap=True)

        self.kind_combo = QComboBox()
        for key, label in KINDS:
            self.kind_combo.addItem(label, key)
        self.sheet_combo = QComboBox(minimumContentsLength=12)
        self.preset_combo = QComboBox()
        self.preset_combo.addItem("Auto-detect", "auto")
        for name in (*PRESETS, "generic"):
            self.preset_combo.addItem(preset_label(name), name)
        self.date_combo = QComboBox()
        for value, label in DATE_ORDERS:
            self.date_combo.addItem(label, value)
        self.strict_check = QCheckBox("Strict: import nothing if any row is rejected")
        self.remember_check = QCheckBox("Remember this mapping for files with these columns", checked=True)

        options = QGridLayout()
        options.setHorizontalSpacing(10)
        for col, (text, widget) in enumerate((("Kind", self.kind_combo), ("Sheet", self.sheet_combo),
                                              ("Layout", self.preset_combo), ("Dates", self.date_combo))):
            options.addWidget(QLabel(text), 0, 2 * col)
            options.addWidget(widget, 0, 2 * col + 1)
            options.setColumnStretch(2 * col + 1, 1)
        checks = QHBoxLayout()
        checks.addWidget(self.strict_check)
        checks.addSpacing(16)
        checks.addWidget(self.remember_check)
        checks.addStretch(1)

        # Field -> column combos, required ones first
        self.field_combos: dict[str, QComboBox] = {}
        form_box = QWidget()
        form = QFormLayout(form_box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setContentsMargins(4, 4, 8, 4)
        for name in (*REQUIRED, *(f for f in FIELDS if f not in REQUIRED)):
            combo = QComboBox(minimumContentsLength=8)
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            combo.currentIndexChanged.connect(self._on_field_combo_changed)
            self.field_combos[name] = combo
            label = FIELD_LABELS[name] + (" *" if name in REQUIRED else "")
            form.addRow(label, combo)
        self.mapping_box = _scrolled(form_box, QLabel("The column each ticket field is read from (* required).",
                                                      objectName="hint"))

        # Status -> category: an open status keeps a ticket open whatever its dates; a resolved or
        # closed one makes it done even with no resolved time (DESIGN.md). Unknown ones are the
        # manager's to answer; the answer is kept for later files.
        self.status_combos: dict[str, QComboBox] = {}
        self.status_form = QFormLayout()
        self.status_form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.status_hint = QLabel(wordWrap=True, objectName="hint")
        status_inner = QWidget()
        status_lay = QVBoxLayout(status_inner)
        status_lay.setContentsMargins(4, 4, 8, 4)
        status_lay.addWidget(self.status_hint)
        status_lay.addLayout(self.status_form)
        status_lay.addStretch(1)
        self.status_box = _scrolled(status_inner)
        self.values_help = QLabel(VALUES_HELP, wordWrap=True, objectName="hint")
        self.values_help.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.values_help.hide()

        self.preview_model = PreviewModel(self)
        self.preview_view = QTableView(alternatingRowColors=True)
        self.preview_view.setModel(self.preview_model)
        self.preview_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.preview_view.verticalHeader().setDefaultSectionSize(24)
        self.preview_view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.preview_view.horizontalHeader().setDefaultSectionSize(130)
        self.preview_view.horizontalHeader().setMinimumSectionSize(60)
        self.preview_title = QLabel("Preview", objectName="sectionTitle")
        right = QWidget()
        right_lay = QVBoxLayout(right)
        right_lay.setContentsMargins(0, 0, 0, 0)
        right_lay.addWidget(self.preview_title)
        right_lay.addWidget(self.preview_view, 1)
        left = QWidget()
        left_lay = QVBoxLayout(left)
        left_lay.setContentsMargins(0, 0, 0, 0)
        # Columns and statuses side by side as tabs: each needs the panel's whole height.
        self.tabs = QTabWidget()
        self.tabs.addTab(self.mapping_box, "Columns")
        self.tabs.addTab(self.status_box, "Statuses")
        left_lay.addWidget(self.tabs, 1)
        left_lay.addWidget(self.values_help, 1)
        self.split = QSplitter(Qt.Orientation.Horizontal)
        self.split.addWidget(left)
        self.split.addWidget(right)
        self.split.setStretchFactor(1, 1)
        self.split.setSizes([500, 620])
        self.split.setChildrenCollapsible(False)

        self.problem_label = QLabel(objectName="fieldError", wordWrap=True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.import_button = self.buttons.addButton("Import", QDialogButtonBox.ButtonRole.AcceptRole)
        self.import_button.setObjectName("primary")
        self.import_button.setDefault(True)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        bottom = QHBoxLayout()
        bottom.addWidget(self.problem_label, 1)
        bottom.addWidget(self.buttons)

        lay = QVBoxLayout(self)
        lay.setContentsMargins(16, 12, 16, 12)
        lay.addWidget(title)
        lay.addWidget(self.how_label)
        lay.addLayout(options)
        lay.addLayout(checks)
        lay.addWidget(self.split, 1)
        lay.addLayout(bottom)

        self.kind_combo.currentIndexChanged.connect(self._on_kind_combo_changed)
        self.sheet_combo.activated.connect(self._on_sheet_combo_activated)
        self.preset_combo.activated.connect(self._on_preset_combo_activated)

    # Public API ---------------------------------------------------------------------------------
    def mapping(self) -> dict[str, str]:
        """{ticket field: column header} as the combos show it now."""
        return {f: c.currentData() for f, c in self.field_combos.items() if c.currentData()}

    def set_column(self, field: str, header: str) -> None:
        """Map `field` to the column `header` ('' for not imported), as the user would."""
        combo = self.field_combos[field]
        combo.setCurrentIndex(max(combo.findData(header), 0))

    def kind(self) -> str:
        return str(self.kind_combo.currentData())

    def status_overrides(self) -> dict[str, str]:
        """{status: category} where the manager's choice differs from what the file was read as."""
        return {status: combo.currentData() for status, combo in self.status_combos.items()
                if combo.currentData() and combo.currentData() != self.preview.statuses.get(status)}

    def set_status_category(self, status: str, category: str) -> None:
        combo = self.status_combos[status]
        combo.setCurrentIndex(max(combo.findData(category), 0))

    def request(self) -> ImportRequest:
        preset = str(self.preset_combo.currentData())
        if preset == "auto":
            preset = self.preview.preset  # the mapping shown came from this preset (its source system)
        return ImportRequest(
            path=self.path, kind=self.kind(), sheet=self.preview.sheet or None, preset=preset,
            mapping=self.mapping() if self.kind() == "tickets" else None,
            day_first=self.date_combo.currentData(), strict=self.strict_check.isChecked(),
            remember=self.remember_check.isChecked(), status_overrides=self.status_overrides() or None,
            ask_names=True)  # new names go to the names dialog first

    def problem(self) -> str:
        if self.kind() == "values":
            return ""
        missing = missing_required(self.mapping())
        if missing:
            return f"Choose the column for {' and '.join(missing)} (required)."
        used = [h for h in self.mapping().values()]
        twice = sorted({h for h in used if used.count(h) > 1})
        return f"Column {', '.join(repr(h) for h in twice)} is chosen for more than one field." if twice else ""

    def shutdown(self) -> None:
        if self._op is not None and self._op.is_running():
            self._op.cancel()
            self._op.wait()

    # Filling ------------------------------------------------------------------------------------
    def _apply_preview(self, preview: FilePreview) -> None:
        self.preview, self.how = preview, preview.how
        self.sheet_combo.blockSignals(True)
        self.sheet_combo.clear()
        for name in preview.sheets or [preview.sheet]:
            self.sheet_combo.addItem(name or "(CSV file)", name)
        self.sheet_combo.setCurrentIndex(max(self.sheet_combo.findData(preview.sheet), 0))
        self.sheet_combo.setEnabled(len(preview.sheets) > 1)
        self.sheet_combo.blockSignals(False)
        self.preview_model.set_table(preview.headers, preview.rows)
        self._size_preview_columns()
        self.preview_title.setText(f"Preview: the first {len(preview.rows)} rows (column names on row "
                                   f"{preview.header_row}{', sheet ' + preview.sheet if preview.sheet else ''})")
        self._fill_combos(preview.headers, preview.mapping)
        self._fill_statuses(preview.statuses)
        self._update_state()
        self.inspected.emit()

    def _fill_statuses(self, statuses: dict[str, str | None]) -> None:
        while self.status_form.rowCount():
            self.status_form.removeRow(0)
        self.status_combos.clear()
        unknown = [s for s, c in statuses.items() if c is None]
        # The unknown ones first: they are the question.
        for status in sorted(statuses, key=lambda s: (statuses[s] is not None, s.casefold())):
            combo = QComboBox()
            combo.addItem("Unknown: dates decide", "")
            for key, label in STATUS_CHOICES:
                combo.addItem(label, key)
            combo.setCurrentIndex(max(combo.findData(statuses[status] or ""), 0))
            combo.setToolTip(f"How a ticket with the status {status!r} counts")
            label = QLabel(status)
            label.setToolTip(status)
            self.status_form.addRow(label, combo)
            self.status_combos[status] = combo
        self.tabs.setTabText(1, f"Statuses ({len(unknown)} to answer)" if unknown else "Statuses")
        if not statuses:
            self.status_hint.setText("No status column: each ticket's dates decide whether it is done.")
        elif unknown:
            some = "1 status" if len(unknown) == 1 else f"{len(unknown)} statuses"
            self.status_hint.setText(f"{some} KPI Desk does not know: say whether {'it means' if len(unknown) == 1 else 'they mean'} "
                                     "open, resolved or closed. Your answer is kept for later files.")
        else:
            self.status_hint.setText("Open keeps a ticket in the backlog whatever its dates; resolved and closed "
                                     "make it done even without a resolved time.")

    def _size_preview_columns(self) -> None:
        view = self.preview_view
        view.resizeColumnsToContents()
        for col in range(self.preview_model.columnCount()):
            view.setColumnWidth(col, min(max(view.columnWidth(col), 90), 260))

    def _fill_combos(self, headers: list[str], mapping: dict[str, str]) -> None:
        for field, combo in self.field_combos.items():
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(NOT_IMPORTED, "")
            for h in headers:
                if h:
                    combo.addItem(h, h)
            combo.setCurrentIndex(max(combo.findData(mapping.get(field, "")), 0))
            combo.blockSignals(False)
        self.preview_model.set_mapping(self.mapping())

    def _update_state(self) -> None:
        tickets = self.kind() == "tickets"
        self.tabs.setVisible(tickets)
        # The statuses listed are those of the status column found when the file was opened.
        same_column = {f: self.preview.mapping.get(f) for f in ("status", "status_category")} == {
            f: self.mapping().get(f) for f in ("status", "status_category")}
        self.tabs.setTabEnabled(1, same_column)
        self.tabs.setTabToolTip(1, "" if same_column else "The statuses are read with the file: open it again to "
                                "list the statuses of another column.")
        self.values_help.setVisible(not tickets)
        for w in (self.preset_combo, self.date_combo, self.remember_check):
            w.setEnabled(tickets)
        if tickets:
            preset = preset_label(self.preview.preset)
            self.how_label.setText(HOW_TEXT.get(self.how, "{preset}").format(preset=preset)
                                   + f"  {len(self.mapping())} of {len(self.preview.headers)} columns are imported.")
        else:
            self.how_label.setText("KPI values: one value per KPI, period and person, team or project.")
        problem = self.problem()
        self.problem_label.setText(problem)
        self.import_button.setEnabled(not problem and self._op is None)

    # Slots --------------------------------------------------------------------------------------
    def _on_field_combo_changed(self, _index: int) -> None:
        self.how = "given"
        self.preview_model.set_mapping(self.mapping())
        self._update_state()

    def _on_kind_combo_changed(self, _index: int) -> None:
        self.preview_model.set_mapping(self.mapping() if self.kind() == "tickets" else {})
        self._update_state()

    def _on_preset_combo_activated(self, _index: int) -> None:
        try:
            preset, mapping = detect_mapping(self.preview.headers, str(self.preset_combo.currentData()))
        except ImportFailed as exc:
            show_error(self, exc)
            return
        self.preview.preset, self.how = preset, "detected"
        self._fill_combos(self.preview.headers, mapping)
        self._update_state()

    def _on_sheet_combo_activated(self, _index: int) -> None:
        sheet = self.sheet_combo.currentData()
        if sheet == self.preview.sheet or self._op is not None:
            return
        preset = str(self.preset_combo.currentData())
        self.import_button.setEnabled(False)
        self._op = (Op(self, lambda _p: inspect_file(self.store, self.path, sheet=sheet, preset=preset))
                    .with_progress(f"Reading sheet {sheet}…")
                    .success(self._on_inspect_done)
                    .failure(self._on_inspect_failed))
        self._op.run()

    def _on_inspect_done(self, preview: FilePreview) -> None:
        self._op = None
        self._apply_preview(preview)

    def _on_inspect_failed(self, exc: BaseException) -> None:
        self._op = None
        self.sheet_combo.setCurrentIndex(max(self.sheet_combo.findData(self.preview.sheet), 0))
        self._update_state()
        show_error(self, exc)
        self.inspected.emit()

    def done(self, result: int) -> None:
        self.shutdown()
        super().done(result)


if __name__ == "__main__":
    import datetime as dt
    import sys
    import tempfile

    from PySide6.QtWidgets import QApplication

    from tests.import_samples import write_xlsx
    from ui.resources import stylesheet

    app = QApplication(sys.argv)
    app.setStyle("Fusion")
    app.setStyleSheet(stylesheet())
    tmp = Path(tempfile.mkdtemp())
    preview_store = Store.open(tmp / "preview.db")
    day = dt.datetime(2026, 3, 2, 9, 0)
    sample = write_xlsx(tmp / "incident.xlsx", ["Number", "Opened", "Resolved", "Priority", "Assigned to", "State"],
                        [[f"INC{1000 + i}", day + dt.timedelta(hours=i), day + dt.timedelta(hours=i + 3),
                          "2 - High", "Jane Doe", "Resolved"] for i in range(30)], title_rows=[["Incident list"]])
    dialog = MappingDialog(preview_store, sample, inspect_file(preview_store, sample))
    dialog.show()
    sys.exit(app.exec())

"""File > Open shared database…: the address of a department's PostgreSQL database (issue 18) and
the password, which is kept only in the system keyring and only when the person ticks the box."""
from __future__ import annotations

import getpass
from typing import Optional

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from kpidesk import credentials
from kpidesk.credentials import SharedAddress
from ui import state


class OpenSharedDialog(QDialog):
    def __init__(self, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Open shared database")
        self.setMinimumWidth(460)
        last = state.last_shared_address()
        intro = QLabel("A department's KPI Desk database on a PostgreSQL server. Ask its administrator "
                       "for the address and your login (they give you one with kpidesk shared grant).")
        intro.setWordWrap(True)
        self.host = QLineEdit(str(last["host"]))
        self.host.setPlaceholderText("kpi.example.org (empty: this computer's server)")
        self.port = QSpinBox()
        self.port.setRange(1, 65535)
        self.port.setValue(int(last["port"]))  # type: ignore[arg-type]
        self.database = QLineEdit(str(last["database"]))
        self.database.setPlaceholderText("kpidesk")
        self.user = QLineEdit(str(last["user"]) or getpass.getuser())
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.remember = QCheckBox("Remember the password in this computer's keyring")
        self.keyring_note = QLabel("There is no system keyring on this computer, so the password is "
                                   "asked each time; KPI Desk never writes it to a file.")
        self.keyring_note.setWordWrap(True)
        self.keyring_note.setEnabled(False)  # greyed: a remark, not a field
        has_keyring = credentials.keyring_available()
        self.remember.setEnabled(has_keyring)
        self.remember.setVisible(has_keyring)
        self.keyring_note.setVisible(not has_keyring)
        form = QFormLayout()
        form.addRow("&Server:", self.host)
        form.addRow("&Port:", self.port)
        form.addRow("&Database:", self.database)
        form.addRow("&User:", self.user)
        form.addRow("Pass&word:", self.password)
        form.addRow("", self.remember)
        form.addRow("", self.keyring_note)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Open | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        for field in (self.database, self.user):
            field.textChanged.connect(self._update)
        self._update()
        saved = credentials.saved_password(self.address)
        if saved:
            self.password.setText(saved)
            self.remember.setChecked(True)

    @property
    def address(self) -> SharedAddress:
        return SharedAddress(self.host.text().strip(), self.port.value(), self.database.text().strip(),
                             self.user.text().strip())

    def url(self) -> str:
        """The address with the password, for opening; it lives in memory only."""
        return self.address.url(self.password.text() or None)

    def _update(self) -> None:
        ok = bool(self.database.text().strip() and self.user.text().strip())
        self.buttons.button(QDialogButtonBox.StandardButton.Open).setEnabled(ok)

    def keep(self) -> None:
        """After the database opened: remember the address, and the password where asked."""
        a = self.address
        state.save_shared_address(a.host, a.port, a.database, a.user)
        if self.remember.isChecked() and self.password.text():
            credentials.save_password(a, self.password.text())
        elif not self.remember.isChecked():
            credentials.forget_password(a)

"""The window on a shared PostgreSQL database (issue 18): File > Open shared database…, the
password never in our files, every screen built and filled from the server."""
from __future__ import annotations

import os

import pytest
from PySide6.QtWidgets import QDialogButtonBox

from kpidesk import copying, credentials
from kpidesk.credentials import SharedAddress
from kpidesk.store import Store

SHOTS = os.environ.get("KPIDESK_SHOTS")  # a folder: save screenshots there to look at


def test_an_address_becomes_a_url_with_every_part_quoted():
    a = SharedAddress("db.example.org", 5433, "kpi desk", "ana@it")
    assert a.url() == "postgresql://ana%40it@db.example.org:5433/kpi%20desk"
    assert a.url("p@ss:w/rd") == "postgresql://ana%40it:p%40ss%3Aw%2Frd@db.example.org:5433/kpi%20desk"
    assert a.key == a.url()  # the keyring's name for it carries no password
    assert SharedAddress("", 5432, "kpidesk", "ana").url() == "postgresql://ana@/kpidesk"  # the local socket


def test_the_dialog_builds_the_url_and_keeps_the_address_but_never_the_password(qtbot, tmp_path, monkeypatch):
    from PySide6.QtCore import QSettings

    from ui.shared_dialog import OpenSharedDialog

    monkeypatch.setattr(credentials, "_keyring", lambda: None)  # a computer without a keyring
    dlg = OpenSharedDialog()
    qtbot.addWidget(dlg)
    open_button = dlg.buttons.button(QDialogButtonBox.StandardButton.Open)
    dlg.database.setText("")
    assert not open_button.isEnabled()  # no database named yet
    dlg.host.setText("kpi.example.org")
    dlg.port.setValue(5433)
    dlg.database.setText("kpidesk")
    dlg.user.setText("ana")
    dlg.password.setText("s3cret!")
    assert open_button.isEnabled()
    assert not dlg.remember.isEnabled() and "asked each time" in dlg.keyring_note.text()
    assert dlg.url() == "postgresql://ana:s3cret%21@kpi.example.org:5433/kpidesk"
    dlg.keep()
    QSettings().sync()
    written = "".join(p.read_text(errors="replace") for p in (tmp_path / "qsettings").rglob("*") if p.is_file())
    assert "kpi.example.org" in written and "s3cret" not in written
    again = OpenSharedDialog()  # the next time: the address filled in, the password asked
    qtbot.addWidget(again)
    assert (again.host.text(), again.port.value(), again.database.text(), again.user.text(), again.password.text()) \
        == ("kpi.example.org", 5433, "kpidesk", "ana", "")


def test_a_password_goes_to_the_keyring_only_when_asked(qtbot, monkeypatch):
    from ui.shared_dialog import OpenSharedDialog

    class FakeKeyring:  # stands in for the system's (Windows Credential Manager, macOS Keychain...)
        saved: dict = {}

        def get_password(self, service, key):
            return self.saved.get((service, key))

        def set_password(self, service, key, password):
            self.saved[(service, key)] = password

        def delete_password(self, service, key):
            self.saved.pop((service, key), None)

    ring = FakeKeyring()
    monkeypatch.setattr(credentials, "_keyring", lambda: ring)
    dlg = OpenSharedDialog()
    qtbot.addWidget(dlg)
    dlg.host.setText("kpi.example.org")
    dlg.database.setText("kpidesk")
    dlg.user.setText("ana")
    dlg.password.setText("s3cret")
    assert dlg.remember.isEnabled()
    dlg.keep()
    assert ring.saved == {}  # not ticked: nothing kept
    dlg.remember.setChecked(True)
    dlg.keep()
    assert ring.saved == {(credentials.SERVICE, "postgresql://ana@kpi.example.org:5432/kpidesk"): "s3cret"}
    again = OpenSharedDialog()
    qtbot.addWidget(again)
    assert again.password.text() == "s3cret" and again.remember.isChecked()
    again.remember.setChecked(False)
    again.keep()  # unticked: forgotten
    assert ring.saved == {}


@pytest.fixture
def shared_demo(demo_store, pg_url):
    copying.copy_database(demo_store.path, pg_url)
    return pg_url


def test_the_window_opens_a_shared_database_and_every_screen_reads_it(qtbot, store, shared_demo, shown_errors,
                                                                      tmp_path):
    from ui.dashboard.screen import DashboardScreen
    from ui.main_window import MainWindow

    window = MainWindow(store)
    qtbot.addWidget(window)
    window.show()
    url = shared_demo.replace("postgresql:///", "postgresql://:pw-not-shown@/")  # a URL with a password
    assert window.open_database(url), shown_errors
    assert window.store.shared and "pw-not-shown" not in window.path_label.text()
    assert window.windowTitle().endswith("(shared)")
    assert not window.backup_action.isEnabled() and "pg_dump" in window.backup_action.toolTip()
    dashboard = window.screen(DashboardScreen)
    qtbot.waitUntil(lambda: dashboard.model.rowCount() > 5, timeout=20000)
    for row in range(window.sidebar.count()):  # every screen builds and fills from the server
        window.sidebar.setCurrentRow(row)
        qtbot.wait(50)
    assert shown_errors == []
    if SHOTS:
        window.sidebar.setCurrentRow(0)
        qtbot.wait(300)
        window.grab().save(os.path.join(SHOTS, "shared-dashboard.png"))
    window.close()
    with Store.open(shared_demo) as again:  # closed cleanly; the server's data is there
        assert again.list_kpis()

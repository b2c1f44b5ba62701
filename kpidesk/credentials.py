"""A shared database's address and password (issue 18): built from what the person typed, and the
password kept only where they asked for it, in the system keyring, never in a file of ours.

The keyring is the `keyring` package (the `keyring` extra of pyproject.toml): Windows' Credential
Manager, macOS's Keychain, the Secret Service of a Linux desktop. Where it is not installed or finds
no such store (a server, a bare Linux session), `keyring_available()` says so and the window asks for
the password each time instead. No Qt here: the command line reads the same keyring.
"""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

SERVICE = "KPI Desk shared database"


@dataclass(frozen=True)
class SharedAddress:
    host: str
    port: int
    database: str
    user: str

    def url(self, password: str | None = None) -> str:
        """postgresql://user[:password]@host:port/database, each part quoted. An empty host means
        the local server's socket."""
        login = quote(self.user, safe="")
        if password:
            login += ":" + quote(password, safe="")
        host = quote(self.host, safe="") if self.host else ""
        port = f":{self.port}" if self.host and self.port else ""
        return f"postgresql://{login}@{host}{port}/{quote(self.database, safe='')}"

    @property
    def key(self) -> str:
        """The keyring's name for this login: the URL without a password."""
        return self.url()


def _keyring():  # type: ignore[no-untyped-def]
    try:
        import keyring
        from keyring.backends import fail
    except ImportError:
        return None
    try:
        backend = keyring.get_keyring()
    except Exception:  # noqa: BLE001 - a broken keyring setup is no keyring
        return None
    if isinstance(backend, fail.Keyring) or getattr(backend, "priority", 0) <= 0:
        return None
    return keyring


def keyring_available() -> bool:
    return _keyring() is not None


def saved_password(address: SharedAddress) -> str | None:
    kr = _keyring()
    if kr is None:
        return None
    try:
        return kr.get_password(SERVICE, address.key)
    except Exception:  # noqa: BLE001 - a locked or unreachable keyring: ask instead
        return None


def save_password(address: SharedAddress, password: str) -> bool:
    """Keep the password in the system keyring; False where there is none (nothing is written)."""
    kr = _keyring()
    if kr is None:
        return False
    try:
        kr.set_password(SERVICE, address.key, password)
    except Exception:  # noqa: BLE001
        return False
    return True


def forget_password(address: SharedAddress) -> None:
    kr = _keyring()
    if kr is None:
        return
    try:
        kr.delete_password(SERVICE, address.key)
    except Exception:  # noqa: BLE001 - nothing saved
        pass

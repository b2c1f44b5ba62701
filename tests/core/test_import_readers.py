"""Reading files (issue 3): bad files get a plain ImportFailed naming the file, CSV dialects and
encodings are sniffed, the header is found below title lines, the data sheet is picked."""
from __future__ import annotations

import datetime as dt
import zipfile

import pytest

from kpidesk.errors import ImportFailed
from kpidesk.importing.mappings import is_known_header
from kpidesk.importing.readers import detect_encoding, open_table, sniff_delimiter
from kpidesk.importing.sniff import OLE_MAGIC
from tests.import_samples import write_csv, write_xlsx

HEAD = ["Number", "Opened", "Priority", "Assigned to"]
ROWS = [["INC1", "2026-01-05 10:00", "2 - High", "Zoë Ñúñez"], ["INC2", "2026-01-06 11:00", "4 - Low", "Bob"]]


def _open(path, **kw):
    return open_table(path, known=is_known_header, **kw)


def test_empty_file(tmp_path):
    p = tmp_path / "empty.xlsx"
    p.write_bytes(b"")
    with pytest.raises(ImportFailed, match=r"empty\.xlsx.*empty"):
        _open(p)


def test_not_a_spreadsheet(tmp_path):
    p = tmp_path / "photo.xlsx"
    p.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 10)
    with pytest.raises(ImportFailed, match=r"photo\.xlsx.*not a spreadsheet.*save it as \.xlsx"):
        _open(p)


def test_password_protected_ole(tmp_path):
    p = tmp_path / "locked.xlsx"
    p.write_bytes(OLE_MAGIC + b"\x00" * 4096)  # what an encrypted .xlsx starts with
    with pytest.raises(ImportFailed, match=r"locked\.xlsx.*password-protected.*save it as \.xlsx"):
        _open(p)


def test_truncated_zip(tmp_path):
    good = write_xlsx(tmp_path / "good.xlsx", HEAD, ROWS)
    p = tmp_path / "cut.xlsx"
    p.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    with pytest.raises(ImportFailed, match=r"cut\.xlsx.*damaged"):
        _open(p)


def test_zip_bomb_refused_before_opening(tmp_path):
    p = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", "<workbook/>")
        zf.writestr("xl/worksheets/sheet1.xml", b"\x00" * (24 * 1024 * 1024))  # ~24 KB compressed
    with pytest.raises(ImportFailed, match=r"bomb\.xlsx.*zip bomb"):
        _open(p)


def test_zip_that_is_not_a_workbook(tmp_path):
    p = tmp_path / "report.xlsx"
    with zipfile.ZipFile(p, "w") as zf:
        zf.writestr("word/document.xml", "<w/>")
    with pytest.raises(ImportFailed, match=r"report\.xlsx.*not a spreadsheet"):
        _open(p)


def test_missing_sheet_lists_the_sheets(tmp_path):
    p = write_xlsx(tmp_path / "a.xlsx", HEAD, ROWS)
    with pytest.raises(ImportFailed, match=r"no sheet named 'Nope' \(its sheets: Page 1\)"):
        _open(p, sheet="Nope")


def test_header_found_below_title_and_data_sheet_picked(tmp_path):
    p = write_xlsx(tmp_path / "a.xlsx", HEAD, ROWS,
                   title_rows=[["Incident export"], ["Exported", dt.datetime(2026, 1, 7)], []],
                   extra_sheets={"Notes": [["This workbook was exported by the service desk"], ["Ignore me"]]})
    t = _open(p)
    assert (t.sheet, t.header_row, t.headers) == ("Page 1", 4, HEAD)
    rows = list(t.rows())
    assert [n for n, _ in rows] == [5, 6]  # spreadsheet row numbers
    assert rows[0][1][:3] == ["INC1", "2026-01-05 10:00", "2 - High"]
    assert _open(p, sheet="page 1").sheet == "Page 1"  # names match case-insensitively


@pytest.mark.parametrize("delimiter, encoding", [
    (",", "utf-8"), (";", "utf-8-sig"), ("\t", "utf-8"), ("|", "cp1252"), (";", "utf-16"),
])
def test_csv_dialects_and_encodings(tmp_path, delimiter, encoding):
    rows = [r[:3] + ["Zoë Ñúñez" if encoding != "cp1252" else "Zoë Nunez"] for r in ROWS]
    p = write_csv(tmp_path / "x.csv", HEAD, rows, delimiter=delimiter, encoding=encoding,
                  title_rows=[["Tickets export"], []])
    t = _open(p)
    assert t.delimiter == delimiter
    assert t.headers == HEAD  # no BOM glued to 'Number'
    assert [r for _, r in t.rows()] == rows


def test_encoding_fallbacks(tmp_path):
    p = tmp_path / "a.csv"
    p.write_bytes("a;b\r\ncafé;1\r\n".encode("cp1252"))
    assert detect_encoding(p) == ("cp1252", 0)
    p.write_bytes(b"a;b\r\n\x81\x8d;1\r\n")  # bytes cp1252 leaves undefined: another code page reads them
    encoding, replaced = detect_encoding(p)
    assert replaced == 0 and p.read_bytes().decode(encoding)
    p.write_bytes(b"\xef\xbb\xbfa;b\r\n")
    assert detect_encoding(p) == ("utf-8-sig", 0)


def test_delimiter_sniffing_ignores_commas_inside_values():
    sample = 'ID;Title;Status\r\n1;"Printer, 2nd floor";New\r\n2;Mail, slow;Solved\r\n'
    assert sniff_delimiter(sample) == ";"


def test_text_file_without_a_header_row(tmp_path):
    p = tmp_path / "notes.csv"
    p.write_text("just some notes\nnothing tabular\n")
    with pytest.raises(ImportFailed, match=r"notes\.csv.*no header row"):
        _open(p)


@pytest.mark.parametrize("text, encoding", [
    ("Número;Técnico;Catégorie\n1;José Müller;Réseau café\n2;François Dubois;Imprimante élevée\n", "cp1252"),
    ("Nummer;Techniker;Priorität\n1;Jürgen Groß;Hoch\n2;Björn Müller;Niedrig\n", "cp1252"),
    ("ID;Nombre\n1;Peña\n", "cp1252"),
    ("Номер;Техник;Категория\n1;Иван Петров;Сеть\n2;Ольга Смирнова;Принтер\n", "cp1251"),
    ("INC1;P2;Иван Петров\r\nINC2;P3;Ольга Смирнова\r\n", "cp1251"),
    ("Numer;Technik;Kategoria\n1;Łukasz Wójcik;Sieć\n2;Małgorzata Żółć;Drukarka\n", "cp1250"),
    ("Číslo;Technik;Kategorie\n1;Jiří Dvořák;Síť\n2;Petra Nováková;Tiskárna\n", "iso8859-2"),
    ("番号;担当者;カテゴリ\n1;山田太郎;ネットワーク\n2;佐藤花子;プリンター\n", "shift_jis"),
    ("Αριθμός;Τεχνικός\n1;Γιώργος Παπαδόπουλος\n", "cp1253"),
])
def test_legacy_encodings_are_told_apart(tmp_path, text, encoding):
    """Issue 12: exports also come in cp1251, ISO-8859-2, Shift-JIS...; the text must read back
    exactly (an encoding that decodes the same bytes to the same text is as good)."""
    p = tmp_path / "legacy.csv"
    p.write_bytes(text.encode(encoding))
    found, replaced = detect_encoding(p)
    assert replaced == 0 and p.read_bytes().decode(found) == text, found


def test_a_utf8_file_with_a_few_bad_bytes_is_still_utf8(tmp_path):
    p = tmp_path / "mostly.csv"
    p.write_bytes("Técnico;Categoría\n".encode() + "José Núñez;Réseau\n".encode() * 50 + b"Caf\xe9;x\n")
    assert detect_encoding(p) == ("utf-8", 1)
    p.write_bytes("Técnico;Categoría\n".encode("cp1252") + "José Núñez;Réseau\n".encode("cp1252") * 50)
    assert detect_encoding(p) == ("cp1252", 0)


def test_the_delimiter_gives_the_header_its_columns():
    """Issue 12: a comma file whose comment cells hold 'date;user;text' was read as ;-separated."""
    sample = ('Summary,Issue key,Status,Created,Comment\r\n'
              'A,IHS-1,Done,02/Jul/26 9:10 AM,02/Jul/26 9:30 AM;557058:abc;Looking into it\r\n'
              'B,IHS-2,Open,03/Jul/26 9:10 AM,03/Jul/26 9:30 AM;557058:abc;On it; more\r\n'
              'C,IHS-3,Open,04/Jul/26 9:10 AM,04/Jul/26 9:30 AM;557058:abc;x\r\n')
    assert sniff_delimiter(sample, is_known_header) == ","

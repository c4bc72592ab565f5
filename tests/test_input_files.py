"""Files that are not what a table should be: refused up front with one message naming the file (issue 12).

Unbalanced quotes, NUL bytes, a folder / FIFO given as a file, an XLSX claiming a huge range, a file past the
size bound, and Windows-1252 text that GB18030 would turn into mojibake. Every case also goes through
``hrpark evaluate``: exit 2, one ``hrpark: 错误:`` line naming the file, nothing written, no traceback.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest

from hrpark_analysis import userfiles
from hrpark_analysis.cli import main
from hrpark_analysis.errors import InputError
from hrpark_analysis.io.tables import read_table

PARKS = "park_id,name,district,certified_year\nP01,甲园区,渝中区,2023\nP02,乙园区,江北区,2023\n"


def evaluate(tmp_path: Path, capsys, parks: Path, evals: Path) -> tuple[int, str, Path]:
    out = tmp_path / "out"
    code = main(["evaluate", "--parks", str(parks), "--evaluations", str(evals), "--out", str(out)])
    return code, capsys.readouterr().err, out


def assert_refused(code: int, err: str, out: Path, file: Path, *words: str) -> None:
    assert code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("hrpark: 错误:"), err
    assert str(file) in err and "Traceback" not in err
    for w in words:
        assert w in err, (w, err)
    assert not out.exists() or not any(out.iterdir())


@pytest.fixture
def parks(tmp_path):
    path = tmp_path / "parks.csv"
    path.write_text(PARKS, "utf-8")
    return path


# --- quotes ------------------------------------------------------------------------------------------------
def test_an_unclosed_quote_in_a_note_is_an_error_at_its_own_row_not_a_swallowed_rest(tmp_path):
    # Row 3's note opens a quote that row 6's note closes: csv would read rows 3–6 as one record, and the
    # veto of row 4 would vanish into a note. The error names row 3, where the record starts.
    path = tmp_path / "evals.csv"
    path.write_text(
        'park_id,year,score,veto,note\nP01,2024,80,,好\nP02,2024,75,,"未闭合的备注\n'
        'P01,2025,55,是,否决\nP02,2025,70,,x\nP01,2026,66,,"闭合"\n',
        "utf-8",
    )
    with pytest.raises(InputError) as err:
        read_table(path)
    assert err.value.row == 3 and err.value.file == str(path) and "引号" in err.value.message


def test_a_quote_closed_late_in_a_long_file_is_named_at_the_row_it_opened(tmp_path):
    rows = [f"P01,{2000 + i},80,,备注{i}" for i in range(40)]
    rows[1] = 'P01,2001,80,,"开了引号'
    rows[29] = 'P01,2029,80,,收尾"'
    path = tmp_path / "evals.csv"
    path.write_text("park_id,year,score,veto,note\n" + "\n".join(rows) + "\n", "utf-8")
    with pytest.raises(InputError) as err:
        read_table(path)
    assert err.value.row == 3  # header = 1, rows[1] is line 3; not 31


def test_a_stray_quote_after_a_quoted_cell_is_an_error_at_its_row(tmp_path):
    path = tmp_path / "evals.csv"
    path.write_text('park_id,year,score,note\nP01,2024,80,ok\nP02,2024,70,"ab"cd\n', "utf-8")
    with pytest.raises(InputError) as err:
        read_table(path)
    assert err.value.row == 3


def test_balanced_quotes_and_commas_inside_quotes_still_read(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text('a,note\n1,"x, ""y"""\n2,他说"好"\n', "utf-8")
    table = read_table(path)
    assert table["note"].tolist() == ['x, "y"', '他说"好"'] and table["_row"].tolist() == [2, 3]


def test_the_cli_refuses_an_unclosed_quote_with_the_row(tmp_path, capsys, parks):
    evals = tmp_path / "evals.csv"
    evals.write_text(
        'park_id,year,score,note\nP01,2024,80,好\nP02,2024,75,"未闭合\nP01,2025,55,x\nP02,2025,60,"y"\n',
        "utf-8",
    )
    assert_refused(*evaluate(tmp_path, capsys, parks, evals), evals, "第 3 行")


# --- bytes that are not text -------------------------------------------------------------------------------
def test_nul_bytes_are_refused_with_the_line(tmp_path, capsys, parks):
    evals = tmp_path / "evals.csv"
    evals.write_bytes(b"park_id,year,score\nP01,2024,80\nP02,2024,7\x005\n")
    with pytest.raises(InputError) as err:
        read_table(evals)
    assert err.value.row == 3 and "NUL" in err.value.message
    assert_refused(*evaluate(tmp_path, capsys, parks, evals), evals, "NUL")


# --- not a regular file ------------------------------------------------------------------------------------
def test_a_folder_given_as_a_file_is_refused(tmp_path, capsys, parks):
    folder = tmp_path / "evals.csv"
    folder.mkdir()
    with pytest.raises(InputError) as err:
        read_table(folder)
    assert "文件夹" in err.value.message
    assert_refused(*evaluate(tmp_path, capsys, parks, folder), folder, "文件夹")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are a POSIX thing")
def test_a_fifo_given_as_a_file_is_refused_without_hanging(tmp_path, parks):
    fifo = tmp_path / "evals.csv"
    os.mkfifo(fifo)
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "hrpark_analysis.cli", "evaluate", "--parks", str(parks), "--evaluations",
           str(fifo), "--out", str(out)]  # fmt: skip
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2, done.stderr
    assert str(fifo) in done.stderr and "管道" in done.stderr and "Traceback" not in done.stderr
    assert not out.exists()


def test_a_file_past_the_size_bound_is_refused_before_it_is_read(tmp_path, monkeypatch):
    path = tmp_path / "big.csv"
    path.write_text("a,b\n" + "1,2\n" * 100, "utf-8")
    monkeypatch.setattr(userfiles, "MAX_FILE_BYTES", 100)
    with pytest.raises(InputError) as err:
        read_table(path)
    assert "过大" in err.value.message and err.value.file == str(path)


# --- XLSX ------------------------------------------------------------------------------------------------------
def _xlsx_claiming(path: Path, ref: str) -> Path:
    book = openpyxl.Workbook()
    book.active.append(["park_id", "year", "score"])
    book.active.append(["P01", 2024, 80])
    plain = path.with_suffix(".plain.xlsx")
    book.save(plain)
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename.startswith("xl/worksheets/sheet"):
                data = re.sub(rb'<dimension ref="A1:C2"\s*/>', f'<dimension ref="{ref}"/>'.encode(), data)
                assert ref.encode() in data
            dst.writestr(item, data)
    return path


def test_an_xlsx_claiming_the_whole_grid_is_refused_before_it_is_loaded(tmp_path, capsys, parks):
    path = _xlsx_claiming(tmp_path / "evals.xlsx", "A1:XFD1048576")
    began = time.perf_counter()
    with pytest.raises(InputError) as err:
        read_table(path)
    assert time.perf_counter() - began < 5  # refused from the zip's first bytes, nothing allocated
    assert "A1:XFD1048576" in err.value.message and err.value.file == str(path)
    assert_refused(*evaluate(tmp_path, capsys, parks, path), path, "A1:XFD1048576")


def test_an_xlsx_with_a_far_cell_and_no_declared_range_is_refused_before_it_is_loaded(tmp_path):
    book = openpyxl.Workbook()
    book.active.append(["park_id", "year", "score"])
    book.active["XFD1048576"] = "x"  # one cell: a reader pads every row to it, ~1.9 GB
    plain = tmp_path / "far.plain.xlsx"
    book.save(plain)
    path = tmp_path / "far.xlsx"
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename.startswith("xl/worksheets/sheet"):
                data = re.sub(rb"<dimension [^>]*/>", b"", data)
            dst.writestr(item, data)
    began = time.perf_counter()
    with pytest.raises(InputError) as err:
        read_table(path)
    assert time.perf_counter() - began < 5
    assert "XFD1048576" in err.value.message and err.value.file == str(path)


def test_an_xlsx_of_ordinary_size_still_reads(tmp_path):
    path = _xlsx_claiming(tmp_path / "evals.xlsx", "A1:C2")
    assert read_table(path)["park_id"].tolist() == ["P01"]


# --- encodings -------------------------------------------------------------------------------------------------
CHINESE = "park_id,name,district,certified_year\nP01,重庆人力资源服务产业园,渝中区,2023\n"


@pytest.mark.parametrize(
    "encoded",
    [
        CHINESE.encode("utf-8"),
        CHINESE.encode("utf-8-sig"),
        CHINESE.encode("gbk"),
        CHINESE.encode("gb18030"),
        CHINESE.encode("utf-16"),
    ],
    ids=["utf-8", "utf-8-bom", "gbk", "gb18030", "utf-16-bom"],
)
def test_chinese_tables_in_every_supported_encoding_read_the_same(tmp_path, encoded):
    path = tmp_path / "parks.csv"
    path.write_bytes(encoded)
    assert read_table(path)["name"].tolist() == ["重庆人力资源服务产业园"]


@pytest.mark.parametrize(
    "text",
    [
        "park_id,name,district,certified_year\nP01,Müller Zürich,Yuzhong,2023\n",  # ü before a letter
        "park_id,name,note\nP01,Señora Björk,ok\n",
        "park_id,name,note\nP01,Ångström,Gödel\n",
    ],
)
def test_a_windows_1252_table_is_refused_not_read_as_mojibake(tmp_path, capsys, text):
    data = text.encode("cp1252")
    data.decode("gb18030")  # the fault: these bytes *do* decode as GB18030, into nonsense
    path = tmp_path / "parks.csv"
    path.write_bytes(data)
    with pytest.raises(InputError) as err:
        read_table(path)
    assert err.value.file == str(path) and "编码" in err.value.message
    evals = tmp_path / "evals.csv"
    evals.write_text("park_id,year,score\nP01,2024,80\n", "utf-8")
    assert_refused(*evaluate(tmp_path, capsys, path, evals), path, "编码")


def test_an_undecodable_file_is_refused_with_its_name(tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes(b"a,b\n\xff\xff,\x80\n")
    with pytest.raises(InputError) as err:
        read_table(path)
    assert err.value.file == str(path) and "编码" in err.value.message

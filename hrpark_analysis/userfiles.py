"""Opening a user's file safely: what every reader checks before it parses a byte.

Tables (``io/tables.py``), the policy file and the evaluation sheet (``law/``) and report parameter files
(``reports/params.py``) are opened here, so each refuses the same faults with one message naming the file:

- not a regular file (a folder, a FIFO, a device): refused up front, never opened for reading, so a FIFO
  cannot hang the program;
- larger than :data:`MAX_FILE_BYTES`: refused before it is read (what one file may cost in memory);
- text: UTF-8, UTF-8 with BOM, UTF-16 with BOM, or GB18030/GBK as saved by Chinese Excel and Notepad
  ("ANSI"). A GB18030 decoding must also look like Chinese (:func:`plausible_gb18030`): a Windows-1252 file
  ("Café") decodes as GB18030 into rare characters, and is refused rather than read as mojibake;
- NUL characters: refused, with the line;
- CSV: each record on its own line, quotes balanced (:func:`csv_records`), so an unclosed quote in a note
  cannot swallow the rows after it, and every error names the line where the record starts;
- XLSX: the unpacked size, each sheet's declared range (``<dimension ref="A1:XFD1048576">``) and its
  furthest cell are read from the zip before the workbook is loaded (:func:`check_xlsx`).

It sits below ``law`` (it imports only ``errors``), so every layer may use it.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import re
import stat
import zipfile
from collections import Counter
from pathlib import Path

from hrpark_analysis.errors import InputError

#: The largest file read (bytes): 64 MiB is far above a year's tables for hundreds of parks (the shipped
#: sample's largest file is ~0.1 MiB) and keeps one file's cost in memory to a few hundred MiB once parsed.
MAX_FILE_BYTES = 64 * 2**20
#: The most cells an XLSX sheet may declare (rows × columns of its dimension): 1,048,576 rows × 16,384
#: columns is what a workbook claiming A1:XFD1048576 would make pandas allocate.
MAX_XLSX_CELLS = 2_000_000
#: The most an XLSX may unpack to (bytes): a zip bomb is refused before it is inflated.
MAX_XLSX_UNPACKED = 8 * MAX_FILE_BYTES
#: A GB18030 decoding is implausible when more than this share of its non-ASCII characters lie outside
#: GB2312 (the 6,763 common hanzi and the usual symbols). Real Chinese tables sit near 0; Windows-1252 text
#: read as GB18030 (an accented letter followed by an ASCII one) gives rare or private-use characters only.
MAX_RARE_SHARE = 0.2

ENCODINGS_NAMED = "UTF-8、带 BOM 的 UTF-8、带 BOM 的 UTF-16、GB18030/GBK"


def check_regular(path: str | Path) -> Path:
    """The path of an existing regular file; InputError naming it otherwise (no open, so no FIFO hang)."""
    path = Path(path)
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise InputError("文件不存在", file=path) from None
    except OSError as exc:
        raise InputError(f"无法读取文件: {exc.strerror}", file=path) from None
    if stat.S_ISDIR(info.st_mode):
        raise InputError("这是一个文件夹，不是文件", file=path)
    if not stat.S_ISREG(info.st_mode):
        raise InputError("不是普通文件(可能是管道或设备)，无法读取", file=path)
    if info.st_size > MAX_FILE_BYTES:
        raise InputError(
            f"文件过大({info.st_size / 2**20:.1f} MiB，上限 {MAX_FILE_BYTES // 2**20} MiB)", file=path
        )
    return path


def read_bytes(path: str | Path) -> bytes:
    """The bytes of a regular file of at most :data:`MAX_FILE_BYTES`.

    Opened without blocking and checked again on the open descriptor, so a file swapped for a FIFO between
    the check and the open cannot hang the read; at most one byte past the bound is ever read.
    """
    path = check_regular(path)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except OSError as exc:
        raise InputError(f"无法读取文件: {exc.strerror}", file=path) from None
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            raise InputError("不是普通文件(可能是管道或设备)，无法读取", file=path)
        try:
            data = handle.read(MAX_FILE_BYTES + 1)
        except OSError as exc:
            raise InputError(f"无法读取文件: {exc.strerror}", file=path) from None
    if len(data) > MAX_FILE_BYTES:
        raise InputError(f"文件过大(上限 {MAX_FILE_BYTES // 2**20} MiB)", file=path)
    return data


def plausible_gb18030(text: str) -> bool:
    """Whether text decoded as GB18030 reads as Chinese: few non-ASCII characters outside GB2312."""
    counts = Counter(text)
    wide = rare = 0
    for c, n in counts.items():  # once per distinct character: a few thousand at most
        if ord(c) <= 0x7F:
            continue
        wide += n
        try:
            c.encode("gb2312")
        except UnicodeEncodeError:
            rare += n
    return rare <= MAX_RARE_SHARE * wide


def decode(data: bytes, path: str | Path) -> str:
    """Text of a user's file in one of :data:`ENCODINGS_NAMED`; InputError naming the file otherwise."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 with BOM (Notepad's "Unicode")
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise InputError(f"无法识别文件编码(支持 {ENCODINGS_NAMED})", file=path) from None
    else:
        text = _utf8_or_gb18030(data, path)
    at = text.find("\x00")
    if at >= 0:
        raise InputError("文件含有空字符(NUL)，不是文本表格", file=path, row=text.count("\n", 0, at) + 1)
    return text


def _utf8_or_gb18030(data: bytes, path: str | Path) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        raise InputError(
            f"无法识别文件编码(支持 {ENCODINGS_NAMED})；请在 Excel 中另存为 “CSV UTF-8”", file=path
        ) from None
    if not plausible_gb18030(text):
        raise InputError(
            "文件编码无法可靠识别：不是 UTF-8，按 GB18030/GBK 读取会得到大量生僻字(乱码，常见于西文 Windows-1252"
            f" 编码的文件)；请另存为 UTF-8(支持 {ENCODINGS_NAMED})",
            file=path,
        )
    return text


def read_text(path: str | Path) -> str:
    """A user's text file, checked (regular, bounded, decodable and plausible, no NUL) and decoded."""
    return decode(read_bytes(path), path)


def csv_records(text: str, path: str | Path) -> list[tuple[int, list[str]]]:
    """CSV records with the line each starts on; every record on one line with its quotes balanced.

    A record that runs over several lines (an unclosed quote, or a line break inside a quoted cell) and a
    stray quote (``"ab"cd``) are errors at the line where the record starts, so no row after it is
    swallowed into a note and the line named is the one to fix.
    """
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    out = []
    line = 0
    while True:
        start = line + 1
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise InputError(f"CSV 格式错误(引号不成对？): {exc}", file=path, row=start) from None
        line = reader.line_num
        if line > start:
            raise InputError(
                f"该行的引号没有闭合(或单元格内有换行)，记录跨越了第 {start}–{line} 行；请补全引号或去掉单元格内的换行",
                file=path,
                row=start,
            )
        out.append((start, record))
    return out


_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"')


def _column_number(letters: bytes) -> int:
    n = 0
    for ch in letters.decode("ascii"):
        n = n * 26 + ord(ch) - 64
    return n


_CELL = re.compile(rb'<(?:\w+:)?c\s[^>]*?\br="([A-Z]{1,3})(\d{1,7})"')


def _too_big(rows: int, cols: int, what: str, path: str | Path) -> None:
    if rows * cols > MAX_XLSX_CELLS:
        raise InputError(
            f"Excel 工作表{what}过大({rows} 行 × {cols} 列，上限 {MAX_XLSX_CELLS} 个单元格)", file=path
        )


def _check_sheet_extent(sheet, path: str | Path) -> None:
    """The declared ``<dimension>`` (from the first bytes) and the furthest cell actually present (one pass
    over the sheet's XML, in chunks), each against :data:`MAX_XLSX_CELLS`: a reader pads every row to the
    widest one, so a single cell at XFD1048576 costs the whole grid."""
    head = sheet.read(4096)
    found = _DIMENSION.search(head)
    if found:
        c1, r1, c2, r2 = found.groups()
        ref = found.group(0).split(b'"')[1].decode("ascii")
        _too_big(int(r2 or r1), _column_number(c2 or c1), f"声明的范围 {ref} ", path)
    max_row = max_col = 0
    chunk, tail = head, b""
    while chunk:
        text = tail + chunk
        for letters, digits in _CELL.findall(text):
            max_row = max(max_row, int(digits))
            max_col = max(max_col, _column_number(letters))
        tail = text[-256:]  # a cell tag cut by the chunk boundary is seen whole in the next pass
        chunk = sheet.read(2**20)
    if max_row and max_col:
        last = f"{_column_letters(max_col)}{max_row}"
        _too_big(max_row, max_col, f"的数据延伸到 {last}，", path)


def _column_letters(n: int) -> str:
    out = ""
    while n:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out


def check_xlsx(path: str | Path) -> Path:
    """A regular, bounded XLSX: its parts unpack to at most :data:`MAX_XLSX_UNPACKED` bytes (the zip
    directory) and each sheet, declared and actual, spans at most :data:`MAX_XLSX_CELLS` cells
    (:func:`_check_sheet_extent`) — all read from the zip before the workbook is loaded."""
    path = check_regular(path)
    try:
        with zipfile.ZipFile(path) as book:
            members = book.infolist()
            unpacked = sum(m.file_size for m in members)
            if unpacked > MAX_XLSX_UNPACKED:
                raise InputError(
                    f"Excel 文件解压后过大({unpacked / 2**20:.0f} MiB，上限 {MAX_XLSX_UNPACKED // 2**20} MiB)",
                    file=path,
                )
            for member in members:
                if re.fullmatch(r"xl/worksheets/[^/]+\.xml", member.filename):
                    with book.open(member) as sheet:
                        _check_sheet_extent(sheet, path)
    except zipfile.BadZipFile:
        raise InputError("无法读取 Excel 文件: 不是有效的 xlsx(zip)文件", file=path) from None
    except OSError as exc:
        raise InputError(f"无法读取 Excel 文件: {exc}", file=path) from None
    return path


def sha256(path: str | Path) -> str:
    """Hex sha256 of a file's bytes (the manifest, the reports' 数据文件 tables and ``hrpark report verify``)."""
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()

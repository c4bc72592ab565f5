"""Publishing output atomically: nothing half-written ever appears where a user or a script looks.

Two shapes, one rule (write privately, then rename into place):

- :func:`output_files` — a few named files into a folder (the CLI's ``evaluate``/``eligibility``/``score``/
  ``sample`` writers). Existing files are refused unless ``force``.
- :func:`key_lock`, :func:`clean_stale`, :func:`install_folder` — a whole folder ``<root>/<key>/`` (a report).
  It is built in ``<root>/.tmp-<key>-<random>/`` (:func:`temporary_folder`) and renamed in when complete;
  with ``force`` an existing one is renamed to ``.old-<key>-<random>``, the new one renamed in, and the old one
  deleted. A lock file ``<root>/.<key>.lock`` (filelock: an OS lock, released even after SIGKILL) serialises
  writers of the same key; whoever holds it first removes what an interrupted writer left behind.

Paths in messages are shown as :func:`shown_path` gives them: relative to the working folder when inside it.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

from hrpark_analysis.errors import OutputExistsError, ReportError


def shown_path(path: str | Path) -> str:
    """``path`` for a message or a file: relative to the working folder if inside it, else as given."""
    path = Path(path)
    if path.is_absolute():
        with contextlib.suppress(ValueError, OSError):
            return path.relative_to(Path.cwd()).as_posix() or "."
    return path.as_posix()


# --- a few files ------------------------------------------------------------------------------------------
@contextlib.contextmanager
def output_files(directory: str | Path, names: Sequence[str], force: bool = False) -> Iterator[Path]:
    """Write files into a private temporary folder; move them into ``directory`` only if all succeeded.

    An existing output file is never replaced unless ``force``; on any error nothing is left behind.
    """
    directory = Path(directory)
    existing = [n for n in names if (directory / n).exists()]
    if existing and not force:
        raise OutputExistsError(
            f"输出文件已存在: {', '.join(str(directory / n) for n in existing)}(如需覆盖请加 --force)"
        )
    directory.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=directory))
    try:
        yield tmp
        for name in names:
            os.replace(tmp / name, directory / name)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


# --- a whole folder ---------------------------------------------------------------------------------------
def refuse_existing(final: Path) -> None:
    """OutputExistsError if ``final`` exists (the caller checks ``force`` first)."""
    if final.exists():
        raise OutputExistsError(f"报告文件夹已存在: {shown_path(final)}(如需覆盖请加 --force)")


@contextlib.contextmanager
def key_lock(root: Path, key: str, timeout: float) -> Iterator[None]:
    """Hold ``<root>/.<key>.lock``; ReportError if another writer still holds it after ``timeout`` seconds."""
    from filelock import FileLock, Timeout

    path = root / f".{key}.lock"
    lock = FileLock(str(path), timeout=timeout)
    try:
        lock.acquire()
    except Timeout:
        raise ReportError(f"另一个 {key} 报告正在生成(锁文件 {shown_path(path)})；请等它结束后再试") from None
    try:
        yield
    finally:
        lock.release()


def clean_stale(root: Path, key: str) -> None:
    """Remove what an interrupted writer of ``key`` left in ``root``; call only while holding its lock."""
    final = root / key
    tmp_name = re.compile(re.escape(f".tmp-{key}-") + r"[A-Za-z0-9_]{8}")
    old_name = re.compile(re.escape(f".old-{key}-") + r"[0-9a-f]{8}")
    for entry in root.iterdir():
        if tmp_name.fullmatch(entry.name):
            shutil.rmtree(entry, ignore_errors=True)
    olds = sorted((e for e in root.iterdir() if old_name.fullmatch(e.name)), key=lambda e: e.stat().st_mtime)
    for entry in olds:
        if not final.exists():
            os.rename(entry, final)  # a forced run died between its two renames: put the old folder back
        else:
            shutil.rmtree(entry, ignore_errors=True)


def temporary_folder(root: Path, key: str) -> Path:
    """A new private ``<root>/.tmp-<key>-<random>/`` (eight random characters, as :func:`clean_stale` expects)."""
    return Path(tempfile.mkdtemp(prefix=f".tmp-{key}-", dir=root))


def install_folder(tmp: Path, final: Path, key: str, force: bool) -> None:
    """Rename the finished ``tmp`` to ``final``; an existing ``final`` is replaced only if ``force``."""
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o777 & ~umask)  # mkdtemp makes it private; a report folder is as readable as any other
    if not final.exists():
        os.rename(tmp, final)
        return
    if not force:
        refuse_existing(final)
    old = final.parent / f".old-{key}-{secrets.token_hex(4)}"
    os.rename(final, old)
    try:
        os.rename(tmp, final)
    except BaseException:
        os.rename(old, final)
        raise
    shutil.rmtree(old, ignore_errors=True)

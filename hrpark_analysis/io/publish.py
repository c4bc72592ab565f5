"""Publishing output atomically: nothing half-written ever appears where a user or a script looks.

Two shapes, one rule (write privately, then rename into place):

- :func:`output_files` — a few named files into a folder (the CLI's ``evaluate``/``eligibility``/``score``/
  ``sample`` writers). Existing files are refused unless ``force``. The check for existing files and the
  renames are one step under the folder's lock (:func:`key_lock`), so two runs into the same folder at once
  cannot both succeed: the second waits, then finds the first one's files and refuses them.
- :func:`key_lock`, :func:`clean_stale`, :func:`install_folder` — a whole folder ``<root>/<key>/`` (a report).
  It is built in ``<root>/.tmp-<key>-<random>/`` (:func:`temporary_folder`) and renamed in when complete;
  with ``force`` an existing one is renamed to ``.old-<key>-<random>``, the new one renamed in, and the old one
  deleted. A lock ``<root>/.<key>.lock`` (an OS lock, released even after SIGKILL) serialises writers of
  the same key; whoever holds it first removes what an interrupted writer left behind.

Every temporary folder holds a marker (:data:`OWNER_MARKER`) with its writer's pid: a folder whose writer is
dead (SIGKILL, a power cut) is removed by the next writer into the same folder, whatever it writes. The lock
file is removed when its holder lets go, and a folder created for an output that then failed is removed
again: a failed run leaves nothing behind.

Every OS error while writing becomes one :class:`~hrpark_analysis.errors.PathError` (the path cannot be used:
exit 2) or :class:`~hrpark_analysis.errors.MachineError` (the machine failed: a full disk, exit 1) naming
the path (:func:`os_error`); the CLI maps any other OSError the same way.

Paths in messages are shown as :func:`shown_path` gives them: relative to the working folder when inside it.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import secrets
import shutil
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

from hrpark_analysis.errors import HrparkError, MachineError, OutputExistsError, PathError, ReportError

OWNER_MARKER = ".hrpark-owner"  # inside each temporary folder: the writing process's pid
OUTPUT_LOCK_KEY = "hrpark-output"  # output_files' lock: <folder>/.hrpark-output.lock while writing
OUTPUT_LOCK_TIMEOUT = 60.0  # a CLI writer holds it only while renaming a few files into place

# errno -> what it means for the user, in Chinese; the machine's faults (exit 1) are listed apart.
_REASONS = {
    errno.ENOSPC: "磁盘空间不足",
    errno.EDQUOT: "超出磁盘配额",
    errno.EIO: "磁盘读写错误",
    errno.ENOMEM: "内存不足",
    errno.EMFILE: "打开的文件过多",
    errno.ENFILE: "打开的文件过多",
    errno.EPIPE: "输出管道已关闭",
    errno.EROFS: "文件系统是只读的",
    errno.EACCES: "没有权限",
    errno.EPERM: "没有权限",
    errno.ENOENT: "路径不存在",
    errno.ENOTDIR: "路径中有一部分不是文件夹",
    errno.EISDIR: "这是一个文件夹，不是文件",
    errno.EEXIST: "已存在同名的文件",
    errno.ELOOP: "符号链接循环",
    errno.ENAMETOOLONG: "路径过长",
    errno.EBUSY: "设备或文件正忙",
    errno.ETXTBSY: "文件正被使用",
}
MACHINE_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EIO, errno.ENOMEM, errno.EMFILE, errno.ENFILE,
                            errno.EPIPE})  # fmt: skip


def os_error(exc: OSError, path: str | Path | None = None, action: str = "写入") -> HrparkError:
    """The one-line error for ``exc``: :class:`MachineError` (exit 1) if the machine failed, else
    :class:`PathError` (exit 2); it names ``path`` (default: the file the OS named)."""
    where = path if path is not None else (exc.filename if exc.filename is not None else None)
    reason = _REASONS.get(exc.errno or -1) or exc.strerror or type(exc).__name__
    detail = ""
    if path is not None and exc.filename is not None:
        inner = Path(os.path.abspath(exc.filename))
        outer = Path(os.path.abspath(path))
        # A file inside the output, or in one of our temporary folders, means nothing more to a user.
        ours = any(part.startswith(".tmp-") for part in inner.parts)
        if inner != outer and outer not in inner.parents and not ours:
            detail = f"({shown_path(exc.filename)})"
    target = f" {shown_path(where)}" if where is not None else ""
    message = f"无法{action}{target}: {reason}{detail}"
    return MachineError(message) if exc.errno in MACHINE_ERRNOS else PathError(message)


@contextlib.contextmanager
def writing(path: str | Path) -> Iterator[None]:
    """Within the block, an OSError becomes :func:`os_error` naming ``path`` (the output the user named)."""
    try:
        yield
    except OSError as exc:
        raise os_error(exc, path) from exc


def make_folder(path: Path) -> list[Path]:
    """Create folder ``path`` and its missing parents; return the folders created, deepest first.

    A path that exists but is not a folder, or is a dangling symbolic link, is a :class:`PathError`.
    """
    missing: list[Path] = []
    probe = path
    while not probe.exists():
        if probe.is_symlink():
            raise PathError(f"输出路径 {shown_path(probe)} 是失效的符号链接(指向 {os.readlink(probe)})")
        missing.append(probe)
        if probe.parent == probe:
            break
        probe = probe.parent
    if probe.exists() and not probe.is_dir():
        what = "输出文件夹" if probe == path else "输出文件夹的上级路径"
        raise PathError(f"{what} {shown_path(probe)} 已存在，但不是文件夹")
    created: list[Path] = []
    try:
        for folder in reversed(missing):
            os.mkdir(folder)
            created.insert(0, folder)
    except OSError as exc:
        remove_created(created)
        raise os_error(exc, folder, "创建文件夹") from exc
    return created


def remove_created(created: Sequence[Path]) -> None:
    """Remove the folders :func:`make_folder` created (deepest first) as long as they are empty."""
    for folder in created:
        try:
            os.rmdir(folder)
        except OSError:
            return


@contextlib.contextmanager
def output_root(root: Path) -> Iterator[Path]:
    """Folder ``root`` for the block, created if missing and removed again (if still empty) on failure."""
    created = make_folder(root)
    try:
        yield root
    except BaseException:
        remove_created(created)
        raise


def shown_path(path: str | Path) -> str:
    """``path`` for a message or a file: relative to the working folder if inside it, else as given."""
    path = Path(path)
    if path.is_absolute():
        with contextlib.suppress(ValueError, OSError):
            return path.relative_to(Path.cwd()).as_posix() or "."
    return path.as_posix()


# --- a few files ------------------------------------------------------------------------------------------
@contextlib.contextmanager
def output_files(
    directory: str | Path,
    names: Sequence[str],
    force: bool = False,
    *,
    lock_timeout: float = OUTPUT_LOCK_TIMEOUT,
) -> Iterator[Path]:
    """Write files into a private temporary folder; move them into ``directory`` only if all succeeded.

    An existing output file is never replaced unless ``force``; on any error nothing is left behind (not the
    folder either, if this call created it). The whole step holds ``directory``'s lock.
    """
    directory = Path(directory)
    _refuse_existing_files(directory, names, force)
    created = make_folder(directory)
    try:
        with key_lock(
            directory,
            OUTPUT_LOCK_KEY,
            lock_timeout,
            busy=f"另一个 hrpark 命令正在写入 {shown_path(directory)}",
        ):
            clean_stale(directory)
            _refuse_existing_files(directory, names, force)  # a run that held the lock first wrote them
            with writing(directory):
                tmp = temporary_folder(directory, None)
            try:
                with writing(directory):
                    yield tmp
                    _replace_all(tmp, directory, names)
            finally:
                shutil.rmtree(tmp, ignore_errors=True)
    except BaseException:
        remove_created(created)
        raise


def _refuse_existing_files(directory: Path, names: Sequence[str], force: bool) -> None:
    existing = [n for n in names if os.path.lexists(directory / n)]
    if existing and not force:
        raise OutputExistsError(
            f"输出文件已存在: {', '.join(str(directory / n) for n in existing)}(如需覆盖请加 --force)"
        )


def _replace_all(tmp: Path, directory: Path, names: Sequence[str]) -> None:
    """Move every file into place, or — if one move fails — none: the ones moved are taken back."""
    done: list[tuple[Path, Path | None]] = []  # (target, the file it replaced, kept in tmp until the end)
    try:
        for name in names:
            target = directory / name
            backup = None
            if os.path.lexists(target):
                backup = tmp / f"{OWNER_MARKER}-old-{len(done)}"
                os.replace(target, backup)
            done.append((target, backup))
            os.replace(tmp / name, target)
    except BaseException:
        for target, backup in reversed(done):
            with contextlib.suppress(OSError):
                if backup is not None and backup.exists():
                    os.replace(backup, target)
                elif backup is None:
                    target.unlink(missing_ok=True)
        raise


# --- a whole folder ---------------------------------------------------------------------------------------
def refuse_existing(final: Path) -> None:
    """OutputExistsError if ``final`` exists (the caller checks ``force`` first)."""
    if final.exists():
        raise OutputExistsError(f"报告文件夹已存在: {shown_path(final)}(如需覆盖请加 --force)")


@contextlib.contextmanager
def key_lock(root: Path, key: str, timeout: float, *, busy: str | None = None) -> Iterator[None]:
    """Hold ``<root>/.<key>.lock``; ReportError if another writer still holds it after ``timeout`` seconds.

    The lock is the OS's (flock on POSIX: released even when the holder is SIGKILLed), and its file is
    removed when the holder lets go, so a finished or failed run leaves no lock file behind. A waiter that
    finds it has locked a file already removed locks the new one instead (the usual flock-and-unlink dance).
    ``busy`` is the message's first words (default: another report of ``key`` is being generated).
    """
    path = root / f".{key}.lock"
    message = busy or f"另一个 {key} 报告正在生成"
    if (
        os.name != "posix"
    ):  # pragma: no cover - filelock's lock file stays; Windows cannot remove an open file
        from filelock import FileLock, Timeout

        lock = FileLock(str(path), timeout=timeout)
        try:
            lock.acquire()
        except Timeout:
            raise ReportError(f"{message}(锁文件 {shown_path(path)})；请等它结束后再试") from None
        try:
            yield
        finally:
            lock.release()
        return
    import fcntl

    deadline = time.monotonic() + timeout
    while True:
        with writing(root):
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            if time.monotonic() >= deadline:
                raise ReportError(f"{message}(锁文件 {shown_path(path)})；请等它结束后再试") from None
            time.sleep(0.05)
            continue
        except BaseException:
            os.close(fd)
            raise
        try:
            held = os.fstat(fd)
            current = os.stat(path)
            if (held.st_dev, held.st_ino) == (current.st_dev, current.st_ino):
                break
        except FileNotFoundError:
            pass
        os.close(fd)  # the previous holder removed this file on release: lock the one at the path now
    try:
        yield
    finally:
        try:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(path)  # still holding it: a waiter on this file sees it gone and retries
        finally:
            os.close(fd)


def _writer_is_dead(folder: Path) -> bool:
    """Whether ``folder`` has our marker and the pid it names is no longer running (POSIX only)."""
    if os.name != "posix":  # pragma: no cover - os.kill(pid, 0) is not a probe there
        return False
    try:
        pid = int((folder / OWNER_MARKER).read_text("ascii").strip())
    except (OSError, ValueError):
        return False
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:
        return False
    return False


def clean_stale(root: Path, key: str | None = None) -> None:
    """Remove what interrupted writers left in ``root``: every marked ``.tmp-*`` folder whose writer is dead
    and, for a report ``key`` (call only while holding its lock), that key's temporary and ``.old-`` folders.
    """
    final = root / key if key is not None else None
    tmp_name = re.compile(re.escape(f".tmp-{key}-") + r"[A-Za-z0-9_]{8}") if key is not None else None
    old_name = re.compile(re.escape(f".old-{key}-") + r"[0-9a-f]{8}") if key is not None else None
    for entry in root.iterdir():
        if not entry.name.startswith(".tmp-") or not entry.is_dir() or entry.is_symlink():
            continue
        if (tmp_name is not None and tmp_name.fullmatch(entry.name)) or _writer_is_dead(entry):
            shutil.rmtree(entry, ignore_errors=True)
    if final is None or old_name is None:
        return
    olds = sorted((e for e in root.iterdir() if old_name.fullmatch(e.name)), key=lambda e: e.stat().st_mtime)
    for entry in olds:
        if not final.exists():
            os.rename(entry, final)  # a forced run died between its two renames: put the old folder back
        else:
            shutil.rmtree(entry, ignore_errors=True)


def temporary_folder(root: Path, key: str | None) -> Path:
    """A new private ``<root>/.tmp-<key>-<random>/`` (eight random characters, as :func:`clean_stale` expects;
    ``.tmp-<random>`` without a key), marked with this process's pid (:data:`OWNER_MARKER`)."""
    folder = Path(tempfile.mkdtemp(prefix=f".tmp-{key}-" if key is not None else ".tmp-", dir=root))
    (folder / OWNER_MARKER).write_text(f"{os.getpid()}\n", "ascii")
    return folder


def install_folder(tmp: Path, final: Path, key: str, force: bool) -> None:
    """Rename the finished ``tmp`` to ``final``; an existing ``final`` is replaced only if ``force``."""
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o777 & ~umask)  # mkdtemp makes it private; a report folder is as readable as any other
    (tmp / OWNER_MARKER).unlink(missing_ok=True)  # finished: from here on it is the report, not a temp folder
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

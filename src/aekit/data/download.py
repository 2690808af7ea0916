"""Finding dataset files on disk, and downloading them with checksum verification.

Lookup order for ``<dataset>/<file>``: ``$AEKIT_DATA_DIR``, then the user cache
(``$AEKIT_CACHE_DIR``, else ``$XDG_CACHE_HOME/aekit``, else ``~/.cache/aekit``).
A missing file is downloaded into the cache — from ``$AEKIT_MIRROR/<dataset>/``
first when set, then the dataset's official mirrors — into a temporary file in the
same folder that is fsynced and renamed into place only after its size and SHA-256
match the catalogue. ``AEKIT_OFFLINE=1`` disables downloading.
"""

from __future__ import annotations

import hashlib
import http.client
import logging
import os
import sys
import tempfile
import urllib.error
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from typing import Any, BinaryIO

from ..exceptions import DataError, DatasetNotFoundError
from .catalog import DatasetSpec, RemoteFile

logger = logging.getLogger("aekit")

_CHUNK = 1 << 20
_FALSE = ("", "0", "false", "no", "off")
#: (path, size, mtime) of files whose SHA-256 was checked in this process; hashing
#: once per process keeps repeated loads fast while still catching a bad file.
_verified: set[tuple[str, int, int]] = set()


def cache_dir() -> Path:
    """The user cache folder for downloaded datasets.

    ``$AEKIT_CACHE_DIR`` if set, else ``$XDG_CACHE_HOME/aekit``, else
    ``~/.cache/aekit``.
    """
    if os.environ.get("AEKIT_CACHE_DIR"):
        return Path(os.environ["AEKIT_CACHE_DIR"]).expanduser().absolute()
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return (base / "aekit").absolute()


def search_dirs() -> list[Path]:
    """Folders searched for ``<dataset>/<file>``, in order."""
    dirs = []
    if os.environ.get("AEKIT_DATA_DIR"):
        # Absolute, so that "put the files in ..." messages are unambiguous.
        dirs.append(Path(os.environ["AEKIT_DATA_DIR"]).expanduser().absolute())
    dirs.append(cache_dir())
    return dirs


def offline() -> bool:
    """Whether ``$AEKIT_OFFLINE`` forbids downloads."""
    return os.environ.get("AEKIT_OFFLINE", "").strip().lower() not in _FALSE


def sha256_of(path: Path) -> str:
    """Hex SHA-256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _stat_key(path: Path) -> tuple[str, int, int]:
    stat = path.stat()
    return str(path), stat.st_size, stat.st_mtime_ns


def verify(path: Path, remote: RemoteFile) -> None:
    """Raise :class:`DataError` unless ``path`` has the published size and SHA-256.

    The size is checked on every call; the hash once per process and file version.
    """
    key = _stat_key(path)
    if key[1] != remote.size:
        raise DataError(
            f"{path}: wrong size {key[1]} bytes, expected {remote.size} "
            "(truncated or a different file); delete it to download it again"
        )
    if key in _verified:
        return
    actual = sha256_of(path)
    if actual != remote.sha256:
        raise DataError(
            f"{path}: SHA-256 mismatch (expected {remote.sha256}, got {actual}); "
            "the file is corrupt or not the published one — delete it to download "
            "it again"
        )
    _verified.add(key)


def locate(spec: DatasetSpec, filename: str) -> Path | None:
    """First existing ``<dir>/<dataset>/<filename>`` in :func:`search_dirs`."""
    for folder in search_dirs():
        candidate = folder / spec.name / filename
        if candidate.is_file():
            return candidate
    return None


def mirrors_for(spec: DatasetSpec, mirrors: Sequence[str] | None = None) -> list[str]:
    """Base URLs to try for ``spec``'s files, each ending in ``/``.

    ``mirrors`` (bases laid out as ``<base>/<dataset>/<file>``) replaces the
    default list, which is ``$AEKIT_MIRROR/<dataset>/`` when set, then the
    official mirrors.
    """
    if isinstance(mirrors, str):
        mirrors = [mirrors]
    if mirrors is not None:
        return [m.rstrip("/") + f"/{spec.name}/" for m in mirrors]
    urls = []
    if os.environ.get("AEKIT_MIRROR"):
        urls.append(os.environ["AEKIT_MIRROR"].rstrip("/") + f"/{spec.name}/")
    urls.extend(spec.mirrors)
    return urls


def _copy_verified(
    response: BinaryIO, out: BinaryIO, remote: RemoteFile, bar: Any
) -> None:
    digest = hashlib.sha256()
    written = 0
    for chunk in iter(lambda: response.read(_CHUNK), b""):
        written += len(chunk)
        # A wrong URL can serve anything; stop before it fills the disk.
        if written > remote.size:
            raise DataError(f"server sent more than the expected {remote.size} bytes")
        out.write(chunk)
        digest.update(chunk)
        bar.update(len(chunk))
    if written != remote.size:
        raise DataError(f"incomplete: got {written} of {remote.size} bytes")
    if digest.hexdigest() != remote.sha256:
        raise DataError(f"SHA-256 mismatch (got {digest.hexdigest()[:12]}…)")


def _download(
    url: str, target: Path, remote: RemoteFile, timeout: float, progress: bool
) -> None:
    from tqdm.auto import tqdm

    fd, tmp_name = tempfile.mkstemp(
        prefix=f".{target.name}.", suffix=".part", dir=target.parent
    )
    tmp = Path(tmp_name)
    try:
        with (
            urllib.request.urlopen(url, timeout=timeout) as response,
            os.fdopen(fd, "wb") as out,
            tqdm(
                total=remote.size,
                unit="B",
                unit_scale=True,
                desc=target.name,
                disable=not progress,
            ) as bar,
        ):
            _copy_verified(response, out, remote, bar)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def _reason(exc: BaseException) -> str:
    if isinstance(exc, urllib.error.HTTPError):
        return f"HTTP {exc.code} {exc.reason}"
    if isinstance(exc, urllib.error.URLError):
        return str(exc.reason)
    return str(exc) or type(exc).__name__


def _download_one(
    spec: DatasetSpec,
    filename: str,
    urls: Sequence[str],
    timeout: float,
    progress: bool,
) -> list[str]:
    """Try each mirror in turn; return the failures, empty on success."""
    target = cache_dir() / spec.name / filename
    target.parent.mkdir(parents=True, exist_ok=True)
    failures = []
    for base in urls:
        url = base + filename
        logger.info("downloading %s to %s", url, target)
        try:
            _download(url, target, spec.files[filename], timeout, progress)
        except (OSError, ValueError, http.client.HTTPException) as exc:
            # ValueError covers DataError (checksum) and malformed URLs.
            # INFO, not WARNING: the final error repeats every failure anyway.
            logger.info("download of %s failed: %s", url, _reason(exc))
            failures.append(f"{url}: {_reason(exc)}")
            continue
        _verified.add(_stat_key(target))
        return []
    return failures or ["no mirror configured"]


def _not_found(spec: DatasetSpec, missing: Sequence[str], why: Sequence[str]) -> str:
    dirs = search_dirs()
    cache = dirs[-1] / spec.name
    if len(dirs) > 1:
        places = f"{dirs[0] / spec.name} (AEKIT_DATA_DIR) or {cache} (the cache)"
    else:
        places = (
            f"{cache} (the cache), or in <dir>/{spec.name} and set AEKIT_DATA_DIR=<dir>"
        )
    return (
        f"{spec.name}: missing {', '.join(missing)}. Download failed: "
        + "; ".join(why)
        + f". Put the files by hand in {places}."
    )


def fetch_files(
    spec: DatasetSpec,
    filenames: Sequence[str],
    *,
    mirrors: Sequence[str] | None = None,
    timeout: float = 60.0,
    progress: bool | None = None,
) -> list[Path]:
    """Verified local paths of ``filenames``, downloading the missing ones.

    Parameters
    ----------
    spec : DatasetSpec
        The dataset the files belong to.
    filenames : sequence of str
        File names from ``spec.files``.
    mirrors : sequence of str, optional
        Base URLs laid out as ``<base>/<dataset>/<file>``, tried in order instead
        of ``$AEKIT_MIRROR`` and the official mirrors.
    timeout : float, default 60
        Seconds to wait on a stalled connection.
    progress : bool, optional
        Show a progress bar; default: only when stderr is a terminal.

    Returns
    -------
    list of Path
        In the order of ``filenames``.

    Raises
    ------
    aekit.DatasetNotFoundError
        When a file is not on disk and cannot be downloaded. The message lists the
        missing files, each mirror's failure, and the folders to put them in.
    aekit.DataError
        When a file on disk fails its size or checksum test.
    """
    found: dict[str, Path] = {}
    missing: list[str] = []
    for name in dict.fromkeys(filenames):
        path = locate(spec, name)
        if path is None:
            missing.append(name)
        else:
            verify(path, spec.files[name])
            found[name] = path
    if missing and offline():
        raise DatasetNotFoundError(
            _not_found(spec, missing, ["downloads are disabled (AEKIT_OFFLINE is set)"])
        )
    show = sys.stderr.isatty() if progress is None else progress
    urls = mirrors_for(spec, mirrors)
    for i, name in enumerate(missing):
        failures = _download_one(spec, name, urls, timeout, show)
        if failures:
            raise DatasetNotFoundError(_not_found(spec, missing[i:], failures))
        found[name] = cache_dir() / spec.name / name
    return [found[name] for name in filenames]


def fetch(
    spec: DatasetSpec,
    filename: str,
    *,
    mirrors: Sequence[str] | None = None,
    timeout: float = 60.0,
    progress: bool | None = None,
) -> Path:
    """Verified local path of one file; see :func:`fetch_files`."""
    return fetch_files(
        spec, [filename], mirrors=mirrors, timeout=timeout, progress=progress
    )[0]

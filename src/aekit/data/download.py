"""Finding dataset files on disk, and downloading them with checksum verification.

Lookup order for ``<dataset>/<file>``: ``$AEKIT_DATA_DIR``, then the user cache
(``$AEKIT_CACHE_DIR``, else ``$XDG_CACHE_HOME/aekit``, else ``~/.cache/aekit``).
A missing file is downloaded into the cache — from ``$AEKIT_MIRROR`` first when set,
then the dataset's official mirrors — into a temporary file that is renamed into
place only after its SHA-256 matched. ``AEKIT_OFFLINE=1`` disables downloading.
"""

from __future__ import annotations

import hashlib
import logging
import os
import sys
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

from ..exceptions import DataError, DatasetNotFoundError
from .catalog import DatasetSpec, RemoteFile

logger = logging.getLogger("aekit")

_CHUNK = 1 << 20
_verified: set[tuple[str, int, int]] = set()


def cache_dir() -> Path:
    """The user cache folder for downloaded datasets."""
    if os.environ.get("AEKIT_CACHE_DIR"):
        return Path(os.environ["AEKIT_CACHE_DIR"]).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return base / "aekit"


def search_dirs() -> list[Path]:
    """Folders searched for dataset files, in order."""
    dirs = []
    if os.environ.get("AEKIT_DATA_DIR"):
        dirs.append(Path(os.environ["AEKIT_DATA_DIR"]).expanduser())
    dirs.append(cache_dir())
    return dirs


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def verify(path: Path, remote: RemoteFile) -> None:
    """Raise :class:`DataError` unless ``path`` has the published size and SHA-256."""
    stat = path.stat()
    key = (str(path), stat.st_size, stat.st_mtime_ns)
    if key in _verified:
        return
    if stat.st_size != remote.size:
        raise DataError(
            f"{path}: wrong size {stat.st_size} bytes, expected {remote.size} "
            "(truncated or a different file); delete it to download it again"
        )
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


def mirrors_for(spec: DatasetSpec) -> list[str]:
    """Base URLs to try, ``$AEKIT_MIRROR/<dataset>/`` first when set."""
    urls = []
    if os.environ.get("AEKIT_MIRROR"):
        urls.append(os.environ["AEKIT_MIRROR"].rstrip("/") + f"/{spec.name}/")
    urls.extend(spec.mirrors)
    return urls


def _download(url: str, target: Path, remote: RemoteFile, timeout: float) -> None:
    from tqdm.auto import tqdm

    fd, tmp_name = tempfile.mkstemp(
        prefix=f".{target.name}.", suffix=".part", dir=target.parent
    )
    tmp = Path(tmp_name)
    try:
        digest = hashlib.sha256()
        with (
            urllib.request.urlopen(url, timeout=timeout) as response,
            os.fdopen(fd, "wb") as out,
            tqdm(
                total=remote.size,
                unit="B",
                unit_scale=True,
                desc=target.name,
                disable=not sys.stderr.isatty(),
            ) as bar,
        ):
            for chunk in iter(lambda: response.read(_CHUNK), b""):
                out.write(chunk)
                digest.update(chunk)
                bar.update(len(chunk))
            out.flush()
            os.fsync(out.fileno())
        if digest.hexdigest() != remote.sha256:
            raise DataError(f"SHA-256 mismatch for {url}")
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def fetch(spec: DatasetSpec, filename: str, timeout: float = 60.0) -> Path:
    """Return a verified local path for ``filename``, downloading it if needed.

    Raises
    ------
    aekit.DatasetNotFoundError
        When the file is not on disk and cannot be downloaded; the message lists
        every mirror's failure and the folders where the file can be put by hand.
    aekit.DataError
        When a file on disk fails its size or checksum test.
    """
    remote = spec.files[filename]
    found = locate(spec, filename)
    if found is not None:
        verify(found, remote)
        return found
    target = cache_dir() / spec.name / filename
    failures: list[str] = []
    if os.environ.get("AEKIT_OFFLINE", "") not in ("", "0"):
        failures.append("downloads are disabled (AEKIT_OFFLINE is set)")
    else:
        target.parent.mkdir(parents=True, exist_ok=True)
        for base in mirrors_for(spec):
            url = base + filename
            logger.info("downloading %s", url)
            try:
                _download(url, target, remote, timeout)
            except (OSError, urllib.error.URLError, DataError, ValueError) as exc:
                failures.append(f"{url}: {getattr(exc, 'reason', exc)}")
                continue
            _verified.add(
                (str(target), target.stat().st_size, target.stat().st_mtime_ns)
            )
            return target
    places = " or ".join(str(d / spec.name) for d in search_dirs())
    raise DatasetNotFoundError(
        f"{spec.name}: {filename} is not on disk and could not be downloaded ("
        + "; ".join(failures)
        + f"). Put the file in {places} (set AEKIT_DATA_DIR to a folder holding "
        f"{spec.name}/{filename})."
    )

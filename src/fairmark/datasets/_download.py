"""Download a URL into memory and write bytes to a file atomically."""

from __future__ import annotations

import os
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

from fairmark.errors import DataError

__all__ = ["MAX_DOWNLOAD_BYTES", "atomic_write_bytes", "download_bytes"]

#: Refuse downloads larger than this (bytes); the UCI archives used are ~1 MB.
MAX_DOWNLOAD_BYTES = 200 * 1024 * 1024

_CHUNK = 1 << 16


def download_bytes(url: str, *, timeout: float = 60.0) -> bytes:
    """Fetch ``url`` with :func:`urllib.request.urlopen` and return the body.

    Parameters
    ----------
    url : str
        ``https://`` (or, in tests, ``file://``) address.
    timeout : float, default 60.0
        Socket timeout in seconds.

    Returns
    -------
    bytes
        The full response body.

    Raises
    ------
    DataError
        If the request fails (no network, HTTP error, timeout) or the body exceeds
        :data:`MAX_DOWNLOAD_BYTES`; the message names the URL and the reason.
    """
    chunks: list[bytes] = []
    size = 0
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            while chunk := response.read(_CHUNK):
                size += len(chunk)
                if size > MAX_DOWNLOAD_BYTES:
                    raise DataError(
                        f"download of {url} exceeds {MAX_DOWNLOAD_BYTES} bytes; "
                        "expected a small archive"
                    )
                chunks.append(chunk)
    except DataError:
        raise
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", None) or exc
        raise DataError(f"could not download {url}: {reason}") from exc
    return b"".join(chunks)


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that readers never see a partial file.

    The bytes go to a temporary file in the same folder, are flushed to disk, and the
    temporary file is renamed over ``path`` with :func:`os.replace` (atomic on POSIX and
    Windows when source and target are on the same file system). Missing parent
    folders are created, the file gets mode ``0o644``, and on failure the temporary
    file is removed.

    Parameters
    ----------
    path : pathlib.Path
        Final file path.
    data : bytes
        Content to write.

    Raises
    ------
    DataError
        If the folder cannot be created or the file cannot be written; the message
        names the path and the operating-system reason.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    except OSError as exc:
        raise DataError(f"cannot write {path}: {exc.strerror or exc}") from exc
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        tmp.chmod(0o644)  # mkstemp creates 0600; a public data set may be shared
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise DataError(f"cannot write {path}: {exc.strerror or exc}") from exc

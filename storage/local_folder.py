"""The embedded default: certificate files in a private folder on the local disk."""

from __future__ import annotations

import asyncio
import contextlib
import os
import tempfile
from pathlib import Path

from storage.objects import ObjectNotFound, StorageUnavailable, check_key

_FOLDER_MODE = 0o700


class LocalFolderStore:
    """Objects as files under `root`: folders 0o700, files 0o600, writes atomic and fsynced.

    Content types are not kept: the database row that points at a file records its type.
    """

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    async def put(self, key: str, data: bytes, content_type: str) -> None:
        path = self._path(key)
        await asyncio.to_thread(self._write, path, data)

    async def get(self, key: str) -> bytes:
        path = self._path(key)
        try:
            return await asyncio.to_thread(path.read_bytes)
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
            raise ObjectNotFound(key) from None
        except OSError as error:
            raise StorageUnavailable(f"file storage could not read an object: {error.strerror}") from error

    async def delete(self, key: str) -> None:
        path = self._path(key)
        try:
            await asyncio.to_thread(path.unlink, missing_ok=True)
        except (NotADirectoryError, IsADirectoryError):
            return
        except OSError as error:
            raise StorageUnavailable(f"file storage could not delete an object: {error.strerror}") from error

    async def exists(self, key: str) -> bool:
        return await asyncio.to_thread(self._path(key).is_file)

    def _path(self, key: str) -> Path:
        # The key pattern admits no dots and no leading slash, so a key cannot leave the root.
        return self.root / check_key(key)

    def _write(self, path: Path, data: bytes) -> None:
        try:
            self._make_folders(path.parent)
            # mkstemp creates the file 0o600; the dot prefix can never match a key.
            descriptor, temporary = tempfile.mkstemp(prefix=".upload-", dir=path.parent)
            try:
                with os.fdopen(descriptor, "wb") as handle:
                    handle.write(data)
                    handle.flush()
                    os.fsync(handle.fileno())
                os.replace(temporary, path)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(temporary)
                raise
            _fsync_folder(path.parent)
        except OSError as error:
            raise StorageUnavailable(f"file storage could not write an object: {error.strerror}") from error

    def _make_folders(self, folder: Path) -> None:
        if not self.root.is_dir():
            self.root.mkdir(mode=_FOLDER_MODE, parents=True, exist_ok=True)
            self.root.chmod(_FOLDER_MODE)  # mkdir's mode is filtered by the umask
        current = self.root
        for part in folder.relative_to(self.root).parts:
            current = current / part
            if not current.is_dir():
                current.mkdir(mode=_FOLDER_MODE, exist_ok=True)
                current.chmod(_FOLDER_MODE)


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable: without this a crash can forget a file we reported stored."""
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)

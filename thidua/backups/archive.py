"""One backup archive: the database and every media file, with a manifest of their SHA-256.

Layout of ``thidua-YYYYMMDD-HHMMSS.tar.gz``:

- ``database.sqlite3`` (SQLite's online backup API: a consistent copy while the app keeps writing, WAL
  included) or ``database.pgdump`` (``pg_dump`` custom format);
- ``media/<name>``, every file of the default storage (evidence, signed originals, documents…);
- ``manifest.json``: the format, the database's vendor, size and SHA-256 of each file above, the number
  of rows of each table and the audit chain's last event, as of the database copy.

The database is copied first, then the files: a file is written before the row naming it commits, so
every file the copied rows name is already there. The counts are read from the copy itself (SQLite) or
from the very snapshot ``pg_dump`` reads (PostgreSQL), so they match the dump even while the app writes.

A restore checks every hash before touching anything, then replaces the database and the files and
checks the row counts and the audit chain against the manifest.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Any

from django.apps import apps
from django.conf import settings
from django.core.cache import caches
from django.core.files import File
from django.core.files.storage import Storage, default_storage
from django.db import connections, transaction

FORMAT = 1
MANIFEST = "manifest.json"
MEDIA_PREFIX = "media/"
DATABASE_FILES = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
CHUNK = 1024 * 1024


class BackupError(Exception):
    """Why a backup or a restore cannot go on, in words for the person running it."""


@dataclass(frozen=True)
class Summary:
    path: Path
    vendor: str
    files: int  # media files
    rows: int
    audit_events: int


# --- what is in the database ---------------------------------------------------------------------------


def _tables() -> list[tuple[str, str]]:
    """(label, table) of every table Django manages, in a stable order."""
    found = {
        model._meta.label_lower: model._meta.db_table
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    }
    return sorted(found.items())


def _census(execute: Callable[[str], Any], quote: Callable[[str], str]) -> dict[str, Any]:
    """Rows per table and the audit chain's head, through ``execute`` (a query returning one row)."""
    # Table names come from our own models, quoted by the database's own rule.
    count = "SELECT COUNT(*) FROM {}"
    counts = {label: int(execute(count.format(quote(table)))[0]) for label, table in _tables()}
    from thidua.audit.models import AuditEvent

    table = quote(AuditEvent._meta.db_table)
    last = "SELECT seq, hash FROM {} ORDER BY seq DESC LIMIT 1"
    head = execute(last.format(table))
    return {
        "counts": counts,
        "audit": {"events": counts[AuditEvent._meta.label_lower], "last_seq": head[0] if head else 0}
        | {"last_hash": head[1] if head else ""},
    }


def _sqlite_census(path: Path) -> dict[str, Any]:
    snapshot = sqlite3.connect(path)
    try:
        return _census(
            lambda sql: snapshot.execute(sql).fetchone(), lambda name: '"' + name.replace('"', '""') + '"'
        )
    finally:
        snapshot.close()


def _live_census() -> dict[str, Any]:
    connection = connections["default"]
    with connection.cursor() as cursor:

        def execute(sql: str) -> Any:
            cursor.execute(sql)
            return cursor.fetchone()

        return _census(execute, connection.ops.quote_name)


# --- PostgreSQL tools -------------------------------------------------------------------------------------


def pg_tool(name: str) -> str:
    """``pg_dump`` or ``pg_restore``: from THIDUA_PG_BIN if set, else the PATH, else the newest under
    Debian's /usr/lib/postgresql/<version>/bin (a server package puts them there, not on the PATH)."""
    configured = os.environ.get("THIDUA_PG_BIN", "").strip()
    if configured:
        candidate = Path(configured) / name
        if not os.access(candidate, os.X_OK):
            raise BackupError(f"THIDUA_PG_BIN={configured} holds no executable {name}")
        return str(candidate)
    if found := shutil.which(name):
        return found

    def version(path: Path) -> tuple[int, ...]:
        return tuple(int(part) for part in re.findall(r"\d+", path.parent.parent.name))

    candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), key=version)
    if candidates:
        return str(candidates[-1])
    raise BackupError(
        f"{name} not found: install PostgreSQL's client programs (Debian: apt-get install postgresql-client) "
        "or set THIDUA_PG_BIN to the folder holding them"
    )


def _pg_environment() -> dict[str, str]:
    """libpq's variables for the default database, so no password appears on a command line."""
    db = connections["default"].settings_dict
    env = dict(os.environ)
    pairs = {
        "PGHOST": db.get("HOST"),
        "PGPORT": db.get("PORT"),
        "PGUSER": db.get("USER"),
        "PGPASSWORD": db.get("PASSWORD"),
        "PGDATABASE": db.get("NAME"),
        "PGSSLMODE": (db.get("OPTIONS") or {}).get("sslmode"),
    }
    env.update({key: str(value) for key, value in pairs.items() if value})
    return env


def _run(command: list[str]) -> None:
    result = subprocess.run(  # noqa: S603 — PostgreSQL's own tools, arguments we build  # nosec B603
        command, env=_pg_environment(), capture_output=True, text=True, timeout=3600, check=False
    )
    if result.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed: {result.stderr.strip()[-2000:]}")


# --- backup -----------------------------------------------------------------------------------------------


def _database_copy(folder: Path) -> tuple[str, Path, dict[str, Any]]:
    connection = connections["default"]
    vendor = connection.vendor
    if vendor not in DATABASE_FILES:
        raise BackupError(f"no backup for the {vendor} database")
    if connection.in_atomic_block:
        raise BackupError("a backup reads a snapshot of its own: run it outside a transaction")
    target = folder / DATABASE_FILES[vendor]
    if vendor == "sqlite":
        connection.ensure_connection()
        copy = sqlite3.connect(target)
        try:
            connection.connection.backup(copy)  # pages copied under SQLite's locks: WAL-safe, online
        finally:
            copy.close()
        return vendor, target, _sqlite_census(target)
    # PostgreSQL: count rows in a repeatable-read snapshot and let pg_dump read that same snapshot.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        census = _live_census()
        _run([pg_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges",
              f"--snapshot={snapshot}", f"--file={target}"])  # fmt: skip
    return vendor, target, census


def _media_names(storage: Storage, prefix: str = "") -> Iterator[str]:
    try:
        folders, names = storage.listdir(prefix)
    except FileNotFoundError:
        return
    for name in sorted(names):
        yield f"{prefix}{name}"
    for folder in sorted(folders):
        yield from _media_names(storage, f"{prefix}{folder}/")


def _hash_into(source: IO[bytes], sink: IO[bytes] | None = None) -> tuple[str, int]:
    """SHA-256 and size of what ``source`` holds, copied into ``sink`` on the way when given."""
    digest, size = hashlib.sha256(), 0
    while chunk := source.read(CHUNK):
        digest.update(chunk)
        if sink is not None:
            sink.write(chunk)
        size += len(chunk)
    return digest.hexdigest(), size


def _add(archive: tarfile.TarFile, name: str, data: IO[bytes], size: int) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mode = size, 0o600
    info.mtime = int(datetime.datetime.now(datetime.UTC).timestamp())
    archive.addfile(info, data)


def default_folder() -> Path:
    return Path(os.environ.get("THIDUA_BACKUP_DIR") or settings.VAR_DIR / "backups")


def create(destination: Path | None = None) -> Summary:
    """Write a backup archive into ``destination`` (a folder, or a file name ending .tar.gz)."""
    stamp = datetime.datetime.now(datetime.UTC).astimezone()
    target = destination or default_folder()
    if target.suffix != ".gz":
        target = target / f"thidua-{stamp:%Y%m%d-%H%M%S}.tar.gz"
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    files: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="thidua-backup-") as work:
        vendor, database, census = _database_copy(Path(work))
        # Backups hold password hashes and every record: readable by their owner only.
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as archive:
            with database.open("rb") as source:
                digest, size = _hash_into(source)  # hash first, then stream into the tar
            with database.open("rb") as source:
                _add(archive, database.name, source, size)
            files[database.name] = {"sha256": digest, "size": size}
            storage = default_storage
            media = 0
            for name in _media_names(storage):
                with storage.open(name, "rb") as source, tempfile.TemporaryFile() as spool:
                    digest, size = _hash_into(source, spool)
                    spool.seek(0)
                    _add(archive, MEDIA_PREFIX + name, spool, size)
                files[MEDIA_PREFIX + name] = {"sha256": digest, "size": size}
                media += 1
            manifest = {
                "format": FORMAT,
                "created_at": stamp.isoformat(timespec="seconds"),
                "database": {"vendor": vendor, "file": database.name},
                "files": files,
                **census,
            }
            body = json.dumps(manifest, indent=1, ensure_ascii=False, sort_keys=True).encode()
            _add(archive, MANIFEST, io.BytesIO(body), len(body))
        with open(partial, "rb") as written:
            os.fsync(written.fileno())
    os.replace(partial, target)  # a crash mid-backup leaves a .partial, never a truncated archive
    return Summary(
        path=target,
        vendor=vendor,
        files=media,
        rows=sum(census["counts"].values()),
        audit_events=census["audit"]["events"],
    )


# --- restore ----------------------------------------------------------------------------------------------


def _safe_member(name: str) -> str:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not path.parts or name != str(path):
        raise BackupError(f"tệp sao lưu có tên không hợp lệ: {name!r}")
    return name


def read_manifest(archive: tarfile.TarFile) -> dict[str, Any]:
    try:
        member = archive.extractfile(MANIFEST)
    except KeyError:
        member = None
    if member is None:
        raise BackupError("tệp không phải bản sao lưu thidua (thiếu manifest.json)")
    manifest: dict[str, Any] = json.loads(member.read())
    if manifest.get("format") != FORMAT:
        raise BackupError(
            f"bản sao lưu định dạng {manifest.get('format')!r}, phiên bản này đọc định dạng {FORMAT}"
        )
    return manifest


def check(path: Path) -> dict[str, Any]:
    """The manifest of the archive at ``path``, once every file in it has its recorded size and hash."""
    with tarfile.open(path, "r:gz") as archive:
        manifest = read_manifest(archive)
        for name, expected in manifest["files"].items():
            member = archive.extractfile(_safe_member(name))
            if member is None:
                raise BackupError(f"bản sao lưu thiếu tệp {name}")
            digest, size = _hash_into(member)
            if (digest, size) != (expected["sha256"], expected["size"]):
                raise BackupError(f"tệp {name} trong bản sao lưu bị hỏng (SHA-256 không khớp)")
    return manifest


def _restore_database(archive: tarfile.TarFile, manifest: dict[str, Any], folder: Path) -> None:
    connection = connections["default"]
    name = manifest["database"]["file"]
    copy = folder / name
    member = archive.extractfile(_safe_member(name))
    assert member is not None  # checked by check()
    with copy.open("wb") as sink:
        _hash_into(member, sink)
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        source = sqlite3.connect(copy)
        try:
            source.backup(connection.connection)  # every page replaced, under SQLite's write lock
        finally:
            source.close()
        return
    # Our own connections go back to the pool or close; idle ones hold no lock pg_restore waits for.
    connections.close_all()
    _run([pg_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--no-privileges",
          "--single-transaction", "--exit-on-error", f"--dbname={connection.settings_dict['NAME']}",
          str(copy)])  # fmt: skip


def _restore_media(archive: tarfile.TarFile, manifest: dict[str, Any]) -> int:
    storage = default_storage
    wanted = {name[len(MEDIA_PREFIX) :] for name in manifest["files"] if name.startswith(MEDIA_PREFIX)}
    for name in _media_names(storage):
        if name not in wanted:  # the restored state has no such file
            storage.delete(name)
    for name in sorted(wanted):
        member = archive.extractfile(_safe_member(MEDIA_PREFIX + name))
        assert member is not None  # checked by check()
        if storage.exists(name):
            storage.delete(name)
        saved = storage.save(name, File(member))
        if saved != name:
            raise BackupError(f"tệp {name} được lưu thành {saved}")
    return len(wanted)


def restore(path: Path) -> Summary:
    """Replace the database and the media files with the archive's, then check counts and audit chain."""
    manifest = check(path)
    vendor = connections["default"].vendor
    if manifest["database"]["vendor"] != vendor:
        raise BackupError(
            f"bản sao lưu của cơ sở dữ liệu {manifest['database']['vendor']}, không khôi phục vào {vendor} được"
        )
    if connections["default"].in_atomic_block:
        raise BackupError("a restore replaces the whole database: run it outside a transaction")
    with tempfile.TemporaryDirectory(prefix="thidua-restore-") as work, tarfile.open(path, "r:gz") as archive:
        _restore_database(archive, manifest, Path(work))
        media = _restore_media(archive, manifest)
    # Cached pages are keyed on the audit chain's position, which now means other data.
    for alias in settings.CACHES:
        caches[alias].clear()
    census = _live_census()
    if census["counts"] != manifest["counts"]:
        differing = sorted(k for k in manifest["counts"] if census["counts"].get(k) != manifest["counts"][k])
        raise BackupError(f"số bản ghi sau khi khôi phục khác bản sao lưu: {', '.join(differing)}")
    if census["audit"] != manifest["audit"]:
        raise BackupError("nhật ký sau khi khôi phục khác bản sao lưu")
    from thidua.audit.services import verify_chain

    broken = verify_chain()
    if broken is not None:
        raise BackupError(f"chuỗi nhật ký hỏng ở sự kiện #{broken.seq}: {broken.reason}")
    return Summary(
        path=path,
        vendor=vendor,
        files=media,
        rows=sum(census["counts"].values()),
        audit_events=census["audit"]["events"],
    )

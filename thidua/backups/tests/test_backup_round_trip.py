"""Back up, wipe, restore: every record, every file and the audit chain come back (issue 7, part 5).

Runs on whichever database the suite runs on (SQLite, then PostgreSQL in `make test`). Transactional:
a backup reads committed data, and a restore replaces the whole database.
"""

from __future__ import annotations

import hashlib
import io
import tarfile
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.core import serializers
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from thidua.backups import archive


def _records() -> dict[str, str]:
    """Every row of every table, serialized in primary-key order."""
    return {
        model._meta.label_lower: serializers.serialize("json", model._base_manager.order_by("pk"))
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    }


def _file_hashes() -> dict[str, str]:
    return {
        name: hashlib.sha256(default_storage.open(name, "rb").read()).hexdigest()
        for name in archive._media_names(default_storage)
    }


@pytest.fixture
def media(request: pytest.FixtureRequest, settings: Any, tmp_path: Path) -> None:
    """Media on disk, or (`indirect` "s3") in a bucket of an S3 server the test starts (tests/s3.py)."""
    if getattr(request, "param", "disk") == "s3":
        request.getfixturevalue("media_on_s3")
    else:
        settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def year_with_files(transactional_db: Any, demo_restored_after_module: None, media: None) -> None:
    """The full demo, committed, with files of every kind an officer uploads."""
    from thidua.accounts.models import User
    from thidua.assessments import services as scoring
    from thidua.assessments.demo import minimal_pdf
    from thidua.assessments.models import Assessment
    from thidua.demo.loader import load_full_demo

    load_full_demo()
    officer = User.objects.get(username="ninhbinh")
    assessment = Assessment.objects.get(emulation_year__year=2026, organization__code="lhh-ninh-binh")
    for code in ("3.1", "3.2"):
        scoring.add_evidence(
            actor=officer,
            score=assessment.scores.get(criterion__code=code),
            upload=SimpleUploadedFile(f"minh chứng {code}.pdf", minimal_pdf(f"minh chung {code}")),
        )


@pytest.mark.parametrize("media", ["disk", "s3"], indirect=True)
@pytest.mark.usefixtures("year_with_files")
def test_a_backup_wiped_then_restored_brings_back_every_record_file_and_the_audit_chain(
    tmp_path: Path,
) -> None:
    records, hashes = _records(), _file_hashes()
    assert len(hashes) >= 2 and records["audit.auditevent"] != "[]"

    call_command("backup", str(tmp_path / "backups"), stdout=io.StringIO())
    (backup,) = (tmp_path / "backups").glob("thidua-*.tar.gz")
    assert backup.stat().st_mode & 0o077 == 0  # password hashes inside: the owner's only
    manifest = archive.check(backup)
    assert set(hashes) == {
        name.removeprefix("media/") for name in manifest["files"] if name.startswith("media/")
    }

    # The disaster: every row and every file gone.
    call_command("flush", interactive=False, verbosity=0)
    for name in hashes:
        default_storage.delete(name)
    assert _file_hashes() == {} and not apps.get_model("audit", "AuditEvent").objects.exists()

    out = io.StringIO()
    call_command("restore", str(backup), "--yes", stdout=out)
    assert "Đã khôi phục" in out.getvalue()
    assert _records() == records
    assert _file_hashes() == hashes
    call_command("verify_audit", stdout=out)
    assert "Nhật ký nguyên vẹn" in out.getvalue()


@pytest.mark.usefixtures("year_with_files")
def test_a_damaged_backup_is_refused_before_anything_is_replaced(tmp_path: Path) -> None:
    summary = archive.create(tmp_path / "backups")
    damaged = tmp_path / "damaged.tar.gz"
    with tarfile.open(summary.path, "r:gz") as source, tarfile.open(damaged, "w:gz") as target:
        for member in source.getmembers():
            data = source.extractfile(member)
            assert data is not None
            content = data.read()
            if member.name.startswith("media/"):
                content = content.replace(b"minh chung", b"minh chunk", 1)  # same size, other bytes
            target.addfile(member, io.BytesIO(content))
    records = _records()
    with pytest.raises(archive.BackupError, match="SHA-256 không khớp"):
        archive.restore(damaged)
    assert _records() == records


def test_a_member_name_leaving_the_archive_is_refused() -> None:
    for name in ("../etc/passwd", "/etc/passwd", "media/../../x", "media//x"):
        with pytest.raises(archive.BackupError, match="tên không hợp lệ"):
            archive._safe_member(name)

"""Files kept across a failed save (portal.security.kept_uploads): read back by their signed
reference only, and removed after a day."""

import os
import time

from django.core.files.uploadedfile import SimpleUploadedFile

from portal.security import kept_uploads


def test_a_kept_file_is_read_back_by_its_reference_only(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    reference = kept_uploads.keep(SimpleUploadedFile("shot.png", b"\x89PNG data"))
    kept = kept_uploads.reopen(reference)
    assert (kept.name, kept.size, kept.read()) == ("shot.png", 9, b"\x89PNG data")
    assert kept_uploads.keep(kept) == reference  # kept once, not copied again
    assert kept_uploads.reopen(reference[:-2] + "xx") is None  # a forged signature
    assert kept_uploads.reopen("kept-uploads/x/shot.png") is None


def test_kept_files_older_than_a_day_are_removed_when_another_is_kept(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    old = kept_uploads.reopen(kept_uploads.keep(SimpleUploadedFile("old.png", b"old")))
    old_path = old.file.name
    old.close()
    two_days_ago = time.time() - 2 * 86400
    os.utime(old_path, (two_days_ago, two_days_ago))
    kept_uploads.keep(SimpleUploadedFile("new.png", b"new"))
    assert not os.path.exists(old_path)
    assert [p.name for p in (tmp_path / "kept-uploads").glob("*/*")] == ["new.png"]

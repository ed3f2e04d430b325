"""Uploaded documents: content decides the type, caps hold, nothing is stored for a bad file."""

import io
from pathlib import Path

import pytest
from django.conf import settings
from PIL import Image

from sellers import services
from sellers.exceptions import InvalidDocument
from sellers.models import ApplicationDocument, DocumentKind

from .factories import jpeg_bytes, pdf_bytes, png_bytes, seller_offer, upload

pytestmark = pytest.mark.django_db


def stored_files() -> list[Path]:
    root = Path(settings.PRIVATE_MEDIA_ROOT)
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


@pytest.fixture
def draft(user):
    return services.start_application(applicant=user)


def test_applicant_uploads_a_pdf_kept_in_private_storage(user, draft):
    document = services.upload_application_document(
        application=draft, actor=user, kind=DocumentKind.PASSPORT, upload=upload("паспорт.pdf")
    )

    assert document.content_type == "application/pdf"
    assert document.original_name == "паспорт.pdf"
    path = Path(document.file.path)
    assert path.is_relative_to(Path(settings.PRIVATE_MEDIA_ROOT))
    assert not path.is_relative_to(Path(settings.MEDIA_ROOT))
    assert "паспорт" not in path.name
    assert path.suffix == ".pdf"
    with pytest.raises(ValueError, match="authorising view"):
        document.file.url  # noqa: B018


def test_uploaded_photo_is_reencoded_without_exif(user, draft):
    image = Image.new("RGB", (50, 40), (10, 200, 10))
    exif = Image.Exif()
    exif[0x010F] = "SecretCamera"  # Make
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)

    document = services.upload_application_document(
        application=draft,
        actor=user,
        kind=DocumentKind.PASSPORT,
        upload=upload("p.jpg", buffer.getvalue(), "image/jpeg"),
    )

    with Image.open(document.file.path) as stored:
        assert stored.format == "JPEG"
        assert not stored.getexif()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("registration.pdf", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200, "PDF, JPEG or PNG"),  # Windows executable
        ("registration.pdf", b"\x7fELF\x02\x01\x01" + b"\x00" * 200, "PDF, JPEG or PNG"),  # Linux executable
        ("scan.png", b"<html><script>alert(1)</script></html>", "PDF, JPEG or PNG"),
        ("scan.pdf", b"", "empty"),
        ("scan.pdf", b"%PDF-1.4\n1 0 obj << /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >>\n%%EOF", "scripts"),
        ("scan.pdf", b"%PDF-1.4\n1 0 obj << >> endobj\n", "damaged"),
        ("scan.png", png_bytes()[:60], "damaged"),
    ],
)
def test_applicant_cannot_upload_a_file_that_is_not_a_clean_document(user, draft, name, content, message):
    with pytest.raises(InvalidDocument, match=message):
        services.upload_application_document(
            application=draft, actor=user, kind=DocumentKind.PASSPORT, upload=upload(name, content)
        )

    assert not ApplicationDocument.objects.exists()
    assert stored_files() == []


def test_applicant_cannot_upload_a_file_over_the_size_cap(user, draft, settings):
    settings.MARKETPLACE_SELLER_DOCUMENT_MAX_BYTES = 1024
    big = pdf_bytes()[:-7] + b" " * 2000 + b"\n%%EOF\n"

    with pytest.raises(InvalidDocument, match="larger than"):
        services.upload_application_document(
            application=draft, actor=user, kind=DocumentKind.PASSPORT, upload=upload("big.pdf", big)
        )

    assert not ApplicationDocument.objects.exists()
    assert stored_files() == []


def test_ten_megabyte_cap_is_the_default():
    assert settings.MARKETPLACE_SELLER_DOCUMENT_MAX_BYTES == 10 * 1024 * 1024


def test_applicant_cannot_upload_an_image_bomb(user, draft, settings):
    settings.MARKETPLACE_SELLER_IMAGE_MAX_PIXELS = 1_000_000
    # 4000 × 4000 of one colour: a few kilobytes as PNG, 16 megapixels once decoded.
    buffer = io.BytesIO()
    Image.new("1", (4000, 4000)).save(buffer, format="PNG", optimize=True)
    assert len(buffer.getvalue()) < 100_000

    with pytest.raises(InvalidDocument, match="megapixels"):
        services.upload_application_document(
            application=draft, actor=user, kind=DocumentKind.PASSPORT, upload=upload("bomb.png", buffer.getvalue())
        )

    assert not ApplicationDocument.objects.exists()
    assert stored_files() == []


def test_pillow_decompression_bomb_warning_is_an_error(user, draft, monkeypatch):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)  # 40 × 30 = 1200 pixels: above the warning threshold

    with pytest.raises(InvalidDocument, match="megapixels"):
        services.upload_application_document(
            application=draft,
            actor=user,
            kind=DocumentKind.PASSPORT,
            upload=upload("p.jpg", jpeg_bytes(), "image/jpeg"),
        )

    assert stored_files() == []


def test_applicant_cannot_upload_to_a_submitted_application(user, draft):
    from sellers.models import ApplicationStatus, SellerApplication

    SellerApplication.objects.filter(pk=draft.pk).update(status=ApplicationStatus.IN_REVIEW, offer_terms=seller_offer())
    draft.refresh_from_db()

    from marketplace.core.exceptions import InvalidTransition

    with pytest.raises(InvalidTransition):
        services.upload_application_document(application=draft, actor=user, kind=DocumentKind.PASSPORT, upload=upload())

    assert stored_files() == []


def test_applicant_removing_a_document_deletes_the_file_after_commit(user, draft, django_capture_on_commit_callbacks):
    document = services.upload_application_document(
        application=draft, actor=user, kind=DocumentKind.PASSPORT, upload=upload()
    )
    path = Path(document.file.path)

    with django_capture_on_commit_callbacks(execute=True):
        services.delete_application_document(document=document, actor=user)

    assert not path.exists()
    assert not ApplicationDocument.objects.exists()

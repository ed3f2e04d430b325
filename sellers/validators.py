"""Russian legal and bank identifiers: formats, check digits and the rules that tie them together.

Everything here runs offline. A number that passes is well formed, not proven to exist: moderators
confirm registry data by hand (ЕГРЮЛ/ЕГРИП search), and the application page says so.

Sources of the algorithms: ФНС order on the INN structure (weights for the 10- and 12-digit INN),
Приказ ФНС о ЕГРЮЛ/ЕГРИП (ОГРН mod 11, ОГРНИП mod 13), Банк России, Положение 579-П / указание
о порядке расчёта контрольного ключа (weights 7-1-3 over BIK digits + account).
"""

from __future__ import annotations

import hashlib
import io
import re
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from PIL import Image, UnidentifiedImageError

# Legal forms, by the values the SellerApplication model stores (models.LegalForm uses these).
LLC = "ooo"  # ООО: a company
SOLE_TRADER = "ip"  # ИП: an individual entrepreneur
SELF_EMPLOYED = "npd"  # самозанятый: an individual paying the professional income tax (НПД)

INN_LENGTH = {LLC: 10, SOLE_TRADER: 12, SELF_EMPLOYED: 12}

_INN10_WEIGHTS = (2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN12_WEIGHTS_11 = (7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN12_WEIGHTS_12 = (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
_ACCOUNT_WEIGHTS = (7, 1, 3) * 8  # 23 positions: 3 digits from the BIK + 20 of the account

_SEPARATORS = re.compile(r"[\s\-\u00a0]+")
_KPP = re.compile(r"^\d{4}[\dA-Z]{2}\d{3}$")

# First five digits of a settlement account (балансовый счёт) usual for each legal form.
USUAL_ACCOUNT_PREFIXES = {LLC: ("40702",), SOLE_TRADER: ("40802",), SELF_EMPLOYED: ("40817", "40820", "40802")}
RUBLE_CURRENCY_CODE = "810"


def digits(value: str | None) -> str:
    """The value without spaces, dashes and no-break spaces (people paste numbers formatted)."""
    return _SEPARATORS.sub("", value or "")


def _weighted(number: str, weights: tuple[int, ...]) -> int:
    return sum(int(digit) * weight for digit, weight in zip(number, weights, strict=False))


def _require_digits(value: str, length: int, message, code: str) -> None:
    if not value.isdigit() or not value.isascii() or len(value) != length:
        raise ValidationError(message, code=code, params={"length": length, "value": value})


# INN ----------------------------------------------------------------------------------------------


def inn_checksum_ok(inn: str) -> bool:
    if len(inn) == 10:
        return _weighted(inn, _INN10_WEIGHTS) % 11 % 10 == int(inn[9])
    if len(inn) == 12:
        first = _weighted(inn, _INN12_WEIGHTS_11) % 11 % 10
        second = _weighted(inn, _INN12_WEIGHTS_12) % 11 % 10
        return first == int(inn[10]) and second == int(inn[11])
    return False


def validate_inn(value: str, legal_form: str | None = None) -> None:
    """10 digits for an ООО, 12 for an ИП or самозанятый, with the ФНС check digits."""
    inn = digits(value)
    if not inn.isdigit() or not inn.isascii():
        raise ValidationError(_("INN must contain digits only."), code="inn_not_digits")
    if legal_form == LLC and len(inn) != 10:
        raise ValidationError(_("INN must have 10 digits for an LLC (ООО)."), code="inn_length")
    if legal_form in (SOLE_TRADER, SELF_EMPLOYED) and len(inn) != 12:
        raise ValidationError(
            _("INN must have 12 digits for an individual entrepreneur (ИП) or a self-employed person."),
            code="inn_length",
        )
    if len(inn) not in (10, 12):
        raise ValidationError(_("INN must have 10 digits (company) or 12 digits (individual)."), code="inn_length")
    if inn.startswith("00"):
        raise ValidationError(_("INN cannot start with 00: the first two digits are a region code."), code="inn_region")
    if not inn_checksum_ok(inn):
        raise ValidationError(
            _("INN check digits do not match. Please check the number for a typo."), code="inn_checksum"
        )


# OGRN / OGRNIP ------------------------------------------------------------------------------------


def validate_ogrn(value: str) -> None:
    """ОГРН of a company: 13 digits, starts with 1 or 5, last digit = first 12 digits mod 11 (mod 10)."""
    ogrn = digits(value)
    _require_digits(ogrn, 13, _("OGRN must have 13 digits."), "ogrn_length")
    if ogrn[0] not in "15":
        raise ValidationError(
            _("OGRN of a company starts with 1 or 5. A number starting with 3 is an OGRNIP (individual entrepreneur)."),
            code="ogrn_kind",
        )
    if int(ogrn[:12]) % 11 % 10 != int(ogrn[12]):
        raise ValidationError(
            _("OGRN check digit does not match. Please check the number for a typo."), code="ogrn_checksum"
        )


def validate_ogrnip(value: str) -> None:
    """ОГРНИП: 15 digits, starts with 3, last digit = first 14 digits mod 13 (mod 10)."""
    ogrnip = digits(value)
    _require_digits(ogrnip, 15, _("OGRNIP must have 15 digits."), "ogrnip_length")
    if ogrnip[0] != "3":
        raise ValidationError(_("OGRNIP starts with 3."), code="ogrnip_kind")
    if int(ogrnip[:14]) % 13 % 10 != int(ogrnip[14]):
        raise ValidationError(
            _("OGRNIP check digit does not match. Please check the number for a typo."), code="ogrnip_checksum"
        )


def validate_registration_number(value: str, legal_form: str) -> None:
    """ОГРН for an ООО, ОГРНИП for an ИП; a self-employed person has none."""
    number = digits(value)
    if legal_form == LLC:
        if not number:
            raise ValidationError(_("OGRN is required for an LLC (ООО)."), code="ogrn_required")
        validate_ogrn(number)
    elif legal_form == SOLE_TRADER:
        if not number:
            raise ValidationError(_("OGRNIP is required for an individual entrepreneur (ИП)."), code="ogrnip_required")
        validate_ogrnip(number)
    elif number:
        raise ValidationError(
            _("A self-employed person has no OGRN or OGRNIP: leave this field empty."), code="ogrn_not_expected"
        )


# KPP ----------------------------------------------------------------------------------------------


def validate_kpp(value: str) -> None:
    """КПП: 9 characters — tax office (4 digits), reason (2 digits or capital letters), number (3 digits)."""
    kpp = digits(value).upper()
    if not _KPP.match(kpp):
        raise ValidationError(
            _("KPP must have 9 characters: 4 digits, 2 digits or capital Latin letters, then 3 digits."),
            code="kpp_format",
        )


# Bank details -------------------------------------------------------------------------------------


def validate_bik(value: str) -> None:
    """БИК of a bank in Russia: 9 digits starting with 04."""
    bik = digits(value)
    _require_digits(bik, 9, _("BIK must have 9 digits."), "bik_length")
    if not bik.startswith("04"):
        raise ValidationError(_("BIK of a Russian bank starts with 04."), code="bik_country")


def account_key_ok(prefix: str, account: str) -> bool:
    """The Central Bank control key: weights 7,1,3 over prefix (3 digits) + account, sum ends in 0."""
    return _weighted(prefix + account, _ACCOUNT_WEIGHTS) % 10 == 0


def _settlement_prefix(bik: str) -> str:
    # An account held at a Bank of Russia cash centre (РКЦ, BIK ending 000–002) uses "0" + the
    # region digits of the BIK; an account at a credit institution uses the BIK's last three digits.
    return "0" + bik[4:6] if bik[6:9] in {"000", "001", "002"} else bik[6:9]


def validate_settlement_account(account: str, bik: str) -> None:
    """Расчётный счёт: 20 digits whose control key matches the bank's BIK."""
    number = digits(account)
    _require_digits(number, 20, _("Settlement account must have 20 digits."), "account_length")
    validate_bik(bik)
    if number.startswith("301"):
        raise ValidationError(
            _("This is a correspondent account (starts with 301). Enter your settlement account."),
            code="account_is_correspondent",
        )
    if not account_key_ok(_settlement_prefix(digits(bik)), number):
        raise ValidationError(
            _("Settlement account does not match the BIK (control key). Check both numbers against your bank details."),
            code="account_key",
        )


def validate_correspondent_account(account: str, bik: str) -> None:
    """Корреспондентский счёт: 20 digits, starts with 301, ends with the BIK's last 3 digits, key with 0+BIK[4:6]."""
    number = digits(account)
    _require_digits(number, 20, _("Correspondent account must have 20 digits."), "corr_account_length")
    validate_bik(bik)
    bik = digits(bik)
    if not number.startswith("301"):
        raise ValidationError(_("Correspondent account starts with 301."), code="corr_account_prefix")
    if number[-3:] != bik[-3:]:
        raise ValidationError(
            _("Correspondent account must end with the last three digits of the BIK."), code="corr_account_bik"
        )
    if not account_key_ok("0" + bik[4:6], number):
        raise ValidationError(
            _("Correspondent account does not match the BIK (control key). Check it against your bank details."),
            code="corr_account_key",
        )


# Phones -------------------------------------------------------------------------------------------


def normalize_russian_phone(value: str) -> str:
    """+7 (912) 345-67-89, 8 912 345 67 89 or 9123456789 → +79123456789 (E.164); raises on anything else."""
    number = re.sub(r"[\s\-\u00a0()]+", "", value or "")
    if number.startswith("+7"):
        number = number[2:]
    elif number.startswith(("8", "7")) and len(number) == 11:
        number = number[1:]
    if not (number.isdigit() and number.isascii() and len(number) == 10 and number[0] in "3489"):
        raise ValidationError(
            _("Enter a Russian phone number with 10 digits after +7, e.g. +7 912 345-67-89."), code="phone"
        )
    return "+7" + number


# Consistency between fields -----------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    """One result of the offline checks: `error` blocks submission, `warning` is for the moderator."""

    code: str
    field: str
    level: str  # "error" | "warning"
    message: str


def consistency_findings(
    *, legal_form: str, inn: str, ogrn: str = "", kpp: str = "", bik: str = "", account: str = ""
) -> list[Finding]:
    """Rules that tie the numbers together. Run after the per-field validators passed."""
    inn, ogrn, kpp, bik, account = (digits(v) for v in (inn, ogrn, kpp, bik, account))
    findings: list[Finding] = []
    expected_length = INN_LENGTH.get(legal_form)
    if expected_length and len(inn) != expected_length:
        findings.append(Finding("inn_legal_form", "inn", "error", str(_("INN length does not match the legal form."))))
    if legal_form == LLC and ogrn and ogrn[0] == "3":
        findings.append(
            Finding(
                "ogrn_legal_form",
                "ogrn",
                "error",
                str(_("This is an OGRNIP (individual entrepreneur), but the legal form is LLC (ООО).")),
            )
        )
    if legal_form == SOLE_TRADER and ogrn and ogrn[0] in "15":
        findings.append(
            Finding(
                "ogrn_legal_form",
                "ogrn",
                "error",
                str(_("This is a company OGRN, but the legal form is individual entrepreneur (ИП).")),
            )
        )
    # Region codes: OGRN digits 4–5 are the region of registration, INN digits 1–2 the region of the
    # tax office that issued it. They differ legitimately after a move, so this only warns.
    if len(ogrn) in (13, 15) and len(inn) in (10, 12) and ogrn[3:5] != inn[:2]:
        findings.append(
            Finding(
                "region_mismatch",
                "ogrn",
                "warning",
                str(
                    _(
                        "Region in the OGRN (%(ogrn_region)s) differs from the region in the INN (%(inn_region)s). "
                        "Normal after a move; check the registry extract."
                    )
                    % {"ogrn_region": ogrn[3:5], "inn_region": inn[:2]}
                ),
            )
        )
    if legal_form == LLC and len(kpp) == 9 and len(inn) == 10 and kpp[:4] != inn[:4]:
        findings.append(
            Finding(
                "kpp_tax_office",
                "kpp",
                "warning",
                str(
                    _(
                        "Tax office in the KPP (%(kpp_office)s) differs from the INN (%(inn_office)s): "
                        "the company changed tax office or this is a branch. Check the registry extract."
                    )
                    % {"kpp_office": kpp[:4], "inn_office": inn[:4]}
                ),
            )
        )
    if len(account) == 20:
        if account[5:8] != RUBLE_CURRENCY_CODE:
            findings.append(
                Finding(
                    "account_currency",
                    "settlement_account",
                    "warning",
                    str(_("The account is not a ruble account (digits 6–8 are not 810); payouts are in roubles.")),
                )
            )
        usual = USUAL_ACCOUNT_PREFIXES.get(legal_form, ())
        if usual and not account.startswith(usual):
            findings.append(
                Finding(
                    "account_kind",
                    "settlement_account",
                    "warning",
                    str(
                        _("Account type %(prefix)s is unusual for this legal form (expected %(expected)s).")
                        % {"prefix": account[:5], "expected": ", ".join(usual)}
                    ),
                )
            )
    return findings


# The whole application ------------------------------------------------------------------------------

NUMBER_FIELDS = ("inn", "ogrn", "kpp", "bik", "settlement_account", "correspondent_account")
_COMMON_REQUIRED = (
    "legal_form",
    "legal_name",
    "inn",
    "legal_address",
    "bik",
    "settlement_account",
    "correspondent_account",
    "contact_name",
    "contact_phone",
    "contact_email",
    "store_name",
    "store_slug",
)
REQUIRED_FIELDS: dict[str, tuple[str, ...]] = {
    LLC: (*_COMMON_REQUIRED, "ogrn", "kpp"),
    SOLE_TRADER: (*_COMMON_REQUIRED, "ogrn"),
    SELF_EMPLOYED: _COMMON_REQUIRED,
}
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
RESERVED_SLUGS = frozenset({"admin", "api", "new", "edit", "sell", "seller", "sellers", "shop", "static", "media", "s"})


def validate_store_slug(value: str) -> None:
    """Latin letters, digits and single hyphens, 3–50 characters: it becomes /s/<address>/."""
    if not (3 <= len(value) <= 50) or not _SLUG.match(value):
        raise ValidationError(
            _("Store address: 3–50 small Latin letters, digits and single hyphens, e.g. romashka-shop."),
            code="slug_format",
        )
    if value in RESERVED_SLUGS:
        raise ValidationError(_("This store address is reserved. Choose another one."), code="slug_reserved")


def clean_application_values(
    values: dict[str, str], fields: tuple[str, ...] | list[str]
) -> tuple[dict[str, str], dict[str, list[str]]]:
    """Normalise and check the given application fields; returns (cleaned values, errors by field).

    Required-ness depends on the legal form (taken from `values`), and cross-field rules (INN vs
    legal form, account vs BIK) run when both fields are in `values`.
    """
    legal_form = values.get("legal_form", "")
    required = REQUIRED_FIELDS.get(legal_form, ("legal_form",))
    cleaned: dict[str, str] = {}
    errors: dict[str, list[str]] = {}

    def fail(field: str, error: ValidationError) -> None:
        errors.setdefault(field, []).extend(error.messages)

    for field in fields:
        raw = values.get(field, "")
        value = (digits(raw) if field in NUMBER_FIELDS else (raw or "").strip()) if isinstance(raw, str) else raw
        if field == "kpp":
            value = value.upper()
        cleaned[field] = value
        if not value:
            if field in required:
                fail(field, ValidationError(_("This field is required."), code="required"))
            continue
        try:
            if field == "inn":
                validate_inn(value, legal_form or None)
            elif field == "ogrn":
                validate_registration_number(value, legal_form)
            elif field == "kpp":
                if legal_form != LLC:
                    raise ValidationError(
                        _("Only an LLC (ООО) has a KPP: leave this field empty."), code="kpp_not_expected"
                    )
                validate_kpp(value)
            elif field == "bik":
                validate_bik(value)
            elif field == "settlement_account":
                validate_settlement_account(value, digits(values.get("bik", "")))
            elif field == "correspondent_account":
                validate_correspondent_account(value, digits(values.get("bik", "")))
            elif field == "contact_phone":
                cleaned[field] = normalize_russian_phone(value)
            elif field == "store_slug":
                cleaned[field] = value.lower()
                validate_store_slug(cleaned[field])
        except ValidationError as error:
            if field in ("settlement_account", "correspondent_account") and error.code.startswith("bik_"):
                continue  # the BIK field carries that error; don't repeat it on every account
            fail(field, error)
    return cleaned, errors


# Uploaded documents ---------------------------------------------------------------------------------

_SIGNATURES = (
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
)
_PILLOW_FORMAT = {"image/jpeg": "JPEG", "image/png": "PNG"}
# Active content a PDF viewer would run; a legal scan never needs it.
_PDF_ACTIVE_CONTENT = re.compile(rb"/(?:JavaScript|JS[\s(<\[/]|Launch|EmbeddedFile|RichMedia|XFA)")


@dataclass(frozen=True)
class CleanFile:
    """An accepted upload: the bytes to store (images re-encoded, so EXIF and trailing data are gone)."""

    content: bytes
    content_type: str
    extension: str
    sha256: str

    @property
    def size(self) -> int:
        return len(self.content)


def _read_capped(upload, limit: int) -> bytes:
    megabytes = limit // (1024 * 1024)
    if getattr(upload, "size", 0) and upload.size > limit:
        raise ValidationError(_("The file is larger than %(mb)s MB."), code="file_too_large", params={"mb": megabytes})
    if hasattr(upload, "seek"):
        upload.seek(0)
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise ValidationError(_("The file is larger than %(mb)s MB."), code="file_too_large", params={"mb": megabytes})
    if not data:
        raise ValidationError(_("The file is empty."), code="file_empty")
    return data


def sniff_content_type(data: bytes) -> tuple[str, str] | None:
    """(content type, extension) judged by the first bytes, never by the file name."""
    for signature, content_type, extension in _SIGNATURES:
        if data.startswith(signature):
            return content_type, extension
    return None


def _clean_pdf(data: bytes) -> bytes:
    if b"%%EOF" not in data[-2048:]:
        raise ValidationError(_("The PDF file is damaged or incomplete."), code="pdf_damaged")
    if _PDF_ACTIVE_CONTENT.search(data):
        raise ValidationError(
            _("PDF files with scripts, attachments or forms are not accepted. Save the scan as a plain PDF."),
            code="pdf_active_content",
        )
    return data


def _clean_image(data: bytes, content_type: str) -> bytes:
    max_pixels = settings.MARKETPLACE_SELLER_IMAGE_MAX_PIXELS
    pillow_format = _PILLOW_FORMAT[content_type]
    too_big = ValidationError(
        _("The image is too large: at most %(mp)s megapixels."),
        code="image_too_large",
        params={"mp": max_pixels // 1_000_000},
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[pillow_format]) as image:
                width, height = image.size
                if width * height > max_pixels:
                    raise too_big
                if getattr(image, "n_frames", 1) > 1:
                    raise ValidationError(_("Animated images are not accepted."), code="image_animated")
                image.load()
                frame = image.convert("RGB") if pillow_format == "JPEG" else image.copy()
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise too_big from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        raise ValidationError(_("The image file is damaged."), code="image_damaged") from None
    buffer = io.BytesIO()
    frame.save(buffer, format=pillow_format, **({"quality": 90} if pillow_format == "JPEG" else {"optimize": True}))
    return buffer.getvalue()


def clean_document_upload(upload) -> CleanFile:
    """A PDF, JPEG or PNG up to the size cap, type sniffed from content; images re-encoded. Raises ValidationError."""
    data = _read_capped(upload, settings.MARKETPLACE_SELLER_DOCUMENT_MAX_BYTES)
    sniffed = sniff_content_type(data)
    if sniffed is None:
        raise ValidationError(
            _("Upload a PDF, JPEG or PNG file. This file is something else, whatever its name says."),
            code="file_type",
        )
    content_type, extension = sniffed
    content = _clean_pdf(data) if content_type == "application/pdf" else _clean_image(data, content_type)
    return CleanFile(
        content=content, content_type=content_type, extension=extension, sha256=hashlib.sha256(content).hexdigest()
    )


def clean_storefront_image(upload, *, max_side: int = 2000) -> CleanFile:
    """A logo or banner: JPEG or PNG, the same caps as documents, scaled down and re-encoded."""
    cleaned = clean_document_upload(upload)
    if cleaned.content_type == "application/pdf":
        raise ValidationError(_("Upload a JPEG or PNG image."), code="file_type")
    with Image.open(io.BytesIO(cleaned.content)) as image:
        frame = image.copy()
    frame.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    pillow_format = _PILLOW_FORMAT[cleaned.content_type]
    frame.save(buffer, format=pillow_format, **({"quality": 88} if pillow_format == "JPEG" else {"optimize": True}))
    content = buffer.getvalue()
    return CleanFile(content, cleaned.content_type, cleaned.extension, hashlib.sha256(content).hexdigest())

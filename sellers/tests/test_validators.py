"""Russian identifiers: real valid numbers pass, typos, wrong lengths and wrong kinds fail with a clear message.

Valid data (check digits verified by hand with the published algorithms):
- ПАО Сбербанк: ИНН 7707083893, ОГРН 1027700132195, КПП 773601001, БИК 044525225, к/с 30101810400000000225;
- ООО «Яндекс»: ИНН 7736207543, ОГРН 1027700229193;
- АО «Т-Банк»: БИК 044525974, к/с 30101810145250000974;
- 12-digit ИНН 500100732259, 773400211252; ОГРНИП 304500116000157, 315774600012344.
"""

import pytest
from django.core.exceptions import ValidationError

from sellers import validators as v
from sellers.validators import LLC, SELF_EMPLOYED, SOLE_TRADER

SBER_BIK = "044525225"
TBANK_BIK = "044525974"


def _error_code(call) -> str:
    with pytest.raises(ValidationError) as excinfo:
        call()
    return excinfo.value.code


@pytest.mark.parametrize(
    ("inn", "legal_form"),
    [
        ("7707083893", LLC),
        ("7736207543", LLC),
        ("7701234560", LLC),
        ("77 07 08 38 93", LLC),  # pasted with spaces
        ("500100732259", SOLE_TRADER),
        ("773400211252", SOLE_TRADER),
        ("500100732259", SELF_EMPLOYED),
        ("771234567859", SELF_EMPLOYED),
        ("7707083893", None),
        ("773400211252", None),
    ],
)
def test_valid_inn_passes_for_its_legal_form(inn, legal_form):
    v.validate_inn(inn, legal_form)


@pytest.mark.parametrize(
    ("inn", "legal_form", "code"),
    [
        ("7707083894", LLC, "inn_checksum"),  # last digit changed
        ("7707083839", LLC, "inn_checksum"),  # two digits swapped
        ("500100732259", LLC, "inn_length"),  # a person's INN for a company
        ("770708389", LLC, "inn_length"),
        ("7707083893", SOLE_TRADER, "inn_length"),  # a company's INN for an ИП
        ("7707083893", SELF_EMPLOYED, "inn_length"),
        ("500100732258", SOLE_TRADER, "inn_checksum"),  # second check digit wrong
        ("500100732249", SOLE_TRADER, "inn_checksum"),  # first check digit wrong
        ("50010073225", SOLE_TRADER, "inn_length"),
        ("77070838AB", LLC, "inn_not_digits"),
        ("７７０７０８３８９３", LLC, "inn_not_digits"),  # full-width digits are not ASCII
        ("0007083893", LLC, "inn_region"),
        ("", LLC, "inn_not_digits"),
        ("12345678", None, "inn_length"),
    ],
)
def test_invalid_inn_is_rejected_with_a_reason(inn, legal_form, code):
    assert _error_code(lambda: v.validate_inn(inn, legal_form)) == code


def test_inn_length_message_names_the_legal_form():
    with pytest.raises(ValidationError) as excinfo:
        v.validate_inn("500100732259", LLC)

    assert "10 digits" in excinfo.value.messages[0]
    assert "ООО" in excinfo.value.messages[0]


@pytest.mark.parametrize("ogrn", ["1027700132195", "1027700229193", "1157746001236", "1217700012342"])
def test_valid_ogrn_passes(ogrn):
    v.validate_ogrn(ogrn)
    v.validate_registration_number(ogrn, LLC)


@pytest.mark.parametrize(
    ("ogrn", "code"),
    [
        ("1027700132196", "ogrn_checksum"),
        ("102770013219", "ogrn_length"),
        ("10277001321950", "ogrn_length"),
        ("2027700132195", "ogrn_kind"),
        ("3027700132195", "ogrn_kind"),
        ("1O27700132195", "ogrn_length"),  # letter O instead of zero
    ],
)
def test_invalid_ogrn_is_rejected(ogrn, code):
    assert _error_code(lambda: v.validate_ogrn(ogrn)) == code


@pytest.mark.parametrize("ogrnip", ["304500116000157", "315774600012344", "321770000123456"])
def test_valid_ogrnip_passes(ogrnip):
    v.validate_ogrnip(ogrnip)
    v.validate_registration_number(ogrnip, SOLE_TRADER)


@pytest.mark.parametrize(
    ("ogrnip", "code"),
    [
        ("304500116000158", "ogrnip_checksum"),
        ("30450011600015", "ogrnip_length"),
        ("1027700132195", "ogrnip_length"),  # a company OGRN given for an ИП
        ("104500116000157", "ogrnip_kind"),
    ],
)
def test_invalid_ogrnip_is_rejected(ogrnip, code):
    assert _error_code(lambda: v.validate_ogrnip(ogrnip)) == code


@pytest.mark.parametrize(
    ("number", "legal_form", "code"),
    [
        ("", LLC, "ogrn_required"),
        ("", SOLE_TRADER, "ogrnip_required"),
        ("304500116000157", LLC, "ogrn_length"),
        ("1027700132195", SOLE_TRADER, "ogrnip_length"),
        ("304500116000157", SELF_EMPLOYED, "ogrn_not_expected"),
    ],
)
def test_registration_number_must_fit_the_legal_form(number, legal_form, code):
    assert _error_code(lambda: v.validate_registration_number(number, legal_form)) == code


def test_self_employed_needs_no_registration_number():
    v.validate_registration_number("", SELF_EMPLOYED)


@pytest.mark.parametrize("kpp", ["773601001", "770701001", "7736AB001", "7736ab001"])
def test_valid_kpp_passes(kpp):
    v.validate_kpp(kpp)


@pytest.mark.parametrize("kpp", ["77360100", "7736010011", "77A601001", "7736010O1", ""])
def test_invalid_kpp_is_rejected(kpp):
    assert _error_code(lambda: v.validate_kpp(kpp)) == "kpp_format"


@pytest.mark.parametrize("bik", [SBER_BIK, TBANK_BIK, "044 525 225"])
def test_valid_bik_passes(bik):
    v.validate_bik(bik)


@pytest.mark.parametrize(
    ("bik", "code"),
    [
        ("04452522", "bik_length"),
        ("0445252250", "bik_length"),
        ("144525225", "bik_country"),
        ("04452522X", "bik_length"),
    ],
)
def test_invalid_bik_is_rejected(bik, code):
    assert _error_code(lambda: v.validate_bik(bik)) == code


@pytest.mark.parametrize(
    ("account", "bik"),
    [
        ("40702810938000000001", SBER_BIK),
        ("40702810200000000001", SBER_BIK),
        ("40802810400000000002", SBER_BIK),
        ("40817810300000000003", SBER_BIK),
        ("40702810610000000001", TBANK_BIK),
        ("40802810400000012345", TBANK_BIK),
        ("4070 2810 9380 0000 0001", SBER_BIK),
    ],
)
def test_settlement_account_matching_the_bik_passes(account, bik):
    v.validate_settlement_account(account, bik)


@pytest.mark.parametrize(
    ("account", "bik", "code"),
    [
        ("40702810938000000002", SBER_BIK, "account_key"),  # last digit typo
        ("40702810938000000001", TBANK_BIK, "account_key"),  # right account, other bank
        ("4070281093800000001", SBER_BIK, "account_length"),
        ("407028109380000000011", SBER_BIK, "account_length"),
        ("30101810400000000225", SBER_BIK, "account_is_correspondent"),
        ("40702810938000000001", "14452522", "bik_length"),
    ],
)
def test_settlement_account_not_matching_the_bik_is_rejected(account, bik, code):
    assert _error_code(lambda: v.validate_settlement_account(account, bik)) == code


def test_account_at_a_bank_of_russia_cash_centre_uses_the_region_digits_of_the_bik():
    # BIK 044525000 (ГУ Банка России по ЦФО): prefix "0" + "25" (BIK digits 5–6), not "000".
    account = next(f"40702810{d}00000000001" for d in range(10) if v.account_key_ok("025", f"40702810{d}00000000001"))

    v.validate_settlement_account(account, "044525000")
    assert not v.account_key_ok("000", account)


@pytest.mark.parametrize(("account", "bik"), [("30101810400000000225", SBER_BIK), ("30101810145250000974", TBANK_BIK)])
def test_correspondent_account_matching_the_bik_passes(account, bik):
    v.validate_correspondent_account(account, bik)


@pytest.mark.parametrize(
    ("account", "bik", "code"),
    [
        ("30101810400000000226", SBER_BIK, "corr_account_bik"),
        ("30101810500000000225", SBER_BIK, "corr_account_key"),
        ("40702810938000000001", SBER_BIK, "corr_account_prefix"),
        ("3010181040000000022", SBER_BIK, "corr_account_length"),
        ("30101810400000000225", TBANK_BIK, "corr_account_bik"),
    ],
)
def test_wrong_correspondent_account_is_rejected(account, bik, code):
    assert _error_code(lambda: v.validate_correspondent_account(account, bik)) == code


@pytest.mark.parametrize(
    ("raw", "normalized"),
    [
        ("+7 (912) 345-67-89", "+79123456789"),
        ("8 912 345 67 89", "+79123456789"),
        ("9123456789", "+79123456789"),
        ("+7 495 123-45-67", "+74951234567"),
    ],
)
def test_russian_phone_is_normalized_to_e164(raw, normalized):
    assert v.normalize_russian_phone(raw) == normalized


@pytest.mark.parametrize("raw", ["+1 202 555 0100", "12345", "+7 912 345 67 8", "+7 112 345-67-89", ""])
def test_non_russian_phone_is_rejected(raw):
    assert _error_code(lambda: v.normalize_russian_phone(raw)) == "phone"


def _codes(findings, level):
    return {finding.code for finding in findings if finding.level == level}


def test_sberbank_details_are_consistent_apart_from_the_tax_office_warning():
    findings = v.consistency_findings(
        legal_form=LLC, inn="7707083893", ogrn="1027700132195", kpp="773601001", account="40702810938000000001"
    )

    assert _codes(findings, "error") == set()
    assert _codes(findings, "warning") == {"kpp_tax_office"}


@pytest.mark.parametrize(
    ("legal_form", "inn", "ogrn", "code"),
    [
        (LLC, "7707083893", "304500116000157", "ogrn_legal_form"),
        (SOLE_TRADER, "500100732259", "1027700132195", "ogrn_legal_form"),
        (LLC, "500100732259", "1027700132195", "inn_legal_form"),
        (SELF_EMPLOYED, "7707083893", "", "inn_legal_form"),
    ],
)
def test_inn_and_ogrn_that_contradict_the_legal_form_are_errors(legal_form, inn, ogrn, code):
    findings = v.consistency_findings(legal_form=legal_form, inn=inn, ogrn=ogrn)

    assert code in _codes(findings, "error")


def test_region_mismatch_between_inn_and_ogrn_is_only_a_warning():
    findings = v.consistency_findings(legal_form=SOLE_TRADER, inn="773400211252", ogrn="304500116000157")

    assert _codes(findings, "warning") == {"region_mismatch"}
    assert _codes(findings, "error") == set()


def test_foreign_currency_or_unusual_account_is_flagged_for_the_moderator():
    findings = v.consistency_findings(
        legal_form=SOLE_TRADER, inn="500100732259", ogrn="304500116000157", account="40702840000000000001"
    )

    assert {"account_currency", "account_kind"} <= _codes(findings, "warning")

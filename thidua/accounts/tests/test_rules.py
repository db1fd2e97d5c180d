"""The second sign-in step's pure rules: who must pass it, what a session owes, the codes' shapes."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from thidua.accounts import rules
from thidua.accounts.rules import SecondStep


@pytest.mark.parametrize(
    ("setting", "superuser", "parent_staff", "leads", "required"),
    [
        (True, True, False, False, True),
        (True, False, True, False, True),
        (True, False, False, True, True),
        (True, False, False, False, False),  # a member's officer, an editor, a news manager
        (False, True, True, True, False),  # the setting off: nobody is required
    ],
)
def test_superusers_parent_body_staff_and_the_secretariat_must_pass_the_step_while_the_setting_is_on(
    setting: bool, superuser: bool, parent_staff: bool, leads: bool, required: bool
) -> None:
    assert (
        rules.two_factor_required(
            required_by_setting=setting,
            is_superuser=superuser,
            is_parent_staff=parent_staff,
            leads_a_group=leads,
        )
        is required
    )


@pytest.mark.parametrize(
    ("has_device", "required", "step"),
    [
        (True, True, SecondStep.VERIFY),
        (True, False, SecondStep.VERIFY),  # chose the step: asked for it like everyone who must
        (False, True, SecondStep.ENROL),
        (False, False, SecondStep.NONE),
    ],
)
def test_an_account_with_a_device_owes_a_code_and_one_required_without_sets_one_up(
    has_device: bool, required: bool, step: SecondStep
) -> None:
    assert rules.second_step(has_device=has_device, required=required) is step


@pytest.mark.parametrize(
    ("typed", "digits"),
    [
        ("123456", "123456"),
        (" 123 456 ", "123456"),
        ("123-456", "123456"),
        ("12345", None),
        ("１２３４５６", None),
        ("12345a", None),
    ],
)
def test_an_authenticator_code_is_six_ascii_digits_however_spaced(typed: str, digits: str | None) -> None:
    assert rules.totp_code(typed) == digits


def test_recovery_codes_are_ten_different_codes_of_120_random_bits_in_groups_of_four() -> None:
    codes = rules.new_recovery_codes()
    assert len(codes) == rules.RECOVERY_CODES == len(set(codes))
    assert rules.RECOVERY_LENGTH * (len(rules.RECOVERY_ALPHABET).bit_length() - 1) >= 112  # ASVS 5.0 6.5.2
    for code in codes:
        groups = code.split("-")
        assert len(groups) == 6 and all(len(g) == 4 for g in groups)


@given(st.text(alphabet=rules.RECOVERY_ALPHABET, min_size=24, max_size=24))
def test_a_recovery_code_reads_the_same_in_any_case_with_any_spacing_and_confusable_letters(
    code: str,
) -> None:
    typed = rules.grouped(code.lower(), separator=" ").replace("0", "o").replace("1", "l")
    assert rules.recovery_code(typed) == code
    assert rules.recovery_digest(rules.recovery_code(typed) or "") == rules.recovery_digest(code)
    assert len(rules.recovery_digest(code)) == 16


@pytest.mark.parametrize(
    "typed", ["", "123456", "ABCD-EFGH-JKMN-PQRS-TVWX-YZ0", "ABCD-EFGH-JKMN-PQRS-TVWX-YZ0U"]
)
def test_what_cannot_be_a_recovery_code_is_none(typed: str) -> None:
    assert rules.recovery_code(typed) is None


def test_different_recovery_codes_have_different_digests() -> None:
    first, second = rules.new_recovery_codes(2)
    assert rules.recovery_digest(rules.recovery_code(first) or "") != rules.recovery_digest(
        rules.recovery_code(second) or ""
    )

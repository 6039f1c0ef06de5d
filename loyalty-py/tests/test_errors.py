"""Errors: the stable code list, the exception classes and how bad input is reported."""

from __future__ import annotations

import copy
import datetime
import decimal
import pickle
from typing import Any

import pytest
from programs import ORDER, PROGRAM

import loyalty

# The codes callers may key on. A change here is a change of the public
# contract: update this list on purpose, never to make the test pass.
EXPECTED_ERROR_CODES = {
    "program": [
        "syntax_error",
        "unknown_field",
        "missing_field",
        "invalid_type",
        "unknown_variant",
        "invalid_decimal",
        "float_not_allowed",
        "invalid_value",
        "unsupported_schema_version",
        "invalid_identifier",
        "invalid_currency",
        "invalid_time_zone",
        "invalid_scale",
        "duplicate_rule_id",
        "missing_effect",
        "conflicting_effects",
        "not_positive",
        "negative_value",
        "invalid_multiplier",
        "invalid_time",
        "empty_time_window",
        "invalid_date",
        "inverted_window",
        "invalid_month",
        "empty_list",
        "conflicting_filter",
        "mixed_group",
        "condition_not_applicable",
        "percent_out_of_range",
        "inverted_limits",
        "duplicate_tier_id",
        "missing_threshold",
        "invalid_window",
        "duplicate_coupon_id",
        "code_source_not_one",
        "invalid_code",
        "duplicate_code",
        "invalid_code_format",
        "unknown_coupon",
        # Profile merging: `[merge]` region and weights.
        "invalid_region",
        "invalid_weight",
        # Referral credit: `[referrals.qualify]` needs exactly one of `min_order` and `event`.
        "invalid_referral_qualify",
        # Insights: `[insights.rfm]` cut points and `[[insights.segments]]` rules.
        "cut_points_not_increasing",
        "invalid_score_range",
        "duplicate_segment",
        "segments_not_exhaustive",
    ],
    "request": [
        "syntax_error",
        "unknown_field",
        "missing_field",
        "invalid_type",
        "unknown_variant",
        "invalid_decimal",
        "float_not_allowed",
        "invalid_value",
        "missing_source",
        "ambiguous_source",
        "currency_mismatch",
        "invalid_timestamp",
        "empty_order",
        "negative_amount",
        "invalid_quantity",
        "discount_exceeds_line",
        "tax_exceeds_line",
        "empty_value",
        "invalid_counter",
        "date_out_of_range",
        "arithmetic_overflow",
        "unknown_campaign",
        "not_generated",
        "invalid_issue",
        "invalid_seed",
        "code_space_exhausted",
        "duplicate_profile",
        "duplicate_order",
        # Triggers: a customer's `time_zone`, and exactly one of `date` and `at`.
        "invalid_time_zone",
        "date_and_at_not_one",
        # Reports: a period that ends before it starts. Statistics of orders
        # as columns (Rust): columns that do not fit together.
        "invalid_period",
        "invalid_columns",
    ],
    "ledger": [
        "syntax_error",
        "unknown_field",
        "missing_field",
        "invalid_type",
        "unknown_variant",
        "invalid_decimal",
        "float_not_allowed",
        "invalid_value",
        "empty_id",
        "invalid_timestamp",
        "invalid_amount",
        "not_positive",
        "negative_amount",
        "zero_adjustment",
        "missing_reason",
        "conflicting_duplicate",
        "order_already_earned",
        "account_merged",
        "wrong_account_kind",
        "unknown_account",
        "same_account",
        "insufficient_points",
        "insufficient_funds",
        "unknown_order",
        "unknown_line",
        "refund_basis_missing",
        "over_refund",
        "nothing_to_refund",
        "unknown_target",
        "not_reversible",
        "redemption_not_configured",
        "below_minimum",
        "lines_mismatch",
        "out_of_order",
        "arithmetic_overflow",
    ],
    # loyalty_core::tiers::tier_error_codes(): the shape codes, the checks the
    # tier book shares with the ledger (same codes), then its own.
    "tiers": [
        "syntax_error",
        "unknown_field",
        "missing_field",
        "invalid_type",
        "unknown_variant",
        "invalid_decimal",
        "float_not_allowed",
        "invalid_value",
        "empty_id",
        "invalid_timestamp",
        "invalid_amount",
        "not_positive",
        "negative_amount",
        "conflicting_duplicate",
        "account_merged",
        "unknown_account",
        "same_account",
        "unknown_order",
        "unknown_line",
        "refund_basis_missing",
        "over_refund",
        "nothing_to_refund",
        "unknown_target",
        "not_reversible",
        "lines_mismatch",
        "out_of_order",
        "arithmetic_overflow",
        "tiers_not_configured",
        "unknown_tier",
        "override_ends_early",
        "duplicate_order",
        "already_reversed",
    ],
    # loyalty_core::referrals::referral_error_codes(): the shape codes, the
    # ledger checks the referral book shares (ids, instants, amounts,
    # duplicates, with the ledger's codes), then its own.
    "referrals": [
        "syntax_error",
        "unknown_field",
        "missing_field",
        "invalid_type",
        "unknown_variant",
        "invalid_decimal",
        "float_not_allowed",
        "invalid_value",
        "empty_id",
        "invalid_timestamp",
        "not_positive",
        "negative_amount",
        "conflicting_duplicate",
        "referrals_not_configured",
        "already_member",
        "duplicate_order",
    ],
}


def test_error_codes_have_not_drifted() -> None:
    assert loyalty.error_codes() == EXPECTED_ERROR_CODES


def test_error_codes_are_a_fresh_copy() -> None:
    codes = loyalty.error_codes()
    codes["program"].clear()
    assert loyalty.error_codes() == EXPECTED_ERROR_CODES


def test_exception_hierarchy() -> None:
    assert issubclass(loyalty.LoyaltyError, ValueError)
    assert issubclass(loyalty.ProgramError, loyalty.LoyaltyError)
    assert issubclass(loyalty.RequestError, loyalty.LoyaltyError)
    assert issubclass(loyalty.LedgerError, loyalty.LoyaltyError)
    assert issubclass(loyalty.TierError, loyalty.LoyaltyError)
    assert issubclass(loyalty.ReferralError, loyalty.LoyaltyError)
    leaves = (loyalty.ProgramError, loyalty.RequestError, loyalty.LedgerError, loyalty.TierError, loyalty.ReferralError)
    for a in leaves:
        for b in leaves:
            assert issubclass(a, b) == (a is b)
    for cls in (loyalty.LoyaltyError, *leaves):
        assert cls.__module__ == "loyalty"


def _bad_program(**rule: Any) -> dict[str, Any]:
    program = copy.deepcopy(PROGRAM)
    program["earn_rules"][0] = {"id": "base", **rule}
    return program


def _program_error(program: Any) -> loyalty.ProgramError:
    with pytest.raises(loyalty.ProgramError) as info:
        loyalty.Program.from_dict(program)
    return info.value


def _request_error(**kwargs: Any) -> loyalty.RequestError:
    program = loyalty.Program.from_dict(PROGRAM)
    with pytest.raises(loyalty.RequestError) as info:
        program.quote(**kwargs)
    return info.value


def test_bad_program_dict_gives_program_error_with_path() -> None:
    e = _program_error(_bad_program(rate={"points": "1", "per": "0"}))
    assert isinstance(e, ValueError)
    assert isinstance(e, loyalty.LoyaltyError)
    assert e.kind == "program"
    assert e.code == "not_positive"
    assert e.path == "earn_rules[0].rate.per"
    assert e.errors == [{"code": "not_positive", "path": "earn_rules[0].rate.per", "message": str(e)}]
    assert "earn_rules[0].rate.per" in str(e)


def test_every_program_error_is_listed_in_order() -> None:
    program = _bad_program(rate={"points": "-1", "per": "0"})
    program["currency"] = "XYZ"
    e = _program_error(program)
    codes = [(x["code"], x["path"]) for x in e.errors]
    assert len(codes) >= 2
    assert ("invalid_currency", "currency") in codes
    assert (e.code, e.path) == codes[0]
    assert str(e).startswith(e.errors[0]["message"])
    assert str(e).endswith(f"(and {len(codes) - 1} more)")
    assert all(set(x) == {"code", "path", "message"} for x in e.errors)


def test_float_in_program_gives_float_not_allowed() -> None:
    e = _program_error(_bad_program(rate={"points": "1", "per": 10.0}))
    assert (e.code, e.path) == ("float_not_allowed", "earn_rules[0].rate.per")


def test_float_in_request_gives_float_not_allowed() -> None:
    order = copy.deepcopy(ORDER)
    order["lines"][1]["unit_price"] = 9.75
    e = _request_error(order=order)
    assert e.kind == "request"
    assert (e.code, e.path) == ("float_not_allowed", "order.lines[1].unit_price")


@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf")])
def test_non_finite_float_gives_float_not_allowed(value: float) -> None:
    order = copy.deepcopy(ORDER)
    order["lines"][0]["quantity"] = value
    e = _request_error(order=order)
    assert (e.code, e.path) == ("float_not_allowed", "order.lines[0].quantity")


@pytest.mark.parametrize(
    "value, type_name",
    [({1, 2}, "set"), (object(), "object"), (b"bytes", "bytes"), (1j, "complex"), (datetime.time(9), "time")],
)
def test_unsupported_python_type_in_request(value: object, type_name: str) -> None:
    order = copy.deepcopy(ORDER)
    order["lines"][2]["sku"] = value
    e = _request_error(order=order)
    assert (e.code, e.path, e.kind) == ("invalid_type", "order.lines[2].sku", "request")
    assert f"`{type_name}`" in str(e)


def test_unsupported_python_type_in_program() -> None:
    e = _program_error(_bad_program(rate={"points": "1", "per": {"10"}}))
    assert (e.code, e.path, e.kind) == ("invalid_type", "earn_rules[0].rate.per", "program")


def test_unsupported_type_at_the_top_of_a_program() -> None:
    e = _program_error({1, 2})
    assert (e.code, e.path) == ("invalid_type", "")


def test_non_string_key_is_invalid_type() -> None:
    order = copy.deepcopy(ORDER)
    order["lines"][0] = {1: "x"}
    e = _request_error(order=order)
    assert (e.code, e.path) == ("invalid_type", "order.lines[0]")


def test_wrong_json_type_is_reported_by_the_core() -> None:
    e = _request_error(order={**ORDER, "lines": "not a list"})
    assert (e.code, e.path) == ("invalid_type", "order.lines")


@pytest.mark.parametrize("text", ["NaN", "Infinity", "-Infinity", "1.00000000000000000000000000001", "1E+40"])
def test_decimal_the_core_cannot_hold_is_invalid_decimal(text: str) -> None:
    # Never rounded silently: digits the engine cannot keep are an error.
    order = copy.deepcopy(ORDER)
    order["lines"][0]["unit_price"] = decimal.Decimal(text)
    e = _request_error(order=order)
    assert (e.code, e.path) == ("invalid_decimal", "order.lines[0].unit_price")


def test_integer_out_of_range_is_invalid_value() -> None:
    order = copy.deepcopy(ORDER)
    order["lines"][0]["quantity"] = 2**64
    e = _request_error(order=order)
    assert (e.code, e.path) == ("invalid_value", "order.lines[0].quantity")


def test_self_referencing_input_is_invalid_value_not_a_crash() -> None:
    lines: list[Any] = []
    lines.append(lines)
    e = _request_error(order={**ORDER, "lines": lines})
    assert e.code == "invalid_value"
    assert e.path.startswith("order.lines[0][0]")


def test_missing_source() -> None:
    e = _request_error()
    assert (e.code, e.path, e.kind) == ("missing_source", "", "request")


def test_json_and_toml_syntax_errors() -> None:
    with pytest.raises(loyalty.ProgramError) as info:
        loyalty.Program.from_json("{not json")
    assert info.value.code == "syntax_error"
    with pytest.raises(loyalty.ProgramError) as info:
        loyalty.Program.from_toml("schema_version = ")
    assert info.value.code == "syntax_error"


def test_binding_codes_are_core_codes() -> None:
    """Errors made while converting Python values use codes of the core's list."""
    codes = loyalty.error_codes()
    found = [
        _request_error(order={**ORDER, "id": {1}}),
        _request_error(order={**ORDER, "id": 2**80}),
        _request_error(order={**ORDER, "id": float("nan")}),
        _program_error({1: 2}),
    ]
    for e in found:
        assert e.code in codes[e.kind], e.code


def test_exception_pickles_with_its_attributes() -> None:
    e = _request_error(order={**ORDER, "lines": []})
    back = pickle.loads(pickle.dumps(e))
    assert type(back) is loyalty.RequestError
    assert (back.code, back.path, back.kind, back.errors) == (e.code, e.path, e.kind, e.errors)
    assert str(back) == str(e)


def test_errors_are_catchable_as_value_error() -> None:
    with pytest.raises(ValueError, match="per"):
        loyalty.Program.from_dict(_bad_program(rate={"points": "1", "per": "zero"}))

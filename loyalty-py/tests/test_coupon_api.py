"""The Python API of coupons: `Program.apply_coupons`, `check_code`,
`generate_codes`, the `coupons` of a quote and `loyalty.rejection_codes`.

Expected amounts are worked out by hand from the program below (SAR: two
decimals, discounts rounded half-up and split over lines by largest remainder).
"""

from __future__ import annotations

import copy
import decimal
import threading
from collections.abc import Mapping
from typing import Any

import pytest

import loyalty

PROGRAM_TOML = """
schema_version = 1
id = "riyadh-coffee"
currency = "SAR"
time_zone = "Asia/Riyadh"

[[earn_rules]]
id = "base"
rate = { points = "1", per = "1" }

[[coupons]]
id = "ten-percent"
code = "TEN10"
valid = { from = "2026-03-01", to = "2026-03-31" }
when = { categories = ["bakery"], min_spend = "30" }
discount = { type = "percent", percent = "10" }
limits = { per_customer = 2, total = 100 }

[[coupons]]
id = "spring"
code = "SPRING"
valid = { from = "2026-04-01", to = "2026-04-30" }
when = { min_spend = "100" }
discount = { type = "amount_off", amount = "15" }

[[coupons]]
id = "double"
code = "DOUBLE"
discount = { type = "points_multiplier", multiplier = "2" }

[[coupons]]
id = "bonus"
code = "BONUS50"
discount = { type = "points_bonus", points = "50" }

[[coupons]]
id = "mug"
code = "GIFT"
discount = { type = "free_gift", sku = "mug", value = "25" }

[[coupons]]
id = "bday"
codes = { kind = "personal", pattern = "BDY-####-####" }
discount = { type = "percent", percent = "20" }

[[coupons]]
id = "vip"
codes = { kind = "unique" }
discount = { type = "amount_off", amount = "5" }

[[coupons]]
id = "tiny"
codes = { kind = "unique", pattern = "T-##" }
discount = { type = "amount_off", amount = "1" }
"""

# Default alphabet of generated codes: 2-9 and A-Z without I, L, O (31 symbols).
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"

# Bakery 9.99 + 20.01 = 30.00 (just the minimum), coffee 45.00: 75.00 in all.
ORDER: dict[str, Any] = {
    "id": "o-1",
    "placed_at": "2026-03-10T09:00:00+03:00",
    "lines": [
        {"sku": "scone", "categories": ["bakery"], "quantity": "3", "unit_price": "3.33"},
        {"sku": "tart", "categories": ["bakery"], "quantity": "1", "unit_price": "20.01"},
        {"sku": "beans", "categories": ["coffee"], "quantity": "1", "unit_price": "45.00"},
    ],
}

# Every code a coupon can be refused with. A change here is a change of the
# public contract: update it on purpose, never to make the test pass.
SHARED_CONDITION_CODES = [
    "channel_not_matched",
    "store_not_matched",
    "payment_method_not_matched",
    "tier_not_matched",
    "attribute_not_matched",
    "card_required",
    "first_purchase_only",
    "not_first_purchase",
    "weekday_not_matched",
    "outside_local_time",
    "outside_dates",
    "month_not_matched",
    "birth_date_unknown",
    "not_birthday",
    "no_matching_lines",
    "min_spend_not_met",
    "min_quantity_not_met",
    "outranked",
]
COUPON_OWN_CODES = [
    "malformed_code",
    "bad_check_character",
    "unknown_code",
    "duplicate_code",
    "duplicate_campaign",
    "not_yet_active",
    "expired",
    "customer_required",
    "bound_to_other_customer",
    "code_used_up",
    "per_customer_limit_reached",
    "total_limit_reached",
    "budget_exhausted",
    "not_enough_items",
    "nothing_to_discount",
    "not_combinable",
    "too_many_coupons",
]


@pytest.fixture(scope="module")
def program() -> loyalty.Program:
    return loyalty.Program.from_toml(PROGRAM_TOML)


def apply(program: loyalty.Program, *codes: str, **request: Any) -> loyalty.CouponResult:
    request.setdefault("order", ORDER)
    request.setdefault("customer", {"id": "c-1"})
    return program.apply_coupons({**request, "coupons": [{"code": c} for c in codes]})


def reason_codes(result: loyalty.CouponResult) -> list[list[str]]:
    return [[r["code"] for r in x["reasons"]] for x in result["rejected"]]


# --- applying ------------------------------------------------------------------------------


def test_public_code_discounts_each_line_exactly(program: loyalty.Program) -> None:
    result = apply(program, " ten10 ")
    # 10% of the bakery lines' 30.00 is 3.00, split 9.99 : 20.01 = 0.999 : 2.001;
    # the cent left after 0.99 + 2.00 goes to the larger remainder (line 0).
    (accepted,) = result["accepted"]
    assert accepted == {
        "code": "TEN10",
        "campaign": "ten-percent",
        "kind": "percent",
        "discount": "3.00",
        "lines": [{"line": 0, "discount": "1.00"}, {"line": 1, "discount": "2.00"}],
    }
    assert result["lines"] == [
        {"line": 0, "sku": "scone", "amount": "9.99", "discount": "1.00", "total": "8.99"},
        {"line": 1, "sku": "tart", "amount": "20.01", "discount": "2.00", "total": "18.01"},
        {"line": 2, "sku": "beans", "amount": "45.00", "discount": "0.00", "total": "45.00"},
    ]
    assert (result["subtotal"], result["discount"], result["total"]) == ("75.00", "3.00", "72.00")
    assert (result["program"], result["order"], result["currency"]) == ("riyadh-coffee", "o-1", "SAR")
    assert result["local_time"] == "2026-03-10T09:00:00+03:00"
    assert result["rejected"] == []
    assert result["points_coupons"] == []
    # The order to quote and post: the coupon's cents added to the lines' discounts.
    assert [line["discount"] for line in result["order_after"]["lines"]] == ["1.00", "2.00", "0"]


def test_counters_come_back_with_this_order_added(program: loyalty.Program) -> None:
    first = apply(program, "TEN10")
    assert first["counters"] == {"ten-percent": {"uses": 1, "customer_uses": 1, "discount": "3.00"}}
    counters = {"ten-percent": {"uses": 7, "customer_uses": 1, "discount": "40"}}
    again = apply(program, "TEN10", counters=counters)
    assert again["counters"] == {"ten-percent": {"uses": 8, "customer_uses": 2, "discount": "43.00"}}
    assert counters["ten-percent"]["uses"] == 7  # the caller's dict is left alone
    # The customer's second use was the last one the campaign allows.
    used_up = apply(program, "TEN10", counters=again["counters"])
    assert used_up["accepted"] == []
    assert used_up["rejected"] == [
        {
            "code": "TEN10",
            "campaign": "ten-percent",
            "reasons": [{"code": "per_customer_limit_reached", "limit": 2, "used": 2}],
        }
    ]
    # A rejected coupon counts nothing.
    assert used_up["counters"] == again["counters"]


def test_rejection_lists_every_reason_with_its_numbers(program: loyalty.Program) -> None:
    # SPRING starts in April and needs 100 of spend; the order is a March one of 75.00.
    result = apply(program, "spring", "TEN10")
    assert result["rejected"] == [
        {
            "code": "spring",  # as typed
            "campaign": "spring",
            "reasons": [
                {"code": "not_yet_active", "from": "2026-04-01", "date": "2026-03-10"},
                {"code": "min_spend_not_met", "required": "100", "actual": "75.00"},
            ],
        }
    ]
    # The other coupon is applied as if SPRING had not been typed.
    assert [a["code"] for a in result["accepted"]] == ["TEN10"]
    assert result["total"] == "72.00"
    # Every limit that is reached is listed, not just the first.
    counters = {"ten-percent": {"uses": 100, "customer_uses": 2, "discount": "0"}}
    assert apply(program, "TEN10", counters=counters)["rejected"][0]["reasons"] == [
        {"code": "per_customer_limit_reached", "limit": 2, "used": 2},
        {"code": "total_limit_reached", "limit": 100, "used": 100},
    ]


def test_rejections_for_date_spend_and_customer(program: loyalty.Program) -> None:
    april = {**ORDER, "placed_at": "2026-04-02T09:00:00+03:00"}
    assert apply(program, "TEN10", order=april)["rejected"][0]["reasons"] == [
        {"code": "expired", "to": "2026-03-31", "date": "2026-04-02"}
    ]
    small = {**ORDER, "lines": ORDER["lines"][:1]}
    assert apply(program, "TEN10", order=small)["rejected"][0]["reasons"] == [
        {"code": "min_spend_not_met", "required": "30", "actual": "9.99"}
    ]
    # A per-customer limit needs to know the customer.
    assert reason_codes(apply(program, "TEN10", customer={})) == [["customer_required"]]
    assert reason_codes(apply(program, "TEN10", "ten10")) == [["duplicate_code"]]
    assert reason_codes(apply(program, "NOPE")) == [["unknown_code"]]


def test_free_gift_is_a_reward_line(program: loyalty.Program) -> None:
    result = apply(program, "GIFT")
    (accepted,) = result["accepted"]
    assert accepted["gift"] == {"line": 3, "sku": "mug", "value": "25.00"}
    assert accepted["discount"] == "0.00"  # gifts are not money off the order
    assert result["lines"][3] == {"line": 3, "sku": "mug", "amount": "25.00", "discount": "25.00", "total": "0.00"}
    gift = result["order_after"]["lines"][3]
    assert (gift["sku"], gift["kind"], gift["unit_price"], gift["discount"]) == ("mug", "reward", "25.00", "25.00")
    assert (result["subtotal"], result["total"]) == ("75.00", "75.00")
    # The gift's value is counted against the campaign's budget.
    assert result["counters"]["mug"]["discount"] == "25.00"


def test_python_types_are_converted_exactly(program: loyalty.Program) -> None:
    order = copy.deepcopy(ORDER)
    order["lines"][0]["unit_price"] = decimal.Decimal("3.33")
    order["lines"][1]["quantity"] = 1
    counters = {"ten-percent": {"uses": 7, "customer_uses": 1, "discount": decimal.Decimal("40")}}
    as_python = program.apply_coupons(
        {"order": order, "customer": {"id": "c-1"}, "coupons": ({"code": "TEN10"},), "counters": counters}
    )
    as_text = apply(program, "TEN10", counters={"ten-percent": {"uses": 7, "customer_uses": 1, "discount": "40"}})
    assert as_python == as_text


def test_answers_are_fresh_data(program: loyalty.Program) -> None:
    result = apply(program, "TEN10")
    result["accepted"].clear()
    assert len(apply(program, "TEN10")["accepted"]) == 1


# --- points coupons and quoting the order after ---------------------------------------------


def test_points_coupon_earns_more_when_quoted_with_it(program: loyalty.Program) -> None:
    result = apply(program, "DOUBLE", "BONUS50")
    assert result["points_coupons"] == ["double", "bonus"]
    assert [a.get("points") for a in result["accepted"]] == [
        {"rule": "coupon:double", "multiplier": "2"},
        {"rule": "coupon:bonus", "bonus": "50"},
    ]
    assert result["discount"] == "0.00"
    plain = program.quote(ORDER)
    assert plain.total == decimal.Decimal("75")
    doubled = program.quote(ORDER, coupons=["double"])
    assert doubled.total == decimal.Decimal("150")
    assert [(a.rule, a.points) for a in doubled.awards] == [
        ("base", decimal.Decimal("75")),
        ("coupon:double", decimal.Decimal("75")),
    ]
    both = program.quote(ORDER, coupons=result["points_coupons"])
    assert both.total == decimal.Decimal("200")
    # The keyword and the request field are the same thing.
    assert both == program.quote_request({"order": ORDER, "coupons": result["points_coupons"]})
    assert program.quote(ORDER, coupons=("bonus",)).total == decimal.Decimal("125")
    assert program.quote(ORDER, coupons=[]) == plain


def test_order_after_earns_on_what_was_paid_and_the_gift_earns_nothing(program: loyalty.Program) -> None:
    result = apply(program, "TEN10", "DOUBLE", "GIFT")
    assert [a["campaign"] for a in result["accepted"]] == ["ten-percent", "double", "mug"]
    assert result["total"] == "72.00"
    quote = program.quote(result["order_after"], customer={"id": "c-1"}, coupons=result["points_coupons"])
    assert quote.eligible_spend == decimal.Decimal("72.00")
    assert [(line.sku, line.eligible, line.excluded) for line in quote.lines] == [
        ("scone", decimal.Decimal("8.99"), None),
        ("tart", decimal.Decimal("18.01"), None),
        ("beans", decimal.Decimal("45.00"), None),
        ("mug", decimal.Decimal("0.00"), "reward"),
    ]
    # 72 base points, doubled by the points coupon; the original order would give 150.
    assert quote.total == decimal.Decimal("144")
    assert program.quote(ORDER, coupons=["double"]).total == decimal.Decimal("150")


def test_a_reward_line_earns_nothing_on_its_own(program: loyalty.Program) -> None:
    mug = {"sku": "mug", "quantity": "1", "unit_price": "25.00", "kind": "reward"}
    order = {**ORDER, "lines": [*ORDER["lines"], mug]}
    quote = program.quote(order)
    assert quote.total == decimal.Decimal("75")
    assert quote.lines[3].excluded == "reward"


# --- codes -----------------------------------------------------------------------------------


def test_check_code_of_a_public_code(program: loyalty.Program) -> None:
    assert program.check_code(" ten10") == {
        "input": " ten10",
        "ok": True,
        "code": "TEN10",
        "kind": "public",
        "campaigns": ["ten-percent"],
        "reasons": [],
    }
    # Dashes do not matter either.
    assert program.check_code("Ten-10").get("code") == "TEN10"
    assert [a["code"] for a in apply(program, "t-e-n 1 0")["accepted"]] == ["TEN10"]
    assert program.check_code("HELLO") == {
        "input": "HELLO",
        "ok": False,
        "campaigns": [],
        "reasons": [{"code": "unknown_code"}],
    }


def _slots(code: str, pattern: str) -> list[int]:
    assert len(code) == len(pattern)
    return [i for i, c in enumerate(pattern) if c == "#"]


def test_check_code_catches_every_typo_of_a_generated_code(program: loyalty.Program) -> None:
    (generated,) = program.generate_codes({"campaign": "bday", "customers": ["c-1"], "seed": "42"})["codes"]
    code = generated["code"]
    ok = program.check_code(code)
    assert ok == {"input": code, "ok": True, "code": code, "kind": "personal", "campaigns": ["bday"], "reasons": []}
    # Case, spaces and dashes do not matter.
    assert program.check_code(code.lower().replace("-", " ")).get("code") == code
    assert program.check_code(code.replace("-", "")).get("code") == code
    slots = _slots(code, "BDY-####-####")
    # Every single mistyped symbol ...
    for i in slots:
        for symbol in ALPHABET.replace(code[i], ""):
            typo = code[:i] + symbol + code[i + 1 :]
            check = program.check_code(typo)
            assert (check["ok"], check["reasons"], check["campaigns"]) == (
                False,
                [{"code": "bad_check_character"}],
                ["bday"],
            ), typo
            assert "code" not in check and "kind" not in check
    # ... and every swap of two different neighbouring symbols (across the dash too).
    for i, j in zip(slots, slots[1:]):
        if code[i] != code[j]:
            swapped = list(code)
            swapped[i], swapped[j] = swapped[j], swapped[i]
            assert program.check_code("".join(swapped))["reasons"] == [{"code": "bad_check_character"}]
    # A symbol outside the alphabet is a malformed code, not a typo.
    check = program.check_code(code[:-1] + "I")
    assert [r["code"] for r in check["reasons"]] == ["malformed_code"]
    assert "`I`" in check["reasons"][0]["detail"]


def test_generate_with_a_seed_is_reproducible(program: loyalty.Program) -> None:
    request: loyalty.GenerateRequest = {"campaign": "vip", "count": 5, "seed": "2026"}
    first = program.generate_codes(request)
    assert program.generate_codes(request) == first
    assert program.generate_codes({**request, "seed": " 2026 "}) == first
    other = program.generate_codes({**request, "seed": "2027"})
    assert {c["code"] for c in other["codes"]}.isdisjoint(c["code"] for c in first["codes"])
    # The first codes of a longer run are the same codes.
    longer = program.generate_codes({**request, "count": 8})
    assert longer["codes"][:5] == first["codes"]
    assert first["campaign"] == "vip"
    # 11 random symbols and a check character: 31**11 well-formed codes.
    assert first["odds"] == {"issued": 5, "space": str(31**11), "per_guess": "1.97e-16"}


def test_generate_without_a_seed_uses_the_operating_system(program: loyalty.Program) -> None:
    a = program.generate_codes({"campaign": "vip", "count": 20})
    b = program.generate_codes({"campaign": "vip", "count": 20})
    codes_a = [c["code"] for c in a["codes"]]
    codes_b = [c["code"] for c in b["codes"]]
    assert len(set(codes_a)) == 20
    assert set(codes_a).isdisjoint(codes_b)
    for generated in a["codes"] + b["codes"]:
        assert generated["issued"] == {"campaign": "vip", "uses": 0}  # no customer: a unique code
        check = program.check_code(generated["code"])
        assert (check["ok"], check.get("code"), check.get("kind"), check["campaigns"]) == (
            True,
            generated["code"],
            "unique",
            ["vip"],
        )


def test_generate_avoids_existing_codes(program: loyalty.Program) -> None:
    first = program.generate_codes({"campaign": "tiny", "count": 10, "seed": "1"})
    existing = [c["code"] for c in first["codes"]]
    assert all(len(c) == 4 and c.startswith("T-") for c in existing)
    more = program.generate_codes({"campaign": "tiny", "count": 5, "seed": "1", "existing": existing})
    assert set(existing).isdisjoint(c["code"] for c in more["codes"])
    # One random symbol and a check character: 31 codes; 15 issued of them.
    assert more["odds"] == {"issued": 15, "space": "31", "per_guess": "4.84e-1"}
    # More than half the space is refused up front.
    with pytest.raises(loyalty.RequestError) as info:
        program.generate_codes({"campaign": "tiny", "count": 6, "seed": "1", "existing": existing})
    assert (info.value.code, info.value.path) == ("code_space_exhausted", "count")


def test_personal_codes_carry_their_customer(program: loyalty.Program) -> None:
    customers = ["c-3", "c-1", "c-2"]
    generated = program.generate_codes({"campaign": "bday", "customers": customers, "seed": "9"})
    assert [c["issued"] for c in generated["codes"]] == [
        {"campaign": "bday", "customer": c, "uses": 0} for c in customers
    ]
    assert all(c["code"].startswith("BDY-") for c in generated["codes"])
    mine = generated["codes"][1]  # c-1's
    accepted = program.apply_coupons({"order": ORDER, "customer": {"id": "c-1"}, "coupons": [mine]})
    # 20% of 75.00 over three lines: 2.00, 4.00 (4.002), 9.00; the record's uses + 1 to store.
    ((campaign, discount, lines, uses),) = [
        (a["campaign"], a["discount"], a["lines"], a.get("code_uses")) for a in accepted["accepted"]
    ]
    assert (campaign, discount, uses) == ("bday", "15.00", 1)
    assert lines == [{"line": 0, "discount": "2.00"}, {"line": 1, "discount": "4.00"}, {"line": 2, "discount": "9.00"}]
    # Someone else's code, no customer, a used code, no record at all.
    cases: list[tuple[Mapping[str, Any], Mapping[str, Any], str]] = [
        (mine, {"id": "c-2"}, "bound_to_other_customer"),
        (mine, {}, "customer_required"),
        ({**mine, "issued": {**mine["issued"], "uses": 1}}, {"id": "c-1"}, "code_used_up"),
        ({"code": mine["code"]}, {"id": "c-1"}, "unknown_code"),
    ]
    for coupon, customer, code in cases:
        result = program.apply_coupons({"order": ORDER, "customer": customer, "coupons": [coupon]})
        assert reason_codes(result) == [[code]], code
    used = program.apply_coupons(
        {"order": ORDER, "customer": {"id": "c-1"}, "coupons": [{**mine, "issued": {**mine["issued"], "uses": 1}}]}
    )
    assert used["rejected"][0]["reasons"] == [{"code": "code_used_up", "limit": 1, "used": 1}]


def test_check_warns_of_codes_easy_to_guess(program: loyalty.Program) -> None:
    # With a million codes out: 1e6 / 31**7 for `BDY-####-####`, all 31 codes for `T-##`;
    # the default pattern (31**11 codes) is safe.
    warnings = program.check()
    assert [(w["code"], w["path"]) for w in warnings] == [
        ("weak_codes", "coupons[5].codes.pattern"),
        ("weak_codes", "coupons[7].codes.pattern"),
    ]
    assert "`bday`" in warnings[0]["message"] and "3.63e-5" in warnings[0]["message"]
    assert {w["code"] for w in warnings} <= set(loyalty.warning_codes())


# --- errors ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "request_, code, path",
    [
        ({"campaign": "nope", "count": 1}, "unknown_campaign", "campaign"),
        ({"campaign": "spring", "count": 1}, "not_generated", "campaign"),
        ({"campaign": "vip"}, "invalid_issue", "count"),
        ({"campaign": "vip", "count": 1, "customers": ["c-1"]}, "invalid_issue", "count"),
        ({"campaign": "bday", "count": 1}, "invalid_issue", "customers"),
        ({"campaign": "bday", "customers": ["c-1"], "count": 2}, "invalid_issue", "count"),
        ({"campaign": "bday", "customers": ["c-1", ""]}, "empty_value", "customers[1]"),
        ({"campaign": "vip", "count": 1, "seed": "x"}, "invalid_seed", "seed"),
        ({"campaign": "vip", "count": 1, "seed": "-1"}, "invalid_seed", "seed"),
        ({"campaign": "vip", "count": 1, "seed": 42}, "invalid_type", "seed"),
        ({"campaign": "vip", "count": "3"}, "invalid_type", "count"),
        ({"campaign": "vip", "count": 1, "sead": "1"}, "unknown_field", "sead"),
        ({"campaign": "vip", "count": 1, "existing": [{1}]}, "invalid_type", "existing[0]"),
    ],
)
def test_generate_errors_are_request_errors(
    program: loyalty.Program, request_: dict[str, Any], code: str, path: str
) -> None:
    with pytest.raises(loyalty.RequestError) as info:
        program.generate_codes(request_)
    e = info.value
    assert (e.kind, e.code, e.path) == ("request", code, path)
    assert e.errors[0]["code"] == code
    assert code in loyalty.error_codes()["request"]


def test_unknown_campaign_message_names_it(program: loyalty.Program) -> None:
    with pytest.raises(loyalty.RequestError, match="`nope`"):
        program.generate_codes({"campaign": "nope", "count": 1})


def test_apply_reports_every_request_error(program: loyalty.Program) -> None:
    with pytest.raises(loyalty.RequestError) as info:
        program.apply_coupons(
            {
                "order": ORDER,
                "coupons": [{"code": "X", "issued": {"campaign": "nope"}}, {"code": " "}],
                "counters": {"gone": {"uses": 1}},
            }
        )
    assert [(x["code"], x["path"]) for x in info.value.errors] == [
        ("unknown_campaign", "coupons[0].issued.campaign"),
        ("empty_value", "coupons[1].code"),
        ("unknown_campaign", "counters.gone"),
    ]
    assert (info.value.code, info.value.path) == ("unknown_campaign", "coupons[0].issued.campaign")


@pytest.mark.parametrize(
    "change, code, path",
    [
        (
            lambda r: r["coupons"].append({"code": "X", "issued": {"campaign": "spring"}}),
            "not_generated",
            "coupons[0].issued.campaign",
        ),
        (
            lambda r: r["coupons"].append({"code": "X", "issued": {"campaign": "bday"}}),
            "invalid_issue",
            "coupons[0].issued.customer",
        ),
        (lambda r: r.pop("coupons"), "missing_field", "coupons"),
        (lambda r: r.update(extra=1), "unknown_field", "extra"),
        (lambda r: r["order"]["lines"][0].update(unit_price=3.33), "float_not_allowed", "order.lines[0].unit_price"),
        (lambda r: r["order"]["lines"][0].update(sku={"x"}), "invalid_type", "order.lines[0].sku"),
        (lambda r: r["order"].update(currency="USD"), "currency_mismatch", "order.currency"),
        (lambda r: r["order"].update(lines=[]), "empty_order", "order.lines"),
        (
            lambda r: r["counters"].update({"ten-percent": {"discount": 1.5}}),
            "float_not_allowed",
            "counters.ten-percent.discount",
        ),
    ],
)
def test_apply_errors_are_request_errors(program: loyalty.Program, change: Any, code: str, path: str) -> None:
    request = {"order": copy.deepcopy(ORDER), "coupons": [], "counters": {}}
    change(request)
    with pytest.raises(loyalty.RequestError) as info:
        program.apply_coupons(request)
    assert (info.value.kind, info.value.code, info.value.path) == ("request", code, path)


def test_arguments_of_the_wrong_kind(program: loyalty.Program) -> None:
    with pytest.raises(loyalty.RequestError) as info:
        program.apply_coupons("TEN10")  # type: ignore[arg-type]
    assert (info.value.code, info.value.path) == ("invalid_type", "")
    with pytest.raises(TypeError):
        program.check_code(None)  # type: ignore[arg-type]


def test_quote_coupons_must_be_a_list_of_ids(program: loyalty.Program) -> None:
    with pytest.raises(loyalty.RequestError) as info:
        program.quote(ORDER, coupons="double")  # a str is a Sequence[str] to type checkers
    assert (info.value.code, info.value.path) == ("invalid_type", "coupons")
    with pytest.raises(loyalty.RequestError) as info:
        program.quote(ORDER, coupons=[1])  # type: ignore[list-item]
    assert (info.value.code, info.value.path) == ("invalid_type", "coupons[0]")


# --- codes and shapes ------------------------------------------------------------------------


def test_rejection_codes_have_not_drifted() -> None:
    codes = loyalty.rejection_codes()
    assert codes == SHARED_CONDITION_CODES + COUPON_OWN_CODES
    assert len(set(codes)) == len(codes)
    codes.clear()
    assert loyalty.rejection_codes() == SHARED_CONDITION_CODES + COUPON_OWN_CODES


def test_reasons_given_are_listed_codes(program: loyalty.Program) -> None:
    results = [
        apply(program, "SPRING", "TEN10", "TEN10", "NOPE", "BDY-2222-2222"),
        apply(program, "TEN10", customer={}),
        apply(program, "TEN10", counters={"ten-percent": {"uses": 100, "customer_uses": 2}}),
    ]
    given = {r["code"] for result in results for x in result["rejected"] for r in x["reasons"]}
    given |= {r["code"] for code in ("BDY-2222-222I", "BDY-2222-2223") for r in program.check_code(code)["reasons"]}
    assert given == {
        "not_yet_active",
        "min_spend_not_met",
        "duplicate_code",
        "unknown_code",
        "bad_check_character",
        "malformed_code",
        "customer_required",
        "per_customer_limit_reached",
        "total_limit_reached",
    }
    assert given <= set(loyalty.rejection_codes())


def _assert_shape(value: Any, typed_dict: Any) -> None:
    """`value` has every required key of `typed_dict` and no key it does not declare."""
    keys = set(value)
    assert typed_dict.__required_keys__ <= keys, (typed_dict.__name__, keys)
    assert keys <= typed_dict.__required_keys__ | typed_dict.__optional_keys__, (typed_dict.__name__, keys)


def test_answers_have_the_keys_their_typed_dicts_declare(program: loyalty.Program) -> None:
    result = apply(program, "TEN10", "DOUBLE", "GIFT", "SPRING")
    _assert_shape(result, loyalty.CouponResult)
    for accepted in result["accepted"]:
        _assert_shape(accepted, loyalty.AcceptedCoupon)
        for line in accepted["lines"]:
            _assert_shape(line, loyalty.LineDiscount)
        if "gift" in accepted:
            _assert_shape(accepted["gift"], loyalty.Gift)
        if "points" in accepted:
            _assert_shape(accepted["points"], loyalty.PointsEffect)
    for rejected in result["rejected"]:
        _assert_shape(rejected, loyalty.RejectedCoupon)
    for line in result["lines"]:
        _assert_shape(line, loyalty.CouponLine)
    for counter in result["counters"].values():
        _assert_shape(counter, loyalty.CouponCounter)
    assert {"gift", "points"} <= {k for a in result["accepted"] for k in a}
    # SPRING as 50% off at most 10, on an April order of 115.00.
    spring = 'discount = { type = "amount_off", amount = "15" }'
    capped_program = loyalty.Program.from_toml(
        PROGRAM_TOML.replace(spring, 'discount = { type = "percent", percent = "50", max = "10" }')
    )
    cup = {"sku": "cup", "quantity": "1", "unit_price": "40.00"}
    april = {**ORDER, "placed_at": "2026-04-02T09:00:00+03:00", "lines": [*ORDER["lines"], cup]}
    capped = capped_program.apply_coupons({"order": april, "coupons": [{"code": "SPRING"}]})
    (accepted,) = capped["accepted"]
    assert accepted.get("capped") == {"by": "max", "uncapped": "57.50"}
    _assert_shape(accepted["capped"], loyalty.DiscountCap)
    check = program.check_code("TEN10")
    _assert_shape(check, loyalty.CodeCheck)
    _assert_shape(program.check_code("NOPE"), loyalty.CodeCheck)
    for generate in ({"campaign": "bday", "customers": ["c-1"], "seed": "1"}, {"campaign": "vip", "count": 1}):
        generated = program.generate_codes(generate)
        _assert_shape(generated, loyalty.GeneratedCodes)
        _assert_shape(generated["odds"], loyalty.GuessOdds)
        for code in generated["codes"]:
            _assert_shape(code, loyalty.GeneratedCode)
            _assert_shape(code["issued"], loyalty.IssuedCode)


def test_from_threads(program: loyalty.Program) -> None:
    expected = apply(program, "TEN10", "GIFT", "SPRING")
    seeded = program.generate_codes({"campaign": "vip", "count": 50, "seed": "5"})
    failures: list[str] = []

    def work() -> None:
        for _ in range(50):
            if apply(program, "TEN10", "GIFT", "SPRING") != expected:
                failures.append("apply")
            if program.generate_codes({"campaign": "vip", "count": 50, "seed": "5"}) != seeded:
                failures.append("generate")

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []

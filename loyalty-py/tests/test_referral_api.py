"""The Python API of referral credit: `loyalty.ReferralBook`, `Program.referral_book`,
`Program.check_referral_code`, `ReferralError` and `loyalty.referral_reason_codes`."""

from __future__ import annotations

import copy
import datetime
import decimal
import doctest
import json
import math
import pathlib
import pickle
import random
import threading
import typing
from collections.abc import Iterator
from typing import Any

import pytest
from canonical_json import canonical
from programs import PROGRAM

import loyalty

TEHRAN = datetime.timezone(datetime.timedelta(hours=3, minutes=30))

REFERRALS_TOML = """
schema_version = 1
id = "tehran-cafe"
currency = "IRR"
time_zone = "Asia/Tehran"

[merge]
region = "IR"

[referrals]
qualify = { min_order = "500000", within_days = 30 }
return_days = 14
referrer = { points = "100" }
referee = { points = "50" }
"""

# The same, with coupons on both sides, a bonus at the second success and a
# cap of two paid referrals a month.
COUPONS_TOML = """
schema_version = 1
id = "tehran-cafe"
currency = "IRR"
time_zone = "Asia/Tehran"

[referrals]
qualify = { min_order = "500000", within_days = 30 }
return_days = 14
referrer = { points = "100", coupon = "free-cake" }
referee = { coupon = "free-cake" }
bonuses = [{ at = 2, points = "70" }]
cap = { max = 2, period = "month" }

[[coupons]]
id = "free-cake"
codes = { kind = "personal" }
discount = { type = "percent", percent = "100" }
"""

MARCH_1 = "2026-03-01T10:00:00+03:30"
MARCH_2 = "2026-03-02T10:00:00+03:30"
MARCH_5 = "2026-03-05T12:00:00+03:30"
# The return window of an order on MARCH_5 closes 14 days later.
PAYS_AT = "2026-03-19T12:00:00+03:30"
JUST_BEFORE = "2026-03-19T11:59:59+03:30"
MARCH_20 = "2026-03-20T12:00:00+03:30"
APRIL_1 = "2026-04-01T00:00:00+03:30"

SARA_CODE = "REF-XAW9-XWTN"  # derived from the program id and `sara`: the same in every runtime


def member(id: str, who: str, at: str = MARCH_1, **extra: Any) -> dict[str, Any]:
    return {"type": "member", "id": id, "member": who, "at": at, **extra}


def signup(id: str, referee: str, code: str, at: str = MARCH_2, **extra: Any) -> dict[str, Any]:
    return {"type": "signup", "id": id, "referee": referee, "code": code, "at": at, **extra}


def order(id: str, account: str, order: str, amount: str, at: str = MARCH_5) -> dict[str, Any]:
    return {"type": "order", "id": id, "account": account, "order": order, "amount": amount, "at": at}


def phone(number: str) -> dict[str, Any]:
    return {"profile": {"id": "p", "phones": number}}


@pytest.fixture(scope="module")
def program() -> loyalty.Program:
    return loyalty.Program.from_toml(REFERRALS_TOML)


@pytest.fixture
def book(program: loyalty.Program) -> loyalty.ReferralBook:
    return program.referral_book()


def sara_refers_reza(book: loyalty.ReferralBook) -> None:
    """Sara joins, Reza signs up with her code and qualifies with an order on MARCH_5."""
    assert book.post(member("e1", "sara"))["code"] == SARA_CODE
    assert book.post(signup("e2", "reza", SARA_CODE))["referrals"][0]["status"] == "linked"
    assert book.post(order("e3", "reza", "o-1", "750000"))["referrals"][0]["status"] == "pending"


def _codes(e: loyalty.LoyaltyError) -> tuple[str, str, str]:
    return (e.kind, e.code, e.path)


def _assert_shape(value: Any, typed_dict: Any) -> None:
    """`value` has every required key of `typed_dict` and no key it does not declare."""
    keys = set(value)
    assert typed_dict.__required_keys__ <= keys, (typed_dict.__name__, keys)
    assert keys <= typed_dict.__required_keys__ | typed_dict.__optional_keys__, (typed_dict.__name__, keys)


# --- the book object ------------------------------------------------------------------------


def test_new_book_is_empty_and_follows_its_program(program: loyalty.Program, book: loyalty.ReferralBook) -> None:
    assert len(book) == 0
    assert book.referrals() == []
    assert book.program is program
    assert repr(book) == "ReferralBook(program='tehran-cafe', referrals=0)"
    assert isinstance(loyalty.ReferralBook(program), loyalty.ReferralBook)


def test_len_and_repr_count_referrals(book: loyalty.ReferralBook) -> None:
    sara_refers_reza(book)
    assert len(book) == 1
    assert repr(book) == "ReferralBook(program='tehran-cafe', referrals=1)"


def test_book_needs_a_program() -> None:
    with pytest.raises(TypeError):
        loyalty.ReferralBook({"schema_version": 1})  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        loyalty.ReferralBook()  # type: ignore[call-arg]


def test_program_without_referrals_is_refused_with_referrals_not_configured() -> None:
    plain = loyalty.Program.from_dict(PROGRAM)
    for make in (
        plain.referral_book,
        lambda: loyalty.ReferralBook(plain),
        lambda: loyalty.ReferralBook.replay(plain, [member("e1", "sara")]),
        lambda: plain.check_referral_code(SARA_CODE),
    ):
        with pytest.raises(loyalty.ReferralError) as info:
            make()
        assert _codes(info.value) == ("referrals", "referrals_not_configured", "")
        assert info.value.errors == [
            {"code": "referrals_not_configured", "path": "", "message": "the program has no referrals"}
        ]


# --- fraud guards -----------------------------------------------------------------------------


def test_self_referral_by_the_same_phone_in_two_formats_is_refused_with_evidence(
    book: loyalty.ReferralBook,
) -> None:
    code = book.post(member("e1", "sara", identity=phone("+98 912 345 6789")))["code"]
    # Persian digits and a leading 0 instead of +98: the same number after normalization.
    refused = book.post(signup("e2", "sara-2", code.lower(), identity=phone("۰۹۱۲ ۳۴۵ ۶۷۸۹")))
    assert refused == {
        "event": "e2",
        "status": "applied",
        "rejected": [{"code": "self_referral", "evidence": [{"kind": "phone", "value": "+989123456789"}]}],
    }
    assert book.referral("sara-2") is None
    assert book.referrals() == []
    # Another phone is a real friend.
    linked = book.post(signup("e3", "reza", code, identity=phone("0912 000 0000")))
    assert "rejected" not in linked
    assert book.referral("reza") == linked["referrals"][0]


def test_first_link_wins(book: loyalty.ReferralBook) -> None:
    book.post(member("e1", "sara"))
    ali_code = book.post(member("e2", "ali"))["code"]
    book.post(signup("e3", "reza", SARA_CODE))
    second = book.post(signup("e4", "reza", ali_code, at="2026-03-03T10:00:00+03:30"))
    assert second["rejected"] == [
        {
            "code": "already_referred",
            "evidence": [{"kind": "referrer", "value": "sara"}, {"kind": "linked_at", "value": MARCH_2}],
        }
    ]
    assert "referrals" not in second
    referral = book.referral("reza")
    assert referral is not None and referral["referrer"] == "sara"
    assert [r["referee"] for r in book.referrals()] == ["reza"]


def test_a_signup_is_refused_with_every_reason_that_holds(book: loyalty.ReferralBook) -> None:
    book.post(member("e1", "sara", identity={"devices": ["phone-1"]}))
    # Sara signing up with her own code, from her own device, after joining.
    refused = book.post(signup("e2", "sara", SARA_CODE, identity={"devices": ["phone-1"]}))
    assert [r["code"] for r in refused["rejected"]] == ["self_referral", "existing_customer"]
    assert refused["rejected"][0]["evidence"] == [{"kind": "account", "value": "sara"}, {"kind": "device", "value": "phone-1"}]
    assert refused["rejected"][1]["evidence"] == [{"kind": "member_since", "value": MARCH_1}]


def test_typed_codes_are_checked_before_lookup(program: loyalty.Program, book: loyalty.ReferralBook) -> None:
    book.post(member("e1", "sara"))
    typo = SARA_CODE[:-1] + "M"
    assert program.check_referral_code("ref xaw9 xwtn") == {"ok": True, "code": SARA_CODE}
    check = program.check_referral_code(typo)
    assert check["ok"] is False and "code" not in check
    assert check["reason"]["code"] == "bad_check_character"
    assert program.check_referral_code("hello")["reason"]["code"] == "malformed_code"
    assert book.post(signup("e2", "reza", typo))["rejected"][0]["code"] == "bad_check_character"
    assert book.resolve("ref-xaw9-xwtn") == "sara"
    assert book.resolve(typo) is None
    assert book.resolve("REF-2222-2222") is None


# --- qualification, settlement, refunds --------------------------------------------------------


def test_settle_pays_once_when_the_return_window_closes(book: loyalty.ReferralBook) -> None:
    sara_refers_reza(book)
    assert book.settle(JUST_BEFORE) == {"at": JUST_BEFORE}
    paid = book.settle(PAYS_AT)
    assert [(e["type"], e["id"], e["account"], e["points"], e["at"]) for e in paid["ledger"]] == [
        ("earn", "referral:reza:referrer", "sara", "100", PAYS_AT),
        ("earn", "referral:reza:referee", "reza", "50", PAYS_AT),
    ]
    assert [(r["referee"], r["status"], r.get("success")) for r in paid["referrals"]] == [("reza", "credited", 1)]
    # Settling again, at the same instant or later, pays nothing twice.
    assert book.settle(PAYS_AT) == {"at": PAYS_AT}
    assert book.settle(APRIL_1) == {"at": APRIL_1}
    referral = book.referral("reza")
    assert referral is not None and referral["status"] == "credited"


def test_order_below_the_minimum_does_not_qualify(book: loyalty.ReferralBook) -> None:
    book.post(member("e1", "sara"))
    book.post(signup("e2", "reza", SARA_CODE))
    small = book.post(order("e3", "reza", "o-1", "499999"))
    assert small["rejected"] == [
        {"code": "below_minimum", "evidence": [{"kind": "required", "value": "500000"}, {"kind": "actual", "value": "499999"}]}
    ]
    referral = book.referral("reza")
    assert referral is not None and referral["status"] == "linked"
    assert book.settle(APRIL_1) == {"at": APRIL_1}


def test_refund_below_the_minimum_cancels_and_reverses_a_credited_referral(book: loyalty.ReferralBook) -> None:
    sara_refers_reza(book)
    paid = book.settle(PAYS_AT)
    refund = book.post({"type": "refund", "id": "e4", "order": "o-1", "amount": "300000", "at": MARCH_20})
    (cancelled,) = refund["referrals"]
    assert cancelled["status"] == "cancelled"
    assert cancelled["reasons"] == [
        {
            "code": "order_refunded",
            "evidence": [
                {"kind": "order", "value": "o-1"},
                {"kind": "required", "value": "500000"},
                {"kind": "left", "value": "450000"},
            ],
        }
    ]
    # Every earn event paid is taken back, by reversing it in the ledger.
    assert refund["ledger"] == [
        {"type": "reverse", "id": f"{e['id']}:reversed", "at": MARCH_20, "target": e["id"], "reason": "referral cancelled"}
        for e in paid["ledger"]
    ]
    assert book.referral("reza") == cancelled
    assert book.settle(APRIL_1) == {"at": APRIL_1}


def test_refund_of_a_pending_referral_cancels_it_before_anything_is_paid(book: loyalty.ReferralBook) -> None:
    sara_refers_reza(book)
    refund = book.post({"type": "refund", "id": "e4", "order": "o-1", "at": "2026-03-10T12:00:00+03:30"})
    assert refund["referrals"][0]["status"] == "cancelled"
    assert "ledger" not in refund
    assert book.settle(APRIL_1) == {"at": APRIL_1}


def test_a_refund_of_an_order_that_qualified_nothing_is_accepted_and_changes_nothing(book: loyalty.ReferralBook) -> None:
    sara_refers_reza(book)
    before = canonical(book.referrals())
    refund = {"type": "refund", "id": "e4", "order": "not-a-referral-order", "at": MARCH_5}
    assert book.post(refund) == {"event": "e4", "status": "applied"}
    assert canonical(book.referrals()) == before


def test_a_partial_refund_that_leaves_the_minimum_changes_nothing(book: loyalty.ReferralBook) -> None:
    sara_refers_reza(book)
    assert book.post({"type": "refund", "id": "e4", "order": "o-1", "amount": "250000", "at": MARCH_5}) == {
        "event": "e4",
        "status": "applied",
    }
    assert [e["points"] for e in book.settle(PAYS_AT)["ledger"]] == ["100", "50"]


def test_coupons_bonus_and_cap() -> None:
    program = loyalty.Program.from_toml(COUPONS_TOML)
    book = loyalty.ReferralBook(program)
    code = book.post(member("e0", "sara"))["code"]
    for i, friend in enumerate(["amir", "bita", "cyrus"]):
        book.post(signup(f"s-{i}", friend, code))
        book.post(order(f"o-{i}", friend, f"order-{i}", "600000"))
    paid = book.settle(PAYS_AT)
    assert [(e["id"], e["points"]) for e in paid["ledger"]] == [
        ("referral:amir:referrer", "100"),
        ("referral:bita:referrer", "100"),
        ("referral:bita:bonus-2", "70"),
    ]
    assert [(c["id"], c["campaign"], c["customer"]) for c in paid["coupons"]] == [
        ("referral:amir:referrer", "free-cake", "sara"),
        ("referral:amir:referee", "free-cake", "amir"),
        ("referral:bita:referrer", "free-cake", "sara"),
        ("referral:bita:referee", "free-cake", "bita"),
        ("referral:cyrus:referee", "free-cake", "cyrus"),
    ]
    # The third success of the month is credited to the referee only.
    cyrus = book.referral("cyrus")
    assert cyrus is not None and "success" not in cyrus
    assert cyrus["reasons"] == [
        {
            "code": "cap_reached",
            "evidence": [{"kind": "paid", "value": "2"}, {"kind": "max", "value": "2"}, {"kind": "period", "value": "month"}],
        }
    ]
    # A refund takes the coupons back too.
    taken = book.post({"type": "refund", "id": "r-0", "order": "order-0", "at": MARCH_20})
    assert [c["id"] for c in taken["withdrawn"]] == ["referral:amir:referrer", "referral:amir:referee"]
    _assert_shape(taken, loyalty.ReferralPosting)
    for grant in (*paid["coupons"], *taken["withdrawn"]):
        _assert_shape(grant, loyalty.CouponGrant)


# --- posting: idempotence and errors ------------------------------------------------------------


def test_post_is_idempotent(book: loyalty.ReferralBook) -> None:
    sara_refers_reza(book)
    before = canonical(book.referrals())
    assert book.post(member("e1", "sara")) == {"event": "e1", "status": "duplicate", "code": SARA_CODE}
    assert book.post(copy.deepcopy(order("e3", "reza", "o-1", "750000"))) == {"event": "e3", "status": "duplicate"}
    assert canonical(book.referrals()) == before


def test_same_id_other_content_is_refused_with_code_and_path(book: loyalty.ReferralBook) -> None:
    sara_refers_reza(book)
    before = canonical(book.referrals())
    with pytest.raises(loyalty.ReferralError) as info:
        book.post(order("e3", "reza", "o-1", "750001"))
    assert _codes(info.value) == ("referrals", "conflicting_duplicate", "id")
    assert canonical(book.referrals()) == before


def test_invalid_timestamp_is_refused_with_its_path(book: loyalty.ReferralBook) -> None:
    with pytest.raises(loyalty.ReferralError) as info:
        book.post(member("e1", "sara", at="2026-03-01T10:00:00"))
    assert _codes(info.value) == ("referrals", "invalid_timestamp", "at")
    with pytest.raises(loyalty.ReferralError) as info:
        book.post(signup("e2", "reza", SARA_CODE, customer_since="last year"))
    assert _codes(info.value) == ("referrals", "invalid_timestamp", "customer_since")
    with pytest.raises(loyalty.ReferralError) as info:
        book.settle("tomorrow")
    assert _codes(info.value) == ("referrals", "invalid_timestamp", "at")
    assert book.referrals() == []


def test_referral_error_attributes(book: loyalty.ReferralBook) -> None:
    with pytest.raises(loyalty.ReferralError) as info:
        book.post(order("e1", "reza", "o-1", "-5"))
    e = info.value
    assert isinstance(e, loyalty.LoyaltyError) and isinstance(e, ValueError)
    assert not isinstance(e, (loyalty.ProgramError, loyalty.RequestError, loyalty.LedgerError, loyalty.TierError))
    assert type(e).__module__ == "loyalty"
    assert _codes(e) == ("referrals", "negative_amount", "amount")
    assert e.errors == [{"code": "negative_amount", "path": "amount", "message": str(e)}]
    back = pickle.loads(pickle.dumps(e))
    assert type(back) is loyalty.ReferralError
    assert (back.code, back.path, back.kind, back.errors, str(back)) == (e.code, e.path, e.kind, e.errors, str(e))


def test_bad_events_are_referral_errors_with_code_and_path(book: loyalty.ReferralBook) -> None:
    sara_refers_reza(book)
    o = order("e9", "reza", "o-9", "600000")
    cases: list[tuple[Any, str, str]] = [
        ({**o, "amount": math.nan}, "float_not_allowed", "amount"),  # found by the binding
        ({**o, "amount": {1, 2}}, "invalid_type", "amount"),  # found by the binding
        ({**o, "type": "gift"}, "unknown_variant", "type"),
        ({k: v for k, v in o.items() if k != "type"}, "missing_field", "type"),
        ({k: v for k, v in o.items() if k != "amount"}, "missing_field", "amount"),
        ({**o, "id": ""}, "empty_id", "id"),
        ({**o, "account": " "}, "empty_id", "account"),
        ({**o, "at": "yesterday"}, "invalid_timestamp", "at"),
        ({**o, "amount": "-1"}, "negative_amount", "amount"),
        (order("e9", "reza", "o-1", "600000"), "duplicate_order", "order"),
        (member("e9", "sara"), "already_member", "member"),
        ({"type": "refund", "id": "e9", "order": "o-1", "amount": "0", "at": MARCH_5}, "not_positive", "amount"),
        ({"type": "merge", "id": "e9", "accounts": ["a", ""], "at": MARCH_5}, "empty_id", "accounts[1]"),
    ]
    codes = loyalty.error_codes()["referrals"]
    before = canonical(book.referrals())
    for event, code, path in cases:
        with pytest.raises(loyalty.ReferralError) as info:
            book.post(event)
        assert _codes(info.value) == ("referrals", code, path), event
        assert info.value.code in codes
    assert canonical(book.referrals()) == before


_O = order("e9", "reza", "o-9", "600000")
_M = member("e9", "sara")


# A bad value inside an event is reported at its own path, as for ledger events.
@pytest.mark.parametrize(
    ("event", "code", "path"),
    [
        ({**_O, "amount": 12.5}, "float_not_allowed", "amount"),
        ({**_O, "amount": "1e5x"}, "invalid_decimal", "amount"),
        ({**_O, "colour": "red"}, "unknown_field", "colour"),
        ({**_O, "account": 5}, "invalid_type", "account"),
        ({**_M, "seed": "-1"}, "invalid_value", "seed"),
        ({**_M, "identity": {"devices": [1]}}, "invalid_type", "identity.devices[0]"),
        ({**_M, "identity": {"profile": {"phones": "1"}}}, "missing_field", "identity.profile.id"),
    ],
    ids=["float", "decimal", "unknown_field", "type", "seed", "device", "profile_id"],
)
def test_shape_errors_inside_an_event_carry_its_path(book: loyalty.ReferralBook, event: Any, code: str, path: str) -> None:
    with pytest.raises(loyalty.ReferralError) as info:
        book.post(event)
    assert _codes(info.value) == ("referrals", code, path)


def test_events_accept_python_types(book: loyalty.ReferralBook) -> None:
    book.post(member("e1", "sara"))
    book.post(signup("e2", "reza", SARA_CODE))
    as_python = {
        **order("e3", "reza", "o-1", "0"),
        "at": datetime.datetime(2026, 3, 5, 12, 0, tzinfo=TEHRAN),
        "amount": decimal.Decimal("750000"),
    }
    assert book.post(as_python)["referrals"][0]["pays_at"] == PAYS_AT
    assert book.post(order("e3", "reza", "o-1", "750000"))["status"] == "duplicate"
    assert book.settle(datetime.datetime(2026, 3, 19, 12, 0, tzinfo=TEHRAN))["at"] == PAYS_AT


def test_settle_rejects_naive_datetimes_and_other_types(book: loyalty.ReferralBook) -> None:
    with pytest.raises(loyalty.ReferralError) as info:
        book.settle(datetime.datetime(2026, 3, 19, 12, 0))
    assert _codes(info.value) == ("referrals", "invalid_timestamp", "at")
    for bad in (datetime.date(2026, 4, 1), 1775000000, None):
        with pytest.raises(TypeError, match="at"):
            book.settle(bad)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        book.referral(7)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        book.resolve(None)  # type: ignore[arg-type]


def test_answers_are_fresh_plain_data(book: loyalty.ReferralBook) -> None:
    sara_refers_reza(book)
    for answer in (book.referrals(), book.referral("reza"), book.settle(PAYS_AT)):
        assert json.loads(canonical(answer)) == answer
    first = book.referral("reza")
    assert first is not None
    first["status"] = "cancelled"
    again = book.referral("reza")
    assert again is not None and again["status"] == "credited"


def test_answers_have_the_keys_their_typed_dicts_declare(program: loyalty.Program, book: loyalty.ReferralBook) -> None:
    sara_refers_reza(book)
    refused = book.post(signup("e4", "reza", SARA_CODE.lower()))
    postings = [refused, book.post(member("e5", "ali"))]
    paid = book.settle(PAYS_AT)
    cancelled = book.post({"type": "refund", "id": "e6", "order": "o-1", "at": MARCH_20})
    postings.append(cancelled)
    for posting in postings:
        _assert_shape(posting, loyalty.ReferralPosting)
        for reason in posting.get("rejected", []):
            _assert_shape(reason, loyalty.ReferralReason)
            for evidence in reason.get("evidence", []):
                _assert_shape(evidence, loyalty.ReferralEvidence)
    _assert_shape(paid, loyalty.ReferralSettlement)
    for earn in paid["ledger"]:
        _assert_shape(earn, loyalty.EarnEvent)
    for reverse in cancelled["ledger"]:
        _assert_shape(reverse, loyalty.ReverseEvent)
    statuses = typing.get_args(typing.get_type_hints(loyalty.Referral)["status"])
    assert statuses == ("linked", "pending", "credited", "cancelled")
    for referral in (*paid["referrals"], *cancelled["referrals"], *book.referrals()):
        _assert_shape(referral, loyalty.Referral)
        assert referral["status"] in statuses
        for reason in referral.get("reasons", []):
            _assert_shape(reason, loyalty.ReferralReason)
    for typed in (SARA_CODE, SARA_CODE[:-1] + "M", "x"):
        check = program.check_referral_code(typed)
        _assert_shape(check, loyalty.ReferralCodeCheck)
        if "reason" in check:
            _assert_shape(check["reason"], loyalty.ReferralReason)


# --- post_many and replay ----------------------------------------------------------------------


def _batch() -> list[Any]:
    return [
        member("e1", "sara"),
        order("e2", "reza", "o-1", "-1"),  # negative_amount, found by the core
        signup("e3", "reza", SARA_CODE),
        {**member("e1", "sara"), "seed": "7"},  # conflicting_duplicate
        order("e4", "reza", "o-1", "750000"),
        {**order("e5", "reza", "o-2", "0"), "amount": math.inf},  # float_not_allowed, found by the binding
        member("e1", "sara"),  # duplicate
    ]


def test_post_many_return_puts_each_error_in_its_place(book: loyalty.ReferralBook) -> None:
    results = book.post_many(_batch(), on_error="return")
    assert [type(r).__name__ for r in results] == [
        "dict", "ReferralError", "dict", "ReferralError", "dict", "ReferralError", "dict",
    ]
    errors = [r for r in results if isinstance(r, loyalty.ReferralError)]
    assert [_codes(e) for e in errors] == [
        ("referrals", "negative_amount", "amount"),
        ("referrals", "conflicting_duplicate", "id"),
        ("referrals", "float_not_allowed", "amount"),
    ]
    assert results[6] == {"event": "e1", "status": "duplicate", "code": SARA_CODE}
    referral = book.referral("reza")
    assert referral is not None and referral["status"] == "pending"


def test_post_many_equals_post_one_by_one(program: loyalty.Program, book: loyalty.ReferralBook) -> None:
    many = book.post_many(_batch(), on_error="return")
    one = program.referral_book()
    for event, result in zip(_batch(), many):
        try:
            assert one.post(event) == result
        except loyalty.ReferralError as e:
            assert isinstance(result, loyalty.ReferralError)
            assert (e.code, e.path, e.errors) == (result.code, result.path, result.errors)
    assert canonical(one.referrals()) == canonical(book.referrals())


def test_post_many_raise_stops_at_the_first_refusal(book: loyalty.ReferralBook) -> None:
    with pytest.raises(loyalty.ReferralError) as info:
        book.post_many(_batch())
    assert _codes(info.value) == ("referrals", "negative_amount", "amount")
    # The event before the refusal is posted, the ones after it are not.
    assert book.post(member("e1", "sara"))["status"] == "duplicate"
    assert book.referrals() == []
    assert book.post_many([]) == []


def test_post_many_arguments(book: loyalty.ReferralBook) -> None:
    with pytest.raises(ValueError, match="on_error"):
        book.post_many([], on_error="ignore")  # type: ignore[call-overload]
    not_lists: list[Any] = [member("e1", "sara"), "events", b"events", 3, None]
    for not_a_list in not_lists:
        with pytest.raises(TypeError):
            book.post_many(not_a_list)


def test_post_many_propagates_exceptions_from_python_code(book: loyalty.ReferralBook) -> None:
    def events() -> Iterator[dict[str, Any]]:
        yield member("e1", "sara")
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        book.post_many(events(), on_error="return")
    assert book.post(member("e1", "sara"))["status"] == "duplicate"


def test_replay_equals_post_by_post(program: loyalty.Program, book: loyalty.ReferralBook) -> None:
    book.post_many(_batch(), on_error="return")
    replayed = loyalty.ReferralBook.replay(program, _batch())
    assert isinstance(replayed, loyalty.ReferralBook)
    assert replayed.program is program
    assert canonical(replayed.referrals()) == canonical(book.referrals())
    assert replayed.resolve(SARA_CODE) == "sara"
    with pytest.raises(TypeError):
        loyalty.ReferralBook.replay(program, member("e1", "sara"))  # type: ignore[arg-type]


# --- codes ----------------------------------------------------------------------------------------

REASON_CODES = [
    "malformed_code",
    "bad_check_character",
    "unknown_code",
    "already_referred",
    "self_referral",
    "referral_cycle",
    "velocity_exceeded",
    "existing_customer",
    "below_minimum",
    "qualification_window_passed",
    "order_refunded",
    "cap_reached",
]


def test_reason_codes_have_not_drifted() -> None:
    """The core's list, the literal of `ReferralReason["code"]` and the contract here are one list."""
    codes = loyalty.referral_reason_codes()
    assert codes == REASON_CODES
    assert list(typing.get_args(typing.get_type_hints(loyalty.ReferralReason)["code"])) == codes
    codes.clear()
    assert loyalty.referral_reason_codes() == REASON_CODES


def test_error_codes_include_referrals() -> None:
    codes = loyalty.error_codes()["referrals"]
    assert {"referrals_not_configured", "already_member", "duplicate_order"} <= set(codes)
    assert "unknown_order" not in codes  # refunds of orders that qualified nothing are accepted
    assert {"invalid_timestamp", "conflicting_duplicate", "float_not_allowed"} <= set(codes)


# --- robustness -----------------------------------------------------------------------------------


def test_self_referencing_event_is_an_error_not_a_crash(book: loyalty.ReferralBook) -> None:
    event: dict[str, Any] = member("e1", "sara")
    event["identity"] = {"devices": [event]}
    with pytest.raises(loyalty.ReferralError) as info:
        book.post(event)
    assert info.value.code in ("invalid_value", "invalid_type")


def test_random_mutations_never_crash(program: loyalty.Program) -> None:
    """Events with one value replaced by a random one: each is applied, a
    duplicate, or a coded ReferralError; the book keeps answering."""
    rng = random.Random(20260301)
    values: list[Any] = [
        None, True, 0, -1, 2**64, 1.5, math.nan, "", " ", "0", "-0", "1", "500000", "499999", "1e5",
        "79228162514264337593543950335", MARCH_1, MARCH_5, APRIL_1, "2026-03-01", "1900-01-01T00:00:00+03:30",
        "9999-12-31T23:59:59Z", "sara", "reza", "o-1", SARA_CODE, SARA_CODE.lower(), "REF-2222-2222", [], {},
        ["sara", "reza"], {"devices": ["d"]}, phone("0912 345 6789"),
    ]
    keys = ["id", "member", "referee", "account", "code", "at", "amount", "order", "accounts", "seed", "identity",
            "customer_since", "name", "type"]
    templates: list[dict[str, Any]] = [
        member("m-1", "sara", identity=phone("0912 345 6789")),
        member("m-2", "ali", seed=42),
        signup("s-1", "reza", SARA_CODE),
        signup("s-2", "neda", SARA_CODE, identity=phone("+98 912 345 6789")),
        order("o-1", "reza", "o-1", "750000"),
        order("o-2", "neda", "o-2", "100"),
        {"type": "refund", "id": "r-1", "order": "o-1", "amount": "300000", "at": MARCH_20},
        {"type": "custom", "id": "c-1", "account": "reza", "name": "first_visit", "at": MARCH_5},
        {"type": "merge", "id": "g-1", "accounts": ["sara", "reza"], "at": MARCH_20},
    ]
    book = program.referral_book()
    codes = set(loyalty.error_codes()["referrals"])
    for i in range(1500):
        event = dict(rng.choice(templates))
        event["id"] = f"{event['id']}-{rng.randrange(20)}"
        event[rng.choice(keys)] = rng.choice(values)
        try:
            assert book.post(event)["status"] in ("applied", "duplicate")
        except loyalty.ReferralError as e:
            assert e.code in codes, (e.code, event)
        if i % 300 == 0:
            book.settle(APRIL_1)
            book.referrals()
    book.settle("2027-01-01T00:00:00+03:30")
    for r in book.referrals():
        assert book.referral(r["referee"]) == r


def test_posting_from_threads(program: loyalty.Program, book: loyalty.ReferralBook) -> None:
    """One book shared by threads: every event lands exactly once."""
    events = [member("m", "sara")] + [signup(f"s-{i}", f"friend-{i}", SARA_CODE) for i in range(50)]

    def work() -> None:
        for e in events:
            book.post(e)
            book.referrals()

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(book) == 50
    assert canonical(book.referrals()) == canonical(loyalty.ReferralBook.replay(program, events).referrals())


# --- the stub's example ---------------------------------------------------------------------------


def test_the_docstring_example_runs(program: loyalty.Program) -> None:
    """The example in `ReferralBook`'s docstring (in the type stub) runs as written."""
    stub = pathlib.Path(loyalty.__file__).with_name("_loyalty.pyi").read_text(encoding="utf-8")
    body = stub.split("class ReferralBook:", 1)[1]
    docstring = body.split('"""')[1]
    test = doctest.DocTestParser().get_doctest(docstring, {"program": program}, "ReferralBook", None, 0)
    assert test.examples
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    runner.run(test)
    assert runner.summarize(verbose=False).failed == 0

"""The Python API of membership tiers: `loyalty.Tiers`, `Program.check`, `TierError`."""

from __future__ import annotations

import copy
import datetime
import decimal
import json
import math
import pickle
import random
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from canonical_json import canonical
from programs import PROGRAM

import loyalty

RIYADH = datetime.timezone(datetime.timedelta(hours=3))

TIERS_TOML = """
schema_version = 1
id = "riyadh-coffee"
currency = "SAR"
time_zone = "Asia/Riyadh"

[[earn_rules]]
id = "base"
rate = { points = "1", per = "1" }

[[earn_rules]]
id = "gold-bonus"
bonus = { points = "5" }
when = { tiers = ["gold"] }

[tiers]
window = "calendar_year"

[[tiers.levels]]
id = "member"

[[tiers.levels]]
id = "silver"
qualify = { spend = "500" }

[[tiers.levels]]
id = "gold"
qualify = { spend = "1000" }
retain = { spend = "600" }
benefits = { multiplier = "1.5", coupons = ["free-drink"], flags = { lounge = true } }

# The campaign gold's benefits name: a program naming a campaign it does not
# have fails to load (`unknown_coupon`).
[[coupons]]
id = "free-drink"
codes = { kind = "personal" }
when = { categories = ["drinks"] }
discount = { type = "percent", percent = "100" }
"""

# A program with warnings: gold is kept with more than it takes to reach it,
# and platinum needs more visits than a calendar year has days.
WARNING_TOML = """
schema_version = 1
id = "warned"
currency = "SAR"
time_zone = "Asia/Riyadh"

[[earn_rules]]
id = "base"
rate = { points = "1", per = "1" }

[[earn_rules]]
id = "vip"
bonus = { points = "5" }
when = { tiers = ["vip"] }

[tiers]
window = "calendar_year"

[[tiers.levels]]
id = "member"

[[tiers.levels]]
id = "gold"
qualify = { spend = "1000" }
retain = { spend = "1500" }

[[tiers.levels]]
id = "platinum"
qualify = { spend = "2000", visits = 400 }
"""

MARCH_1 = "2026-03-01T10:00:00+03:00"
MARCH_5 = "2026-03-05T10:00:00+03:00"
APRIL_1 = "2026-04-01T00:00:00+03:00"
JAN_2026 = "2026-01-01T00:00:00+03:00"
JAN_2027 = "2027-01-01T00:00:00+03:00"
JAN_2028 = "2028-01-01T00:00:00+03:00"


def order(id: str, spend: str, account: str = "m-1", at: str = MARCH_1, **extra: Any) -> dict[str, Any]:
    return {"type": "order", "id": id, "account": account, "at": at, "spend": spend, **extra}


O_1 = order("o-1", "400.00")
O_2 = order("o-2", "700.00", at=MARCH_5)


@pytest.fixture(scope="module")
def program() -> loyalty.Program:
    return loyalty.Program.from_toml(TIERS_TOML)


@pytest.fixture
def tiers(program: loyalty.Program) -> loyalty.Tiers:
    return loyalty.Tiers(program)


def post_all(tiers: loyalty.Tiers, events: list[dict[str, Any]]) -> None:
    for e in events:
        try:
            tiers.post(e)
        except loyalty.TierError:
            pass


def snapshot(tiers: loyalty.Tiers, at: str = "2029-06-01T00:00:00+03:00") -> str:
    """Everything the tier book answers about every account, as canonical JSON."""
    return canonical(
        {a: {"status": tiers.status(a, at), "history": tiers.history(a, at)} for a in tiers.accounts()}
    )


def _codes(e: loyalty.LoyaltyError) -> tuple[str, str, str]:
    return (e.kind, e.code, e.path)


# --- the tier book object -------------------------------------------------------------


def test_new_tier_book_is_empty(program: loyalty.Program, tiers: loyalty.Tiers) -> None:
    assert len(tiers) == 0
    assert tiers.accounts() == []
    assert tiers.program is program
    assert repr(tiers) == "Tiers(program='riyadh-coffee', accounts=0)"


def test_tiers_need_a_program() -> None:
    with pytest.raises(TypeError):
        loyalty.Tiers({"schema_version": 1})  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        loyalty.Tiers()  # type: ignore[call-arg]


def test_accounts_len_and_repr(tiers: loyalty.Tiers) -> None:
    tiers.post(O_1)
    tiers.post(order("o-9", "10", account="m-0"))
    assert tiers.accounts() == ["m-0", "m-1"]
    assert len(tiers) == 2
    assert repr(tiers) == "Tiers(program='riyadh-coffee', accounts=2)"


# --- posting ------------------------------------------------------------------------------


def test_post_is_idempotent(tiers: loyalty.Tiers) -> None:
    assert tiers.post(O_1) == {"event": "o-1", "status": "applied"}
    before = snapshot(tiers)
    assert tiers.post(copy.deepcopy(O_1)) == {"event": "o-1", "status": "duplicate"}
    assert tiers.post(O_1) == {"event": "o-1", "status": "duplicate"}
    assert snapshot(tiers) == before


def test_same_id_other_content_is_refused(tiers: loyalty.Tiers) -> None:
    tiers.post(O_1)
    before = snapshot(tiers)
    with pytest.raises(loyalty.TierError) as info:
        tiers.post({**O_1, "spend": "401.00"})
    assert _codes(info.value) == ("tiers", "conflicting_duplicate", "id")
    assert snapshot(tiers) == before


def test_same_order_under_another_id_is_refused(tiers: loyalty.Tiers) -> None:
    tiers.post(order("o-1", "400.00", order="sale-1"))
    with pytest.raises(loyalty.TierError) as info:
        tiers.post(order("o-1b", "400.00", order="sale-1"))
    assert _codes(info.value) == ("tiers", "duplicate_order", "order")


def test_ledger_events_are_accepted(tiers: loyalty.Tiers) -> None:
    earn = {
        "type": "earn",
        "id": "e-1",
        "account": "m-1",
        "at": MARCH_1,
        "points": "1100",
        "order": "o-1",
        "amount": "1100.00",
    }
    adjust = {"type": "adjust", "id": "a-1", "account": "m-1", "at": MARCH_1, "points": "25", "reason": "apology"}
    deposit = {"type": "wallet_deposit", "id": "w-1", "account": "w-1", "at": MARCH_1, "amount": "100.00", "reason": "top_up"}
    assert tiers.post(earn) == {"event": "e-1", "status": "applied"}
    assert tiers.post(adjust) == {"event": "a-1", "status": "ignored"}
    assert tiers.post(deposit) == {"event": "w-1", "status": "ignored"}
    # Ignored events open no account; the earn counts as an order of its amount.
    assert tiers.accounts() == ["m-1"]
    status = tiers.status("m-1", APRIL_1)
    assert status.get("tier") == "gold"
    assert status["metrics"] == {"spend": "1100.00", "points": "1100", "orders": 1, "visits": 1}
    assert tiers.post(earn) == {"event": "e-1", "status": "duplicate"}


def test_ledger_event_errors_keep_the_ledgers_codes(tiers: loyalty.Tiers) -> None:
    # A malformed ledger event is refused even when tiers would ignore it.
    with pytest.raises(loyalty.TierError) as info:
        tiers.post({"type": "adjust", "id": "a-1", "account": "m-1", "at": MARCH_1, "points": 1.5, "reason": "x"})
    assert _codes(info.value) == ("tiers", "float_not_allowed", "points")
    with pytest.raises(loyalty.TierError) as info:
        tiers.post({"type": "adjust", "id": "a-1", "account": "m-1", "at": MARCH_1, "points": "5"})
    assert _codes(info.value) == ("tiers", "missing_field", "reason")
    with pytest.raises(loyalty.TierError) as info:
        tiers.post({"type": "earn", "id": "e-1", "account": "m-1", "at": MARCH_1, "points": "-5", "order": "o-1"})
    assert _codes(info.value) == ("tiers", "negative_amount", "points")
    with pytest.raises(loyalty.TierError) as info:
        tiers.post({"type": "refund", "id": "r-1", "at": APRIL_1, "order": "nope", "amount": "1.00"})
    assert _codes(info.value) == ("tiers", "unknown_order", "order")


def test_unknown_tier_in_override(tiers: loyalty.Tiers) -> None:
    with pytest.raises(loyalty.TierError) as info:
        tiers.post({"type": "override", "id": "x-1", "account": "m-1", "at": MARCH_1, "tier": "platinum"})
    assert _codes(info.value) == ("tiers", "unknown_tier", "tier")
    assert tiers.accounts() == []


def test_tier_error_attributes(tiers: loyalty.Tiers) -> None:
    with pytest.raises(loyalty.TierError) as info:
        tiers.post(order("o-1", "-5"))
    e = info.value
    assert isinstance(e, loyalty.LoyaltyError) and isinstance(e, ValueError)
    assert not isinstance(e, (loyalty.ProgramError, loyalty.RequestError, loyalty.LedgerError))
    assert type(e).__module__ == "loyalty"
    assert _codes(e) == ("tiers", "negative_amount", "spend")
    assert e.errors == [{"code": "negative_amount", "path": "spend", "message": str(e)}]
    back = pickle.loads(pickle.dumps(e))
    assert type(back) is loyalty.TierError
    assert (back.code, back.path, back.kind, back.errors, str(back)) == (e.code, e.path, e.kind, e.errors, str(e))


def test_bad_event_shapes_are_tier_errors(tiers: loyalty.Tiers) -> None:
    cases: list[tuple[Any, str, str]] = [
        ({**O_1, "spend": 12.5}, "float_not_allowed", "spend"),
        ({**O_1, "spend": math.nan}, "float_not_allowed", "spend"),  # found by the binding
        ({**O_1, "spend": {1, 2}}, "invalid_type", "spend"),  # found by the binding
        ({**O_1, "spend": 2**70}, "invalid_value", "spend"),
        ({**O_1, "spend": ["1"]}, "invalid_type", "spend"),
        ({**O_1, "type": "gift"}, "unknown_variant", "type"),
        ({k: v for k, v in O_1.items() if k != "spend"}, "missing_field", "spend"),
        ({**O_1, "colour": "red"}, "unknown_field", "colour"),
        ({**O_1, "id": ""}, "empty_id", "id"),
        ({**O_1, "at": "yesterday"}, "invalid_timestamp", "at"),
        ({**O_1, "spend": "1.00001"}, "invalid_amount", "spend"),
        ({**O_1, "spend": "-5"}, "negative_amount", "spend"),
    ]
    codes = loyalty.error_codes()["tiers"]
    for event, code, path in cases:
        with pytest.raises(loyalty.TierError) as info:
            tiers.post(event)
        assert _codes(info.value) == ("tiers", code, path), event
        assert info.value.code in codes
    assert len(tiers) == 0


def test_events_accept_python_types(tiers: loyalty.Tiers) -> None:
    as_python = {**O_1, "at": datetime.datetime(2026, 3, 1, 10, 0, tzinfo=RIYADH), "spend": decimal.Decimal("400.00")}
    assert tiers.post(as_python) == {"event": "o-1", "status": "applied"}
    assert tiers.post(O_1)["status"] == "duplicate"


# --- status, history, order_tier ----------------------------------------------------------


GOLD_BENEFITS = {"multiplier": "1.5", "coupons": ["free-drink"], "flags": {"lounge": True}}


def test_status_before_and_after_an_upgrade(tiers: loyalty.Tiers) -> None:
    tiers.post(O_1)
    # 400 of spend: the base tier, 100 short of silver.
    member = tiers.status("m-1", "2026-03-02T00:00:00+03:00")
    assert member.get("tier") == "member"
    assert member.get("next", {}).get("tier") == "silver"
    assert member.get("next", {}).get("needs") == {"spend": "100.00"}
    assert member.get("next", {}).get("met") is False
    assert member.get("next", {}).get("by") == JAN_2027
    assert member["benefits"] == {"coupons": [], "flags": {}}

    # 1100 of spend: straight to gold, the top; kept by 600 at the end of 2026.
    assert tiers.post(O_2) == {"event": "o-2", "status": "applied"}
    status = tiers.status("m-1", APRIL_1)
    metrics = {"spend": "1100.00", "points": "0", "orders": 2, "visits": 2}
    assert status == {
        "account": "m-1",
        "as_of": APRIL_1,
        "tier": "gold",
        "since": MARCH_5,
        "earned_tier": "gold",
        # 2026 keeps gold at the start of 2027; 2027 is evaluated at the start of 2028.
        "guaranteed_until": JAN_2028,
        "window": {"from": JAN_2026, "to": APRIL_1},
        "metrics": metrics,
        "keep": {
            "tier": "gold",
            "by": JAN_2027,
            "match": "all",
            "metrics": metrics,
            "needs": {"spend": "0.00"},  # met: zero, with the currency's minor units
            "met": True,
        },
        "benefits": GOLD_BENEFITS,
    }
    assert "next" not in status


def test_history_transitions(tiers: loyalty.Tiers) -> None:
    post_all(tiers, [O_1, O_2])
    history = tiers.history("m-1", "2028-02-01T00:00:00+03:00")
    assert history == {
        "account": "m-1",
        "as_of": "2028-02-01T00:00:00+03:00",
        "tier": "member",
        "transitions": [
            {"at": MARCH_1, "to": "member", "earned": "member", "cause": "joined", "event": "o-1"},
            {
                "at": MARCH_5,
                "from": "member",
                "to": "gold",
                "earned": "gold",
                "cause": "qualified",
                "event": "o-2",
                "metrics": {"spend": "1100.00", "points": "0", "orders": 2, "visits": 2},
            },
            {
                # Nothing in 2027: below gold's retention and silver's, back to the base.
                "at": JAN_2028,
                "from": "gold",
                "to": "member",
                "earned": "member",
                "cause": "evaluation",
                "metrics": {"spend": "0.00", "points": "0", "orders": 0, "visits": 0},
            },
        ],
    }
    # As of before the upgrade, only the join.
    early = tiers.history("m-1", "2026-03-02T00:00:00+03:00")
    assert [t["cause"] for t in early["transitions"]] == ["joined"]
    assert early.get("tier") == "member"


def test_order_tier_at_the_crossing(tiers: loyalty.Tiers, program: loyalty.Program) -> None:
    tiers.post(O_1)
    # The order that crosses gold earns at gold (crossing_order = new_tier by default).
    assert tiers.order_tier(O_2) == {"tier": "gold", "before": "member", "after": "gold", "multiplier": "1.5"}
    # The same order as a ledger earn event.
    earn = {"type": "earn", "id": "o-2", "account": "m-1", "at": MARCH_5, "points": "700", "order": "o-2", "amount": "700.00"}
    assert tiers.order_tier(earn) == tiers.order_tier(O_2)
    # A small order stays at the base tier, which has no multiplier.
    assert tiers.order_tier(order("o-3", "50", at=MARCH_5)) == {"tier": "member", "before": "member", "after": "member"}
    # Nothing was posted.
    assert tiers.history("m-1", APRIL_1)["transitions"][-1]["cause"] == "joined"
    # With crossing_order = current_tier the crossing order earns at the old tier.
    current = loyalty.Program.from_toml(TIERS_TOML.replace('window = "calendar_year"', 'window = "calendar_year"\ncrossing_order = "current_tier"'))
    other = loyalty.Tiers(current)
    other.post(O_1)
    assert other.order_tier(O_2) == {"tier": "member", "before": "member", "after": "gold"}


def test_order_tier_needs_an_order(tiers: loyalty.Tiers) -> None:
    visit = {"type": "visit", "id": "v-1", "account": "m-1", "at": MARCH_1}
    with pytest.raises(loyalty.TierError) as info:
        tiers.order_tier(visit)
    assert _codes(info.value) == ("tiers", "invalid_type", "type")
    points_only = {"type": "earn", "id": "e-1", "account": "m-1", "at": MARCH_1, "points": "5"}
    with pytest.raises(loyalty.TierError) as info:
        tiers.order_tier(points_only)
    assert _codes(info.value) == ("tiers", "invalid_type", "type")
    with pytest.raises(loyalty.TierError) as info:
        tiers.order_tier({**O_1, "spend": 1.5})
    assert _codes(info.value) == ("tiers", "float_not_allowed", "spend")


def test_override_floor(tiers: loyalty.Tiers) -> None:
    tiers.post(O_1)
    assert tiers.post(
        {"type": "override", "id": "x-1", "account": "m-1", "at": MARCH_5, "tier": "gold", "until": JAN_2027, "reason": "vip"}
    ) == {"event": "x-1", "status": "applied"}
    status = tiers.status("m-1", APRIL_1)
    assert (status.get("tier"), status.get("earned_tier")) == ("gold", "member")
    assert status.get("override") == {
        "tier": "gold",
        "mode": "floor",
        "since": MARCH_5,
        "until": JAN_2027,
        "reason": "vip",
        "event": "x-1",
    }
    with pytest.raises(loyalty.TierError) as info:
        tiers.post({"type": "override", "id": "x-2", "account": "m-1", "at": MARCH_5, "tier": "gold", "until": MARCH_1})
    assert _codes(info.value) == ("tiers", "override_ends_early", "until")


def test_at_accepts_aware_datetimes(tiers: loyalty.Tiers) -> None:
    post_all(tiers, [O_1, O_2])
    local = datetime.datetime(2026, 4, 1, tzinfo=RIYADH)
    utc = datetime.datetime(2026, 3, 31, 21, tzinfo=datetime.timezone.utc)
    assert tiers.status("m-1", local) == tiers.status("m-1", APRIL_1)
    assert tiers.status("m-1", utc) == tiers.status("m-1", APRIL_1)  # answered in the program's zone
    assert tiers.history("m-1", utc) == tiers.history("m-1", APRIL_1)


def test_at_rejects_naive_datetimes_and_other_types(tiers: loyalty.Tiers) -> None:
    with pytest.raises(loyalty.TierError) as info:
        tiers.status("m-1", datetime.datetime(2026, 4, 1))
    assert _codes(info.value) == ("tiers", "invalid_timestamp", "at")
    with pytest.raises(loyalty.TierError) as info:
        tiers.history("m-1", "2026-04-01")
    assert _codes(info.value) == ("tiers", "invalid_timestamp", "at")
    for bad in (datetime.date(2026, 4, 1), 1775000000, None):
        with pytest.raises(TypeError, match="at"):
            tiers.status("m-1", bad)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        tiers.history(7, APRIL_1)  # type: ignore[arg-type]


def test_answers_are_the_cores_json(tiers: loyalty.Tiers) -> None:
    """Amounts stay the core's decimal strings; every answer is a fresh plain dict."""
    post_all(tiers, [O_1, O_2])
    for answer in (tiers.status("m-1", APRIL_1), tiers.history("m-1", JAN_2028), tiers.order_tier(order("o-3", "5"))):
        assert json.loads(canonical(answer)) == answer
    tiers.status("m-1", APRIL_1)["metrics"]["spend"] = "0"
    assert tiers.status("m-1", APRIL_1)["metrics"]["spend"] == "1100.00"


# --- a program without tiers ----------------------------------------------------------------


def test_program_without_tiers_is_refused_at_construction() -> None:
    plain = loyalty.Program.from_dict(PROGRAM)
    with pytest.raises(loyalty.TierError) as info:
        loyalty.Tiers(plain)
    assert _codes(info.value) == ("tiers", "tiers_not_configured", "")
    with pytest.raises(loyalty.TierError) as info:
        loyalty.Tiers.replay(plain, [O_1])
    assert _codes(info.value) == ("tiers", "tiers_not_configured", "")


# --- post_many ----------------------------------------------------------------------------


def _batch() -> list[Any]:
    return [
        O_1,
        {**order("o-x", "1"), "spend": 1.5},  # float_not_allowed, found by the core
        O_2,
        {**O_1, "spend": "1.00"},  # conflicting_duplicate
        {"type": "adjust", "id": "a-1", "account": "m-1", "at": MARCH_1, "points": "25", "reason": "x"},
        {**order("o-y", "1"), "spend": math.inf},  # float_not_allowed, found by the binding
        O_1,  # duplicate
    ]


def test_post_many_return(tiers: loyalty.Tiers) -> None:
    results = tiers.post_many(_batch(), on_error="return")
    assert [type(r).__name__ for r in results] == ["dict", "TierError", "dict", "TierError", "dict", "TierError", "dict"]
    assert results[0] == {"event": "o-1", "status": "applied"}
    assert results[2] == {"event": "o-2", "status": "applied"}
    assert results[4] == {"event": "a-1", "status": "ignored"}
    assert results[6] == {"event": "o-1", "status": "duplicate"}
    errors = [r for r in results if isinstance(r, loyalty.TierError)]
    assert [_codes(e) for e in errors] == [
        ("tiers", "float_not_allowed", "spend"),
        ("tiers", "conflicting_duplicate", "id"),
        ("tiers", "float_not_allowed", "spend"),
    ]
    assert tiers.status("m-1", APRIL_1).get("tier") == "gold"


def test_post_many_equals_post_one_by_one(program: loyalty.Program, tiers: loyalty.Tiers) -> None:
    many = tiers.post_many(_batch(), on_error="return")
    one = loyalty.Tiers(program)
    for event, result in zip(_batch(), many):
        try:
            assert one.post(event) == result
        except loyalty.TierError as e:
            assert isinstance(result, loyalty.TierError)
            assert (e.code, e.path, e.errors) == (result.code, result.path, result.errors)
    assert snapshot(one) == snapshot(tiers)


def test_post_many_raise_stops_at_the_first_refusal(tiers: loyalty.Tiers) -> None:
    with pytest.raises(loyalty.TierError) as info:
        tiers.post_many(_batch())
    assert _codes(info.value) == ("tiers", "float_not_allowed", "spend")
    # The event before the refusal is posted, the ones after it are not.
    assert tiers.post(O_1)["status"] == "duplicate"
    assert tiers.post(O_2)["status"] == "applied"


def test_post_many_raise_reports_binding_errors_in_order(tiers: loyalty.Tiers) -> None:
    with pytest.raises(loyalty.TierError) as info:
        tiers.post_many([{**O_1, "id": 1j}, {**O_2, "spend": "-1"}])
    assert _codes(info.value) == ("tiers", "invalid_type", "id")
    assert len(tiers) == 0


def test_post_many_all_good(tiers: loyalty.Tiers) -> None:
    assert tiers.post_many([O_1, O_2], on_error="raise") == [
        {"event": "o-1", "status": "applied"},
        {"event": "o-2", "status": "applied"},
    ]
    assert tiers.post_many([]) == []


def test_post_many_takes_any_iterable(tiers: loyalty.Tiers) -> None:
    def events() -> Iterator[dict[str, Any]]:
        yield O_1
        yield O_2

    assert len(tiers.post_many(events())) == 2
    assert len(tiers.post_many((O_1,))) == 1


def test_post_many_arguments(tiers: loyalty.Tiers) -> None:
    with pytest.raises(ValueError, match="on_error"):
        tiers.post_many([], on_error="ignore")  # type: ignore[call-overload]
    not_lists: list[Any] = [O_1, "events", b"events", 3, None]
    for not_a_list in not_lists:
        with pytest.raises(TypeError):
            tiers.post_many(not_a_list)


def test_post_many_propagates_exceptions_from_python_code(tiers: loyalty.Tiers) -> None:
    def events() -> Iterator[dict[str, Any]]:
        yield O_1
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        tiers.post_many(events(), on_error="return")
    assert tiers.post(O_1)["status"] == "duplicate"


# --- replay -------------------------------------------------------------------------------


def test_replay_equals_post_by_post(program: loyalty.Program, tiers: loyalty.Tiers) -> None:
    post_all(tiers, _batch())
    replayed = loyalty.Tiers.replay(program, _batch())
    assert isinstance(replayed, loyalty.Tiers)
    assert replayed.program is program
    assert replayed.accounts() == tiers.accounts() == ["m-1"]
    assert snapshot(replayed) == snapshot(tiers)
    # Replaying twice, from a generator, or in another order gives the same book.
    assert snapshot(loyalty.Tiers.replay(program, (e for e in _batch() + _batch()))) == snapshot(tiers)
    assert snapshot(loyalty.Tiers.replay(program, [O_2, O_1])) == snapshot(tiers)


def test_replay_skips_events_the_binding_refuses(program: loyalty.Program) -> None:
    clean = loyalty.Tiers.replay(program, [O_1])
    noisy = loyalty.Tiers.replay(program, [{"x": {1}}, O_1, {**O_2, "spend": math.nan}])
    assert snapshot(noisy) == snapshot(clean)


def test_replay_arguments(program: loyalty.Program) -> None:
    with pytest.raises(TypeError):
        loyalty.Tiers.replay(program, O_1)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        loyalty.Tiers.replay(PROGRAM, [])  # type: ignore[arg-type]
    assert len(loyalty.Tiers.replay(program, [])) == 0


# --- Program.check ----------------------------------------------------------------------------


def test_check_is_empty_for_a_clean_program(program: loyalty.Program) -> None:
    assert program.check() == []


def test_check_warns_about_a_rule_naming_no_tier() -> None:
    # The shared test program has a rule for `gold` and no tiers at all.
    warnings = loyalty.Program.from_dict(PROGRAM).check()
    assert [(w["code"], w["path"]) for w in warnings] == [("unknown_tier", "earn_rules[4].when.tiers[0]")]
    assert "gold" in warnings[0]["message"]


def test_check_warnings_in_program_order() -> None:
    warned = loyalty.Program.from_toml(WARNING_TOML)
    warnings = warned.check()
    assert [(w["code"], w["path"]) for w in warnings] == [
        ("retain_above_entry", "tiers.levels[1].retain.spend"),
        # Only where the file says it: platinum's retention is its entry, unwritten.
        ("unreachable_tier", "tiers.levels[2].qualify.visits"),
        ("unknown_tier", "earn_rules[1].when.tiers[0]"),
    ]
    assert all(set(w) == {"code", "path", "message"} and w["message"] for w in warnings)
    # A fresh list every time.
    warnings.clear()
    assert len(warned.check()) == 3


def test_warning_codes_list_every_code_check_gives() -> None:
    codes = loyalty.warning_codes()
    assert codes == [
        "unreachable_tier",
        "retain_above_entry",
        "tier_out_of_order",
        "unknown_tier",
        "tier_multiplier_twice",
        "weak_codes",
    ]
    warned = loyalty.Program.from_toml(WARNING_TOML).check()
    assert {w["code"] for w in warned} <= set(codes)


# --- error codes ----------------------------------------------------------------------------


def test_error_codes_include_tiers() -> None:
    codes = loyalty.error_codes()
    assert {"tiers_not_configured", "unknown_tier", "conflicting_duplicate", "float_not_allowed"} <= set(codes["tiers"])
    assert len(codes["tiers"]) == len(set(codes["tiers"]))
    assert {"duplicate_tier_id", "missing_threshold", "invalid_window"} <= set(codes["program"])


def test_bad_tiers_section_is_a_program_error() -> None:
    duplicate = TIERS_TOML.replace('id = "silver"', 'id = "member"')
    with pytest.raises(loyalty.ProgramError) as info:
        loyalty.Program.from_toml(duplicate)
    assert info.value.code == "duplicate_tier_id"
    assert info.value.path.startswith("tiers.levels[")


def test_benefit_coupons_must_be_campaigns_of_the_program() -> None:
    without = TIERS_TOML[: TIERS_TOML.index("\n# The campaign gold's")] + "\n"
    with pytest.raises(loyalty.ProgramError) as info:
        loyalty.Program.from_toml(without)
    assert (info.value.code, info.value.path) == ("unknown_coupon", "tiers.levels[2].benefits.coupons[0]")
    assert "`free-drink`" in str(info.value)
    renamed = TIERS_TOML.replace('id = "free-drink"', 'id = "free-coffee"')
    with pytest.raises(loyalty.ProgramError) as info:
        loyalty.Program.from_toml(renamed)
    assert info.value.code == "unknown_coupon"


def test_a_benefit_coupon_is_for_members_of_the_tiers_naming_it(program: loyalty.Program, tiers: loyalty.Tiers) -> None:
    (code,) = program.generate_codes({"campaign": "free-drink", "customers": ["m-1"], "seed": "7"})["codes"]
    assert code["issued"] == {"campaign": "free-drink", "customer": "m-1", "uses": 0}
    order = {
        "id": "o-9",
        "placed_at": APRIL_1,
        "lines": [
            {"sku": "latte", "categories": ["drinks"], "quantity": "1", "unit_price": "18.00"},
            {"sku": "muffin", "categories": ["bakery"], "quantity": "1", "unit_price": "12.00"},
        ],
    }
    # Not gold yet (400 of spend): the campaign only gold's benefits name is refused.
    tiers.post(O_1)
    member = tiers.status("m-1", APRIL_1).get("tier")
    refused = program.apply_coupons({"order": order, "customer": {"id": "m-1", "tier": member}, "coupons": [code]})
    assert refused["accepted"] == []
    assert refused["rejected"] == [
        {"code": code["code"], "campaign": "free-drink", "reasons": [{"code": "tier_not_matched", "found": "member"}]}
    ]
    # Gold (1100 of spend): the drink line is free, the muffin is not.
    tiers.post(O_2)
    gold = tiers.status("m-1", APRIL_1).get("tier")
    assert gold == "gold"
    applied = program.apply_coupons({"order": order, "customer": {"id": "m-1", "tier": gold}, "coupons": [code]})
    assert [(a["campaign"], a["discount"], a["lines"], a.get("code_uses")) for a in applied["accepted"]] == [
        ("free-drink", "18.00", [{"line": 0, "discount": "18.00"}], 1)
    ]
    assert (applied["subtotal"], applied["discount"], applied["total"]) == ("30.00", "18.00", "12.00")


# --- garbage in, coded errors out (never a panic) ---------------------------------------------


def _nested(depth: int) -> Any:
    value: Any = "x"
    for _ in range(depth):
        value = {"a": [value]}
    return value


GARBAGE: list[Any] = [
    None,
    [],
    {},
    "order",
    42,
    1.5,
    math.nan,
    {"type": None},
    {"type": 7},
    {"type": "order"},
    {"type": ["order"]},
    {**O_1, "spend": math.inf},
    {**O_1, "spend": -0.0},
    {**O_1, "spend": 10**100},
    {**O_1, "spend": "79228162514264337593543950335"},
    {**O_1, "spend": "1e3"},
    {**O_1, "points": "-1"},
    {**O_1, "order": _nested(200)},
    {**O_1, "lines": _nested(60)},
    {**O_1, "lines": [{"quantity": "0", "amount": "-1", "points": "1"}]},
    {**O_1, "id": "\ud800"},
    {**O_1, "account": "\x00"},
    {**O_1, "account": ""},
    {**O_1, "at": "9999-12-31T23:59:59-23:59"},
    {**O_1, "at": "0000-01-01T00:00:00+23:59"},
    {**O_1, "at": "2026-02-30T10:00:00+03:00"},
    {**O_1, "at": MARCH_1 * 1000},
    {"type": "visit", "id": "v", "account": "m-1", "at": MARCH_1, "spend": "1"},
    {"type": "points", "id": "p", "account": "m-1", "at": MARCH_1, "points": "0"},
    {"type": "override", "id": "x", "account": "m-1", "at": MARCH_1, "tier": 3},
    {"type": "override", "id": "x", "account": "m-1", "at": MARCH_1, "tier": "gold", "mode": "sideways"},
    {"type": "override", "id": "x", "account": "m-1", "at": MARCH_1, "tier": "gold", "until": "never"},
    {"type": "refund", "id": "r", "at": MARCH_1, "order": "o-1", "lines": [{"line": 2**64, "quantity": "1"}]},
    {"type": "refund", "id": "r", "at": MARCH_1, "order": "o-1", "lines": [{"line": -1, "quantity": "1"}]},
    {"type": "reverse", "id": "r", "at": MARCH_1, "target": "r"},
    {"type": "merge", "id": "g", "account": "m-1", "from": "m-1", "at": MARCH_1},
    {"type": "merge", "id": "g", "account": "m-1", "from": "nobody", "at": MARCH_1},
    {"type": "transfer", "id": "t", "account": "m-1", "to": "m-1", "at": MARCH_1, "points": "1"},
    {"type": "join", "id": "j", "account": "m-1", "at": MARCH_1, "extra": {"a": {1, 2}}},
]


def test_garbage_events_give_tier_errors(tiers: loyalty.Tiers) -> None:
    post_all(tiers, [O_1, O_2])
    codes = set(loyalty.error_codes()["tiers"])
    refused = 0
    for event in GARBAGE:
        try:
            tiers.post(event)
        except loyalty.TierError as e:
            assert e.kind == "tiers"
            assert e.code in codes, (e.code, event)
            refused += 1
        try:
            tiers.order_tier(event)
        except loyalty.TierError as e:
            assert e.code in codes, (e.code, event)
    assert refused >= len(GARBAGE) - 2
    assert snapshot(tiers)  # still answers


def test_self_referencing_event_is_an_error_not_a_crash(tiers: loyalty.Tiers) -> None:
    event: dict[str, Any] = dict(O_1)
    event["lines"] = [event]
    with pytest.raises(loyalty.TierError) as info:
        tiers.post(event)
    assert info.value.code == "invalid_value"


def test_garbage_queries_give_errors(tiers: loyalty.Tiers) -> None:
    post_all(tiers, [O_1, O_2])
    for at in ("", "now", "2026-03-01T10:00:00", "2026-13-01T00:00:00Z", "\ud800", "9" * 10000, "9999-12-31T23:59:59-23:59"):
        for query in (tiers.status, tiers.history):
            try:
                query("m-1", at)
            except loyalty.TierError as e:
                assert e.code == "invalid_timestamp"
            except UnicodeEncodeError:
                assert at == "\ud800"
    for account in ("", "\x00", "x" * 100000):
        tiers.status(account, APRIL_1)
        tiers.history(account, APRIL_1)


def test_random_mutations_never_crash(program: loyalty.Program) -> None:
    """Events with one value replaced by a random one: each is applied, a
    duplicate, ignored, or a coded TierError; the book keeps answering."""
    rng = random.Random(20260301)
    values: list[Any] = [
        None, True, 0, -1, 2**64, 1.5, math.nan, "", " ", "0", "-0", "1", "-1", "0.001", "1e5",
        "999999999999", "79228162514264337593543950335", MARCH_1, APRIL_1, JAN_2028, "2026-03-01",
        "1900-01-01T00:00:00+03:00", "9999-12-31T23:59:59Z", "m-1", "m-2", "o-1", "o-2", "member", "gold",
        "exact", "floor", [], {}, [{"line": 0, "quantity": "1"}], [{"quantity": "1", "amount": "10", "points": "5"}],
    ]
    keys = ["id", "account", "at", "spend", "points", "order", "lines", "amount", "target", "from", "tier", "until", "mode", "type"]
    templates: list[dict[str, Any]] = [
        O_1,
        O_2,
        order("o-3", "300.00", account="m-2", lines=[{"quantity": "2", "amount": "300.00", "points": "0"}]),
        {"type": "visit", "id": "v-1", "account": "m-1", "at": MARCH_5},
        {"type": "points", "id": "p-1", "account": "m-1", "at": MARCH_5, "points": "50"},
        {"type": "join", "id": "j-1", "account": "m-2", "at": MARCH_1},
        {"type": "redeem", "id": "d-1", "account": "m-1", "at": APRIL_1, "points": "10"},
        {"type": "refund", "id": "r-1", "at": APRIL_1, "order": "o-2", "amount": "100.00"},
        {"type": "refund", "id": "r-2", "at": APRIL_1, "order": "o-3", "lines": [{"line": 0, "quantity": "1"}]},
        {"type": "reverse", "id": "v-2", "at": APRIL_1, "target": "o-1"},
        {"type": "override", "id": "x-1", "account": "m-2", "at": MARCH_5, "tier": "gold", "until": JAN_2027},
        {"type": "merge", "id": "g-1", "account": "m-1", "from": "m-2", "at": "2026-05-01T00:00:00+03:00"},
        {"type": "earn", "id": "e-1", "account": "m-3", "at": MARCH_1, "points": "10", "order": "s-1", "amount": "10"},
        {"type": "adjust", "id": "a-1", "account": "m-1", "at": MARCH_1, "points": "5", "reason": "x"},
    ]
    tiers = loyalty.Tiers(program)
    codes = set(loyalty.error_codes()["tiers"])
    for i in range(2000):
        event = dict(rng.choice(templates))
        event["id"] = f"{event['id']}-{rng.randrange(30)}"
        event[rng.choice(keys)] = rng.choice(values)
        try:
            assert tiers.post(event)["status"] in ("applied", "duplicate", "ignored")
        except loyalty.TierError as e:
            assert e.code in codes, (e.code, event)
        try:
            tiers.order_tier(event)
        except loyalty.TierError as e:
            assert e.code in codes, (e.code, event)
        if i % 400 == 0:
            snapshot(tiers)
    assert len(tiers) > 0
    snapshot(tiers)


# --- threads -----------------------------------------------------------------------------------


def test_posting_from_threads(program: loyalty.Program, tiers: loyalty.Tiers) -> None:
    """One tier book shared by threads: every event lands exactly once."""
    events = [order(f"o-{i}", "100.00", account=f"m-{i % 5}", at=f"2026-03-{1 + i % 28:02d}T10:00:00+03:00") for i in range(100)]

    def work(t: int) -> None:
        for e in events:
            tiers.post(e)
            tiers.status(f"m-{t}", APRIL_1)

    threads = [threading.Thread(target=work, args=(t,)) for t in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert snapshot(tiers) == snapshot(loyalty.Tiers.replay(program, events))
    # 20 orders of 100 each: gold.
    assert tiers.status("m-0", APRIL_1)["metrics"]["orders"] == 20
    assert tiers.status("m-0", APRIL_1).get("tier") == "gold"

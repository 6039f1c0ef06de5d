"""The Python API of the points ledger: `loyalty.Ledger`, `Program.earn_event`, `LedgerError`."""

from __future__ import annotations

import copy
import datetime
import decimal
import json
import math
import pathlib
import pickle
import random
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from canonical_json import canonical

import loyalty

D = decimal.Decimal
RIYADH = datetime.timezone(datetime.timedelta(hours=3))

LEDGER_PROGRAM_TOML = """
schema_version = 1
id = "riyadh-coffee"
currency = "SAR"
time_zone = "Asia/Riyadh"

[[earn_rules]]
id = "base"
rate = { points = "1", per = "1" }

[ledger]
pending_days = 14
expiry = { end_of = "year", periods_after = 1 }
shortfall = "other_lots"
restore_expiry = "original"
redemption = { points = "100", value = "1", min_points = "100", max_percent = "50" }
"""

NO_REDEMPTION = {
    "schema_version": 1,
    "id": "plain",
    "currency": "SAR",
    "time_zone": "Asia/Riyadh",
    "earn_rules": [{"id": "base", "rate": {"points": "1", "per": "1"}}],
}

MARCH_1 = "2026-03-01T10:00:00+03:00"
APRIL_1 = "2026-04-01T00:00:00+03:00"


def earn(id: str = "e-1", account: str = "m-1", at: str = MARCH_1, points: str = "1200", **extra: Any) -> dict[str, Any]:
    return {"type": "earn", "id": id, "account": account, "at": at, "points": points, **extra}


def redeem(id: str, points: str, account: str = "m-1", at: str = APRIL_1, **extra: Any) -> dict[str, Any]:
    return {"type": "redeem", "id": id, "account": account, "at": at, "points": points, **extra}


ORDER_1 = earn(order="o-1", amount="1200.00")

# A day of events, two of them refused (a redemption beyond the balance, an
# adjustment without a reason) and one posted twice.
EVENTS: list[dict[str, Any]] = [
    ORDER_1,
    earn("e-2", "m-2", "2026-03-02T09:00:00+03:00", "300", order="o-2", amount="300"),
    redeem("r-1", "100", order="o-9", amount="50.00"),
    redeem("r-big", "100000"),
    {"type": "adjust", "id": "a-1", "account": "m-1", "at": APRIL_1, "points": "-10"},
    {"type": "adjust", "id": "a-2", "account": "m-2", "at": APRIL_1, "points": "25", "reason": "apology"},
    {"type": "refund", "id": "rf-1", "at": "2026-04-02T10:00:00+03:00", "order": "o-1", "amount": "600.00"},
    {"type": "transfer", "id": "t-1", "account": "m-2", "to": "m-3", "at": "2026-04-03T10:00:00+03:00", "points": "50"},
    ORDER_1,
    {"type": "wallet_deposit", "id": "w-1", "account": "w-1", "at": MARCH_1, "amount": "100.00", "reason": "top_up"},
    {"type": "wallet_charge", "id": "w-2", "account": "w-1", "at": APRIL_1, "amount": "30.50", "order": "o-7"},
]
ACCOUNTS = ["m-1", "m-2", "m-3", "w-1"]


@pytest.fixture(scope="module")
def program() -> loyalty.Program:
    return loyalty.Program.from_toml(LEDGER_PROGRAM_TOML)


@pytest.fixture
def ledger(program: loyalty.Program) -> loyalty.Ledger:
    return loyalty.Ledger(program)


def post_all(ledger: loyalty.Ledger, events: list[dict[str, Any]]) -> None:
    for e in events:
        try:
            ledger.post(e)
        except loyalty.LedgerError:
            pass


def snapshot(ledger: loyalty.Ledger, at: str = "2030-01-01T00:00:00+03:00") -> str:
    """Everything the ledger answers about every account, as canonical JSON."""
    return canonical(
        {
            a: {
                "balance": ledger.balance(a, at),
                "lots": ledger.lots(a, at),
                "statement": ledger.statement(a, at),
                "expiring": ledger.expiring(a, "2027-12-01T00:00:00+03:00", 60),
            }
            for a in ledger.accounts()
        }
    )


# --- the ledger object -----------------------------------------------------------


def test_new_ledger_is_empty(program: loyalty.Program, ledger: loyalty.Ledger) -> None:
    assert len(ledger) == 0
    assert ledger.accounts() == []
    assert ledger.program is program
    assert repr(ledger) == "Ledger(program='riyadh-coffee', accounts=0)"
    # An account never seen has a zero points balance.
    b = ledger.balance("nobody", MARCH_1)
    assert (b["kind"], b["available"], b["pending"], b["owed"]) == ("points", "0", "0", "0")
    assert ledger.lots("nobody", MARCH_1) == []
    assert ledger.statement("nobody", MARCH_1)["movements"] == []


def test_ledger_needs_a_program() -> None:
    with pytest.raises(TypeError):
        loyalty.Ledger({"schema_version": 1})  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        loyalty.Ledger()  # type: ignore[call-arg]


def test_accounts_and_len(ledger: loyalty.Ledger) -> None:
    post_all(ledger, EVENTS)
    assert ledger.accounts() == ACCOUNTS
    assert len(ledger) == 4
    assert repr(ledger) == "Ledger(program='riyadh-coffee', accounts=4)"


# --- posting ------------------------------------------------------------------------


def test_post_is_idempotent(ledger: loyalty.Ledger) -> None:
    assert ledger.post(ORDER_1) == {"event": "e-1", "status": "applied"}
    before = snapshot(ledger)
    # An offline till retrying the same event changes nothing.
    assert ledger.post(copy.deepcopy(ORDER_1)) == {"event": "e-1", "status": "duplicate"}
    assert ledger.post(ORDER_1) == {"event": "e-1", "status": "duplicate"}
    assert snapshot(ledger) == before


def test_same_id_other_content_is_refused(ledger: loyalty.Ledger) -> None:
    ledger.post(ORDER_1)
    with pytest.raises(loyalty.LedgerError) as info:
        ledger.post({**ORDER_1, "points": "5"})
    assert (info.value.code, info.value.path) == ("conflicting_duplicate", "id")


def test_refused_event_leaves_the_ledger_unchanged(ledger: loyalty.Ledger) -> None:
    ledger.post(ORDER_1)
    before = snapshot(ledger)
    balance = ledger.balance("m-1", APRIL_1)
    assert balance["available"] == "1200"
    with pytest.raises(loyalty.LedgerError) as info:
        ledger.post(redeem("r-1", "5000"))
    assert (info.value.code, info.value.path) == ("insufficient_points", "points")
    assert ledger.balance("m-1", APRIL_1) == balance
    assert snapshot(ledger) == before
    assert len(ledger) == 1
    assert ledger.post(redeem("r-2", "500")) == {"event": "r-2", "status": "applied"}
    assert ledger.balance("m-1", APRIL_1)["available"] == "700"


def test_refused_event_opens_no_account(ledger: loyalty.Ledger) -> None:
    with pytest.raises(loyalty.LedgerError) as info:
        ledger.post(redeem("r-1", "5", account="m-9"))
    assert info.value.code == "insufficient_points"
    assert ledger.accounts() == []


def test_ledger_error_attributes(ledger: loyalty.Ledger) -> None:
    with pytest.raises(loyalty.LedgerError) as info:
        ledger.post({"type": "adjust", "id": "a-1", "account": "m-1", "at": MARCH_1, "points": "0", "reason": "x"})
    e = info.value
    assert isinstance(e, loyalty.LoyaltyError) and isinstance(e, ValueError)
    assert not isinstance(e, (loyalty.ProgramError, loyalty.RequestError))
    assert type(e).__module__ == "loyalty"
    assert e.kind == "ledger"
    assert (e.code, e.path) == ("zero_adjustment", "points")
    assert e.errors == [{"code": "zero_adjustment", "path": "points", "message": str(e)}]
    assert "points" in str(e)
    back = pickle.loads(pickle.dumps(e))
    assert type(back) is loyalty.LedgerError
    assert (back.code, back.path, back.kind, back.errors, str(back)) == (e.code, e.path, e.kind, e.errors, str(e))


def test_bad_event_shape_is_a_ledger_error(ledger: loyalty.Ledger) -> None:
    cases: list[tuple[Any, str, str]] = [
        ({**ORDER_1, "points": 12.5}, "float_not_allowed", "points"),  # found by the binding
        ({**ORDER_1, "points": {1, 2}}, "invalid_type", "points"),
        ({**ORDER_1, "points": 2**70}, "invalid_value", "points"),
        ({**ORDER_1, "type": "gift"}, "unknown_variant", "type"),
        ({k: v for k, v in ORDER_1.items() if k != "points"}, "missing_field", "points"),
        ({**ORDER_1, "id": ""}, "empty_id", "id"),
        ({**ORDER_1, "at": "yesterday"}, "invalid_timestamp", "at"),
        ({**ORDER_1, "points": "-3"}, "not_positive", "points"),
        ({**ORDER_1, "points": "1.00001"}, "invalid_amount", "points"),
    ]
    codes = loyalty.error_codes()["ledger"]
    for event, code, path in cases:
        with pytest.raises(loyalty.LedgerError) as info:
            ledger.post(event)
        assert (info.value.kind, info.value.code, info.value.path) == ("ledger", code, path), event
        assert info.value.code in codes
    assert len(ledger) == 0


def test_events_accept_python_types(ledger: loyalty.Ledger) -> None:
    as_python = {
        **ORDER_1,
        "at": datetime.datetime(2026, 3, 1, 10, 0, tzinfo=RIYADH),
        "points": D("1200"),
        "amount": D("1200.00"),
    }
    assert ledger.post(as_python) == {"event": "e-1", "status": "applied"}
    # The same content as the text form: a duplicate.
    assert ledger.post(ORDER_1)["status"] == "duplicate"


# --- post_many --------------------------------------------------------------------


def _batch() -> list[Any]:
    return [
        ORDER_1,
        redeem("r-1", "100000"),  # insufficient_points
        earn("e-2", points="5"),
        {**earn("e-3"), "points": 1.5},  # float_not_allowed, found by the binding
        ORDER_1,  # duplicate
    ]


def test_post_many_return(ledger: loyalty.Ledger) -> None:
    results = ledger.post_many(_batch(), on_error="return")
    assert [type(r).__name__ for r in results] == ["dict", "LedgerError", "dict", "LedgerError", "dict"]
    assert results[0] == {"event": "e-1", "status": "applied"}
    assert results[2] == {"event": "e-2", "status": "applied"}
    assert results[4] == {"event": "e-1", "status": "duplicate"}
    short, floaty = results[1], results[3]
    assert isinstance(short, loyalty.LedgerError) and isinstance(floaty, loyalty.LedgerError)
    assert (short.code, short.path, short.kind) == ("insufficient_points", "points", "ledger")
    assert (floaty.code, floaty.path, floaty.kind) == ("float_not_allowed", "points", "ledger")
    assert ledger.balance("m-1", APRIL_1)["available"] == "1205"


def test_post_many_equals_post_one_by_one(program: loyalty.Program, ledger: loyalty.Ledger) -> None:
    many = ledger.post_many(EVENTS, on_error="return")
    one = loyalty.Ledger(program)
    for event, result in zip(EVENTS, many):
        try:
            assert one.post(event) == result
        except loyalty.LedgerError as e:
            assert isinstance(result, loyalty.LedgerError)
            assert (e.code, e.path, e.errors) == (result.code, result.path, result.errors)
    assert snapshot(one) == snapshot(ledger)


def test_post_many_raise_stops_at_the_first_refusal(ledger: loyalty.Ledger) -> None:
    with pytest.raises(loyalty.LedgerError) as info:
        ledger.post_many(_batch())
    assert info.value.code == "insufficient_points"
    # The event before the refusal is posted, the ones after it are not.
    assert ledger.post(ORDER_1)["status"] == "duplicate"
    assert ledger.post(earn("e-2", points="5"))["status"] == "applied"


def test_post_many_raise_reports_binding_errors_in_order(ledger: loyalty.Ledger) -> None:
    with pytest.raises(loyalty.LedgerError) as info:
        ledger.post_many([{**ORDER_1, "id": 1j}, redeem("r-1", "100000")])
    assert (info.value.code, info.value.path) == ("invalid_type", "id")
    assert len(ledger) == 0


def test_post_many_all_good(ledger: loyalty.Ledger) -> None:
    assert ledger.post_many([ORDER_1, earn("e-2", points="1")], on_error="raise") == [
        {"event": "e-1", "status": "applied"},
        {"event": "e-2", "status": "applied"},
    ]
    assert ledger.post_many([]) == []


def test_post_many_takes_any_iterable(ledger: loyalty.Ledger) -> None:
    def events() -> Iterator[dict[str, Any]]:
        yield ORDER_1
        yield earn("e-2", points="1")

    assert len(ledger.post_many(events())) == 2
    assert len(ledger.post_many((ORDER_1,))) == 1


def test_post_many_arguments(ledger: loyalty.Ledger) -> None:
    with pytest.raises(ValueError, match="on_error"):
        ledger.post_many([], on_error="ignore")  # type: ignore[call-overload]
    not_lists: list[Any] = [ORDER_1, "events", b"events", 3, None]
    for not_a_list in not_lists:
        with pytest.raises(TypeError):
            ledger.post_many(not_a_list)


def test_post_many_propagates_exceptions_from_python_code(ledger: loyalty.Ledger) -> None:
    def events() -> Iterator[dict[str, Any]]:
        yield ORDER_1
        raise RuntimeError("boom")

    # Only engine errors are returned; an exception from the caller's own code
    # propagates, after the events before it were posted.
    with pytest.raises(RuntimeError, match="boom"):
        ledger.post_many(events(), on_error="return")
    assert ledger.post(ORDER_1)["status"] == "duplicate"


# --- replay ---------------------------------------------------------------------------


def test_replay_equals_post_by_post(program: loyalty.Program, ledger: loyalty.Ledger) -> None:
    post_all(ledger, EVENTS)
    replayed = loyalty.Ledger.replay(program, EVENTS)
    assert isinstance(replayed, loyalty.Ledger)
    assert replayed.program is program
    assert replayed.accounts() == ledger.accounts() == ACCOUNTS
    assert snapshot(replayed) == snapshot(ledger)
    # Replaying twice, or from a generator, gives the same ledger again.
    assert snapshot(loyalty.Ledger.replay(program, (e for e in EVENTS + EVENTS))) == snapshot(ledger)


def test_replay_skips_events_the_binding_refuses(program: loyalty.Program) -> None:
    clean = loyalty.Ledger.replay(program, [ORDER_1])
    noisy = loyalty.Ledger.replay(program, [{"x": {1}}, ORDER_1, {**ORDER_1, "id": "e-9", "points": math.nan}])
    assert snapshot(noisy) == snapshot(clean)


def test_replay_of_every_vector_equals_posting(program: loyalty.Program) -> None:
    vectors = pathlib.Path(__file__).resolve().parents[2] / "tests" / "vectors" / "ledger"
    files = sorted(vectors.glob("*.json"))
    if not files:
        pytest.skip("no ledger vectors yet")
    for path in files:
        doc = json.loads(path.read_text(encoding="utf-8"))
        p = loyalty.Program.from_dict(doc["program"]) if "program" in doc else loyalty.Program.from_toml(doc["program_toml"])
        events = [s["event"] for s in doc["steps"] if s["op"] == "post"]
        one = loyalty.Ledger(p)
        post_all(one, events)
        assert snapshot(loyalty.Ledger.replay(p, events)) == snapshot(one), path.name


def test_replay_arguments(program: loyalty.Program) -> None:
    with pytest.raises(TypeError):
        loyalty.Ledger.replay(program, ORDER_1)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        loyalty.Ledger.replay(NO_REDEMPTION, [])  # type: ignore[arg-type]
    assert len(loyalty.Ledger.replay(program, [])) == 0


# --- queries --------------------------------------------------------------------------


def test_balance_lots_expiring(ledger: loyalty.Ledger) -> None:
    ledger.post(ORDER_1)
    pending = ledger.balance("m-1", "2026-03-02T00:00:00+03:00")
    assert (pending["available"], pending["pending"]) == ("0", "1200")
    assert pending == {
        "account": "m-1",
        "kind": "points",
        "as_of": "2026-03-02T00:00:00+03:00",
        "available": "0",
        "pending": "1200",
        "owed": "0",
        "totals": {
            "earned": "1200",
            "redeemed": "0",
            "expired": "0",
            "adjusted": "0",
            "reversed": "0",
            "restored": "0",
            "transferred_in": "0",
            "transferred_out": "0",
            "merged_in": "0",
        },
    }
    (lot,) = ledger.lots("m-1", APRIL_1)
    assert lot == {
        "lot": "e-1",
        "kind": "earn",
        "status": "available",
        "created_at": MARCH_1,
        "available_at": "2026-03-15T10:00:00+03:00",
        "expires_at": "2028-01-01T00:00:00+03:00",
        "points": "1200",
        "remaining": "1200",
    }
    soon = ledger.expiring("m-1", "2027-12-01T00:00:00+03:00", 31)
    assert soon["within_days"] == 31 and isinstance(soon["within_days"], int)
    assert (soon["points"], [x["lot"] for x in soon["lots"]]) == ("1200", ["e-1"])
    assert ledger.expiring("m-1", "2027-12-01T00:00:00+03:00", 30)["points"] == "0"
    # Points earned in 2026 expire when 2027 ends.
    gone = ledger.balance("m-1", "2028-01-01T00:00:00+03:00")
    assert gone["available"] == "0"
    assert gone.get("totals", {}).get("expired") == "1200"


def _leaf_types(value: Any) -> set[type]:
    if isinstance(value, dict):
        return set().union(*(_leaf_types(v) for v in value.values()))
    if isinstance(value, list):
        return set().union(*(_leaf_types(v) for v in value))
    return {type(value)}


def test_answers_are_the_cores_json(ledger: loyalty.Ledger) -> None:
    """Amounts stay the core's decimal strings, so answers compare byte for byte."""
    post_all(ledger, EVENTS)
    b = ledger.balance("m-1", APRIL_1)
    assert all(isinstance(b[k], str) for k in ("available", "pending", "owed"))
    for account in ACCOUNTS:
        for answer in (
            ledger.balance(account, APRIL_1),
            ledger.lots(account, APRIL_1),
            ledger.statement(account, APRIL_1),
            ledger.expiring(account, APRIL_1, 30),
        ):
            assert _leaf_types(answer) <= {str, int}
            assert json.loads(canonical(answer)) == answer
    assert ledger.statement("w-1", APRIL_1)["movements"][1]["change"] == "-30.50"
    # Fresh objects every time.
    ledger.lots("m-1", APRIL_1).clear()
    assert ledger.lots("m-1", APRIL_1) != []


def test_at_accepts_aware_datetimes(ledger: loyalty.Ledger) -> None:
    ledger.post(ORDER_1)
    as_text = ledger.balance("m-1", APRIL_1)
    local = datetime.datetime(2026, 4, 1, tzinfo=RIYADH)
    utc = datetime.datetime(2026, 3, 31, 21, tzinfo=datetime.timezone.utc)
    assert ledger.balance("m-1", local) == as_text
    assert ledger.balance("m-1", utc) == as_text  # answered in the program's time zone
    assert ledger.lots("m-1", utc) == ledger.lots("m-1", APRIL_1)
    assert ledger.statement("m-1", utc) == ledger.statement("m-1", APRIL_1)
    assert ledger.statement_rows("m-1", utc) == ledger.statement_rows("m-1", APRIL_1)
    assert ledger.expiring("m-1", utc, 400) == ledger.expiring("m-1", APRIL_1, 400)
    with_micros = ledger.balance("m-1", datetime.datetime(2026, 4, 1, 0, 0, 0, 500000, tzinfo=RIYADH))
    assert with_micros["available"] == "1200"


def test_at_rejects_naive_datetimes_and_other_types(ledger: loyalty.Ledger) -> None:
    with pytest.raises(loyalty.LedgerError) as info:
        ledger.balance("m-1", datetime.datetime(2026, 4, 1))
    assert (info.value.kind, info.value.code, info.value.path) == ("ledger", "invalid_timestamp", "at")
    with pytest.raises(loyalty.LedgerError) as info:
        ledger.lots("m-1", "2026-04-01")
    assert (info.value.code, info.value.path) == ("invalid_timestamp", "at")
    for bad in (datetime.date(2026, 4, 1), 1775000000, None):
        with pytest.raises(TypeError, match="at"):
            ledger.balance("m-1", bad)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        ledger.balance(7, APRIL_1)  # type: ignore[arg-type]
    with pytest.raises(OverflowError):
        ledger.expiring("m-1", APRIL_1, -1)


def test_statement(ledger: loyalty.Ledger) -> None:
    post_all(ledger, EVENTS)
    s = ledger.statement("m-1", "2026-04-05T00:00:00+03:00")
    assert (s["account"], s["kind"], s["as_of"]) == ("m-1", "points", "2026-04-05T00:00:00+03:00")
    kinds = [m["kind"] for m in s["movements"]]
    assert kinds[:3] == ["earn", "release", "redeem"]
    assert "refund" in kinds
    earn_row = s["movements"][0]
    assert (earn_row["change"], earn_row["order"], earn_row["lots"]) == ("1200", "o-1", [{"lot": "e-1", "points": "1200"}])
    assert "note" not in earn_row
    wallet = ledger.statement("w-1", APRIL_1)
    assert wallet["kind"] == "wallet"
    assert [(m["kind"], m["change"], m["available"]) for m in wallet["movements"]] == [
        ("deposit", "100.00", "100.00"),
        ("charge", "-30.50", "69.50"),
    ]


def test_statement_rows_are_flat_and_typed(ledger: loyalty.Ledger) -> None:
    post_all(ledger, EVENTS)
    keys = ["at", "kind", "event", "change", "order", "note", "available", "pending", "owed", "lots"]
    for account in ACCOUNTS:
        statement = ledger.statement(account, "2030-01-01T00:00:00+03:00")
        rows = ledger.statement_rows(account, "2030-01-01T00:00:00+03:00")
        assert len(rows) == len(statement["movements"]) > 0
        for row, m in zip(rows, statement["movements"]):
            # The same keys, in the same order, in every row: one column each in a data frame.
            assert list(row) == keys
            for k in ("change", "available", "pending", "owed"):
                assert isinstance(row[k], decimal.Decimal)
            assert format(row["change"], "f") == m["change"]
            assert row["order"] == m.get("order")
            assert row["note"] == m.get("note")
            assert all(isinstance(x, str) for x in (row["at"], row["kind"], row["event"]))
            assert isinstance(row["lots"], list)
            assert all(set(c) == {"lot", "points"} and isinstance(c["points"], decimal.Decimal) for c in row["lots"])
    rows = ledger.statement_rows("m-1", "2030-01-01T00:00:00+03:00")
    assert rows[0]["change"] == D("1200") and rows[0]["order"] == "o-1" and rows[0]["note"] is None
    # The running balances add up: available + pending after each row.
    assert sum((r["change"] for r in rows), D(0)) == rows[-1]["available"] + rows[-1]["pending"] - rows[-1]["owed"]
    assert ledger.statement_rows("nobody", APRIL_1) == []
    with pytest.raises(loyalty.LedgerError):
        ledger.statement_rows("m-1", "not a time")


def test_statement_rows_build_columns_without_pandas(ledger: loyalty.Ledger) -> None:
    """What pandas.DataFrame(rows) does with a list of dicts: one column per key."""
    post_all(ledger, EVENTS)
    rows = ledger.statement_rows("m-1", "2030-01-01T00:00:00+03:00")
    columns: dict[str, list[Any]] = {k: [r[k] for r in rows] for k in rows[0]}  # type: ignore[literal-required]
    assert all(len(c) == len(rows) for c in columns.values())
    assert all(isinstance(v, decimal.Decimal) for v in columns["change"])


# --- paying with points ------------------------------------------------------------------


def test_pay_with_points_then_post_its_event(ledger: loyalty.Ledger) -> None:
    ledger.post(ORDER_1)
    request = {"id": "p-1", "account": "m-1", "at": APRIL_1, "order": "o-5", "order_total": "50.00"}
    payment = ledger.pay_with_points(request)
    # 1200 points are worth 12.00; at most 50% of 50.00 may be paid with points.
    assert payment == {
        "points": "1200",
        "discount": "12.00",
        "available": "1200",
        "limited_by": "balance",
        "event": {
            "type": "redeem",
            "id": "p-1",
            "account": "m-1",
            "at": APRIL_1,
            "points": "1200",
            "order": "o-5",
            "amount": "50.00",
        },
    }
    assert ledger.balance("m-1", APRIL_1)["available"] == "1200"  # nothing posted yet
    assert "event" in payment
    assert ledger.post(payment["event"]) == {"event": "p-1", "status": "applied"}
    assert ledger.balance("m-1", APRIL_1)["available"] == "0"
    capped = ledger.pay_with_points({**request, "id": "p-2", "order_total": "10.00", "at": "2026-03-20T00:00:00+03:00"})
    assert (capped["limited_by"], capped["points"], capped["discount"]) == ("max_percent", "500", "5.00")


def test_pay_with_points_errors(program: loyalty.Program, ledger: loyalty.Ledger) -> None:
    request = {"id": "p-1", "account": "m-1", "at": APRIL_1, "order_total": "50.00"}
    with pytest.raises(loyalty.LedgerError) as info:
        ledger.pay_with_points(request)  # no points: below the minimum of 100
    assert info.value.code == "below_minimum"
    with pytest.raises(loyalty.LedgerError) as info:
        ledger.pay_with_points({**request, "order_total": 50.0})
    assert (info.value.code, info.value.path) == ("float_not_allowed", "order_total")
    with pytest.raises(loyalty.LedgerError) as info:
        ledger.pay_with_points({**request, "tip": "1"})
    assert info.value.code == "unknown_field"
    plain = loyalty.Ledger(loyalty.Program.from_dict(NO_REDEMPTION))
    with pytest.raises(loyalty.LedgerError) as info:
        plain.pay_with_points(request)
    assert (info.value.code, info.value.path) == ("redemption_not_configured", "")


# --- Program.earn_event ---------------------------------------------------------------------


ORDER: dict[str, Any] = {
    "id": "o-2",
    "placed_at": "2026-03-03T20:00:00+03:00",
    "lines": [
        {"sku": "latte", "quantity": "2", "unit_price": "15.00"},
        {"sku": "cake", "quantity": "1", "unit_price": "20.00"},
    ],
}


def test_earn_event_posts_and_refunds_by_line(program: loyalty.Program, ledger: loyalty.Ledger) -> None:
    event = program.earn_event({"order": ORDER}, account="m-1", id="e-o-2")
    assert event is not None
    assert event == {
        "type": "earn",
        "id": "e-o-2",
        "account": "m-1",
        "at": "2026-03-03T20:00:00+03:00",
        "points": "50",
        "order": "o-2",
        "amount": "50.00",
        "lines": [
            {"quantity": "2", "amount": "30.00", "points": "30"},
            {"quantity": "1", "amount": "20.00", "points": "20"},
        ],
    }
    assert ledger.post(event)["status"] == "applied"
    ledger.post({"type": "refund", "id": "rf-1", "at": "2026-03-04T10:00:00+03:00", "order": "o-2", "lines": [{"line": 0, "quantity": "1"}]})
    assert ledger.balance("m-1", APRIL_1)["available"] == "35"


def test_earn_event_is_none_when_nothing_is_earned(program: loyalty.Program) -> None:
    free = {**ORDER, "lines": [{"sku": "water", "quantity": "1", "unit_price": "0"}]}
    assert program.earn_event({"order": free}, account="m-1", id="e-x") is None


def test_earn_event_request_errors(program: loyalty.Program) -> None:
    with pytest.raises(loyalty.RequestError) as info:
        program.earn_event({"order": {**ORDER, "lines": []}}, account="m-1", id="e-x")
    assert (info.value.kind, info.value.code) == ("request", "empty_order")
    with pytest.raises(loyalty.RequestError) as info:
        program.earn_event({"order": {**ORDER, "lines": [{**ORDER["lines"][0], "quantity": 1.5}]}}, account="m-1", id="e-x")
    assert (info.value.code, info.value.path) == ("float_not_allowed", "order.lines[0].quantity")
    with pytest.raises(TypeError):
        program.earn_event({"order": ORDER}, "m-1", "e-x")  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        program.earn_event({"order": ORDER}, account="m-1")  # type: ignore[call-arg]


# --- error codes ------------------------------------------------------------------------------


def test_error_codes_include_the_ledger() -> None:
    codes = loyalty.error_codes()
    assert set(codes) == {"program", "request", "ledger", "tiers", "referrals"}
    assert {"insufficient_points", "conflicting_duplicate", "invalid_timestamp", "float_not_allowed"} <= set(codes["ledger"])
    assert len(codes["ledger"]) == len(set(codes["ledger"]))


# --- garbage in, coded errors out (never a panic) -------------------------------------------


def _nested(depth: int) -> Any:
    value: Any = "x"
    for _ in range(depth):
        value = {"a": [value]}
    return value


GARBAGE: list[Any] = [
    None,
    [],
    {},
    "earn",
    42,
    {"type": None},
    {"type": "earn"},
    {**ORDER_1, "points": math.nan},
    {**ORDER_1, "points": math.inf},
    {**ORDER_1, "points": D("NaN")},
    {**ORDER_1, "points": D("-Infinity")},
    {**ORDER_1, "points": D("1E+100")},
    {**ORDER_1, "points": 10**100},
    {**ORDER_1, "points": -(10**100)},
    {**ORDER_1, "points": 2**63},
    {**ORDER_1, "points": "79228162514264337593543950335"},
    {**ORDER_1, "points": "1000000000000.0001"},
    {**ORDER_1, "points": "1e3"},
    {**ORDER_1, "order": _nested(200)},
    {**ORDER_1, "lines": _nested(60)},
    {**ORDER_1, "id": "\ud800"},
    {**ORDER_1, "account": "\x00"},
    {**ORDER_1, "at": "9999-12-31T23:59:59-23:59"},
    {**ORDER_1, "at": "0000-01-01T00:00:00+23:59"},
    {**ORDER_1, "at": "2026-02-30T10:00:00+03:00"},
    {**ORDER_1, "at": "2026-03-01T10:00:00+03:00" * 1000},
    {**ORDER_1, "lines": [{"quantity": "1", "amount": "1", "points": "1"}] * 3},
    {**ORDER_1, "lines": [{"quantity": "0", "amount": "-1", "points": "1200"}]},
    {"type": "refund", "id": "x", "at": MARCH_1, "order": "o-1", "lines": [{"line": 2**64, "quantity": "1"}]},
    {"type": "refund", "id": "x", "at": MARCH_1, "order": "o-1", "lines": [{"line": -1, "quantity": "1"}]},
    {"type": "refund", "id": "x", "at": MARCH_1, "order": "o-1", "amount": "79228162514264337593543950335"},
    {"type": "reverse", "id": "x", "at": MARCH_1, "target": "x"},
    {"type": "transfer", "id": "x", "account": "m-1", "to": "m-1", "at": MARCH_1, "points": "1"},
    {"type": "merge", "id": "x", "account": "m-1", "from": "m-1", "at": MARCH_1},
    {"type": "wallet_limit", "id": "x", "account": "m-1", "at": MARCH_1, "credit_limit": "-1"},
    {"type": "wallet_charge", "id": "x", "account": "w-1", "at": MARCH_1, "amount": "1000000000000"},
]


def test_garbage_events_give_ledger_errors(ledger: loyalty.Ledger) -> None:
    post_all(ledger, EVENTS)
    before = snapshot(ledger)
    for event in GARBAGE:
        try:
            ledger.post(event)
        except loyalty.LedgerError as e:
            assert e.code in loyalty.error_codes()["ledger"], (e.code, event)
        else:  # a few are valid events; they must at least leave a working ledger
            pass
    snapshot(ledger)  # still answers
    assert before  # and the answers before were real


def test_self_referencing_event_is_an_error_not_a_crash(ledger: loyalty.Ledger) -> None:
    event: dict[str, Any] = dict(ORDER_1)
    event["lines"] = [event]
    with pytest.raises(loyalty.LedgerError) as info:
        ledger.post(event)
    assert info.value.code == "invalid_value"


def test_random_mutations_never_crash(program: loyalty.Program) -> None:
    """Thousands of events with one value replaced by a random one: each is
    applied, a duplicate, or a coded LedgerError; the ledger keeps answering."""
    rng = random.Random(20260301)
    values: list[Any] = [
        None, True, 0, -1, 2**64, 1.5, math.nan, "", " ", "0", "-0", "1", "-1", "0.00001", "1e5",
        "999999999999", "1000000000000", "-1000000000000", "79228162514264337593543950335",
        MARCH_1, APRIL_1, "2026-03-01", "9999-12-31T23:59:59Z", "1900-01-01T00:00:00+03:00",
        "m-1", "m-2", "w-1", "o-1", "e-1", [], {}, [{"line": 0, "quantity": "1"}],
        [{"quantity": "1", "amount": "10", "points": "5"}], D("1.5"), D("sNaN"),
    ]
    keys = ["id", "account", "at", "points", "order", "amount", "lines", "to", "from", "target", "reason", "credit_limit", "type"]
    templates = EVENTS + [
        {"type": "reverse", "id": "v-1", "at": APRIL_1, "target": "e-1"},
        {"type": "merge", "id": "g-1", "account": "m-1", "from": "m-2", "at": "2026-05-01T00:00:00+03:00"},
        {"type": "wallet_refund", "id": "wr-1", "at": APRIL_1, "order": "o-7"},
        {"type": "wallet_limit", "id": "wl-1", "account": "w-1", "at": APRIL_1, "credit_limit": "50"},
    ]
    ledger = loyalty.Ledger(program)
    codes = set(loyalty.error_codes()["ledger"])
    for i in range(3000):
        event = dict(rng.choice(templates))
        event["id"] = f"{event['id']}-{rng.randrange(40)}"
        event[rng.choice(keys)] = rng.choice(values)
        try:
            ledger.post(event)
        except loyalty.LedgerError as e:
            assert e.code in codes
        if i % 500 == 0:
            for account in ledger.accounts():
                for at in ("2026-03-10T00:00:00Z", "2031-01-01T00:00:00Z"):
                    ledger.balance(account, at)
                    ledger.statement_rows(account, at)
                    ledger.expiring(account, at, 3650)
                    ledger.lots(account, at)
            try:
                ledger.pay_with_points({"id": "p", "account": "m-1", "at": APRIL_1, "order_total": rng.choice(["0", "1", "99999999999999999999"])})
            except loyalty.LedgerError as e:
                assert e.code in codes
    assert len(ledger) > 0


def test_garbage_queries_give_errors(ledger: loyalty.Ledger, program: loyalty.Program) -> None:
    post_all(ledger, EVENTS)
    for at in ("", "now", "2026-03-01T10:00:00", "2026-13-01T00:00:00Z", "\ud800", "9" * 10000):
        with pytest.raises((loyalty.LedgerError, UnicodeEncodeError)):
            ledger.balance("m-1", at)
    for days in (0, 2**32 - 1):
        assert ledger.expiring("m-1", APRIL_1, days)["within_days"] == days
    with pytest.raises(OverflowError):
        ledger.expiring("m-1", APRIL_1, 2**32)
    payments: list[Any] = [
        None,
        [],
        {"id": "p"},
        {"id": "p", "account": "m-1", "at": APRIL_1, "order_total": "-1"},
        _nested(300),
    ]
    for request in payments:
        with pytest.raises(loyalty.LedgerError):
            ledger.pay_with_points(request)
    quotes: list[Any] = [
        None,
        {},
        {"order": _nested(300)},
        {"order": {**ORDER, "lines": [{"sku": "a", "quantity": "1", "unit_price": math.nan}]}},
    ]
    for request in quotes:
        with pytest.raises(loyalty.RequestError):
            program.earn_event(request, account="m-1", id="x")


# --- threads -----------------------------------------------------------------------------------


def test_posting_from_threads(program: loyalty.Program, ledger: loyalty.Ledger) -> None:
    """One ledger shared by threads: every event lands exactly once."""

    def work(t: int) -> None:
        for i in range(200):
            # Every thread posts every event: each is applied once, then duplicates.
            ledger.post(earn(f"e-{i}", account=f"m-{i % 7}", points="1"))
            ledger.balance(f"m-{t}", APRIL_1)

    threads = [threading.Thread(target=work, args=(t,)) for t in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    total = sum(D(ledger.balance(a, APRIL_1)["available"]) for a in ledger.accounts())
    assert total == 200
    events = [earn(f"e-{i}", account=f"m-{i % 7}", points="1") for i in range(200)]
    assert snapshot(ledger) == snapshot(loyalty.Ledger.replay(program, events))

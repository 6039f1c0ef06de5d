"""The Python API: loading programs, quoting, typed results."""

from __future__ import annotations

import collections.abc
import copy
import datetime
import decimal
import importlib.metadata
import json
import pathlib
import re
import threading
import types
from typing import Any

import pytest
from canonical_json import canonical
from programs import COUNTERS, EVENT, ORDER, PROGRAM, PROGRAM_TOML

import loyalty

D = decimal.Decimal


@pytest.fixture(scope="module")
def program() -> loyalty.Program:
    return loyalty.Program.from_dict(PROGRAM)


# --- loading -----------------------------------------------------------------


def test_program_properties(program: loyalty.Program) -> None:
    assert program.id == "riyadh-coffee"
    assert program.currency == "SAR"
    assert program.time_zone == "Asia/Riyadh"
    assert program.calendar == "gregorian"
    assert repr(program) == (
        "Program(id='riyadh-coffee', currency='SAR', time_zone='Asia/Riyadh', calendar='gregorian')"
    )


def test_to_json_loads_back_into_the_same_program(program: loyalty.Program) -> None:
    text = program.to_json()
    assert json.loads(text)["id"] == "riyadh-coffee"
    again = loyalty.Program.from_json(text)
    assert again.to_json() == text
    assert again.quote(ORDER) == program.quote(ORDER)


def test_from_toml() -> None:
    p = loyalty.Program.from_toml(PROGRAM_TOML)
    assert (p.id, p.currency, p.time_zone, p.calendar) == ("tehran-cafe-club", "IRR", "Asia/Tehran", "persian")


def test_from_file_json_and_toml(tmp_path: pathlib.Path) -> None:
    json_path = tmp_path / "program.json"
    json_path.write_text(json.dumps(PROGRAM), encoding="utf-8")
    toml_path = tmp_path / "program.TOML"
    toml_path.write_text(PROGRAM_TOML, encoding="utf-8")

    from_path = loyalty.Program.from_file(json_path)
    from_str = loyalty.Program.from_file(str(json_path))
    assert from_path.id == from_str.id == "riyadh-coffee"
    assert from_path.to_json() == loyalty.Program.from_dict(PROGRAM).to_json()
    assert loyalty.Program.from_file(toml_path).id == "tehran-cafe-club"


def test_from_file_takes_the_format_from_the_extension(tmp_path: pathlib.Path) -> None:
    # JSON text in a .toml file is read as TOML, and fails as TOML.
    path = tmp_path / "program.toml"
    path.write_text(json.dumps(PROGRAM), encoding="utf-8")
    with pytest.raises(loyalty.ProgramError) as info:
        loyalty.Program.from_file(path)
    assert info.value.code == "syntax_error"


def test_from_file_unknown_extension_and_missing_file(tmp_path: pathlib.Path) -> None:
    yaml_path = tmp_path / "program.yaml"
    yaml_path.write_text("id: x", encoding="utf-8")
    with pytest.raises(ValueError, match=r"\.json or \.toml") as info:
        loyalty.Program.from_file(yaml_path)
    assert not isinstance(info.value, loyalty.LoyaltyError)
    with pytest.raises(FileNotFoundError) as missing:
        loyalty.Program.from_file(tmp_path / "missing.json")
    assert missing.value.filename == str(tmp_path / "missing.json")


def test_from_file_rejects_text_that_is_not_utf8(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "program.json"
    path.write_bytes(b'{"id": "\xff"}')
    with pytest.raises(UnicodeDecodeError):
        loyalty.Program.from_file(path)


def test_from_dict_accepts_any_mapping() -> None:
    p = loyalty.Program.from_dict(types.MappingProxyType(copy.deepcopy(PROGRAM)))
    assert p.id == "riyadh-coffee"


def test_program_is_immutable(program: loyalty.Program) -> None:
    with pytest.raises(AttributeError):
        program.id = "other"  # type: ignore[misc]


# --- quoting -------------------------------------------------------------------


def test_quote_kwargs_equal_a_request_dict(program: loyalty.Program) -> None:
    customer = {"id": "c-1", "tier": "gold"}
    by_kwargs = program.quote(ORDER, customer=customer, counters=COUNTERS, explain=True)
    by_request = program.quote_request(
        {"order": ORDER, "customer": customer, "counters": COUNTERS, "explain": True}
    )
    assert by_kwargs == by_request
    assert by_kwargs.to_json() == by_request.to_json()
    assert [a.rule for a in by_kwargs.awards] == ["base", "big-spender", "bakery-x2", "gold-only"]


def test_quote_event_keyword(program: loyalty.Program) -> None:
    q = program.quote(event=EVENT, customer={"id": "c-1"})
    assert (q.source_kind, q.source_id) == ("event", "ev-7")
    assert [(a.rule, a.kind, a.points) for a in q.awards] == [("survey", "event", D("25"))]
    assert q.lines == []
    # 21:30 UTC is the next day in Riyadh.
    assert q.local_time == datetime.datetime(2026, 3, 4, 0, 30, tzinfo=datetime.timezone(datetime.timedelta(hours=3)))


def test_quote_order_and_event_is_ambiguous(program: loyalty.Program) -> None:
    with pytest.raises(loyalty.RequestError) as info:
        program.quote(ORDER, event=EVENT)
    assert info.value.code == "ambiguous_source"


def test_explain_fills_misses(program: loyalty.Program) -> None:
    assert program.quote(ORDER).misses == []
    q = program.quote(ORDER, explain=True)
    misses = {m.rule: m for m in q.misses}
    assert set(misses) == {"survey", "gold-only"}
    assert misses["survey"].reasons == [{"code": "event_rule"}]
    assert misses["gold-only"].reasons == [{"code": "tier_not_matched", "found": None}]
    assert misses["gold-only"].to_dict() == {
        "rule": "gold-only",
        "reasons": [{"code": "tier_not_matched", "found": None}],
    }


def test_miss_reasons_carry_decimals(program: loyalty.Program) -> None:
    small = {**ORDER, "lines": [ORDER["lines"][1]]}
    q = program.quote(small, explain=True)
    (reason,) = next(m for m in q.misses if m.rule == "big-spender").reasons
    assert reason == {"code": "min_spend_not_met", "required": D("500"), "actual": D("19.50")}
    assert isinstance(reason["actual"], decimal.Decimal)


def test_python_types_are_converted_exactly(program: loyalty.Program) -> None:
    as_text = program.quote(ORDER, customer={"id": "c-1", "birth_date": "1990-03-03"}, explain=True)
    order = copy.deepcopy(ORDER)
    order["placed_at"] = datetime.datetime(2026, 3, 3, 20, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=3)))
    order["lines"] = tuple(order["lines"])
    for line in order["lines"]:
        line["unit_price"] = D(line["unit_price"])
        line["quantity"] = int(line["quantity"])
    order["lines"][0]["unit_price"] = D("5.2000E+2")  # same value and scale as "520.00"
    customer = types.MappingProxyType({"id": "c-1", "birth_date": datetime.date(1990, 3, 3)})
    as_python = program.quote(order, customer=customer, explain=True)
    assert as_python == as_text
    assert as_python.eligible_spend == D("539.50")
    assert str(as_python.eligible_spend) == "539.50"


# --- typed results ---------------------------------------------------------------


def test_quote_attributes_are_typed(program: loyalty.Program) -> None:
    q = program.quote(ORDER, counters=COUNTERS)
    assert (q.program, q.source_kind, q.source_id, q.currency) == ("riyadh-coffee", "order", "o-1", "SAR")
    assert isinstance(q.local_time, datetime.datetime)
    assert q.local_time.utcoffset() == datetime.timedelta(hours=3)
    assert q.local_time == datetime.datetime(2026, 3, 3, 17, 0, tzinfo=datetime.timezone.utc)
    assert isinstance(q.total, decimal.Decimal) and isinstance(q.eligible_spend, decimal.Decimal)
    # base 539.50 / 10 -> 53; big-spender 100 cut to 60 per order, then to 30 by the day;
    # bakery x2 on 19.50 / 10 = 1.95 -> 1.
    assert q.eligible_spend == D("539.50")
    assert [(a.rule, a.points) for a in q.awards] == [("base", D("53")), ("big-spender", D("30")), ("bakery-x2", D("1"))]
    assert q.total == D("84")
    assert q.counters == {"big-spender": {"day": {"window": "2026-03-03", "points": D("80")}}}
    assert repr(q) == "Quote(program='riyadh-coffee', source_kind='order', source_id='o-1', total=Decimal('84'))"


def test_award_line_award_and_cap_hit(program: loyalty.Program) -> None:
    q = program.quote(ORDER, counters=COUNTERS)
    base, big, bakery = q.awards
    assert (base.kind, base.group, base.multiplier, base.base) == ("rate", None, None, D("539.50"))
    assert (base.unrounded, base.rounding, base.points) == (D("53.95"), D("-0.95"), D("53"))
    assert [(la.line, la.base, la.points) for la in base.lines] == [
        (0, D("520.00"), D("52")),
        (1, D("19.50"), D("1.95")),
    ]
    assert all(isinstance(la.line, int) for la in base.lines)
    assert base.caps == []

    assert big.kind == "bonus"
    caps = big.caps
    assert [c.cap for c in caps] == ["per_order", "per_day"]
    assert [(c.limit, c.used, c.cut) for c in caps] == [(D("60"), D("0"), D("40")), (D("80"), D("50"), D("30"))]
    assert caps[0].to_dict() == {"cap": "per_order", "limit": D("60"), "used": D("0"), "cut": D("40")}

    assert (bakery.kind, bakery.group, bakery.multiplier) == ("multiplier", "treats", D("2"))
    d = bakery.to_dict()
    assert d["group"] == "treats" and d["multiplier"] == D("2")
    assert "group" not in base.to_dict() and "multiplier" not in base.to_dict()


def test_line_info(program: loyalty.Program) -> None:
    lines = program.quote(ORDER).lines
    assert [(li.line, li.sku, li.eligible, li.excluded) for li in lines] == [
        (0, "espresso-machine", D("520.00"), None),
        (1, "croissant", D("19.50"), None),
        (2, "bag-fee", D("0.00"), "excluded_sku"),
    ]
    assert lines[2].to_dict() == {"line": 2, "sku": "bag-fee", "eligible": D("0.00"), "excluded": "excluded_sku"}
    assert "excluded" not in lines[0].to_dict()


def test_to_dict_mirrors_core_json(program: loyalty.Program) -> None:
    q = program.quote(ORDER, counters=COUNTERS, explain=True)
    d = q.to_dict()
    assert d["local_time"] == "2026-03-03T20:00:00+03:00"
    assert d["source"] == {"kind": "order", "id": "o-1"}
    assert isinstance(d["total"], decimal.Decimal)
    # Same bytes as the core's canonical JSON once decimals are written as strings.
    assert q.to_json() == canonical(d)
    assert json.loads(q.to_json()) == json.loads(canonical(d))
    assert d["awards"] == [a.to_dict() for a in q.awards]
    assert d["lines"] == [li.to_dict() for li in q.lines]
    assert d["misses"] == [m.to_dict() for m in q.misses]
    assert d["counters"] == q.counters


def test_to_dict_is_a_fresh_copy(program: loyalty.Program) -> None:
    q = program.quote(ORDER)
    q.to_dict()["awards"].clear()
    q.counters["x"] = {}
    assert len(q.to_dict()["awards"]) == 3
    assert "x" not in q.counters


def test_results_are_frozen_and_comparable(program: loyalty.Program) -> None:
    a, b = program.quote(ORDER), program.quote(ORDER)
    assert a == b and a.awards == b.awards and a.awards[0].lines == b.awards[0].lines
    assert a != program.quote(ORDER, counters=COUNTERS)
    with pytest.raises(AttributeError):
        a.total = D("1")  # type: ignore[misc]
    with pytest.raises(TypeError):
        hash(a)


def test_counters_round_trip(program: loyalty.Program) -> None:
    first = program.quote(ORDER)
    assert first.counters == {"big-spender": {"day": {"window": "2026-03-03", "points": D("60")}}}
    second = program.quote(ORDER, counters=first.counters)
    big = next(a for a in second.awards if a.rule == "big-spender")
    assert big.points == D("20")
    assert second.counters["big-spender"]["day"]["points"] == D("80")


# --- quote_many --------------------------------------------------------------------


def _requests() -> list[dict[str, Any]]:
    return [
        {"order": ORDER},
        {"order": {**ORDER, "lines": []}},  # core error: empty_order
        {"event": EVENT},
        {"order": {**ORDER, "id": {"not": "json"}, "lines": [{"x": {1, 2}}]}},  # binding error
        {"order": ORDER, "counters": COUNTERS},
    ]


def test_quote_many_return(program: loyalty.Program) -> None:
    results = program.quote_many(_requests(), on_error="return")
    assert [type(r).__name__ for r in results] == ["Quote", "RequestError", "Quote", "RequestError", "Quote"]
    assert results[0] == program.quote(ORDER)
    assert results[2] == program.quote(event=EVENT)
    assert results[4] == program.quote(ORDER, counters=COUNTERS)
    empty, bad_type = results[1], results[3]
    assert isinstance(empty, loyalty.RequestError) and isinstance(bad_type, loyalty.RequestError)
    assert empty.code == "empty_order"
    with pytest.raises(loyalty.RequestError) as direct:
        program.quote({**ORDER, "lines": []})
    assert (empty.code, empty.path, empty.errors) == (direct.value.code, direct.value.path, direct.value.errors)
    assert (bad_type.code, bad_type.path) == ("invalid_type", "order.lines[0].x")


def test_quote_many_raise(program: loyalty.Program) -> None:
    with pytest.raises(loyalty.RequestError) as info:
        program.quote_many(_requests())
    assert info.value.code == "empty_order"  # the first failure in input order
    ok = program.quote_many([{"order": ORDER}, {"event": EVENT}], on_error="raise")
    assert ok == [program.quote(ORDER), program.quote(event=EVENT)]


def test_quote_many_raise_reports_binding_errors_in_input_order(program: loyalty.Program) -> None:
    requests = [{"order": {**ORDER, "id": 1.5j}}, {"order": {**ORDER, "lines": []}}]
    with pytest.raises(loyalty.RequestError) as info:
        program.quote_many(requests)
    assert info.value.code == "invalid_type"


def test_quote_many_arguments(program: loyalty.Program) -> None:
    assert program.quote_many([]) == []
    assert len(program.quote_many(({"order": ORDER},) * 3)) == 3
    with pytest.raises(ValueError, match="on_error"):
        program.quote_many([], on_error="ignore")  # type: ignore[call-overload]
    for not_a_list in ({"order": ORDER}, "requests", 3):
        with pytest.raises(TypeError):
            program.quote_many(not_a_list)  # type: ignore[arg-type]


def test_quote_many_propagates_exceptions_from_python_code(program: loyalty.Program) -> None:
    class Raising(collections.abc.Mapping):  # type: ignore[type-arg]
        def __getitem__(self, key: str) -> Any:
            raise RuntimeError("boom")

        def __iter__(self) -> Any:
            return iter(["order"])

        def __len__(self) -> int:
            return 1

    # Only engine errors are returned; an exception from the caller's own code propagates.
    with pytest.raises(RuntimeError, match="boom"):
        program.quote_many([Raising()], on_error="return")


def test_quote_many_from_threads(program: loyalty.Program) -> None:
    requests = [{"order": ORDER}, {"event": EVENT}] * 50
    expected = program.quote_many(requests)
    results: list[Any] = [None] * 4

    def work(i: int) -> None:
        results[i] = program.quote_many(requests)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(r == expected for r in results)


# --- module ------------------------------------------------------------------------


def test_version() -> None:
    assert re.fullmatch(r"\d+\.\d+\.\d+.*", loyalty.__version__)
    assert loyalty.__version__ == importlib.metadata.version("loyalty")


def test_program_schema() -> None:
    schema = loyalty.program_schema()
    assert isinstance(schema, dict)
    assert "earn_rules" in schema["properties"]
    assert set(schema["required"]) >= {"schema_version", "id", "currency", "time_zone"}


def test_public_names() -> None:
    assert set(loyalty.__all__) == {
        "Award",
        "CapHit",
        "Ledger",
        "LedgerError",
        "LineAward",
        "LineInfo",
        "LoyaltyError",
        "Miss",
        "Program",
        "ProgramError",
        "Quote",
        "RequestError",
        "TierError",
        "Tiers",
        "__version__",
        "error_codes",
        "program_schema",
        "rejection_codes",
        "warning_codes",
        # Shapes of the ledger's answers (TypedDicts).
        "Balance",
        "EarnEvent",
        "EarnLine",
        "Expiring",
        "ExpiringLot",
        "LotChange",
        "LotView",
        "Movement",
        "Payment",
        "PointsTotals",
        "Posting",
        "RedeemEvent",
        "Statement",
        "StatementLot",
        "StatementRow",
        # Shapes of the tier book's answers and events, and of program warnings.
        "Benefits",
        "Metrics",
        "Needs",
        "OrderTier",
        "OverrideView",
        "PendingDowngrade",
        "ProgramWarning",
        "Progress",
        "TierHistory",
        "TierJoinEvent",
        "TierOrderEvent",
        "TierOverrideEvent",
        "TierPointsEvent",
        "TierPosting",
        "TierStatus",
        "TierVisitEvent",
        "Transition",
        "WindowView",
        # Shapes of the coupons' requests and answers.
        "AcceptedCoupon",
        "CodeCheck",
        "CouponCounter",
        "CouponInput",
        "CouponLine",
        "CouponRequest",
        "CouponResult",
        "DiscountCap",
        "GenerateRequest",
        "GeneratedCode",
        "GeneratedCodes",
        "Gift",
        "GuessOdds",
        "IssuedCode",
        "LineDiscount",
        "PointsEffect",
        "RejectedCoupon",
        # Profile merging: the match index, and shapes of its requests and answers.
        "MatchIndex",
        "Cluster",
        "Comparison",
        "Contact",
        "Dedupe",
        "DedupeRequest",
        "DedupeStats",
        "Evidence",
        "GoldenProfile",
        "GoldenValue",
        "Identifier",
        "Link",
        "MatchDecision",
        "NormalContact",
        "Normalized",
        "NormalizedProfile",
        "Profile",
        "RejectedValue",
        # Referral credit: the referral book, its error and reason codes, and
        # shapes of its events and answers.
        "ReferralBook",
        "ReferralError",
        "referral_reason_codes",
        "CouponGrant",
        "Referral",
        "ReferralCodeCheck",
        "ReferralCustomEvent",
        "ReferralEvidence",
        "ReferralIdentity",
        "ReferralMemberEvent",
        "ReferralMergeEvent",
        "ReferralOrderEvent",
        "ReferralPosting",
        "ReferralReason",
        "ReferralRefundEvent",
        "ReferralSettlement",
        "ReferralSignupEvent",
        "ReverseEvent",
        # Insights: segment names, and shapes of the statistics request and answer.
        "segment_names",
        "CustomerStats",
        "InsightLine",
        "InsightOrder",
        "Rfm",
        "Stats",
        "StatsRequest",
        "SegmentSize",
        # Triggers: the request, its customers and the answer.
        "TriggerRequest",
        "TriggerCustomer",
        "AnniversaryDate",
        "ExpiringPoints",
        "TierAtRisk",
        "Triggers",
        "Trigger",
        "TriggerCoupon",
        "TriggerDetail",
        # Reports: the request, its customers and the answer's parts.
        "ReportRequest",
        "ReportCustomer",
        "Report",
        "Count",
        "Split",
        "TopCustomer",
        "CreditReport",
        "CouponReport",
        "PointsReport",
        "PointsMonth",
        "ReferralReport",
    }
    assert all(hasattr(loyalty, name) for name in loyalty.__all__)

"""Type stubs of the compiled module `loyalty._loyalty`."""

import datetime
import decimal
import os
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, ClassVar, Literal, TypedDict, final, overload

from ._coupon_types import CodeCheck, CouponResult, GeneratedCodes
from ._insight_types import Report, Stats, Triggers
from ._merge_types import Comparison, Dedupe, MatchDecision, Normalized, NormalizedProfile
from ._ledger_types import (
    Balance,
    EarnEvent,
    Expiring,
    LotView,
    Payment,
    Posting,
    Statement,
    StatementRow,
)
from ._referral_types import (
    Referral,
    ReferralCodeCheck,
    ReferralPosting,
    ReferralSettlement,
)
from ._tier_types import (
    OrderTier,
    ProgramWarning,
    TierHistory,
    TierPosting,
    TierStatus,
)

__all__ = [
    "__version__",
    "Program",
    "Ledger",
    "Tiers",
    "ReferralBook",
    "MatchIndex",
    "Quote",
    "Award",
    "LineAward",
    "CapHit",
    "LineInfo",
    "Miss",
    "LoyaltyError",
    "ProgramError",
    "RequestError",
    "LedgerError",
    "TierError",
    "ReferralError",
    "error_codes",
    "program_schema",
    "referral_reason_codes",
    "rejection_codes",
    "segment_names",
    "warning_codes",
]

__version__: str

class _ErrorInfo(TypedDict):
    code: str
    path: str
    message: str

class LoyaltyError(ValueError):
    """Base of every error the engine reports.

    `code` and `path` are those of the first error; `errors` lists them all;
    `str(e)` is the engine's message.
    """

    code: str
    path: str
    kind: Literal["program", "request", "ledger", "tiers", "referrals"]
    errors: list[_ErrorInfo]

class ProgramError(LoyaltyError):
    """The program is invalid."""

class RequestError(LoyaltyError):
    """The request is invalid: a quote, coupons to apply or codes to generate."""

class LedgerError(LoyaltyError):
    """The ledger refused an event, a query or a payment request; no balance changed."""

class TierError(LoyaltyError):
    """The tier book refused an event or a query; no tier changed."""

class ReferralError(LoyaltyError):
    """The referral book refused an event or a query, or the program has no
    referrals (`referrals_not_configured`); nothing changed."""

def error_codes() -> dict[str, list[str]]:
    """Every stable error code, by kind (`program`, `request`, `ledger`,
    `tiers`, `referrals`)."""

def warning_codes() -> list[str]:
    """Every stable warning code `Program.check()` can give."""

def rejection_codes() -> list[str]:
    """Every code a coupon can be rejected with (`rejected[].reasons[].code`)."""

def referral_reason_codes() -> list[str]:
    """Every reason code a referral can be refused, stopped or capped with
    (`rejected[].code`, `reasons[].code`)."""

def program_schema() -> dict[str, Any]:
    """The JSON Schema of the program format."""

def segment_names() -> list[str]:
    """The default customer segments' names (`rfm.segment` of a program
    without `[[insights.segments]]`), in the order they are tried: the first
    that fits names the customer. A program's own segments, with their
    sizes, are the `segments` of its `customer_stats` answer."""

@final
class Program:
    """A validated loyalty program, ready to quote. Immutable and thread-safe."""

    @staticmethod
    def from_dict(d: Mapping[str, Any]) -> Program: ...
    @staticmethod
    def from_json(text: str) -> Program: ...
    @staticmethod
    def from_toml(text: str) -> Program: ...
    @staticmethod
    def from_file(path: str | os.PathLike[str]) -> Program: ...
    @property
    def id(self) -> str: ...
    @property
    def currency(self) -> str: ...
    @property
    def time_zone(self) -> str: ...
    @property
    def calendar(self) -> str: ...
    def to_json(self) -> str: ...
    def quote(
        self,
        order: Mapping[str, Any] | None = None,
        *,
        event: Mapping[str, Any] | None = None,
        customer: Mapping[str, Any] | None = None,
        counters: Mapping[str, Any] | None = None,
        coupons: Sequence[str] | None = None,
        explain: bool = False,
    ) -> Quote:
        """`coupons`: the points coupons redeemed (`apply_coupons(...)["points_coupons"]`)."""
    def quote_request(self, request: Mapping[str, Any]) -> Quote: ...
    def earn_event(self, request: Mapping[str, Any], *, account: str, id: str) -> EarnEvent | None:
        """The ledger's earn event for a quote request (None when it earns nothing)."""
    def apply_coupons(self, request: Mapping[str, Any]) -> CouponResult:
        """Validates and applies the coupons of a `CouponRequest`; a coupon
        that does not apply is in `rejected` with every reason."""
    def check_code(self, code: str) -> CodeCheck:
        """What a typed code is before the host looks it up."""
    def generate_codes(self, request: Mapping[str, Any]) -> GeneratedCodes:
        """New codes for a campaign with generated codes (a `GenerateRequest`)."""
    @overload
    def dedupe(
        self,
        data: Sequence[Mapping[str, Any]] | Any,
        *,
        explain: bool = False,
        all_clusters: bool = False,
        as_table: Literal[False] = False,
    ) -> Dedupe:
        """Which profiles are the same customer: `data` is a list of profile
        dicts (`Profile`), a `pyarrow.Table` or a `pandas.DataFrame` (one
        profile per row; None and NaN cells are left out)."""
    @overload
    def dedupe(
        self, data: Any, *, explain: bool = False, all_clusters: bool = False, as_table: Literal[True]
    ) -> Any:
        """For a `pyarrow.Table` or `pandas.DataFrame`: a table of the same kind
        with columns `id` and `customer`, one row per input row."""
    def dedupe_request(self, request: Mapping[str, Any]) -> Dedupe:
        """`dedupe` of a whole `DedupeRequest` mapping."""
    def normalize(self, kind: Literal["phone", "email", "name", "date"] | str, text: str) -> Normalized:
        """One value as matching reads it: `{"value": ...}` or `{"rejected": code}`."""
    def normalize_profile(self, profile: Mapping[str, Any]) -> NormalizedProfile: ...
    def compare_profiles(self, a: Mapping[str, Any], b: Mapping[str, Any]) -> Comparison: ...
    def compare_request(self, request: Mapping[str, Any]) -> Comparison:
        """`compare_profiles` of a whole `{"a": profile, "b": profile}` mapping."""
    @overload
    def customer_stats(
        self,
        orders: Sequence[Mapping[str, Any]] | Any,
        as_of: str | datetime.datetime,
        *,
        as_table: Literal[False] = False,
    ) -> Stats:
        """Statistics, RFM scores and segments of every customer with an
        order by `as_of` (RFC 3339 text or an aware datetime): `orders` is a
        list of `InsightOrder` dicts, a `pyarrow.Table` or a
        `pandas.DataFrame` with those columns (None and NaN cells are left
        out; `lines` a list column). `segments` lists every segment of the
        program in the order tried, with its size (0 included)."""
    @overload
    def customer_stats(
        self,
        orders: Sequence[Mapping[str, Any]] | Any,
        as_of: str | datetime.datetime,
        *,
        as_table: Literal[True],
    ) -> Any:
        """The answer as a table, one row per customer, flat columns (`rfm`'s
        keys lifted up): a `pandas.DataFrame` for a DataFrame, else a
        `pyarrow.Table`. Money, shares and visits per week are exact decimal
        text (`pyarrow.compute.cast(col, pyarrow.decimal128(38, 4))` or
        `series.map(decimal.Decimal)`); `as_of`, `later_orders` and the
        segment sizes are in the metadata (`loyalty.as_of`,
        `loyalty.later_orders`, `loyalty.segments` as JSON text) or `attrs`
        (`attrs["segments"]`, a list of `SegmentSize` dicts)."""
    def customer_stats_request(self, request: Mapping[str, Any]) -> Stats:
        """`customer_stats` of a whole `StatsRequest` mapping."""
    @overload
    def triggers(
        self,
        customers: Sequence[Mapping[str, Any]] | Any,
        *,
        date: str | datetime.date | None = None,
        at: str | datetime.datetime | None = None,
        seed: str | int | None = None,
        as_table: Literal[False] = False,
    ) -> Triggers:
        """Lifecycle triggers the program's `[triggers]` make due for
        `customers`: a list of `TriggerCustomer` dicts, a `pyarrow.Table` or
        a `pandas.DataFrame` with those columns (one customer per row;
        `anniversaries` and `expiring` list-of-struct columns, `tier_at_risk`
        a struct column; None, NaN and NaT cells are left out; dates as text,
        `date32` or midnight `datetime64`). Give exactly one of `date` (every
        customer's local day) and `at` (an instant: each customer's day is
        the local date in their `time_zone`; a naive datetime is refused).
        `seed` makes personal coupon codes repeatable."""
    @overload
    def triggers(
        self,
        customers: Sequence[Mapping[str, Any]] | Any,
        *,
        date: str | datetime.date | None = None,
        at: str | datetime.datetime | None = None,
        seed: str | int | None = None,
        as_table: Literal[True],
    ) -> Any:
        """The answer as a table, one row per trigger: `customer`, `kind`,
        `date`, `on`, `coupon_campaign`, `coupon_code` (None without a
        coupon), `details` (detail kind to value text). A `pandas.DataFrame`
        for a DataFrame (days `datetime64[us]`, details dicts), else a
        `pyarrow.Table` (days `date32`, details `map<string, string>`)."""
    def triggers_request(self, request: Mapping[str, Any]) -> Triggers:
        """`triggers` of a whole `TriggerRequest` mapping."""
    @overload
    def report(
        self,
        orders: Sequence[Mapping[str, Any]] | Any,
        from_: str | datetime.date,
        to: str | datetime.date,
        *,
        customers: Sequence[Mapping[str, Any]] | Any | None = None,
        ledger: Ledger | None = None,
        tiers: Tiers | None = None,
        referrals: ReferralBook | None = None,
        top: int | None = None,
        as_tables: Literal[False] = False,
    ) -> Report:
        """A report of the local days `from_` to `to` (both included; text
        `YYYY-MM-DD` or `datetime.date`) from `orders`: `InsightOrder` dicts
        (with an optional `coupons` list of campaign ids), a `pyarrow.Table`
        or a `pandas.DataFrame` with those columns. `customers`
        (`ReportCustomer`s, in the same three forms) give the age and gender
        mix; `top` how many top customers to list (10 by default). A
        `Ledger` adds `points` and the wallets' credit, a `Tiers` book
        `tiers`, a `ReferralBook` `referrals`; parts without their book are
        left out."""
    @overload
    def report(
        self,
        orders: Sequence[Mapping[str, Any]] | Any,
        from_: str | datetime.date,
        to: str | datetime.date,
        *,
        customers: Sequence[Mapping[str, Any]] | Any | None = None,
        ledger: Ledger | None = None,
        tiers: Tiers | None = None,
        referrals: ReferralBook | None = None,
        top: int | None = None,
        as_tables: Literal[True],
    ) -> dict[str, Any]:
        """The answer as tables: `summary`, a dict of every scalar (a
        part's keys joined to its name: `credit_owed`, `points_issued`), and
        one table per list (`pandas.DataFrame`s for a DataFrame of orders,
        else `pyarrow.Table`s): `weekday_hour` (7 rows, `weekday` 1 Monday to
        7, `h00` to `h23`), `payments`, `channels` (`name`, `orders`,
        `amount`, `share`), `ages`, `genders`, `coupons_campaigns`, `tiers`,
        `referrals_statuses`, `referrals_reasons` (`name`, `count`),
        `top_visitors`, `top_spenders`, `credit_top` (`customer`, `visits`,
        `spend`), `points_months` (`month`, `issued`, `redeemed`,
        `expired`). `points_months`, `tiers` and the two `referrals_` tables
        come only with their book. Money and shares stay exact decimal text,
        counts are int64."""
    def report_request(
        self,
        request: Mapping[str, Any],
        *,
        ledger: Ledger | None = None,
        tiers: Tiers | None = None,
        referrals: ReferralBook | None = None,
    ) -> Report:
        """`report` of a whole `ReportRequest` mapping, with the same books."""
    def match_index(self) -> MatchIndex:
        """An empty `MatchIndex` under the program's merge policy."""
    def referral_book(self) -> ReferralBook:
        """An empty `ReferralBook` for this program (`ReferralError`
        `referrals_not_configured` without `[referrals]`)."""
    def check_referral_code(self, code: str) -> ReferralCodeCheck:
        """What typed text is as a referral code, before anyone looks it up:
        `{"ok": True, "code": canonical}` or `{"ok": False, "reason": ...}`."""
    def check(self) -> list[ProgramWarning]:
        """Settings that are valid but probably not meant (empty when none)."""
    @overload
    def quote_many(
        self, requests: Sequence[Mapping[str, Any]], *, on_error: Literal["raise"] = ...
    ) -> list[Quote]: ...
    @overload
    def quote_many(
        self, requests: Sequence[Mapping[str, Any]], *, on_error: Literal["return"]
    ) -> list[Quote | LoyaltyError]: ...

@final
class Ledger:
    """The points ledger of one program, built from the events posted to it.

    Answers are the core's JSON answers as dicts, amounts as decimal strings.
    `at` is RFC 3339 text or a timezone-aware `datetime.datetime`.
    """

    def __new__(cls, program: Program) -> Ledger: ...
    @property
    def program(self) -> Program: ...
    @classmethod
    def replay(cls, program: Program, events: Iterable[Mapping[str, Any]]) -> Ledger: ...
    def post(self, event: Mapping[str, Any]) -> Posting: ...
    @overload
    def post_many(
        self, events: Iterable[Mapping[str, Any]], *, on_error: Literal["raise"] = ...
    ) -> list[Posting]: ...
    @overload
    def post_many(
        self, events: Iterable[Mapping[str, Any]], *, on_error: Literal["return"]
    ) -> list[Posting | LedgerError]: ...
    def balance(self, account: str, at: str | datetime.datetime) -> Balance: ...
    def lots(self, account: str, at: str | datetime.datetime) -> list[LotView]: ...
    def expiring(self, account: str, at: str | datetime.datetime, days: int) -> Expiring: ...
    def statement(self, account: str, at: str | datetime.datetime) -> Statement: ...
    def statement_rows(self, account: str, at: str | datetime.datetime) -> list[StatementRow]:
        """One flat dict per movement, amounts as `decimal.Decimal`;
        `pandas.DataFrame(ledger.statement_rows(account, at))` works as is."""
    def pay_with_points(self, request: Mapping[str, Any]) -> Payment: ...
    def accounts(self) -> list[str]: ...
    def __len__(self) -> int: ...

@final
class Tiers:
    """The membership tiers of one program's members, built from the events
    posted to it (tier events, or ledger events as they are).

    Answers are the core's JSON answers as dicts, amounts as decimal strings.
    `at` is RFC 3339 text or a timezone-aware `datetime.datetime`. A program
    without `[tiers]` makes every post and query raise `TierError`
    (`tiers_not_configured`).
    """

    def __new__(cls, program: Program) -> Tiers: ...
    @property
    def program(self) -> Program: ...
    @classmethod
    def replay(cls, program: Program, events: Iterable[Mapping[str, Any]]) -> Tiers: ...
    def post(self, event: Mapping[str, Any]) -> TierPosting: ...
    @overload
    def post_many(
        self, events: Iterable[Mapping[str, Any]], *, on_error: Literal["raise"] = ...
    ) -> list[TierPosting]: ...
    @overload
    def post_many(
        self, events: Iterable[Mapping[str, Any]], *, on_error: Literal["return"]
    ) -> list[TierPosting | TierError]: ...
    def status(self, account: str, at: str | datetime.datetime) -> TierStatus: ...
    def history(self, account: str, at: str | datetime.datetime) -> TierHistory: ...
    def order_tier(self, event: Mapping[str, Any]) -> OrderTier:
        """The tier an order (a tier `order` event, or a ledger `earn` event
        with an `order`) earns at; nothing is posted."""
    def accounts(self) -> list[str]: ...
    def __len__(self) -> int: ...

@final
class ReferralBook:
    """Members' referral codes and who referred whom, built from the referral
    events posted to it in time order. Made by `program.referral_book()` or
    `ReferralBook(program)`; thread-safe.

    Answers are the core's JSON answers as dicts, amounts as decimal strings.
    `at` is RFC 3339 text or a timezone-aware `datetime.datetime`. A program
    without `[referrals]` is refused with `ReferralError`
    (`referrals_not_configured`).

        >>> book = program.referral_book()
        >>> code = book.post({"type": "member", "id": "e1", "member": "sara",
        ...                   "at": "2026-03-01T10:00:00+03:30"})["code"]
        >>> book.post({"type": "signup", "id": "e2", "referee": "reza",
        ...            "code": code.lower(), "at": "2026-03-02T10:00:00+03:30"})["referrals"][0]["status"]
        'linked'
        >>> book.post({"type": "order", "id": "e3", "account": "reza", "order": "o-1",
        ...            "amount": "750000", "at": "2026-03-05T12:00:00+03:30"})["referrals"][0]["pays_at"]
        '2026-03-19T12:00:00+03:30'
        >>> [(e["account"], e["points"]) for e in book.settle("2026-03-20T00:00:00+03:30")["ledger"]]
        [('sara', '100'), ('reza', '50')]
    """

    def __new__(cls, program: Program) -> ReferralBook: ...
    @property
    def program(self) -> Program: ...
    @classmethod
    def replay(cls, program: Program, events: Iterable[Mapping[str, Any]]) -> ReferralBook: ...
    def post(self, event: Mapping[str, Any]) -> ReferralPosting:
        """Posts one referral event (`member`, `signup`, `order`, `refund`,
        `custom`, `merge`); a refused signup is not an error but `rejected`
        reasons with their evidence."""
    @overload
    def post_many(
        self, events: Iterable[Mapping[str, Any]], *, on_error: Literal["raise"] = ...
    ) -> list[ReferralPosting]: ...
    @overload
    def post_many(
        self, events: Iterable[Mapping[str, Any]], *, on_error: Literal["return"]
    ) -> list[ReferralPosting | ReferralError]: ...
    def settle(self, at: str | datetime.datetime) -> ReferralSettlement:
        """Pays the referrals whose return window closed by `at`; settling
        again pays nothing twice."""
    def referral(self, referee: str) -> Referral | None: ...
    def referrals(self) -> list[Referral]: ...
    def resolve(self, code: str) -> str | None:
        """The member a typed code belongs to, or None."""
    def __len__(self) -> int:
        """Number of referrals."""

@final
class MatchIndex:
    """Known profiles and their customers, for matching one profile at a time.
    Made by `Program.match_index()`; thread-safe."""

    @property
    def program(self) -> Program: ...
    def add(self, profile: Mapping[str, Any]) -> MatchDecision:
        """Adds a new profile, or a changed one (same id), and says which customer it is."""
    def __len__(self) -> int: ...

@final
class Quote:
    """The points an order or event earns, and why."""

    __hash__: ClassVar[None]  # type: ignore[assignment]
    @property
    def program(self) -> str: ...
    @property
    def source_kind(self) -> Literal["order", "event"]: ...
    @property
    def source_id(self) -> str: ...
    @property
    def currency(self) -> str: ...
    @property
    def local_time(self) -> datetime.datetime: ...
    @property
    def eligible_spend(self) -> decimal.Decimal: ...
    @property
    def total(self) -> decimal.Decimal: ...
    @property
    def awards(self) -> list[Award]: ...
    @property
    def lines(self) -> list[LineInfo]: ...
    @property
    def misses(self) -> list[Miss]: ...
    @property
    def counters(self) -> dict[str, dict[str, Any]]: ...
    def to_dict(self) -> dict[str, Any]: ...
    def to_json(self) -> str: ...
    def __eq__(self, value: object, /) -> bool: ...

@final
class Award:
    """One rule's contribution."""

    __hash__: ClassVar[None]  # type: ignore[assignment]
    @property
    def rule(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def group(self) -> str | None: ...
    @property
    def base(self) -> decimal.Decimal: ...
    @property
    def multiplier(self) -> decimal.Decimal | None: ...
    @property
    def lines(self) -> list[LineAward]: ...
    @property
    def unrounded(self) -> decimal.Decimal: ...
    @property
    def rounding(self) -> decimal.Decimal: ...
    @property
    def caps(self) -> list[CapHit]: ...
    @property
    def points(self) -> decimal.Decimal: ...
    def to_dict(self) -> dict[str, Any]: ...
    def __eq__(self, value: object, /) -> bool: ...

@final
class LineAward:
    """A rule's points on one line."""

    __hash__: ClassVar[None]  # type: ignore[assignment]
    @property
    def line(self) -> int: ...
    @property
    def base(self) -> decimal.Decimal: ...
    @property
    def points(self) -> decimal.Decimal: ...
    def to_dict(self) -> dict[str, Any]: ...
    def __eq__(self, value: object, /) -> bool: ...

@final
class CapHit:
    """A cap that took points away."""

    __hash__: ClassVar[None]  # type: ignore[assignment]
    @property
    def cap(self) -> Literal["per_order", "per_day", "per_period", "budget"]: ...
    @property
    def limit(self) -> decimal.Decimal: ...
    @property
    def used(self) -> decimal.Decimal: ...
    @property
    def cut(self) -> decimal.Decimal: ...
    def to_dict(self) -> dict[str, Any]: ...
    def __eq__(self, value: object, /) -> bool: ...

@final
class LineInfo:
    """An order line as the engine saw it."""

    __hash__: ClassVar[None]  # type: ignore[assignment]
    @property
    def line(self) -> int: ...
    @property
    def sku(self) -> str: ...
    @property
    def eligible(self) -> decimal.Decimal: ...
    @property
    def excluded(self) -> str | None: ...
    def to_dict(self) -> dict[str, Any]: ...
    def __eq__(self, value: object, /) -> bool: ...

@final
class Miss:
    """A rule that did not fire."""

    __hash__: ClassVar[None]  # type: ignore[assignment]
    @property
    def rule(self) -> str: ...
    @property
    def reasons(self) -> list[dict[str, Any]]: ...
    def to_dict(self) -> dict[str, Any]: ...
    def __eq__(self, value: object, /) -> bool: ...

"""Shapes of the referral book's events and answers, as TypedDicts (for type
checkers; at run time they are plain dicts).

They mirror the core's JSON key for key: amounts are decimal strings, exactly
as the core writes them, so answers compare byte for byte with the other
bindings. Optional keys are left out of an answer, never set to None.
`ReferralBook` (see its docstring for an example) takes the events and gives
the answers.
"""

from __future__ import annotations

from typing import List, Literal, TypedDict, Union

from ._ledger_types import EarnEvent, ReverseEvent
from ._merge_types import Profile

__all__ = [
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
]


class ReferralEvidence(TypedDict):
    """One piece of evidence for a reason: `kind` and `value` (`phone`
    `+989123456789`, `referrer` `sara`, `required` `500000`)."""

    kind: str
    value: str


class _ReferralReasonRequired(TypedDict):
    # Every code `loyalty.referral_reason_codes()` lists, in its order.
    code: Literal[
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


class ReferralReason(_ReferralReasonRequired, total=False):
    """Why a referral was refused, stopped or not paid, with what shows it."""

    evidence: List[ReferralEvidence]


class _ReferralRequired(TypedDict):
    referee: str
    referrer: str
    code: str
    linked_at: str
    # Linked at signup, pending once qualified (paid when `pays_at` comes),
    # credited once paid, or cancelled (see `reasons`).
    status: Literal["linked", "pending", "credited", "cancelled"]


class Referral(_ReferralRequired, total=False):
    """One referee's referral: `qualified_by` the qualifying order (or custom
    event), `pays_at` when it is (or was) paid, `success` which paid referral
    of the referrer it is (1 for the first)."""

    qualified_by: str
    pays_at: str
    success: int
    reasons: List[ReferralReason]


class CouponGrant(TypedDict):
    """A coupon to issue (or withdraw) through the coupon engine; `id`
    (`referral:reza:referrer`) is stable, to issue it once."""

    id: str
    campaign: str
    customer: str


class _ReferralPostingRequired(TypedDict):
    event: str
    status: Literal["applied", "duplicate"]


class ReferralPosting(_ReferralPostingRequired, total=False):
    """What posting one referral event did: a member's `code`, the
    referrals it touched, every reason it was refused (`rejected`), and
    ledger events (credits, or reversals of credits taken back) and coupons
    to pass on."""

    code: str
    referrals: List[Referral]
    rejected: List[ReferralReason]
    ledger: List[Union[EarnEvent, ReverseEvent]]
    coupons: List[CouponGrant]
    withdrawn: List[CouponGrant]


class _ReferralSettlementRequired(TypedDict):
    at: str


class ReferralSettlement(_ReferralSettlementRequired, total=False):
    """What one `ReferralBook.settle` paid: the referrals paid now, their
    ledger `earn` events and coupons to issue (no keys but `at` when
    nothing was due)."""

    referrals: List[Referral]
    ledger: List[EarnEvent]
    coupons: List[CouponGrant]


class _ReferralCodeCheckRequired(TypedDict):
    ok: bool


class ReferralCodeCheck(_ReferralCodeCheckRequired, total=False):
    """What typed text is as a referral code: the canonical `code` when well
    formed, else the `reason` (`malformed_code`, `bad_check_character`)."""

    code: str
    reason: ReferralReason


class ReferralIdentity(TypedDict, total=False):
    """Who a member or referee is, for self-referral checks: a profile as
    profile merging reads it (phones, e-mails, cards, address), device ids
    and payment tokens."""

    profile: Profile
    devices: List[str]
    payment_tokens: List[str]


class _ReferralMemberEventRequired(TypedDict):
    type: Literal["member"]
    id: str
    member: str
    at: str


class ReferralMemberEvent(_ReferralMemberEventRequired, total=False):
    """A member joins and gets a referral code: derived from the member id,
    or drawn from `seed` (from the host's secure generator: a decimal
    integer below 2**64, as text)."""

    seed: str
    identity: ReferralIdentity


class _ReferralSignupEventRequired(TypedDict):
    type: Literal["signup"]
    id: str
    referee: str
    code: str
    at: str


class ReferralSignupEvent(_ReferralSignupEventRequired, total=False):
    """A new customer signs up with a code as typed; `customer_since` when
    the host knew them before."""

    customer_since: str
    identity: ReferralIdentity


class ReferralOrderEvent(TypedDict):
    """A referee's order: the first of at least `qualify.min_order` qualifies."""

    type: Literal["order"]
    id: str
    account: str
    order: str
    amount: str
    at: str


class _ReferralRefundEventRequired(TypedDict):
    type: Literal["refund"]
    id: str
    order: str
    at: str


class ReferralRefundEvent(_ReferralRefundEventRequired, total=False):
    """A refund of a referee's order (the whole order without `amount`)."""

    amount: str


class ReferralCustomEvent(TypedDict):
    """A referee's custom qualifying event (`referrals.qualify.event`)."""

    type: Literal["custom"]
    id: str
    account: str
    name: str
    at: str


class ReferralMergeEvent(TypedDict):
    """Accounts profile merging found to be one customer: a referral between
    them is cancelled as a self-referral."""

    type: Literal["merge"]
    id: str
    accounts: List[str]
    at: str

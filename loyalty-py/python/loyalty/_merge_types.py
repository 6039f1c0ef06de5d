"""Shapes of profile merging's requests and answers, as TypedDicts (for type
checkers; at run time they are plain dicts).

They mirror the core's JSON key for key. Scores, weights and similarities are
text with at most 3 decimals (`"25"`, `"7.5"`, `"0.933"`), the same
characters in every binding. Optional keys are left out of an answer, never
set to None.
"""

from __future__ import annotations

from typing import Dict, List, Literal, TypedDict, Union

__all__ = [
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
]


class _ContactRequired(TypedDict):
    value: str


class Contact(_ContactRequired, total=False):
    """A phone or e-mail and whether the host verified it (a code sent and
    typed back); plain text is the same as `{"value": text}`."""

    verified: bool


_Contacts = Union[str, Contact, List[Union[str, Contact]]]


class _ProfileRequired(TypedDict):
    id: str


class Profile(_ProfileRequired, total=False):
    """One customer profile from one channel; every key but `id` may be
    missing. `phones`, `emails` and `cards` take one value or a list."""

    source: str
    updated: str
    name: str
    given_name: str
    family_name: str
    phones: _Contacts
    emails: _Contacts
    cards: Union[str, List[str]]
    external_ids: Dict[str, str]
    birth_date: str
    national_id: str
    street_number: str
    street: str
    address_line2: str
    city: str
    postcode: str
    region: str


class _DedupeRequestRequired(TypedDict):
    profiles: List[Profile]


class DedupeRequest(_DedupeRequestRequired, total=False):
    """What `Program.dedupe_request` takes."""

    explain: bool
    all_clusters: bool


class _NormalContactRequired(TypedDict):
    value: str


class NormalContact(_NormalContactRequired, total=False):
    """A phone in E.164 or a mailbox; `verified` only when true."""

    verified: bool


class RejectedValue(TypedDict):
    """A value left out of matching: where it was, as typed, and why."""

    path: str
    value: str
    code: Literal["blocklisted", "invalid_phone", "invalid_email", "invalid_date"]


class _NormalizedProfileRequired(TypedDict):
    id: str


class NormalizedProfile(_NormalizedProfileRequired, total=False):
    """A profile as matching sees it; empty values are left out."""

    source: str
    given_name: str
    family_name: str
    phones: List[NormalContact]
    emails: List[NormalContact]
    cards: List[str]
    external_ids: List[str]
    birth_date: str
    national_id: str
    street_number: str
    street: str
    address_line2: str
    city: str
    postcode: str
    region: str
    rejected: List[RejectedValue]


class Normalized(TypedDict, total=False):
    """`Program.normalize`'s answer: exactly one of `value` and `rejected`
    (`empty`, `blocklisted`, `invalid_phone`, `invalid_email`, `invalid_date`)."""

    value: str
    rejected: str


class _EvidenceRequired(TypedDict):
    field: str
    level: Literal["exact", "close", "partial", "differ", "shared_contact"]
    weight: str


class Evidence(_EvidenceRequired, total=False):
    """One piece of evidence and its weight in the score: `similarity` for
    text, `value` for a shared identifier, `swapped` when given and family
    names were compared crosswise."""

    similarity: str
    value: str
    swapped: bool


class Comparison(TypedDict):
    """`Program.compare_profiles`'s answer."""

    score: str
    linked: bool
    evidence: List[Evidence]


class _LinkRequired(TypedDict):
    a: str
    b: str
    score: str


class Link(_LinkRequired, total=False):
    """Two profiles that scored at or above the threshold; `refused` says why
    the link did not join their customers."""

    refused: Literal["verified_phone_conflict", "identifier_cap"]
    evidence: List[Evidence]


# `from` is a Python keyword: the functional form.
GoldenValue = TypedDict(
    "GoldenValue",
    {
        "value": str,
        "from": str,
        "rule": Literal["most_recent", "most_complete", "verified", "source_priority"],
    },
)
"""A field's surviving value, the profile it came from and the rule that chose it."""


class _IdentifierRequired(TypedDict):
    kind: Literal["phone", "email", "card", "external_id"]
    value: str
    sources: List[str]


class Identifier(_IdentifierRequired, total=False):
    """One identifier of a customer and the profiles that carried it."""

    verified: bool


class GoldenProfile(TypedDict):
    """A customer's combined profile."""

    id: str
    fields: Dict[str, GoldenValue]
    identifiers: List[Identifier]


class Cluster(TypedDict):
    """One customer: `id` is the surviving profile's id; `members` the survivor first, then by id."""

    id: str
    members: List[str]
    golden: GoldenProfile


class DedupeStats(TypedDict):
    """Counts of one deduplication."""

    profiles: int
    customers: int
    compared: int
    links: int
    refused: int
    skipped_blocks: int
    rejected_values: int


class Dedupe(TypedDict):
    """`Program.dedupe`'s answer: `cluster_of` is each input profile's
    customer id, in input order."""

    cluster_of: List[str]
    clusters: List[Cluster]
    links: List[Link]
    stats: DedupeStats


class _MatchDecisionRequired(TypedDict):
    profile: str
    customer: str
    joined: bool
    links: List[Link]
    normalized: NormalizedProfile


class MatchDecision(_MatchDecisionRequired, total=False):
    """`MatchIndex.add`'s answer: the customer the profile belongs to now;
    `merged` lists the customers it bridged, when more than one."""

    merged: List[str]

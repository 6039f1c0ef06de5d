"""Type stubs of the compiled module `loyalty._loyalty`."""

import datetime
import decimal
import os
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar, Literal, TypedDict, final, overload

__all__ = [
    "__version__",
    "Program",
    "Quote",
    "Award",
    "LineAward",
    "CapHit",
    "LineInfo",
    "Miss",
    "LoyaltyError",
    "ProgramError",
    "RequestError",
    "error_codes",
    "program_schema",
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
    kind: Literal["program", "request"]
    errors: list[_ErrorInfo]

class ProgramError(LoyaltyError):
    """The program is invalid."""

class RequestError(LoyaltyError):
    """The quote request is invalid."""

def error_codes() -> dict[str, list[str]]:
    """Every stable error code, by kind (`program`, `request`)."""

def program_schema() -> dict[str, Any]:
    """The JSON Schema of the program format."""

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
        explain: bool = False,
    ) -> Quote: ...
    def quote_request(self, request: Mapping[str, Any]) -> Quote: ...
    @overload
    def quote_many(
        self, requests: Sequence[Mapping[str, Any]], *, on_error: Literal["raise"] = ...
    ) -> list[Quote]: ...
    @overload
    def quote_many(
        self, requests: Sequence[Mapping[str, Any]], *, on_error: Literal["return"]
    ) -> list[Quote | LoyaltyError]: ...

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

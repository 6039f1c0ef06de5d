"""Deterministic loyalty engine: load a program, quote orders and events.

The work happens in the Rust core; this package converts types and maps errors.
"""

from ._loyalty import (
    Award,
    CapHit,
    LineAward,
    LineInfo,
    LoyaltyError,
    Miss,
    Program,
    ProgramError,
    Quote,
    RequestError,
    __version__,
    error_codes,
    program_schema,
)

__all__ = [
    "Award",
    "CapHit",
    "LineAward",
    "LineInfo",
    "LoyaltyError",
    "Miss",
    "Program",
    "ProgramError",
    "Quote",
    "RequestError",
    "__version__",
    "error_codes",
    "program_schema",
]

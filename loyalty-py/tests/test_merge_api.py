"""The Python API of profile merging: `Program.dedupe` (lists, pyarrow tables,
pandas data frames), `normalize`, `normalize_profile`, `compare_profiles` and
`loyalty.MatchIndex`.
"""

from __future__ import annotations

import math
import threading
from typing import Any

import pandas as pd  # type: ignore[import-untyped]
import pyarrow as pa  # type: ignore[import-untyped]
import pytest

import loyalty

PROGRAM_TOML = """
schema_version = 1
id = "tehran-cafe"
currency = "IRR"
time_zone = "Asia/Tehran"

[merge]
region = "IR"
"""

WEB: dict[str, Any] = {"id": "web-1", "source": "web", "name": "Sara Ahmadi", "emails": "sara.ahmadi@gmail.com"}
POS: dict[str, Any] = {"id": "pos-7", "source": "pos", "name": "سارا احمدی", "phones": "۰۹۱۲ ۳۴۵ ۶۷۸۹"}
APP: dict[str, Any] = {
    "id": "app-3",
    "source": "app",
    "name": "سارا احمدي",
    "phones": "+98 912 345 6789",
    "emails": "Sara.Ahmadi+app@gmail.com",
}


@pytest.fixture(scope="module")
def program() -> loyalty.Program:
    return loyalty.Program.from_toml(PROGRAM_TOML)


def _customers(answer: loyalty.Dedupe) -> set[frozenset[int]]:
    """The input rows grouped by customer."""
    groups: dict[str, set[int]] = {}
    for row, customer in enumerate(answer["cluster_of"]):
        groups.setdefault(customer, set()).add(row)
    return {frozenset(g) for g in groups.values()}


# --- normalize ---------------------------------------------------------------------


def test_normalize_phone_in_any_digits(program: loyalty.Program) -> None:
    assert program.normalize("phone", "۰۹۱۲ ۳۴۵ ۶۷۸۹") == {"value": "+989123456789"}
    assert program.normalize("phone", "٠٩١٢٣٤٥٦٧٨٩") == {"value": "+989123456789"}
    assert program.normalize("phone", "+98 912 345 6789") == {"value": "+989123456789"}
    assert program.normalize("phone", "0000000000") == {"rejected": "blocklisted"}


def test_normalize_gmail_dots_and_tags(program: loyalty.Program) -> None:
    assert program.normalize("email", "Sara.Ahmadi+app@gmail.com") == {"value": "saraahmadi@gmail.com"}
    assert program.normalize("email", "s.a.r.a.ahmadi@googlemail.com")["value"].endswith("@gmail.com")
    assert program.normalize("email", "test@test.com") == {"rejected": "blocklisted"}
    assert program.normalize("email", "no-at-sign") == {"rejected": "invalid_email"}


def test_normalize_name_and_date(program: loyalty.Program) -> None:
    # Arabic ye and kaf read as their Persian forms.
    assert program.normalize("name", "سارا احمدي") == program.normalize("name", "سارا احمدی")
    assert program.normalize("date", "1990/05/17") == {"value": "1990-05-17"}
    assert program.normalize("date", "1900-01-01") == {"rejected": "blocklisted"}


def test_normalize_unknown_kind_is_a_request_error(program: loyalty.Program) -> None:
    with pytest.raises(loyalty.RequestError) as e:
        program.normalize("address", "x")
    assert (e.value.kind, e.value.code, e.value.path) == ("request", "unknown_variant", "kind")


def test_normalize_profile(program: loyalty.Program) -> None:
    n = program.normalize_profile({**POS, "birth_date": "1900-01-01"})
    assert n["id"] == "pos-7"
    assert n["phones"] == [{"value": "+989123456789"}]
    assert n["rejected"] == [{"path": "birth_date", "value": "1900-01-01", "code": "blocklisted"}]
    with pytest.raises(loyalty.RequestError) as e:
        program.normalize_profile({"id": "x", "phone": "0912"})
    assert (e.value.code, e.value.path) == ("unknown_field", "phone")


# --- compare -----------------------------------------------------------------------


def test_compare_profiles(program: loyalty.Program) -> None:
    c = program.compare_profiles(POS, APP)
    assert c["linked"] is True
    assert float(c["score"]) > 0
    assert {"field": "phone", "level": "exact", "value": "+989123456789", "weight": "12"} in c["evidence"]
    assert program.compare_request({"a": POS, "b": APP}) == c


def test_compare_bad_profile_is_a_request_error_at_its_side(program: loyalty.Program) -> None:
    with pytest.raises(loyalty.RequestError) as e:
        program.compare_profiles(POS, {"name": "no id"})
    assert (e.value.code, e.value.path) == ("missing_field", "b.id")
    with pytest.raises(loyalty.RequestError) as e:
        program.compare_request({"a": POS})
    assert (e.value.code, e.value.path) == ("missing_field", "b")


# --- dedupe ------------------------------------------------------------------------


def test_persian_digit_phone_and_plus_98_phone_are_one_customer(program: loyalty.Program) -> None:
    answer = program.dedupe([POS, APP])
    assert answer["cluster_of"] == ["app-3", "app-3"]
    (cluster,) = answer["clusters"]
    assert cluster["members"] == ["app-3", "pos-7"]
    phone = [i for i in cluster["golden"]["identifiers"] if i["kind"] == "phone"]
    assert phone == [{"kind": "phone", "value": "+989123456789", "sources": ["app-3", "pos-7"]}]
    assert answer["stats"]["profiles"] == 2 and answer["stats"]["customers"] == 1


def test_gmail_dots_and_tags_are_one_mailbox(program: loyalty.Program) -> None:
    a = {"id": "a", "given_name": "Reza", "family_name": "Karimi", "emails": "reza.karimi@gmail.com"}
    b = {"id": "b", "given_name": "Reza", "family_name": "Karimi", "emails": "RezaKarimi+shop@gmail.com"}
    answer = program.dedupe([a, b], explain=True)
    assert answer["cluster_of"] == [answer["clusters"][0]["id"]] * 2
    (link,) = answer["links"]
    assert {"field": "email", "level": "exact", "value": "rezakarimi@gmail.com"}.items() <= next(
        e for e in link["evidence"] if e["field"] == "email"
    ).items()


def test_household_phone_with_different_given_names_does_not_merge(program: loyalty.Program) -> None:
    mother = {"id": "h-1", "given_name": "Maryam", "family_name": "Rahimi", "phones": "09121112233"}
    son = {"id": "h-2", "given_name": "Ali", "family_name": "Rahimi", "phones": "+989121112233"}
    answer = program.dedupe([mother, son], explain=True, all_clusters=True)
    assert answer["cluster_of"] == ["h-1", "h-2"]
    assert len(answer["clusters"]) == 2
    assert answer["links"] == []
    c = program.compare_profiles(mother, son)
    assert c["linked"] is False
    assert any(e["level"] == "shared_contact" for e in c["evidence"])


def test_blocklisted_phone_never_links(program: loyalty.Program) -> None:
    a = {"id": "a", "given_name": "Sara", "phones": "0000000000"}
    b = {"id": "b", "given_name": "Sara", "phones": "0000000000"}
    answer = program.dedupe([a, b], explain=True)
    assert answer["cluster_of"] == ["a", "b"]
    assert answer["links"] == [] and answer["clusters"] == []
    assert answer["stats"]["rejected_values"] == 2
    assert not any(e["field"] == "phone" for e in program.compare_profiles(a, b)["evidence"])


def test_explain_carries_evidence(program: loyalty.Program) -> None:
    plain = program.dedupe([POS, APP])
    assert plain["links"] == []  # without explain only refused links are listed
    explained = program.dedupe([POS, APP], explain=True)
    assert explained["cluster_of"] == plain["cluster_of"]
    (link,) = explained["links"]
    assert (link["a"], link["b"]) == ("app-3", "pos-7")
    assert {e["field"] for e in link["evidence"]} >= {"phone", "given_name", "family_name"}
    assert all(isinstance(e["weight"], str) for e in link["evidence"])


def test_all_clusters_lists_single_profile_customers(program: loyalty.Program) -> None:
    lone = {"id": "lone", "name": "Nima Farhadi", "phones": "09351234567"}
    assert [c["id"] for c in program.dedupe([POS, APP, lone])["clusters"]] == ["app-3"]
    assert [c["id"] for c in program.dedupe([POS, APP, lone], all_clusters=True)["clusters"]] == ["app-3", "lone"]


def test_dedupe_request_is_the_same_call(program: loyalty.Program) -> None:
    assert program.dedupe_request({"profiles": [WEB, POS, APP], "explain": True}) == program.dedupe(
        [WEB, POS, APP], explain=True
    )


def test_duplicate_id_raises(program: loyalty.Program) -> None:
    with pytest.raises(loyalty.RequestError) as e:
        program.dedupe([POS, APP, {**POS, "phones": "09120000001"}])
    assert (e.value.kind, e.value.code, e.value.path) == ("request", "duplicate_profile", "profiles[2].id")
    assert "pos-7" in str(e.value)


@pytest.mark.parametrize(
    ("data", "code", "path"),
    [
        ("p-1", "invalid_type", "profiles"),
        ({"id": "p-1"}, "invalid_type", "profiles"),
        ([3], "invalid_type", "profiles[0]"),
        ([{"name": "no id"}], "missing_field", "profiles[0].id"),
        ([{"id": " "}], "empty_value", "profiles[0].id"),
        ([{"id": "p-1", "phone": "0912"}], "unknown_field", "profiles[0].phone"),
        ([{"id": "p-1", "phones": 912}], "invalid_type", "profiles[0].phones"),
        ([{"id": "p-1", "postcode": 1.5}], "invalid_type", "profiles[0].postcode"),
        ([{"id": "p-1", "city": object()}], "invalid_type", "profiles[0].city"),
    ],
)
def test_bad_shapes_raise_with_codes(program: loyalty.Program, data: Any, code: str, path: str) -> None:
    with pytest.raises(loyalty.RequestError) as e:
        program.dedupe(data)
    assert (e.value.kind, e.value.code, e.value.path) == ("request", code, path)


def test_as_table_needs_a_table(program: loyalty.Program) -> None:
    with pytest.raises(TypeError, match="as_table"):
        program.dedupe([POS, APP], as_table=True)


# --- tables ------------------------------------------------------------------------

ROWS: list[dict[str, Any]] = [
    {"id": "web-1", "source": "web", "name": "Sara Ahmadi", "phones": None, "emails": "sara.ahmadi@gmail.com"},
    {"id": "pos-7", "source": "pos", "name": "سارا احمدی", "phones": "۰۹۱۲ ۳۴۵ ۶۷۸۹", "emails": None},
    {"id": "app-3", "source": "app", "name": "سارا احمدي", "phones": "+98 912 345 6789", "emails": None},
    {"id": "h-1", "source": "pos", "name": "Maryam Rahimi", "phones": "09121112233", "emails": None},
    {"id": "h-2", "source": "app", "name": "Ali Rahimi", "phones": "+989121112233", "emails": None},
]


def test_pyarrow_table_gives_the_same_customers(program: loyalty.Program) -> None:
    expected = program.dedupe(ROWS, explain=True)
    groups = _customers(expected)
    assert any({1, 2} <= g for g in groups)  # Persian digits and +98: one customer
    assert not any({3, 4} <= g for g in groups)  # a household phone: two customers
    table = pa.Table.from_pylist(ROWS)
    assert program.dedupe(table, explain=True) == expected
    out = program.dedupe(table, as_table=True)
    assert isinstance(out, pa.Table)
    assert out.column_names == ["id", "customer"]
    assert out.to_pydict() == {"id": [r["id"] for r in ROWS], "customer": expected["cluster_of"]}


def test_pandas_data_frame_gives_the_same_customers(program: loyalty.Program) -> None:
    expected = program.dedupe(ROWS)
    frame = pd.DataFrame(ROWS, index=[10, 11, 12, 13, 14])
    assert frame["phones"].isna().iloc[0]  # a missing cell, left out of the profile
    assert program.dedupe(frame)["cluster_of"] == expected["cluster_of"]
    out = program.dedupe(frame, as_table=True)
    assert isinstance(out, pd.DataFrame)
    assert list(out.columns) == ["id", "customer"]
    assert list(out.index) == [10, 11, 12, 13, 14]  # joins back onto the input
    assert list(out["customer"]) == expected["cluster_of"]
    assert list(out["id"]) == [r["id"] for r in ROWS]


def test_data_frame_nan_and_list_cells(program: loyalty.Program) -> None:
    frame = pd.DataFrame(
        {
            "id": ["a", "b"],
            "given_name": ["Sara", "Sara"],
            "family_name": ["Ahmadi", "Ahmadi"],
            "phones": [["09123456789", "02188776655"], None],
            "emails": [math.nan, "sara.ahmadi@gmail.com"],
            "birth_date": [pd.NA, "1990-05-17"],
        }
    )
    answer = program.dedupe(frame, all_clusters=True)
    assert answer["stats"]["profiles"] == 2
    assert answer["stats"]["rejected_values"] == 0
    arrow = pa.Table.from_pandas(frame, preserve_index=False)
    assert program.dedupe(arrow, all_clusters=True) == answer


def test_table_errors_name_the_row(program: loyalty.Program) -> None:
    frame = pd.DataFrame([{"id": "a"}, {"id": "a"}])
    with pytest.raises(loyalty.RequestError) as e:
        program.dedupe(frame)
    assert (e.value.code, e.value.path) == ("duplicate_profile", "profiles[1].id")
    with pytest.raises(loyalty.RequestError) as e:
        program.dedupe(pa.table({"id": ["a"], "postcode": [1.5]}))
    assert (e.value.code, e.value.path) == ("invalid_type", "profiles[0].postcode")


# --- MatchIndex --------------------------------------------------------------------


def test_match_index_joins_a_second_profile(program: loyalty.Program) -> None:
    index = program.match_index()
    assert isinstance(index, loyalty.MatchIndex)
    assert len(index) == 0 and index.program is program
    first = index.add(POS)
    assert (first["profile"], first["customer"], first["joined"], first["links"]) == ("pos-7", "pos-7", False, [])
    second = index.add(APP)
    assert second["joined"] is True
    assert second["customer"] == "app-3"
    (link,) = second["links"]
    assert {"a": link["a"], "b": link["b"]} == {"a": "app-3", "b": "pos-7"}
    assert second["normalized"]["phones"] == [{"value": "+989123456789"}]
    assert len(index) == 2
    assert repr(index) == "MatchIndex(program='tehran-cafe', profiles=2)"


def test_match_index_refuses_a_bad_profile_and_changes_nothing(program: loyalty.Program) -> None:
    index = program.match_index()
    with pytest.raises(loyalty.RequestError) as e:
        index.add({"id": " ", "phones": "09121234567"})
    assert (e.value.code, e.value.path) == ("empty_value", "id")
    with pytest.raises(loyalty.RequestError) as e:
        index.add({"id": "x", "phone": "0912"})
    assert (e.value.code, e.value.path) == ("unknown_field", "phone")
    assert len(index) == 0


def test_match_index_from_threads(program: loyalty.Program) -> None:
    index = program.match_index()
    profiles = [{"id": f"p-{i}", "given_name": "Sara", "phones": f"0912{i:07d}"} for i in range(200)]

    def work(chunk: list[dict[str, Any]]) -> None:
        for p in chunk:
            index.add(p)

    threads = [threading.Thread(target=work, args=(profiles[i::4],)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(index) == 200

"""The README's Python quickstart runs as written, and so does every Python
block of loyalty-py/README.md (insights: segments, triggers and reports)."""

import re
from pathlib import Path
from typing import Any

README = Path(__file__).resolve().parents[2] / "README.md"
PY_README = Path(__file__).resolve().parents[1] / "README.md"


def python_blocks(path: Path = README) -> list[str]:
    return re.findall(r"```python\n(.*?)```", path.read_text(encoding="utf-8"), re.S)


def test_readme_has_a_python_quickstart() -> None:
    assert len(python_blocks()) == 1


def test_readme_python_quickstart_runs() -> None:
    for block in python_blocks():
        exec(compile(block, str(README), "exec"), {"__name__": "readme"})


def test_binding_readme_shows_triggers() -> None:
    blocks = python_blocks(PY_README)
    assert len(blocks) >= 3
    assert any("program.triggers(" in b for b in blocks)
    assert any("as_table=True" in b and "triggers(" in b for b in blocks)


def test_binding_readme_shows_reports() -> None:
    blocks = python_blocks(PY_README)
    assert any("program.report(" in b and "ledger=" in b for b in blocks)
    assert any("as_tables=True" in b and "report(" in b for b in blocks)


def test_binding_readme_blocks_run_in_order() -> None:
    """One namespace, as a reader pasting them into one session would have."""
    namespace: dict[str, Any] = {"__name__": "readme"}
    for block in python_blocks(PY_README):
        exec(compile(block, str(PY_README), "exec"), namespace)

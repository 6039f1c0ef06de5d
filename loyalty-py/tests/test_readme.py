"""The README's Python quickstart runs as written."""

import re
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"


def python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)


def test_readme_has_a_python_quickstart() -> None:
    assert len(python_blocks()) == 1


def test_readme_python_quickstart_runs() -> None:
    for block in python_blocks():
        exec(compile(block, str(README), "exec"), {"__name__": "readme"})

"""What the exercise-check tests share: the book's own solutions, and a registry of
tests.

`solution(chapter, label)` runs the code cells of one exercise's solution, taken from
the chapter itself (so the test checks the solution readers see, not a copy), in a
namespace that has NumPy and the whole library, plus anything a test passes in
`context`.

Each test is registered with `@right("check_x")` (the book's solution passes) or
`@wrong("check_x")` (a known-wrong solution fails with the expected message);
`test_coverage.py` fails when a check lacks either.
"""

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# (chapter module, check name) -> {"right", "wrong"}; the module comes from the test
# file's name (tests/exercises/test_<module>.py tests superposition_exercises/<module>).
REGISTRY: dict[tuple[str, str], set[str]] = {}
PRELUDE = "import numpy as np\nfrom superposition_lib import *\n"


def _source(cell):
    src = cell["source"]
    return "".join(src) if isinstance(src, list) else src


def solution_code(chapter: str, label: str) -> str:
    """The code cells tagged `solution` inside `{solution-start} label` ...
    `{solution-end}`."""
    cells = json.loads((ROOT / "book" / f"{chapter}.ipynb").read_text("utf-8"))["cells"]
    inside, code = False, []
    for cell in cells:
        text = _source(cell)
        if cell["cell_type"] == "markdown":
            if f"{{solution-start}} {label}" in text:
                inside = True
            elif inside and "{solution-end}" in text:
                break
        elif inside and "solution" in cell.get("metadata", {}).get("tags", []):
            code.append(text)
    if not code:
        raise LookupError(f"no solution code for {label!r} in book/{chapter}.ipynb")
    return "\n\n".join(code)


def solution(chapter: str, label: str, context: dict | None = None) -> dict:
    """Run the book's solution of exercise `label`; return its namespace."""
    namespace: dict = {}
    exec(PRELUDE, namespace)
    namespace.update(context or {})
    exec(solution_code(chapter, label), namespace)
    return namespace


def _register(kind: str, check: str):
    module = sys._getframe(2).f_globals["__name__"].rsplit(".", 1)[-1]
    module = module.removeprefix("test_")

    def mark(test):
        REGISTRY.setdefault((module, check), set()).add(kind)
        return test

    return mark


def right(check: str):
    """Mark a test that runs `check` on the book's solution and expects it to pass."""
    return _register("right", check)


def wrong(check: str):
    """Mark a test that runs `check` on a known-wrong solution and expects its
    message."""
    return _register("wrong", check)

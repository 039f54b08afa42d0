"""Every exercise check is tested twice: on the book's solution and on a wrong one."""

import importlib
import pkgutil
from pathlib import Path

import superposition_exercises
from exercises.helpers import REGISTRY

HERE = Path(__file__).parent


def all_checks():
    found = set()
    for info in pkgutil.iter_modules(superposition_exercises.__path__):
        module = importlib.import_module(f"superposition_exercises.{info.name}")
        found |= {
            (info.name, name)
            for name, value in vars(module).items()
            if name.startswith("check_")
            and callable(value)
            and value.__module__ == module.__name__
        }
    return found


def test_every_check_has_a_right_and_a_wrong_test():
    for path in sorted(HERE.glob("test_*.py")):
        if path.name != "test_coverage.py":
            importlib.import_module(f"exercises.{path.stem}")
    checks = all_checks()
    assert checks, "no checks found in superposition_exercises"
    missing = {
        f"{module}.{name}": sorted(
            {"right", "wrong"} - REGISTRY.get((module, name), set())
        )
        for module, name in sorted(checks)
        if REGISTRY.get((module, name), set()) != {"right", "wrong"}
    }
    assert not missing, (
        f"checks without both tests (add @right/@wrong tests): {missing}"
    )

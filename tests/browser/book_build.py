#!/usr/bin/env python3
"""Build the book from the chapters' COMMITTED outputs (no execution) for the
browser test.

    python tests/browser/book_build.py  # -> _build/test/_build/html,
                                        #    log in _build/test/build.log

nbval already proves that every chapter runs and that its key outputs match, so the test
build renders what is committed (`execute_notebooks: off`) and takes seconds per page
instead of re-running every chapter; `make book` (the product) still executes
everything. Sphinx warnings count as failures here exactly as in `make book`
(-W --keep-going): the build goes on to the end so that the browser test can still look
at every page, and the warnings are reported by `test_build_has_no_warnings`.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "_build" / "test"
HTML = OUT / "_build" / "html"
LOG = OUT / "build.log"
WIDGETS = ROOT / "web" / "widgets" / "embed-amd.js"


def test_config() -> dict:
    """_config.yml with execution off (paths made absolute: the copy lives in
    _build/test/)."""
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    config.setdefault("execute", {})["execute_notebooks"] = "off"
    local = config.get("sphinx", {}).get("local_extensions") or {}
    for name, path in local.items():
        local[name] = str((ROOT / path).resolve())
    return config


def build() -> tuple[int, str, float]:
    """Build from scratch; return (exit status, Sphinx's warnings and errors,
    seconds)."""
    if not WIDGETS.exists():
        raise FileNotFoundError(
            f"{WIDGETS.relative_to(ROOT)} is missing: run `make widgets` "
            "(web/fetch-widgets.sh fetches it with npm)"
        )
    shutil.rmtree(
        OUT, ignore_errors=True
    )  # a fresh build re-emits every page's warnings
    OUT.mkdir(parents=True)
    config = OUT / "_config.yml"
    config.write_text(yaml.safe_dump(test_config(), sort_keys=False), encoding="utf-8")
    jupyter_book = Path(sys.executable).with_name("jupyter-book")
    start = time.perf_counter()
    proc = subprocess.run(
        [
            str(jupyter_book),
            "build",
            str(ROOT),
            "--config",
            str(config),
            "--path-output",
            str(OUT),
            "--warningiserror",
            "--keep-going",
            "--quiet",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - start
    LOG.write_text(proc.stdout + proc.stderr, encoding="utf-8")
    return proc.returncode, warnings_in(proc.stdout + proc.stderr), seconds


def warnings_in(log: str) -> str:
    log = re.sub(r"\x1b\[[0-9;]*m", "", log)  # Sphinx colours its warnings
    return "\n".join(
        line
        for line in log.splitlines()
        if "WARNING" in line or "ERROR" in line or "Error" in line
    )


if __name__ == "__main__":
    status, warnings, seconds = build()
    print(warnings or "no warnings")
    print(f"built {HTML.relative_to(ROOT)} in {seconds:.0f} s (exit status {status})")
    sys.exit(status)

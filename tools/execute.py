#!/usr/bin/env python3
"""Run chapters top to bottom in place, keep their outputs, and normalise their \
metadata.

    python tools/execute.py                      # every chapter in _toc.yml order
    python tools/execute.py book/01_data.ipynb   # just these
    python tools/execute.py --normalize-only     # only tidy metadata
    python tools/execute.py --record-times book/run_times.md   # all, and their times

Chapters are committed with outputs (readers on a code host see the figures; nbval
compares the cells tagged `nbval-check-output` against them). Normalising drops what
changes on every run (timings, kernel versions) so that a diff shows only what a chapter
really computes.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import nbformat
import yaml
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
from export import toc_documents  # noqa: E402

KERNELSPEC = {
    "display_name": "Python 3 (ipykernel)",
    "language": "python",
    "name": "python3",
}
LANGUAGE_INFO = {"name": "python", "pygments_lexer": "ipython3"}
VOLATILE_CELL_KEYS = ("execution", "collapsed", "scrolled", "ExecuteTime")


def chapters() -> list[Path]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    return [p for doc in toc_documents(toc) if (p := ROOT / f"{doc}.ipynb").exists()]


def normalize(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    keep = {
        k: v
        for k, v in nb.metadata.items()
        if k not in ("kernelspec", "language_info", "jupytext")
    }
    nb.metadata = nbformat.from_dict(
        {"kernelspec": KERNELSPEC, "language_info": LANGUAGE_INFO, **keep}
    )
    for cell in nb.cells:
        for key in VOLATILE_CELL_KEYS:
            cell.metadata.pop(key, None)
    nb.nbformat, nb.nbformat_minor = 4, 5
    return nb


def quiet_kernel_environment() -> None:
    """Run kernels as the test suite does: committed outputs hold no progress lines (the
    switch SUPERPOSITION_PROGRESS=0, see book/00_progress), one BLAS thread and one
    trainer thread (SUPERPOSITION_THREADS=1, chapter 7): the book's matrices are small,
    and the tests run two kernels on two cores, where extra threads cost more than they
    save."""
    os.environ.setdefault("SUPERPOSITION_PROGRESS", "0")
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    os.environ.setdefault("SUPERPOSITION_THREADS", "1")


def execute(path: Path, timeout: int) -> float:
    nb = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    ).execute()
    elapsed = time.perf_counter() - start
    nbformat.write(normalize(nb), path)
    return elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--normalize-only", action="store_true")
    parser.add_argument("--timeout", type=int, default=600, help="seconds per cell")
    parser.add_argument(
        "--record-times",
        type=Path,
        metavar="FILE.md",
        help="run every chapter and write their times as a Markdown table (the "
        "preface's course plan includes it)",
    )
    args = parser.parse_args(argv)
    if args.record_times and (args.notebooks or args.normalize_only):
        parser.error("--record-times runs every chapter: give no notebooks")
    quiet_kernel_environment()
    times = {}
    for path in [p.resolve() for p in args.notebooks] or chapters():
        if args.normalize_only:
            nbformat.write(normalize(nbformat.read(path, as_version=4)), path)
            continue
        times[path] = execute(path, args.timeout)
        print(f"{path.relative_to(ROOT)}: {times[path]:.1f} s", flush=True)
    if args.record_times:
        args.record_times.write_text(times_table(times), encoding="utf-8")
    return 0


def times_table(times: dict[Path, float]) -> str:
    """Each chapter's execution time, with when and where it was measured."""
    import platform

    threads = os.environ.get("OPENBLAS_NUM_THREADS", "default")
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    today = time.strftime("%Y-%m-%d")
    lines = [
        f"Measured by `tools/execute.py --record-times` on {today}: "
        f"{os.cpu_count()} CPUs ({platform.machine()}), {threads} BLAS thread(s), "
        f"load average {load} at the end; total {sum(times.values()):.0f} s.",
        "",
        "| chapter | seconds to run |",
        "|---|---:|",
    ]
    for path, seconds in times.items():
        lines.append(f"| {{doc}}`{path.stem}` | {seconds:.1f} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())

"""`make reproduce`: run the paper-scale experiments and write book/results/<name>.npz.

    .venv/bin/python tools/reproduce.py                    # every experiment
    .venv/bin/python tools/reproduce.py --only geometry_400_30
    .venv/bin/python tools/reproduce.py --steps 500 --out /tmp/quick   # a quick look

The experiments are defined in the library (`superposition_lib.reproduce`, the book's
page "Reproducing the paper at its scale"); this script adds what only a checkout knows,
the git commit, and a progress line per experiment.
"""

import argparse
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def git_commit():
    """HEAD's hash, with '+dirty' when tracked files differ from it."""

    def git(*args):
        return subprocess.run(
            ["git", *args], cwd=ROOT, capture_output=True, text=True, check=False
        ).stdout.strip()

    head = git("rev-parse", "HEAD") or "unknown"
    return head + (
        "+dirty" if git("status", "--porcelain", "--untracked-files=no") else ""
    )


def main(argv=None):
    from superposition_lib.reproduce import EXPERIMENTS, run_experiment, save_results

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=sorted(EXPERIMENTS), action="append")
    parser.add_argument(
        "--steps", type=int, default=None, help="fewer steps: a quick look"
    )
    parser.add_argument("--out", type=Path, default=ROOT / "book" / "results")
    args = parser.parse_args(argv)
    commit, total = git_commit(), time.perf_counter()
    for name in args.only or list(EXPERIMENTS):
        print(f"{name}: {EXPERIMENTS[name].paper}", flush=True)
        results = run_experiment(name, steps=args.steps, commit=commit, progress=True)
        path = save_results(results, args.out)
        size = path.stat().st_size / 2**20
        print(
            f"  wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path} "
            f"({size:.2f} MiB)",
            flush=True,
        )
    print(f"all done in {(time.perf_counter() - total) / 60:.1f} min", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

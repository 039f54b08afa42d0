"""What every benchmark shares: one line describing the machine it ran on, and the way
it measures (blocks of steps, methods interleaved, the median of the repeats)."""

import os
import platform
import time

import numpy as np


def describe_machine():
    """CPU model, logical CPUs, Python, NumPy and the BLAS NumPy was built with."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            cpu = next(
                line.split(":", 1)[1].strip()
                for line in info
                if line.startswith("model name")
            )
    except (OSError, StopIteration):
        pass
    blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
    return (
        f"{cpu}, {os.cpu_count()} logical CPUs, Python {platform.python_version()}, "
        f"NumPy {np.__version__} ({blas.get('name')} {blas.get('version', '')})"
    )


def calibrate(run, target_seconds):
    """Steps per block so that run(steps) takes about `target_seconds`."""
    run(1)  # warm up (first-call costs, caches)
    n = 1
    while True:
        start = time.perf_counter()
        run(n)
        elapsed = time.perf_counter() - start
        if elapsed >= target_seconds / 4 or n >= 100_000:
            return max(1, int(n * target_seconds / max(elapsed, 1e-9)))
        n *= 4


def measure(runs, repeats, target_seconds):
    """({name: median steps/s}, {name: steps per block}) of {name: run(n_steps)}: the
    methods' blocks run in turn, round after round, so that other work on a shared
    machine slows them all alike."""
    blocks = {name: calibrate(run, target_seconds) for name, run in runs.items()}
    rates = {name: [] for name in runs}
    for _ in range(repeats):
        for name, run in runs.items():
            start = time.perf_counter()
            run(blocks[name])
            rates[name].append(blocks[name] / (time.perf_counter() - start))
    return {name: float(np.median(r)) for name, r in rates.items()}, blocks


def best_torch(rates, label):
    """The fastest PyTorch row for this dtype label (None without PyTorch)."""
    found = [
        rate
        for (name, dtype), rate in rates.items()
        if name.startswith("PyTorch") and dtype == label
    ]
    return max(found) if found else None


def import_torch():
    """(torch or None, its default thread count, a note for the report's first line):
    PyTorch is the optional extra `bench`, and its rows are skipped without it."""
    try:
        import torch
    except ImportError:
        note = (
            "PyTorch not installed: its rows are skipped "
            "(`pip install torch==2.13.0`, the optional extra `bench`)"
        )
        return None, 1, note
    threads = torch.get_num_threads()
    return torch, threads, f"PyTorch {torch.__version__} (default {threads} threads)"


def report(text, markdown=None):
    """Print a benchmark's report and, if `markdown` is a path, write it there too
    (the book's benchmark appendix includes those files)."""
    print(text)
    if markdown:
        with open(markdown, "w", encoding="utf-8") as out:
            out.write(text.rstrip() + "\n")

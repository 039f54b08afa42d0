#!/usr/bin/env python3
"""Speed and memory of the similarity and sparsity measures (book chapters 16 and 17).

    .venv/bin/python benchmarks/bench_similarity.py              # a minute or two
    .venv/bin/python benchmarks/bench_similarity.py --full-gram  # also the N x N form
                                                     # at N = 10,000 (minutes, ~4 GB)

What it measures, each comparison side by side in one run (timings on a shared machine
are noisy; ratios taken in the same run are what to trust):

1. `linear_cka` (feature-space form) at N = 100,000, D1 = 5, D2 = 40: time, peak memory.
2. The original document's N x N centering-matrix form (`linear_cka_gram`) against the
   feature form at growing N. By default the N x N form runs only up to N = 2,000, and
   its time and memory at N = 10,000 are EXTRAPOLATED (time by a power law fitted to the
   measured N and by N^3 from the largest N, memory by N^2 from the largest N);
   `--full-gram` measures N = 10,000 instead.
3. `gini` on 10^7 values against the original document's code, float64 and float32.
4. `rsa` at N = 5,000 (12.5 million pairwise distances per representation).

Peak memory is measured with `tracemalloc` (numpy reports its allocations to it) in a
separate call from the timing, and excludes the inputs, allocated before tracing starts.

BLAS threads: 1 by default (`--blas-threads 0` keeps the library's default). On a shared
two-core machine the default two threads made every matrix product several times slower
(both threads wait for a free core); one thread gives an honest comparison there.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import tracemalloc
from functools import partial

from blas import add_blas_threads_argument, pin_blas_threads


def build_parser():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--full-gram",
        action="store_true",
        help="also run the N x N form at N = 10,000 (minutes, ~4 GB)",
    )
    parser.add_argument(
        "--markdown",
        metavar="PATH",
        help="also write the report to PATH (the book includes it)",
    )
    add_blas_threads_argument(parser)
    return parser


ARGS = build_parser().parse_args(sys.argv[1:] if __name__ == "__main__" else [])
pin_blas_threads(  # before numpy is imported
    ARGS.blas_threads, ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
)

# E402 (import not at the top) is silenced below on purpose: numpy must be imported
# only after the BLAS thread count is set above.
import numpy as np  # noqa: E402
from machine import describe_machine  # noqa: E402

from superposition_lib.metrics import gini, original_gini  # noqa: E402
from superposition_lib.similarity import linear_cka, linear_cka_gram, rsa  # noqa: E402

MIB = 2**20
REPORT: list[str] = []


def emit(text=""):
    """Print a line of the report and keep it for --markdown."""
    print(text, flush=True)
    REPORT.append(str(text))


def best_time(call, repeats):
    """Best wall-clock time of `repeats` calls: the one least disturbed by others."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return min(times)


def peak_memory(call):
    """Peak bytes allocated during one call (earlier allocations are not counted)."""
    tracemalloc.start()
    try:
        call()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def bench_feature_cka(rng, repeats):
    n, d1, d2 = 100_000, 5, 40
    X = rng.standard_normal((n, d1))
    Y = X @ rng.standard_normal((d1, d2)) + rng.standard_normal((n, d2))
    seconds = best_time(lambda: linear_cka(X, Y), repeats)
    peak = peak_memory(lambda: linear_cka(X, Y))
    inputs = X.nbytes + Y.nbytes
    emit("**linear_cka, feature-space form, N = 100,000, D1 = 5, D2 = 40**\n")
    emit(f"| time (best of {repeats}) | peak extra memory | inputs | peak / inputs |")
    emit("|---|---|---|---|")
    emit(
        f"| {seconds * 1e3:.1f} ms | {peak / MIB:.1f} MiB | {inputs / MIB:.1f} MiB "
        f"| {peak / inputs:.2f} |\n"
    )
    return seconds, peak


def bench_gram_against_feature(rng, full_gram):
    sizes = [500, 1000, 2000] + ([10_000] if full_gram else [])
    rows = []
    for n in sizes:
        X = rng.standard_normal((n, 5))
        Y = X @ rng.standard_normal((5, 40)) + rng.standard_normal((n, 40))
        if n >= 5000:  # minutes per call: one traced call gives time and memory
            start = time.perf_counter()
            slow_peak = peak_memory(partial(linear_cka_gram, X, Y))
            slow = time.perf_counter() - start
        else:
            slow = best_time(partial(linear_cka_gram, X, Y), 1 if n >= 2000 else 3)
            slow_peak = peak_memory(partial(linear_cka_gram, X, Y))
        fast = best_time(partial(linear_cka, X, Y), 7)
        fast_peak = peak_memory(partial(linear_cka, X, Y))
        agree = abs(linear_cka_gram(X, Y) - linear_cka(X, Y))
        rows.append((n, slow, fast, slow_peak, fast_peak, agree))
    emit(
        "**Linear CKA: the N x N centering-matrix form against the feature form "
        "(D1 = 5, D2 = 40)**\n"
    )
    emit(
        "| N | N x N form | feature form | time ratio | N x N peak memory "
        "| feature peak memory | abs. difference |"
    )
    emit("|---|---|---|---|---|---|---|")
    for n, slow, fast, slow_peak, fast_peak, agree in rows:
        emit(
            f"| {n:,} | {slow:.3f} s | {fast * 1e3:.2f} ms | {slow / fast:,.0f} "
            f"| {slow_peak / MIB:,.0f} MiB | {fast_peak / MIB:.2f} MiB "
            f"| {agree:.1e} |"
        )
    measured = [r for r in rows if r[0] <= 2000]
    exponent, log_c = np.polyfit(
        np.log([r[0] for r in measured]), np.log([r[1] for r in measured]), 1
    )
    if not full_gram:
        n_big, largest = 10_000, measured[-1]
        t_big = np.exp(log_c) * n_big**exponent
        t_big_cubic = largest[1] * (n_big / largest[0]) ** 3
        m_big = largest[3] * (n_big / largest[0]) ** 2
        emit(
            f"| 10,000 (extrapolated) | {t_big:.0f} s (fit N^{exponent:.2f}); "
            f"{t_big_cubic:.0f} s (N^3 from N = {largest[0]:,}) | — | — "
            f"| {m_big / 2**30:.1f} GiB (N^2 from N = {largest[0]:,}) | — | — |"
        )
    emit(
        f"\nFitted exponent of the N x N form over N <= 2,000: t ∝ N^{exponent:.2f} "
        "(O(N^3) matrix products; overheads flatten the small sizes).\n"
    )
    return rows, exponent


def bench_gini(rng, repeats):
    values = rng.random(10_000_000) * (rng.random(10_000_000) < 0.1)
    values32 = values.astype(np.float32)
    rows = []
    for label, data in (("float64", values), ("float32", values32)):
        ours = best_time(partial(gini, data), repeats)
        original = best_time(partial(original_gini, data), repeats)
        rows.append(
            (
                label,
                ours,
                original,
                peak_memory(partial(gini, data)),
                peak_memory(partial(original_gini, data)),
                abs(gini(data) - original_gini(data)),
            )
        )
    emit("**Gini coefficient on 10^7 values (90 % zeros)**\n")
    emit(
        "| dtype | gini | original code | ratio | gini peak memory "
        "| original peak memory | abs. difference |"
    )
    emit("|---|---|---|---|---|---|---|")
    for label, ours, original, peak, peak_original, diff in rows:
        emit(
            f"| {label} | {ours:.2f} s | {original:.2f} s | {original / ours:.2f} "
            f"| {peak / MIB:.0f} MiB | {peak_original / MIB:.0f} MiB | {diff:.1e} |"
        )
    emit()
    return rows


def bench_rsa(rng):
    n = 5_000
    X = rng.standard_normal((n, 5))
    Y = np.tanh(X @ rng.standard_normal((5, 40)))
    rows = []
    for method in ("pearson", "spearman"):
        call = partial(rsa, X, Y, method=method)
        rows.append((method, best_time(call, 2), peak_memory(call)))
    pairs = n * (n - 1) // 2
    emit(
        f"**RSA at N = 5,000 ({pairs:,} distances per representation), "
        "D1 = 5, D2 = 40**\n"
    )
    emit("| correlation | time (best of 2) | peak memory |")
    emit("|---|---|---|")
    for method, seconds, peak in rows:
        emit(f"| {method} | {seconds:.2f} s | {peak / MIB:.0f} MiB |")
    emit()
    return rows


def main(args=ARGS):
    rng = np.random.default_rng(0)
    threads = args.blas_threads if args.blas_threads > 0 else "library default"
    emit(
        f"Machine: {describe_machine()}; BLAS threads: {threads}; load average at "
        f"the start {os.getloadavg()[0]:.1f} (1 min) on {os.cpu_count()} cores.\n"
    )
    start = time.perf_counter()
    bench_feature_cka(rng, repeats=7)
    bench_gram_against_feature(rng, args.full_gram)
    bench_gini(rng, repeats=3)
    bench_rsa(rng)
    emit(f"(whole benchmark: {time.perf_counter() - start:.0f} s)")
    if args.markdown:
        with open(args.markdown, "w", encoding="utf-8") as out:
            out.write("\n".join(REPORT).rstrip() + "\n")


if __name__ == "__main__":
    main()

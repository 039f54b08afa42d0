"""SAE training speed at the real-network size, side by side: `train_sae`, a plain \
batched NumPy step, PyTorch autograd.

    .venv/bin/python benchmarks/bench_sae.py          # the full run (a few minutes)
    .venv/bin/python benchmarks/bench_sae.py --quick  # a smoke test (seconds)
    .venv/bin/python benchmarks/bench_sae.py --markdown benchmarks/RESULTS_sae.md

The SAE of chapter 22 ("An SAE on a real network"): d = 32 hidden activations (the
digit network's hidden layer), m = 64 latents, minibatches of 256 rows drawn with
replacement from N = 1,348 activations, L1 coefficient 1, Adam (lr 3e-3), the book's
default conventions (the encoder subtracts b_dec; unit-norm decoder columns: the
decoder gradient is projected and the columns renormalised after every step). The
activations are synthetic but shaped like the chapter's, ReLU(G A + c) with Gaussian
G, A, c, so the benchmark needs neither scikit-learn nor a trained network. One "step"
is a whole training step: draw a minibatch, forward, backward, decoder projection,
Adam update, renormalisation. The gradients of the three implementations are checked
equal on one batch before anything is timed. Every method runs blocks of steps in turn
(interleaved), repeatedly; the table reports the median over the repeats, so that other
work on a shared machine slows all methods alike. PyTorch (optional extra `bench`) is
skipped, with a message, when it is not installed.

BLAS threads: 1 by default, as the book runs (`make test` sets OPENBLAS_NUM_THREADS=1);
`--blas-threads 0` keeps the library's default. At this size a second BLAS thread only
adds hand-offs between the cores: every NumPy row is slower with it.
"""

from __future__ import annotations

import argparse
import datetime
import os
import sys
import time

from blas import add_blas_threads_argument, pin_blas_threads


def build_parser():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="short smoke test")
    parser.add_argument("--repeats", type=int, default=None)
    parser.add_argument("--markdown", help="also write the report to this file")
    add_blas_threads_argument(parser)
    return parser


ARGS = build_parser().parse_args(sys.argv[1:] if __name__ == "__main__" else [])
pin_blas_threads(ARGS.blas_threads)  # before numpy is imported

# E402 (import not at the top) is silenced below on purpose: numpy must be imported
# only after the BLAS thread count is set above.
import numpy as np  # noqa: E402
from machine import best_torch, describe_machine, import_torch, measure, report  # noqa: E402

from superposition_lib.backprop import relative_error  # noqa: E402
from superposition_lib.sae import (  # noqa: E402
    init_sae_params,
    remove_parallel_gradient,
    sae_gradients,
)
from superposition_lib.sae_training import train_sae  # noqa: E402

D, M, N_ROWS, BATCH, L1, LR = 32, 64, 1348, 256, 1.0, 3e-3
DTYPES = {"float64": np.float64, "float32": np.float32}
TRAIN_SAE = "train_sae (the book's trainer)"
PLAIN = "plain batched NumPy step"
TORCH_1 = "PyTorch autograd, 1 thread"


def activations(dtype):
    """(N_ROWS, D) non-negative activations shaped like the chapter's hidden layer."""
    rng = np.random.default_rng(0)
    G = rng.normal(size=(N_ROWS, 64))
    A = rng.normal(size=(64, D)) / 8
    return np.maximum(G @ A + rng.normal(size=D), 0).astype(dtype)


# ---- the methods: each factory returns run(n_steps) that keeps its state between calls
def book_trainer(dtype):
    """The public train_sae, called for a block of steps (its set-up included)."""
    Z, seeds = activations(dtype), iter(range(10**9))

    def run(n_steps):
        train_sae(
            Z,
            M,
            L1,
            steps=n_steps,
            batch_size=BATCH,
            lr=LR,
            seed=next(seeds),
            log_every=10,
            progress=False,
        )

    return run


def plain_gradients(p, batch, lam):
    """The SAE loss's gradients (chapter 14's equations) with no checks, one SAE."""
    centred = batch - p["b_dec"]
    h_linear = centred @ p["W_enc"].T + p["b_enc"]
    h = np.maximum(h_linear, 0)
    g = (2.0 / len(batch)) * (h @ p["W_dec"].T + p["b_dec"] - batch)
    delta = (g @ p["W_dec"] + lam / len(batch)) * (h_linear > 0)
    b_enc = delta.sum(axis=0)
    return {
        "W_enc": delta.T @ centred,
        "b_enc": b_enc,
        "W_dec": g.T @ h,
        "b_dec": g.sum(axis=0) - b_enc @ p["W_enc"],
    }


def plain_numpy(dtype):
    """A minimal loop: plain_gradients, the decoder projection, an in-place Adam."""
    Z, rng = activations(dtype), np.random.default_rng(0)
    p = init_sae_params(D, M, rng, dtype=dtype)
    m = {k: np.zeros_like(v) for k, v in p.items()}
    v = {k: np.zeros_like(v) for k, v in p.items()}
    state = {"t": 0}
    b1, b2, eps = 0.9, 0.999, 1e-8

    def run(n_steps):
        for _ in range(n_steps):
            batch = Z[rng.integers(0, N_ROWS, BATCH)]
            grads = plain_gradients(p, batch, L1)
            W = p["W_dec"]
            grads["W_dec"] -= np.sum(grads["W_dec"] * W, axis=0) * W  # unit columns
            state["t"] += 1
            t = state["t"]
            step = LR / (1 - b1**t)
            root = np.sqrt(1 - b2**t)
            for k, g in grads.items():
                m[k] *= b1
                m[k] += (1 - b1) * g
                v[k] *= b2
                v[k] += (1 - b2) * g * g
                p[k] -= step * m[k] / (np.sqrt(v[k]) / root + eps)
            W /= np.linalg.norm(W, axis=0)

    return run


def torch_autograd(dtype, threads):
    """The same SAE, conventions and optimiser in PyTorch, gradients by autograd."""
    import torch

    tdtype = {np.float64: torch.float64, np.float32: torch.float32}[dtype]
    Z = torch.tensor(activations(dtype))
    gen = torch.Generator().manual_seed(0)
    p0 = init_sae_params(D, M, 0)
    p = {k: torch.tensor(v, dtype=tdtype, requires_grad=True) for k, v in p0.items()}
    opt = torch.optim.Adam(list(p.values()), lr=LR)

    def run(n_steps):
        torch.set_num_threads(threads)  # global in PyTorch: set for this method's block
        for _ in range(n_steps):
            batch = Z[torch.randint(0, N_ROWS, (BATCH,), generator=gen)]
            loss = torch_loss(p, batch)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            with torch.no_grad():
                W = p["W_dec"]
                W.grad -= (W.grad * W).sum(dim=0) * W  # unit-norm columns
                opt.step()
                W /= W.norm(dim=0)

    return run


def torch_loss(p, batch):
    """Chapter 14's loss: mean ||z - z_hat||^2 + λ mean sum_j h_j, b_dec subtracted."""
    import torch

    h = torch.relu((batch - p["b_dec"]) @ p["W_enc"].T + p["b_enc"])
    z_hat = h @ p["W_dec"].T + p["b_dec"]
    return ((z_hat - batch) ** 2).sum(dim=1).mean() + L1 * h.sum(dim=1).mean()


def gradient_agreement():
    """Largest relative error between the three gradients, float64, one batch."""
    rng = np.random.default_rng(1)
    p = init_sae_params(D, M, rng)
    p["b_enc"] += rng.normal(0, 0.1, M)
    p["b_dec"] += rng.normal(0, 0.1, D)
    batch = activations(np.float64)[rng.integers(0, N_ROWS, BATCH)]
    ours = sae_gradients(p, batch, L1)
    plain = plain_gradients(p, batch, L1)
    errors = {"plain NumPy vs sae_gradients": relative_error(plain, ours)}
    try:
        import torch
    except ImportError:
        return errors
    tp = {k: torch.tensor(v, requires_grad=True) for k, v in p.items()}
    torch_loss(tp, torch.tensor(batch)).backward()
    autograd = {k: v.grad.numpy() for k, v in tp.items()}
    errors["PyTorch autograd vs sae_gradients"] = relative_error(autograd, ours)
    projected = remove_parallel_gradient(p["W_dec"], ours["W_dec"])
    W = torch.tensor(p["W_dec"])
    g = torch.tensor(autograd["W_dec"])
    errors["decoder projection, PyTorch vs ours"] = relative_error(
        (g - (g * W).sum(dim=0) * W).numpy(), projected
    )
    return errors


def main(args=ARGS):
    repeats = args.repeats or (2 if args.quick else 9)
    target = 0.03 if args.quick else 0.5

    errors = gradient_agreement()
    worst = max(errors.values())
    if worst > 1e-10:
        raise SystemExit(f"the gradients disagree, nothing timed: {errors}")
    torch, default_threads, torch_note = import_torch()

    methods = {}
    for label, dtype in DTYPES.items():
        methods[(TRAIN_SAE, label)] = book_trainer(dtype)
        methods[(PLAIN, label)] = plain_numpy(dtype)
        if torch is not None:
            methods[(TORCH_1, label)] = torch_autograd(dtype, 1)
            if default_threads > 1:
                name = f"PyTorch autograd, {default_threads} threads"
                methods[(name, label)] = torch_autograd(dtype, default_threads)

    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    rates, _ = measure(methods, repeats, target)
    minutes = (time.perf_counter() - started) / 60
    load_after = os.getloadavg()[0]

    lines = [
        f"Measured {datetime.datetime.now().strftime('%Y-%m-%d %H:%M')} on "
        f"{describe_machine()}; {torch_note}.",
        f"SAE d={D}, m={M}, batch {BATCH} of N={N_ROWS}, λ={L1}, Adam lr {LR}; median "
        f"of {repeats} interleaved blocks of about {target} s per method "
        f"({minutes:.1f} min in all); load average {load_before:.1f} before, "
        f"{load_after:.1f} after; OPENBLAS_NUM_THREADS="
        f"{os.environ.get('OPENBLAS_NUM_THREADS', 'unset')}.",
        "",
        "| method | dtype | steps/s | µs/step | × plain NumPy | × best PyTorch |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for (name, label), rate in rates.items():
        plain = rates[(PLAIN, label)]
        torch_rate = best_torch(rates, label)
        vs_torch = f"{rate / torch_rate:.2f}" if torch_rate else "–"
        lines.append(
            f"| {name} | {label} | {rate:,.0f} | {1e6 / rate:,.0f} | "
            f"{rate / plain:.2f} | {vs_torch} |"
        )
    lines += ["", "Target (issue 14), steps/s ratios from the table:", ""]
    for label in DTYPES:
        torch_rate = best_torch(rates, label)
        if torch_rate:
            ratio = rates[(TRAIN_SAE, label)] / torch_rate
            verdict = "met" if ratio >= 2 else "NOT met"
            lines.append(
                f"- {label}: train_sae ≥ 2× PyTorch CPU: {ratio:.2f} → {verdict}"
            )
    lines += [
        "",
        "Gradient agreement, float64, one batch (relative error): "
        + "; ".join(f"{k} {v:.1e}" for k, v in errors.items())
        + ".",
    ]
    report("\n".join(lines), args.markdown)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Training speed, side by side: the original per-sample loop, our trainer, \
PyTorch autograd.

    .venv/bin/python benchmarks/bench_train.py          # the full run (about 2 minutes)
    .venv/bin/python benchmarks/bench_train.py --quick  # a smoke test (a few seconds)
    .venv/bin/python benchmarks/bench_train.py --markdown benchmarks/RESULTS_train.md
    .venv/bin/python benchmarks/bench_train.py --paper-scale \
        --markdown benchmarks/RESULTS_paper_scale.md   # 400 -> 30, 20 instances

The toy model n = 20 -> k = 5, batch 1024, sparsity 0.9, importance 0.7**i, Adam (lr
1e-3). One "step" is a whole training step: draw a batch, forward, backward, optimiser
update. Every method runs blocks of steps in turn (interleaved), repeatedly; the table
reports the median over the repeats, so that other work on a shared machine slows all
methods alike. PyTorch (optional extra `bench`: `pip install torch==2.13.0`) is skipped,
with a message, when it is not installed.
"""

from __future__ import annotations

import argparse
import datetime
import os
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from machine import best_torch, describe_machine, import_torch, measure, report

from superposition_lib.backprop import (
    loss_gradients,
    loss_gradients_per_sample,
    relative_error,
)
from superposition_lib.conventions import instance_generators
from superposition_lib.data import (
    feature_importance,
    generate_sparse_data,
    original_generate_sparse_data,
)
from superposition_lib.model import init_params
from superposition_lib.optim import Adam
from superposition_lib.train import TrainingWorkspace, train_toy_model

N_FEATURES, N_HIDDEN, BATCH, SPARSITY, LR = 20, 5, 1024, 0.9, 1e-3
MANY = 16  # instances in the many-models row
TORCH_1 = "PyTorch autograd, 1 thread"
DTYPES = {"float64": np.float64, "float32": np.float32}


# ---- the methods: each factory returns run(n_steps) that keeps its state between calls
def per_sample_loop(dtype):
    """The original document: two draws for the data, per-sample backprop, Adam."""
    rng = np.random.default_rng(0)
    params = init_params(N_FEATURES, N_HIDDEN, rng, init="xavier", dtype=dtype)
    importance, opt = feature_importance(N_FEATURES).astype(dtype), Adam(lr=LR)

    def run(n_steps):
        for _ in range(n_steps):
            X = original_generate_sparse_data(BATCH, N_FEATURES, SPARSITY, rng).astype(
                dtype
            )
            opt.step(params, loss_gradients_per_sample(params, X, importance))

    return run


def plain_batched_loop(dtype):
    """Chapter 6's loop: generate_sparse_data, loss_gradients, Adam.step."""
    rng = np.random.default_rng(0)
    params = init_params(N_FEATURES, N_HIDDEN, rng, init="xavier", dtype=dtype)
    importance, opt = feature_importance(N_FEATURES).astype(dtype), Adam(lr=LR)

    def run(n_steps):
        for _ in range(n_steps):
            X = generate_sparse_data(BATCH, N_FEATURES, SPARSITY, rng, dtype=dtype)
            opt.step(params, loss_gradients(params, X, importance))

    return run


def our_trainer(dtype, n_instances=1):
    """The public train_toy_model, called for a block of steps (its set-up included)."""
    seeds = iter(range(10**9))

    def run(n_steps):
        train_toy_model(
            N_FEATURES,
            N_HIDDEN,
            SPARSITY,
            steps=n_steps,
            batch_size=BATCH,
            lr=LR,
            n_instances=n_instances,
            seed=next(seeds),
            dtype=dtype,
            progress=False,
        )

    return run


def our_step_on_pregenerated_data(dtype):
    """The trainer's step without the sampler: the same workspace, batches made
    beforehand."""
    rng = np.random.default_rng(0)
    params = init_params(
        N_FEATURES, N_HIDDEN, rng, init="xavier", n_instances=1, dtype=dtype
    )
    work = TrainingWorkspace(
        params,
        feature_importance(N_FEATURES)[None],
        np.full((1, N_FEATURES), 1 - SPARSITY),
        BATCH,
    )
    batches = [work.sample_batch([rng]).copy() for _ in range(8)]
    theta, grad = {"theta": work.theta}, {"theta": work.grad_theta}
    opt = Adam(lr=LR)

    def run(n_steps):
        for step in range(n_steps):
            work.loss_and_gradients(batches[step % len(batches)])
            opt.step(theta, grad)

    return run


def torch_autograd(dtype, threads):
    """The same model, data rule and optimiser in PyTorch, gradients by autograd."""
    import torch

    tdtype = {np.float64: torch.float64, np.float32: torch.float32}[dtype]
    gen = torch.Generator().manual_seed(0)
    W0 = init_params(N_FEATURES, N_HIDDEN, 0, init="xavier")["W"]
    W = torch.tensor(W0, dtype=tdtype, requires_grad=True)
    b = torch.zeros(N_FEATURES, dtype=tdtype, requires_grad=True)
    importance = torch.tensor(feature_importance(N_FEATURES), dtype=tdtype)
    keep = 1.0 - SPARSITY
    opt = torch.optim.Adam([W, b], lr=LR)

    def run(n_steps):
        torch.set_num_threads(threads)  # global in PyTorch: set for this method's block
        for _ in range(n_steps):
            u = torch.rand(BATCH, N_FEATURES, generator=gen, dtype=tdtype)
            x = torch.where(u < keep, u / keep, 0.0)  # one draw per entry, as ours
            x_hat = torch.relu((x @ W.T) @ W + b)
            loss = (importance * (x_hat - x) ** 2).sum(dim=1).mean()
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()

    return run


def torch_gradient_agreement():
    """Relative error between autograd's and our float64 gradient on the same data."""
    import torch

    rng = np.random.default_rng(1)
    params = init_params(N_FEATURES, N_HIDDEN, rng, init="xavier")
    params["b"] = rng.normal(0, 0.1, N_FEATURES)
    X = generate_sparse_data(BATCH, N_FEATURES, SPARSITY, rng)
    importance = feature_importance(N_FEATURES)
    W = torch.tensor(params["W"], requires_grad=True)
    b = torch.tensor(params["b"], requires_grad=True)
    x = torch.tensor(X)
    x_hat = torch.relu((x @ W.T) @ W + b)
    (torch.tensor(importance) * (x_hat - x) ** 2).sum(dim=1).mean().backward()
    ours = loss_gradients(params, X, importance)
    return relative_error({"W": W.grad.numpy(), "b": b.grad.numpy()}, ours)


# ---- the paper's size: the geometry sweep, 400 -> 30, 20 instances at densities 20^-t
PAPER_N, PAPER_K, PAPER_I = 400, 30, 20
PAPER_KEEP = 20.0 ** -np.linspace(0.0, 1.0, PAPER_I)
PAPER_TARGET = 36.0  # seconds per 1,000 steps (issue 11)
PRODUCTS = "only its five matrix products, 2 threads (a floor)"


def _paper_start(dtype):
    rngs = instance_generators(0, PAPER_I)
    inits = [init_params(PAPER_N, PAPER_K, r, init="xavier", dtype=dtype) for r in rngs]
    params = {key: np.stack([p[key] for p in inits]) for key in "Wb"}
    return params, rngs, np.ones((PAPER_I, PAPER_N))


def paper_ours(dtype, threads, pregenerated=False):
    """The trainer's step (workspace + Adam) with `threads` threads."""
    params, rngs, importance = _paper_start(dtype)
    keep = np.repeat(PAPER_KEEP[:, None], PAPER_N, axis=1)
    work = TrainingWorkspace(params, importance, keep, BATCH, threads=threads)
    theta, grad, opt = {"theta": work.theta}, {"theta": work.grad_theta}, Adam(lr=LR)
    batches = [work.sample_batch(rngs).copy() for _ in range(2)] if pregenerated else []

    def run(n_steps):
        for step in range(n_steps):
            if pregenerated:
                work.loss_and_gradients(batches[step % 2])
            else:
                work.sample_loss_and_gradients(rngs)
            opt.step(theta, grad)

    return run


def paper_products(dtype, threads=2):
    """Only the step's five matrix products per instance (no data, no elementwise work,
    no Adam), the instances shared out between `threads` threads as the trainer does:
    a floor under any step that multiplies the same dense matrices."""
    rng, k1 = np.random.default_rng(0), PAPER_K + 1
    theta = (rng.standard_normal((PAPER_I, k1, PAPER_N)) / 20).astype(dtype)
    theta_T = np.ascontiguousarray(theta.transpose(0, 2, 1))
    X = rng.random((threads, BATCH, PAPER_N)).astype(dtype)
    x_linear = np.zeros_like(X)
    z, grad_z = (
        np.ones((threads, BATCH, k1), dtype),
        np.zeros((threads, BATCH, k1), dtype),
    )
    grad, encoder = np.zeros((2, threads, k1, PAPER_N), dtype)
    pool = ThreadPoolExecutor(threads)

    def worker(t):
        for i in range(t, PAPER_I, threads):
            np.matmul(X[t], theta_T[i, :, :PAPER_K], out=z[t, :, :PAPER_K])
            np.matmul(z[t], theta[i], out=x_linear[t])
            np.matmul(x_linear[t], theta_T[i], out=grad_z[t])  # x_linear for delta
            np.matmul(z[t].T, x_linear[t], out=grad[t])
            np.matmul(grad_z[t].T, X[t], out=encoder[t])

    def run(n_steps):
        for _ in range(n_steps):
            list(pool.map(worker, range(threads)))

    return run


def paper_plain(dtype):
    """Chapter 6's plain loop on the stack: fresh data, loss_gradients, Adam."""
    params, _, importance = _paper_start(dtype)
    rng, opt = np.random.default_rng(0), Adam(lr=LR)

    def run(n_steps):
        for _ in range(n_steps):
            X = generate_sparse_data(
                BATCH, PAPER_N, 1 - PAPER_KEEP, rng, n_instances=PAPER_I, dtype=dtype
            )
            opt.step(params, loss_gradients(params, X, importance))

    return run


def paper_torch(dtype, threads):
    """The same stacked model in PyTorch (bmm), gradients by autograd, Adam."""
    import torch

    tdtype = {np.float64: torch.float64, np.float32: torch.float32}[dtype]
    params, _, _ = _paper_start(dtype)
    W = torch.tensor(params["W"], requires_grad=True)
    b = torch.tensor(params["b"], requires_grad=True)
    keep = torch.tensor(PAPER_KEEP, dtype=tdtype)[:, None, None]
    gen, opt = torch.Generator().manual_seed(0), torch.optim.Adam([W, b], lr=LR)

    def run(n_steps):
        torch.set_num_threads(threads)
        for _ in range(n_steps):
            u = torch.rand(PAPER_I, BATCH, PAPER_N, generator=gen, dtype=tdtype)
            x = torch.where(u < keep, u / keep, 0.0)
            x_hat = torch.relu(
                torch.bmm(torch.bmm(x, W.transpose(1, 2)), W) + b[:, None]
            )
            loss = ((x_hat - x) ** 2).sum(dim=2).mean(dim=1).sum()
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()

    return run


def paper_scale(repeats, target, torch):
    """Seconds per 1,000 steps of every method at the paper's size, side by side."""
    methods = {}
    for label, dtype in DTYPES.items():
        methods[("ours, 2 threads", label)] = (paper_ours(dtype, 2), 1)
        methods[("ours, 1 thread", label)] = (paper_ours(dtype, 1), 1)
        methods[("ours, 2 threads, pre-generated data", label)] = (
            paper_ours(dtype, 2, pregenerated=True),
            1,
        )
        methods[(PRODUCTS, label)] = (paper_products(dtype), 1)
        methods[("plain batched NumPy (chapter 6's loop)", label)] = (
            paper_plain(dtype),
            1,
        )
        if torch is not None:
            for threads in (1, 2):
                methods[(f"PyTorch autograd, {threads} thread(s)", label)] = (
                    paper_torch(dtype, threads),
                    1,
                )
    load_before = os.getloadavg()[0]
    rates, _ = measure({k: run for k, (run, _) in methods.items()}, repeats, target)
    load_after = os.getloadavg()[0]
    lines = [
        f"Paper scale: n={PAPER_N} -> k={PAPER_K}, {PAPER_I} instances at densities "
        f"20^-t, batch {BATCH}, equal importance, Adam; median of {repeats} "
        f"interleaved blocks of about {target} s; "
        f"load average {load_before:.1f} before, "
        f"{load_after:.1f} after; OPENBLAS_NUM_THREADS="
        f"{os.environ.get('OPENBLAS_NUM_THREADS', 'unset')}.",
        "",
        "| method | dtype | s per 1,000 steps | × plain NumPy | × best PyTorch |",
        "|---|---|---:|---:|---:|",
    ]
    for name, label in methods:
        per_1000 = 1000 / rates[(name, label)]
        plain = 1000 / rates[("plain batched NumPy (chapter 6's loop)", label)]
        torch_rate = best_torch(rates, label)
        vs_torch = f"{(1000 / torch_rate) / per_1000:.2f}" if torch_rate else "–"
        lines.append(
            f"| {name} | {label} | {per_1000:.1f} | {plain / per_1000:.2f} "
            f"| {vs_torch} |"
        )
    ours32 = 1000 / rates[("ours, 2 threads", "float32")]
    plain32 = 1000 / rates[("plain batched NumPy (chapter 6's loop)", "float32")]
    lines += [
        "",
        "Targets (issue 11), float32:",
        f"- ≤ {PAPER_TARGET:.0f} s per 1,000 steps: {ours32:.1f} → "
        f"{'met' if ours32 <= PAPER_TARGET else 'NOT met'}",
        f"- ≥ 3× plain batched NumPy: {plain32 / ours32:.2f} → "
        f"{'met' if plain32 / ours32 >= 3 else 'NOT met'}",
    ]
    torch32 = best_torch(rates, "float32")
    if torch32:
        ratio = (1000 / torch32) / ours32
        lines.append(
            f"- ≥ 3× PyTorch CPU: {ratio:.2f} → {'met' if ratio >= 3 else 'NOT met'}"
        )
    floor32 = 1000 / rates[(PRODUCTS, "float32")]
    lines += [
        "",
        f"The five matrix products alone take {floor32:.1f} s per 1,000 steps in "
        f"float32 ({floor32 / ours32:.0%} of the whole step, "
        f"{floor32 / PAPER_TARGET:.0%} of the target).",
    ]
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="short smoke test")
    parser.add_argument("--repeats", type=int, default=None)
    parser.add_argument("--markdown", help="also write the report to this file")
    parser.add_argument(
        "--paper-scale", action="store_true", help="the 400 -> 30 sweep's step only"
    )
    args = parser.parse_args(argv)
    repeats = args.repeats or (2 if args.quick else 9)
    target = 0.03 if args.quick else 0.25

    torch, default_threads, torch_note = import_torch()

    if args.paper_scale:
        report(
            f"Measured {datetime.datetime.now().strftime('%Y-%m-%d %H:%M')} on "
            f"{describe_machine()}; {torch_note}.\n\n"
            + paper_scale(args.repeats or 5, 0.05 if args.quick else 1.0, torch),
            args.markdown,
        )
        return 0

    methods = {}
    for label, dtype in DTYPES.items():
        methods[("per-sample loop (original document)", label)] = (
            per_sample_loop(dtype),
            1,
        )
        methods[("plain batched loop (chapter 6)", label)] = (
            plain_batched_loop(dtype),
            1,
        )
        methods[("train_toy_model, 1 instance", label)] = (our_trainer(dtype), 1)
        methods[(f"train_toy_model, {MANY} instances", label)] = (
            our_trainer(dtype, MANY),
            MANY,
        )
        methods[("trainer's step, pre-generated data", label)] = (
            our_step_on_pregenerated_data(dtype),
            1,
        )
        if torch is not None:
            methods[(TORCH_1, label)] = (torch_autograd(dtype, 1), 1)
            if default_threads > 1:
                methods[(f"PyTorch autograd, {default_threads} threads", label)] = (
                    torch_autograd(dtype, default_threads),
                    1,
                )

    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    rates, blocks = measure(
        {k: run for k, (run, _) in methods.items()}, repeats, target
    )
    minutes = (time.perf_counter() - started) / 60
    load_after = os.getloadavg()[0]

    lines = [
        f"Measured {datetime.datetime.now().strftime('%Y-%m-%d %H:%M')} on "
        f"{describe_machine()}; {torch_note}.",
        f"Toy model n={N_FEATURES}, k={N_HIDDEN}, batch {BATCH}, S={SPARSITY}; "
        f"median of {repeats} interleaved blocks of about {target} s per method "
        f"({minutes:.1f} min in all); load average {load_before:.1f} before, "
        f"{load_after:.1f} after.",
        "",
        "| method | dtype | steps/s | model-steps/s "
        "| × per-sample loop | × best PyTorch |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for (name, label), (_, instances) in methods.items():
        rate = rates[(name, label)] * instances
        loop = rates[("per-sample loop (original document)", label)]
        torch_rate = best_torch(rates, label)
        vs_torch = f"{rate / torch_rate:.2f}" if torch_rate else "–"
        lines.append(
            f"| {name} | {label} | {rates[(name, label)]:,.0f} | {rate:,.0f} | "
            f"{rate / loop:,.1f} | {vs_torch} |"
        )
    lines += ["", "Targets (issue 3), model-steps/s ratios from the table:", ""]
    for label in DTYPES:
        single = rates[("train_toy_model, 1 instance", label)]
        many = rates[(f"train_toy_model, {MANY} instances", label)] * MANY
        pregen = rates[("trainer's step, pre-generated data", label)]
        loop = rates[("per-sample loop (original document)", label)]
        checks = [
            ("ours ≥ 50× the per-sample loop", single / loop, single / loop >= 50),
            (
                f"{MANY} instances, per instance, ≥ 1 instance",
                many / single,
                many >= single,
            ),
            (
                "ours within 2× of the same step on pre-generated data (time ratio)",
                pregen / single,
                pregen / single <= 2,
            ),
        ]
        torch_rate = best_torch(rates, label)
        if torch_rate:
            checks.insert(
                0,
                (
                    "ours ≥ 2.5× PyTorch CPU",
                    single / torch_rate,
                    single / torch_rate >= 2.5,
                ),
            )
        for text, value, ok in checks:
            lines.append(
                f"- {label}: {text}: {value:.2f} → {'met' if ok else 'NOT met'}"
            )
    if torch is not None:
        lines += [
            "",
            f"Gradient agreement, float64, same data: relative error between "
            f"autograd and `loss_gradients` = {torch_gradient_agreement():.1e}.",
        ]
    report("\n".join(lines), args.markdown)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

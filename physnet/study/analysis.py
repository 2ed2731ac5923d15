"""Analyses of a finished study's stored networks: participation ratio per seed and Hessian
statistics of the training loss for the first seeds of each arm."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, replace
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import torch

from physnet.activations.frozen_function import use_compiled
from physnet.analysis import HessianOperator, SpectralDensity, hutchinson_trace, participation_ratio, spectral_density
from physnet.study.folder import read_runs, read_study_config
from physnet.study.model_store import load_arm, member_network, model_dtype
from physnet.tasks.settings import smoke
from physnet.tasks.sources import task_for_study
from physnet.training.evaluation import ensemble_input
from physnet.training.losses import member_loss


@dataclass(frozen=True)
class HessianSettings:
    """How the Hessian statistics are computed (recorded in ``analysis.json``).

    Attributes:
        seeds: the first seeds of each arm whose Hessians are computed.
        samples: training samples the loss is taken over.
        lanczos_steps, lanczos_probes: the stochastic Lanczos quadrature's steps and probes.
        flat_tolerance: eigenvalues with ``|lambda| < flat_tolerance * lambda_max`` count as flat.
        trace_tolerance, trace_max_probes: Hutchinson's trace to this relative error, at most
            this many probes.
    """

    seeds: int = 10
    samples: int = 1000
    lanczos_steps: int = 100
    lanczos_probes: int = 4
    flat_tolerance: float = 1e-2
    trace_tolerance: float = 0.02
    trace_max_probes: int = 200

    def record(self) -> dict[str, Any]:
        """The settings as ``analysis.json`` stores them."""
        d = asdict(self)
        d["hessian_samples"] = d.pop("samples")
        d.pop("seeds")
        return d


#: The Hessian statistics of ``physnet analyze`` unless told otherwise.
DEFAULT_HESSIAN = HessianSettings()

#: The analysis columns of a seed's row, NaN where not computed.
ANALYSIS_COLUMNS = ("participation_ratio", "r", "hessian_trace", "hessian_top", "flat_fraction")


def analyze_study(
    run_dir: Path,
    *,
    participation: bool = True,
    hessian: HessianSettings | None = DEFAULT_HESSIAN,
    arms: list[str] | None = None,
    echo: Callable[[str], None] = lambda s: None,
) -> tuple[list[dict], dict]:
    """Rows ``arm, seed, metric, participation_ratio, r, hessian_trace, hessian_top,
    flat_fraction`` (NaN where not computed) and eigenvalue densities per arm.

    The participation ratio is of the (first) hidden layer's activity over the whole
    validation split; the Hessian (``hessian``: its settings, None: none) is that of the
    training loss on ``hessian.samples`` training samples at the stored weights, for the first
    ``hessian.seeds`` seeds of each arm, each as a standalone network. The flat fraction
    counts eigenvalues with ``|lambda| < flat_tolerance * lambda_max``; with 100
    Lanczos steps it matched the exact spectrum of a trained 40-100-10 classifier at 1e-2
    (0.646 vs 0.654) but not at 1e-3 (0.13 vs 0.28: below the method's resolution).
    ``arms``: analyse only these of the study's arms (default all).
    """
    if smoke() and hessian is not None:  # a smoke test checks that the analyses run, not their numbers
        hessian = replace(hessian, seeds=1, samples=100, lanczos_steps=10, lanczos_probes=1)
    study = read_study_config(run_dir)
    chosen = [a for a in study["arms"] if arms is None or a in arms]
    missing = [a for a in chosen if not (run_dir / "models" / f"{a}.pt").is_file()]
    if missing:  # before any work: not after the other arms' Hessians
        raise FileNotFoundError(
            f"{run_dir}/models has no stored networks for arm(s) {', '.join(missing)}; "
            "rerun the `physnet compare` that made the study (it resumes and stores them)"
        )
    data = task_for_study(study).load(
        seed=study.get("data_seed", 0), small=study.get("small", False), data=study.get("data")
    )
    metrics = {(r["arm"], int(r["seed"])): float(r["metric"]) for r in read_runs(run_dir / "runs.csv")}
    rows: list[dict] = []
    jobs: list[tuple[tuple[str, int], tuple]] = []
    for arm in chosen:
        net, arch = load_arm(run_dir / "models" / f"{arm}.pt")
        d = data.to("cpu", model_dtype(net))
        seeds = list(arch["seeds"])  # stored order (the order blocks finished)
        first_seeds = set(sorted(seeds)[: hessian.seeds]) if hessian is not None else set()
        with use_compiled(False):
            layers = hidden_layers(net, d.x_val) if participation else {}
        ratios = {name: participation_ratio(act).numpy() for name, act in layers.items()}
        for i, seed in enumerate(seeds):
            row = {"arm": arm, "seed": seed, "metric": metrics.get((arm, seed), np.nan)}
            row.update(
                {k: np.nan for k in ("participation_ratio", "r", "hessian_trace", "hessian_top", "flat_fraction")}
            )
            for j, (name, pr) in enumerate(ratios.items()):
                suffix = "" if j == 0 else f"_{name}"  # the first layer fills the main columns
                row[f"participation_ratio{suffix}"] = float(pr[i])
                row[f"r{suffix}"] = float(pr[i] / layers[name].shape[-1])
            if hessian is not None and seed in first_seeds:
                x, y = d.x_train[: hessian.samples].double(), d.y_train[: hessian.samples]
                y = y.double() if y.is_floating_point() else y
                single = member_network(net, arch, i).double()
                jobs.append(((arm, seed), (single, x, y, d.loss, seed, hessian)))
            rows.append(row)
        echo(f"analyzed arm {arm}: {len(seeds)} seeds" + (" (Hessians next)" if jobs else ""))
    densities: dict[str, list] = {}
    hessians = dict(_run_hessians(jobs))
    for row in rows:
        if (row["arm"], row["seed"]) in hessians:
            trace, sld = hessians[(row["arm"], row["seed"])]
            row["hessian_trace"] = trace
            row["hessian_top"] = sld.top_eigenvalue
            assert hessian is not None
            row["flat_fraction"] = sld.fraction_near_zero(hessian.flat_tolerance * max(abs(sld.top_eigenvalue), 1e-12))
            densities.setdefault(row["arm"], []).append(sld)
    return rows, densities


def _run_hessians(jobs: list[tuple[tuple[str, int], tuple]]) -> Iterator[tuple[tuple[str, int], tuple]]:
    """Every seed's Hessian statistics, on the worker pool's processes where the command gave
    it more than one (:mod:`physnet.study.local_pool`): seeds are independent, and each one's
    products are compute-bound, so two cores take about half the time; else here."""
    from physnet.study.local_pool import default_workers, pool_map

    workers = min(default_workers(), len(jobs))
    if workers <= 1:
        yield from ((key, member_hessian(*args)) for key, args in jobs)
        return
    yield from pool_map(
        member_hessian, jobs, workers, describe=lambda key: f"the Hessian of arm {key[0]}, seed {key[1]}"
    )


def member_hessian(
    net: torch.nn.Module, x: torch.Tensor, y: torch.Tensor, loss: str, seed: int, settings: HessianSettings
) -> tuple[float, SpectralDensity]:
    """One network's Hessian trace (Hutchinson) and eigenvalue density (Lanczos) of its
    training loss on ``(x, y)``, probes seeded by ``seed``. Frozen types in plain code: a few
    hundred products at one shape never repay compiling their kernels (measured: `analyze
    --hessian` of MNIST-1D, 60 networks, 87 s compiled, 58 s plain)."""
    with use_compiled(False):
        op = HessianOperator(partial(_training_loss, net, x, y, loss), list(net.parameters()))
        sld = spectral_density(op, steps=min(settings.lanczos_steps, op.n), probes=settings.lanczos_probes, seed=seed)
        trace = hutchinson_trace(
            op, tol=settings.trace_tolerance, max_probes=settings.trace_max_probes, seed=seed
        ).trace
    return trace, sld


def _training_loss(net: torch.nn.Module, x: torch.Tensor, y: torch.Tensor, loss: str) -> torch.Tensor:
    """One network's training loss on ``(x, y)`` (a scalar)."""
    return member_loss(net(x), y, loss, 1)[0]


def hidden_layers(net: torch.nn.Module, x: torch.Tensor) -> dict[str, torch.Tensor]:
    """Post-activation hidden activity ``(E, M, N_l)`` of every hidden layer over inputs
    ``x`` ``(M, d)``, keyed ``L1, L2, ...``; the first key is the one reported as
    ``participation_ratio`` / ``r``. A separable Hamiltonian network's two MLPs are keyed
    ``V_L1, ..., T_L1, ...`` (potential V(q) first, then kinetic T(p))."""

    model: Any = net  # a NeuralVectorField, HamiltonianNetwork, Classifier or separable network

    def run(mlp, inputs, prefix):
        with torch.no_grad():
            _, hidden = mlp(ensemble_input(model, inputs), return_hidden=True)
        return {f"{prefix}L{k + 1}": (h if model.n_members > 1 else h.unsqueeze(0)) for k, h in enumerate(hidden)}

    if hasattr(model, "net"):
        return run(model.net, x, "")
    n = int(model.n_dof)
    return {**run(model.potential, x[..., :n], "V_"), **run(model.kinetic, x[..., n:], "T_")}


def per_arm_summary(rows: list[dict]) -> dict:
    """Median and quartiles of each analysis column, per arm."""
    out: dict = {}
    for arm in dict.fromkeys(r["arm"] for r in rows):
        sub = [r for r in rows if r["arm"] == arm]
        out[arm] = {}
        keys = [k for k in dict.fromkeys(k for r in sub for k in r) if k not in ("arm", "seed")]
        for key in keys:
            v = np.array([r[key] for r in sub], dtype=float)
            v = v[np.isfinite(v)]
            if len(v):
                q1, med, q3 = np.percentile(v, [25, 50, 75])
                out[arm][key] = {"median": float(med), "q1": float(q1), "q3": float(q3), "n": int(len(v))}
    return out

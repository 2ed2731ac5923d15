"""Sparse identification of the vector field (SINDy; Brunton, Proctor & Kutz, PNAS 113, 3932
(2016)): ``dy/dt = Theta(y) Xi`` with ``Xi`` sparse, found by sequentially thresholded least
squares (pysindy's ``STLSQ``) on the same state/derivative pairs the networks train on.

- The library (polynomial, with sin/cos of angle states where the task has them), its degree
  and the threshold are chosen on the tuning slice the networks' learning rates are chosen on:
  every candidate fitted on the rest of the training split and scored by its one-step mean
  squared error on the slice; the sparsest candidate within :data:`PARSIMONY` of the best wins.
- One fit per seed on a bootstrap resample of the training orbits (or of contiguous blocks of
  one series), so that sparse regression has a distribution across seeds like a network arm.
- Thresholds are relative: columns and targets are scaled to unit norm, so a threshold of
  0.01 drops a term that explains less than about 1 % of a component.

Each least-squares problem is first compressed to its triangular factor (``Theta = Q R``:
``|y - Theta xi| = |Q^T y - R xi|`` up to a constant, with the same column norms), and the
columns are ordered so that a lower degree's library is a prefix of a higher one's: one QR
per library serves every degree and threshold (:mod:`physnet.references.library`).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import torch
from torch import Tensor

from physnet.data import TaskData
from physnet.errors import UserError
from physnet.references.library import Library, angle_states, n_terms
from physnet.references.sparse_field import SparseVectorField

#: STLSQ thresholds tried (relative to unit-norm columns and targets).
THRESHOLDS = (1e-3, 3e-3, 1e-2, 3e-2, 1e-1, 3e-1)
#: Library degrees tried (those with more terms than fitting pairs are skipped).
DEGREES = (1, 2, 3, 4, 5)
#: Harmonics of the Fourier terms of angle states.
HARMONICS = 2
#: A sparser candidate whose held-out error is within this share of the best one's is preferred.
PARSIMONY = 0.05
#: Ridge penalty inside STLSQ (relative units): numerical only; the final fit on the kept
#: terms is plain least squares (pysindy's ``unbias``).
RIDGE = 1e-5
#: A single series is bootstrapped in this many contiguous blocks.
SERIES_BLOCKS = 20
#: Bootstrap resamples use seeds from here, apart from the networks' seeds 0, 1, ...
SEED_OFFSET = 200_000


@dataclass(frozen=True)
class Pairs:
    """States ``x`` ``(M, d)``, their time derivatives ``xdot`` ``(M, d)`` (float64) and the orbit
    (or group) of each pair ``(M,)``, or None for one series in time order."""

    x: Tensor
    xdot: Tensor
    groups: Tensor | None

    def __len__(self) -> int:
        return len(self.x)


def regression_pairs(data: TaskData, split: str = "train") -> Pairs:
    """The pairs sparse regression fits: the task's own state/derivative pairs; for rollout
    targets (no derivatives), each first step's forward difference at the step's midpoint
    (second-order accurate), pairs whose next state lies in another orbit left out.

    Raises:
        UserError: a classification task (no vector field).
    """
    x, y = (data.x_train, data.y_train) if split == "train" else (data.x_val, data.y_val)
    groups = data.train_orbit if split == "train" else data.val_orbit
    if data.loss == "cross_entropy":
        raise UserError("sparse regression fits a vector field; a classification task has none (use --baselines none)")
    x, y = x.double().cpu(), y.double().cpu()
    if data.loss == "rollout":
        assert data.rollout is not None
        d = x.shape[-1]
        step = y[:, :d]
        keep = torch.isfinite(step).all(-1)
        x, y = (x + 0.5 * step)[keep], (step / data.rollout.dt)[keep]
        groups = None if groups is None else groups[keep]
    return Pairs(x, y, None if groups is None else groups.cpu())


@dataclass(frozen=True)
class Candidate:
    """One library and threshold, fitted on the rest of the training split and scored on the
    held-back slice (``held_mse``), with its number of kept terms."""

    library: Library
    threshold: float
    held_mse: float
    terms: int

    def to_dict(self) -> dict:
        return {
            "library": self.library.describe(),
            "degree": self.library.degree,
            "harmonics": self.library.harmonics,
            "threshold": self.threshold,
            "held_mse": self.held_mse,
            "terms": self.terms,
        }


@dataclass(frozen=True)
class Selection:
    """The chosen candidate and every one tried."""

    chosen: Candidate
    candidates: tuple[Candidate, ...]

    def to_dict(self) -> dict:
        return {
            "chosen": self.chosen.to_dict(),
            "rule": f"the sparsest candidate within {PARSIMONY:.0%} of the best held-back MSE",
            "candidates": [c.to_dict() for c in self.candidates],
        }


class _Compressed:
    """A least-squares problem ``min |Y - Theta Xi|`` (``theta`` ``(M, F)``, ``targets``
    ``(M, d)``) reduced to its triangular factor, with the targets' norms; a leading block of
    columns is the problem of that prefix."""

    def __init__(self, theta: np.ndarray, targets: np.ndarray) -> None:
        self.target_norm = np.linalg.norm(targets, axis=0)
        self.target_norm[self.target_norm == 0] = 1.0
        q, self.r = np.linalg.qr(theta, mode="reduced")
        self.qty = q.T @ (targets / self.target_norm)

    def solve(self, columns: int, threshold: float) -> np.ndarray:
        """STLSQ on the first ``columns`` terms -> coefficients ``(columns, d)`` in the targets'
        units (NaN where the fit failed)."""
        import pysindy as ps

        optimizer = ps.STLSQ(threshold=threshold, alpha=RIDGE, normalize_columns=True, max_iter=20)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "eliminated all coefficients" is a legitimate answer here
            try:
                optimizer.fit(self.r[:columns, :columns], self.qty[:columns])
            except (np.linalg.LinAlgError, ValueError):
                return np.full((columns, len(self.target_norm)), np.nan)
        return optimizer.coef_.T * self.target_norm


def _libraries(state_names: tuple[str, ...], degree: int) -> list[Library]:
    """The candidate libraries at their highest degree: polynomial, and with Fourier terms where
    the task has angle states."""
    out = [Library(state_names, degree)]
    angles = angle_states(state_names)
    if angles:
        out.append(Library(state_names, degree, angles, HARMONICS))
    return out


def check_degree(dim: int, degree: int, pairs: int, n_angles: int = 0) -> None:
    """Refuse a degree whose library has more terms than there are pairs to fit (both numbers)."""
    terms = n_terms(dim, degree, n_angles, HARMONICS if n_angles else 0)
    if terms > pairs:
        raise UserError(
            f"--sindy-degree {degree}: its library has {terms} terms but the training split has only {pairs} "
            "pairs; lower the degree"
        )


def select_library(fit: Pairs, held: Pairs, state_names: tuple[str, ...], degree: int | None = None) -> Selection:
    """Every library, degree (``degree``: that one only) and threshold of :data:`THRESHOLDS`
    fitted on ``fit`` and scored on ``held``; the sparsest within :data:`PARSIMONY` of the best.

    Raises:
        UserError: ``degree`` builds more terms than ``fit`` has pairs.
    """
    n_angles = len(angle_states(state_names))
    if degree is not None:
        check_degree(len(state_names), degree, len(fit), n_angles)
        degrees = [degree]
    else:
        degrees = [
            g for g in DEGREES if n_terms(len(state_names), g, n_angles, HARMONICS if n_angles else 0) <= len(fit)
        ]
        if not degrees:
            raise UserError(f"sparse regression: {len(fit)} training pairs are too few for any library")
    candidates = []
    for top in _libraries(state_names, max(degrees)):
        problem = _Compressed(top.features(fit.x).numpy(), fit.xdot.numpy())
        for g in degrees:
            library = Library(top.state_names, g, top.angles, top.harmonics)
            theta_held = library.features(held.x).numpy()
            for threshold in THRESHOLDS:
                xi = problem.solve(len(library), threshold)
                mse = float(np.mean((theta_held @ xi - held.xdot.numpy()) ** 2)) if np.isfinite(xi).all() else np.inf
                candidates.append(Candidate(library, threshold, mse, int(np.count_nonzero(xi))))
    finite = [c for c in candidates if np.isfinite(c.held_mse)]
    if not finite:
        raise UserError("sparse regression failed on every library (singular or non-finite fits)")
    best = min(c.held_mse for c in finite)
    tiny = 1e-12 * float(held.xdot.var()) if len(held) else 0.0
    near = [c for c in finite if c.held_mse <= best * (1 + PARSIMONY) + tiny]
    chosen = min(near, key=lambda c: (c.terms, len(c.library), c.held_mse))
    return Selection(chosen, tuple(candidates))


def fit_coefficients(pairs: Pairs, library: Library, threshold: float) -> np.ndarray:
    """One STLSQ fit on every pair -> ``(F, d)`` (NaN where the fit failed)."""
    problem = _Compressed(library.features(pairs.x).numpy(), pairs.xdot.numpy())
    return problem.solve(len(library), threshold)


def bootstrap_rows(pairs: Pairs, seed: int) -> np.ndarray:
    """Row indices of one bootstrap resample: whole orbits (groups) drawn with replacement, or,
    for one series, :data:`SERIES_BLOCKS` contiguous blocks drawn with replacement."""
    rng = np.random.default_rng(SEED_OFFSET + seed)
    if pairs.groups is not None:
        groups = pairs.groups.numpy()
        labels, inverse = np.unique(groups, return_inverse=True)
        members = [np.flatnonzero(inverse == i) for i in range(len(labels))]
    else:
        members = np.array_split(np.arange(len(pairs)), min(SERIES_BLOCKS, len(pairs)))
    drawn = rng.integers(0, len(members), len(members))
    return np.concatenate([members[i] for i in drawn])


def bootstrap_fits(pairs: Pairs, library: Library, threshold: float, seeds: list[int]) -> SparseVectorField:
    """One fit per seed on its bootstrap resample (:func:`bootstrap_rows`), as an ensemble
    ``(E = len(seeds))``; a failed fit's member has NaN coefficients (its rollouts are lost)."""
    theta, targets = library.features(pairs.x).numpy(), pairs.xdot.numpy()  # once; rows drawn from them
    coefficients = []
    for seed in seeds:
        rows = bootstrap_rows(pairs, seed)
        coefficients.append(_Compressed(theta[rows], targets[rows]).solve(len(library), threshold))
    return SparseVectorField(library, torch.as_tensor(np.stack(coefficients), dtype=torch.float64))


def equations(library: Library, coefficients: np.ndarray, *, digits: int = 4) -> list[str]:
    """The fitted field as text, one line per state: ``dv/dt = -1 x + 2.7 v - 2.7 x^2 v``
    (coefficients ``(F, d)``; a component with no term reads ``= 0``)."""
    names = library.names()
    lines = []
    for i, state in enumerate(library.state_names):
        terms = []
        for name, c in zip(names, coefficients[:, i], strict=True):
            if c == 0 or not np.isfinite(c):
                continue
            sign = "-" if c < 0 else "+"
            value = f"{abs(c):.{digits}g}"
            terms.append(f"{sign} {value}" + ("" if name == "1" else f" {name}"))
        body = " ".join(terms).removeprefix("+ ") if terms else "0"
        lines.append(f"d{state}/dt = {body}")
    return lines


__all__ = [
    "DEGREES",
    "HARMONICS",
    "PARSIMONY",
    "THRESHOLDS",
    "Candidate",
    "Pairs",
    "Selection",
    "bootstrap_fits",
    "bootstrap_rows",
    "check_degree",
    "equations",
    "fit_coefficients",
    "regression_pairs",
    "select_library",
]

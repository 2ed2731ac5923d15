"""The reference arms of a dynamics study: what a user would try instead of a network.

- ``sindy``: sparse regression of the vector field (:mod:`physnet.references.sindy`) on the
  same training pairs, its library, degree and threshold chosen on the same tuning slice as the
  networks' learning rates, one bootstrap fit per seed; its one-step metric is the arms' metric
  on the same validation split.
- ``truth``: the exact field, where the system is known: in forecast skill, the lower bound of
  the forecast error with the study's integrator, step and horizon (the integration floor,
  :mod:`physnet.study.integration_floor`).

Both are on by default for every task with a vector field (:data:`DEFAULT_BASELINES`) and cost
seconds; a failed fit is reported as failed, never raised.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import torch

from physnet.data import TaskData
from physnet.errors import UserError
from physnet.references.library import angle_states
from physnet.references.sindy import (
    Pairs,
    Selection,
    bootstrap_fits,
    check_degree,
    equations,
    fit_coefficients,
    regression_pairs,
    select_library,
)
from physnet.references.sparse_field import SparseVectorField
from physnet.study.effects import effect
from physnet.study.statistics import arm_summary
from physnet.study.tuning import tuning_split
from physnet.training.evaluation import evaluate

#: The reference arms there are.
BASELINES = ("sindy", "truth")
#: Those a dynamics study runs unless told otherwise.
DEFAULT_BASELINES = ("sindy", "truth")


def study_baselines(requested: tuple[str, ...] | None, data: TaskData) -> tuple[str, ...]:
    """The reference arms a study runs: ``requested``, or by default both for a task with a
    vector field and none for a classifier; ``truth`` only where the system is known.

    Raises:
        UserError: ``sindy`` or ``truth`` asked of a classification task (no vector field).
    """
    classification = data.loss == "cross_entropy"
    if requested is None:
        return () if classification else tuple(b for b in DEFAULT_BASELINES if b != "truth" or data.system is not None)
    if classification and requested:
        raise UserError(
            f"--baselines {','.join(requested)}: a classification task has no vector field to regress or integrate; "
            "use --baselines none"
        )
    return tuple(b for b in requested if b != "truth" or data.system is not None)


def check_references(baselines: tuple[str, ...] | None, degree: int | None, data: TaskData) -> tuple[str, ...]:
    """The reference arms a study will run, refusing before any training what cannot run:
    ``sindy`` or ``truth`` on a classifier, a ``degree`` whose library has more terms than the
    training split has pairs."""
    names = study_baselines(baselines, data)
    if "sindy" in names and degree is not None:
        state_names = data.state_names or tuple(f"y{i}" for i in range(data.dim_in))
        check_degree(len(state_names), degree, len(regression_pairs(data)), len(angle_states(state_names)))
    return names


@dataclass(frozen=True)
class SindyArm:
    """Sparse regression as an arm: the chosen library, one bootstrap fit per seed
    (``ensemble``, ``E`` members), the fit on every training pair (``full`` ``(F, d)``), each
    seed's one-step metric ``values`` ``(E,)`` (NaN where the fit failed) and how it was chosen."""

    selection: Selection
    ensemble: SparseVectorField
    full: np.ndarray
    values: np.ndarray
    chosen_on: str
    seconds: float

    @property
    def failed(self) -> np.ndarray:
        return ~np.isfinite(self.values)

    def full_field(self) -> SparseVectorField:
        """The fit on every training pair, as a one-member field (the report's equations)."""
        return SparseVectorField(self.ensemble.library, torch.as_tensor(self.full[None], dtype=torch.float64))

    def kept_share(self) -> np.ndarray:
        """Share of the bootstrap fits keeping each term ``(F, d)``."""
        coefficients = self.ensemble.coefficients.detach().numpy()
        usable = coefficients[np.isfinite(coefficients).all(axis=(1, 2))]
        return (usable != 0).mean(axis=0) if len(usable) else np.zeros(coefficients.shape[1:])

    def to_dict(self) -> dict:
        """The summary's entry: the per-seed summary of the finite values, failures, the chosen
        library with its equations, and the selection's candidates."""
        finite = self.values[np.isfinite(self.values)]
        chosen = self.selection.chosen
        out = {
            "name": "sindy",
            "method": "sparse regression (SINDy: STLSQ, pysindy)",
            "failed": int(self.failed.sum()),
            "n": int(len(self.values)),
            "library": chosen.library.to_dict() | {"text": chosen.library.describe(), "terms": len(chosen.library)},
            "threshold": chosen.threshold,
            "terms": int(np.count_nonzero(self.full)),
            "equations": equations(chosen.library, self.full),
            "coefficients": self.full.tolist(),
            "term_names": chosen.library.names(),
            "kept_share": self.kept_share().tolist(),
            "selection": self.selection.to_dict(),
            "chosen_on": self.chosen_on,
            "seconds": self.seconds,
        }
        if finite.size:
            out.update(arm_summary(finite))
            out["n"] = int(len(self.values))
        return out


def sindy_record(arm: SindyArm) -> dict:
    """What rebuilds the ensemble without refitting (``sindy.json`` of a study folder): the
    library and every seed's coefficients ``(E, F, d)``."""
    return {
        "library": arm.ensemble.library.to_dict(),
        "threshold": arm.selection.chosen.threshold,
        "seeds": list(range(arm.ensemble.n_members)),
        "coefficients": arm.ensemble.coefficients.detach().numpy().tolist(),
        "full": arm.full.tolist(),
    }


def sindy_from_record(record: dict) -> SparseVectorField:
    """The ensemble :func:`sindy_record` stored.

    Raises:
        UserError: a record that is not one (missing keys, wrong shapes).
    """
    from physnet.references.library import Library

    try:
        library = Library.from_dict(record["library"])
        return SparseVectorField(library, torch.tensor(record["coefficients"], dtype=torch.float64))
    except (KeyError, TypeError, ValueError) as err:
        raise UserError(f"not a sparse-regression record ({type(err).__name__}: {err}); rerun the study") from None


def _selection_pairs(data: TaskData, fraction: float) -> tuple[Pairs, Pairs, str]:
    """The pairs to fit candidates on and the held-back slice to choose on: the networks'
    tuning split; where the training split is too small to hold a slice back, the training
    pairs themselves (said in ``chosen_on``)."""
    try:
        held, how = tuning_split(data, fraction)
    except UserError:
        pairs = regression_pairs(data)
        return pairs, pairs, "the training pairs themselves (too few to hold a slice back)"
    return regression_pairs(held), regression_pairs(held, "val"), f"the networks' tuning slice ({how})"


def fit_sindy(data: TaskData, seeds: int, *, fraction: float, degree: int | None = None) -> SindyArm:
    """Sparse regression for a study: library chosen on the tuning slice (share ``fraction``),
    ``seeds`` bootstrap fits, each scored by the study's own one-step metric on the validation
    split (float64).

    Raises:
        UserError: a classification task; a ``degree`` with more terms than training pairs.
    """
    began = time.perf_counter()
    fit, held, chosen_on = _selection_pairs(data, fraction)
    selection = select_library(fit, held, data.state_names or tuple(f"y{i}" for i in range(data.dim_in)), degree)
    chosen = selection.chosen
    pairs = regression_pairs(data)
    ensemble = bootstrap_fits(pairs, chosen.library, chosen.threshold, list(range(seeds)))
    full = fit_coefficients(pairs, chosen.library, chosen.threshold)
    kind = "mse" if data.loss == "mse" else data.loss
    rollout = data.rollout
    with torch.no_grad():
        _, metric = evaluate(ensemble, data.x_val.double().cpu(), data.y_val.double().cpu(), kind, rollout=rollout)
    values = metric.numpy().astype(np.float64)
    values[~np.isfinite(values)] = np.nan
    return SindyArm(selection, ensemble, full, values, chosen_on, time.perf_counter() - began)


def worth_it(values: dict[str, np.ndarray], sindy: np.ndarray, *, floor: float | None = None) -> dict | None:
    """The best network arm (lowest median) against sparse regression on one lower-is-better
    score: ``{"arm", "effect"}`` with the effect signed positive where the network is better
    (:func:`physnet.study.effects.effect`), or None where sparse regression has no finite value."""
    finite = sindy[np.isfinite(sindy)]
    arms = {a: v[np.isfinite(v)] for a, v in values.items() if np.isfinite(v).any()}
    if not finite.size or not arms:
        return None
    best = min(arms, key=lambda a: float(np.median(arms[a])))
    return {"arm": best, "effect": effect(arms[best], finite, False, floor=floor)}


__all__ = [
    "BASELINES",
    "DEFAULT_BASELINES",
    "SindyArm",
    "check_references",
    "fit_sindy",
    "sindy_from_record",
    "sindy_record",
    "study_baselines",
    "worth_it",
]

"""Is a record conservative? The check made before a Hamiltonian network is trained on it.

A conservative network forecasts closed orbits; on a record that spirals in (damping) or out
(forcing) it is the wrong model, and no arm of it can be right. The check fits the best
*conservative* field to the record - a polynomial Hamiltonian ``H(q, p)`` (total degree
:func:`fit_degree`, in standardised states) whose ``(dH/dp, -dH/dq)`` matches the record's
time derivatives in least squares - and follows that fitted energy along each record (each
group, or the one series): for a conservative record it has no trend; for a damped one it
falls, for a driven one it rises. The drift of a record is the change of ``H`` from its first
to its last quarter (:func:`record_drift`), as a share of the spread of ``H`` over the
region the states cover (:func:`energy_spread`); the record set is judged by the median drift. A limit
cycle (a driven and damped oscillator in steady state, like the clock) keeps its energy on
average and passes.
"""

from __future__ import annotations

import itertools
from dataclasses import asdict, dataclass

import numpy as np

from physnet.errors import UserError

#: A median drift beyond this share of the fitted energy's spread is "clearly" not conservative.
DRIFT_LIMIT = 0.1
#: Rows used for the fit, at most (evenly spaced; the drift is followed on every row).
FIT_ROWS = 5000


@dataclass(frozen=True)
class Conservation:
    """What the check found.

    Attributes:
        drift: median over records of the fitted energy's change along a record, as a share
            of its spread (negative: loses energy).
        records: records followed; losing, gaining: how many drift below ``-limit`` / above ``limit``.
        fit_r2: share of the derivatives' variance the conservative field explains.
        degree: the polynomial Hamiltonian's total degree; limit: the drift limit.
    """

    drift: float
    records: int
    losing: int
    gaining: int
    fit_r2: float
    degree: int
    limit: float = DRIFT_LIMIT
    #: Linear friction ``gamma`` of the best dissipative fit ``dp/dt = -dH/dq - gamma p`` (the
    #: check's own estimate of the dissipation, in 1/time; NaN where not fitted).
    friction: float = float("nan")

    @property
    def verdict(self) -> str:
        """``conservative``, ``dissipative`` or ``driven``."""
        if self.drift < -self.limit:
            return "dissipative"
        if self.drift > self.limit:
            return "driven"
        return "conservative"

    @property
    def conservative(self) -> bool:
        return self.verdict == "conservative"

    def evidence(self) -> str:
        """One line: the fitted energy's drift along the records, and the verdict."""
        way = "falls" if self.drift < 0 else "rises"
        return (
            f"a conservative fit's energy {way} by {abs(self.drift):.0%} of its range along the median record "
            f"({self.losing} of {self.records} record(s) lose and {self.gaining} gain more than {self.limit:.0%}; "
            f"the fit explains {self.fit_r2:.0%} of the derivatives): {self.verdict}"
        )

    def to_dict(self) -> dict:
        return {**asdict(self), "verdict": self.verdict}


def fit_degree(dim: int) -> int:
    """The Hamiltonian's total degree: 4 up to 4 states (exact for the Duffing and
    Henon-Heiles Hamiltonians), 3 up to 8, else 2 (the number of monomials grows fast)."""
    return 4 if dim <= 4 else 3 if dim <= 8 else 2


def _exponents(dim: int, degree: int) -> np.ndarray:
    """Exponents ``(F, dim)`` of every monomial of total degree 1..degree."""
    rows = [e for e in itertools.product(range(degree + 1), repeat=dim) if 0 < sum(e) <= degree]
    return np.array(rows, dtype=np.int64)


def _monomials(z: np.ndarray, exponents: np.ndarray) -> np.ndarray:
    """``prod_k z_k^e_k`` for states ``(M, d)``: ``(M, F)``."""
    return np.prod(z[:, None, :] ** exponents[None], axis=-1)


def _gradients(z: np.ndarray, exponents: np.ndarray) -> np.ndarray:
    """``d monomial / d z_k``: ``(M, d, F)``."""
    out = np.empty((z.shape[0], z.shape[1], exponents.shape[0]))
    for k in range(z.shape[1]):
        lowered = exponents.copy()
        lowered[:, k] = np.maximum(lowered[:, k] - 1, 0)
        out[:, k] = exponents[:, k] * _monomials(z, lowered)
    return out


def fit_hamiltonian(states: np.ndarray, derivatives: np.ndarray, degree: int, *, friction: bool = False) -> tuple:
    """Least-squares polynomial ``H`` with ``(dH/dp, -dH/dq)`` closest to ``derivatives``;
    with ``friction``, ``(dH/dp, -dH/dq - gamma p)`` with a fitted linear friction ``gamma``.

    Args:
        states, derivatives: ``(M, 2n)``, read as ``(q1..qn, p1..pn)``.

    Returns:
        ``(energy, r2)``: ``energy(states (K, 2n)) -> (K,)`` and the share of the
        derivatives' variance explained (each component weighted by its own spread); with
        ``friction``, ``(energy, r2, gamma)``.
    """
    n = states.shape[1] // 2
    mean, std = states.mean(axis=0), states.std(axis=0) + 1e-12
    exponents = _exponents(states.shape[1], degree)
    grad = _gradients((states - mean) / std, exponents) / std[None, :, None]  # dphi/dx: (M, d, F)
    field = np.concatenate([grad[:, n:], -grad[:, :n]], axis=1)  # (dphi/dp, -dphi/dq)
    if friction:  # one more column: (0, -p)
        column = np.concatenate([np.zeros_like(states[:, :n]), -states[:, n:]], axis=1)[:, :, None]
        field = np.concatenate([field, column], axis=2)
    weight = 1.0 / (derivatives.std(axis=0) + 1e-12)
    a = (field * weight[None, :, None]).reshape(-1, field.shape[2])
    b = (derivatives * weight).reshape(-1)
    coef, *_ = np.linalg.lstsq(a, b, rcond=None)
    residual = b - a @ coef
    centred = ((derivatives - derivatives.mean(axis=0)) * weight).reshape(-1)
    r2 = 1.0 - float(residual @ residual) / max(float(centred @ centred), 1e-300)
    terms = coef[: exponents.shape[0]]

    def energy(x: np.ndarray) -> np.ndarray:
        return _monomials((x - mean) / std, exponents) @ terms

    return (energy, r2, float(coef[-1])) if friction else (energy, r2)


def record_drift(t: np.ndarray, energy: np.ndarray) -> float:
    """The change of ``energy`` ``(T,)`` along a record: its median over the last quarter of
    the record's time less its median over the first quarter (robust to the fit's
    oscillation along an orbit, and to a decay that is fast at first and then slow)."""
    if len(t) < 8 or t[-1] <= t[0]:
        return 0.0
    quarter = 0.25 * (t[-1] - t[0])
    return float(np.median(energy[t >= t[-1] - quarter]) - np.median(energy[t <= t[0] + quarter]))


def energy_spread(energy, states: np.ndarray, samples: int = 4000) -> float:
    """The fitted energy's spread over the region the states cover: its 5th to 95th
    percentile on points drawn evenly in their bounding box (fixed draw). One record of a
    conservative system sits on one level of ``H``; the box around it spans the levels
    from the bottom of the well up, the scale its drift is measured against."""
    rng = np.random.default_rng(0)
    lo, hi = states.min(axis=0), states.max(axis=0)
    lo, hi = np.nanpercentile(energy(rng.uniform(lo, hi, size=(samples, states.shape[1]))), [5, 95])
    return float(hi - lo) or 1.0


def check_conservation(
    t: np.ndarray, states: np.ndarray, derivatives: np.ndarray, records: list[slice], *, limit: float = DRIFT_LIMIT
) -> Conservation:
    """Judge a record set (see the module's docstring).

    Args:
        t: times ``(M,)``; states, derivatives: ``(M, 2n)`` (``q`` then ``p``).
        records: the row slices of each record (each in time order).
    """
    states, derivatives = np.asarray(states, dtype=np.float64), np.asarray(derivatives, dtype=np.float64)
    if states.shape[1] % 2:
        raise UserError(f"a Hamiltonian needs (q, p) pairs; got {states.shape[1]} state columns")
    finite = np.isfinite(states).all(axis=1) & np.isfinite(derivatives).all(axis=1)
    step = max(1, int(finite.sum()) // FIT_ROWS)
    rows = np.flatnonzero(finite)[::step]
    degree = fit_degree(states.shape[1])
    energy, r2 = fit_hamiltonian(states[rows], derivatives[rows], degree)
    values = np.where(finite, energy(np.where(finite[:, None], states, 0.0)), np.nan)
    spread = energy_spread(energy, states[finite])
    drifts = []
    for s in records:
        keep = finite[s]
        drifts.append(record_drift(np.asarray(t[s], dtype=np.float64)[keep], values[s][keep]) / spread)
    d = np.array(drifts)
    *_, gamma = fit_hamiltonian(states[rows], derivatives[rows], degree, friction=True)
    losing, gaining = int((d < -limit).sum()), int((d > limit).sum())
    return Conservation(float(np.median(d)), len(d), losing, gaining, r2, degree, limit, gamma)


def _runs(orbit, n: int, offset: int) -> list[slice]:
    """Row slices of consecutive rows with the same orbit id (one slice without ids)."""
    if orbit is None:
        return [slice(offset, offset + n)]
    ids = np.asarray(orbit)
    cuts = [0, *(np.flatnonzero(ids[1:] != ids[:-1]) + 1).tolist(), n]
    return [slice(offset + a, offset + b) for a, b in zip(cuts[:-1], cuts[1:], strict=True) if b > a]


def data_conservation(data, *, limit: float = DRIFT_LIMIT) -> Conservation:
    """:func:`check_conservation` of a task's training and validation pairs
    (:class:`~physnet.data.TaskData` with a sampling interval): records are runs of
    consecutive rows of one orbit or group, rows ``dt`` apart."""
    if data.dt is None:
        raise UserError("the conservation check needs records sampled in time (a sampling interval)")
    states = np.concatenate([data.x_train.double().cpu().numpy(), data.x_val.double().cpu().numpy()])
    targets = np.concatenate([data.y_train.double().cpu().numpy(), data.y_val.double().cpu().numpy()])
    n_train = len(data.x_train)
    records = _runs(data.train_orbit, n_train, 0) + _runs(data.val_orbit, len(data.x_val), n_train)
    t = np.empty(len(states))
    for s in records:
        t[s] = data.dt * np.arange(s.stop - s.start)
    return check_conservation(t, states, targets, records, limit=limit)


__all__ = [
    "DRIFT_LIMIT",
    "Conservation",
    "check_conservation",
    "data_conservation",
    "energy_spread",
    "fit_degree",
    "fit_hamiltonian",
    "record_drift",
]

"""(state, time-derivative) training pairs from orbits, split by orbit."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import torch
from torch import Tensor

from systems.base import DynamicalSystem, make_generator
from systems.orbits import generate_orbits, time_grid

#: Where observation noise goes: states and derivatives, or the states only.
NOISE_ON = ("both", "states")


@dataclass(frozen=True)
class DatasetSpec:
    """How to build a dataset from a system.

    Attributes:
        n_orbits: number of orbits (each lands wholly in train or validation).
        t_end: integration time per orbit.
        dt: sampling interval along each orbit.
        val_fraction: fraction of orbits held out for validation.
        noise_std: standard deviation of Gaussian observation noise (0 for exact data).
        skip: samples dropped at the start of each orbit (transients).
        noise_on: ``"both"``: noise on the states and, drawn independently, on the
            derivatives; ``"states"``: on the states only, the targets staying the exact
            derivatives at the clean states (the Hamiltonian-network literature's protocol).
    """

    n_orbits: int = 50
    t_end: float = 20.0
    dt: float = 0.1
    val_fraction: float = 0.2
    noise_std: float = 0.0
    skip: int = 0
    noise_on: str = "both"


#: The paper's tasks at the paper's scale: about 10^4 training pairs each.
DEFAULT_SPECS: dict[str, DatasetSpec] = {
    "van-der-pol": DatasetSpec(n_orbits=60, t_end=20.0, dt=0.1),
    "henon-heiles": DatasetSpec(n_orbits=500, t_end=30.0, dt=1.0),
    "pendulum": DatasetSpec(n_orbits=60, t_end=20.0, dt=0.1),
    "clock": DatasetSpec(n_orbits=60, t_end=40.0, dt=0.2),
}


@dataclass(frozen=True)
class PairSet:
    """Training pairs; ``M`` pairs of dimension ``d``.

    Attributes:
        states: inputs shaped ``(M, d)``.
        derivatives: targets ``dy/dt`` shaped ``(M, d)``.
        orbit: index of the orbit each pair came from, shaped ``(M,)``.
        t: time of each pair along its orbit, shaped ``(M,)``.
    """

    states: Tensor
    derivatives: Tensor
    orbit: Tensor
    t: Tensor

    def __len__(self) -> int:
        return self.states.shape[0]


@dataclass(frozen=True)
class Dataset:
    """A train/validation split by orbit, with the settings that produced it."""

    train: PairSet
    val: PairSet
    config: dict = field(default_factory=dict)


def make_dataset(
    system: DynamicalSystem,
    spec: DatasetSpec | None = None,
    *,
    seed: int | None = None,
    generator: torch.Generator | None = None,
    initial_states: Tensor | None = None,
    dtype: torch.dtype = torch.float32,
) -> Dataset:
    """Integrate orbits and turn them into (state, derivative) pairs.

    Targets are exact: the system's vector field at each clean state. Noise, if asked
    for, is added afterwards to the inputs and (``spec.noise_on == "both"``) to the
    targets, independently. Orbits are assigned
    wholly to train or validation by a random permutation.

    Args:
        system: any system following the protocol.
        spec: sizes and noise; default ``DEFAULT_SPECS[system.name]`` or ``DatasetSpec()``.
        seed / generator: randomness for initial states, split and noise.
        initial_states: use these ``(n_orbits, d)`` states instead of sampling.
        dtype: dtype of the returned tensors (orbits are integrated in float64).
    """
    spec = spec or DEFAULT_SPECS.get(getattr(system, "name", ""), DatasetSpec())
    if not 0 < spec.val_fraction < 1:
        raise ValueError(f"val_fraction must lie in (0, 1), got {spec.val_fraction}")
    if spec.n_orbits < 2:
        raise ValueError(f"need at least 2 orbits to split by orbit, got {spec.n_orbits}")
    if spec.noise_std < 0:
        raise ValueError(f"noise_std must be >= 0, got {spec.noise_std}")
    if spec.noise_on not in NOISE_ON:
        raise ValueError(f"noise_on must be one of {', '.join(NOISE_ON)}, got {spec.noise_on!r}")
    g = make_generator(generator, seed)
    if initial_states is None:
        y0 = system.sample_initial_states(spec.n_orbits, generator=g).to(torch.float64)
    else:
        y0 = initial_states.to(torch.float64)
        if y0.shape[0] != spec.n_orbits:
            raise ValueError(f"initial_states has {y0.shape[0]} rows but spec.n_orbits={spec.n_orbits}")
    t = time_grid(spec.t_end, spec.dt)
    orbits = generate_orbits(system, y0, t)
    states = orbits.states[:, spec.skip :]
    times = t[spec.skip :].expand(spec.n_orbits, -1)
    with torch.no_grad():
        derivs = system.vector_field(times, states)
    orbit_id = torch.arange(spec.n_orbits).unsqueeze(-1).expand_as(times)
    # the split is drawn before the noise so that it does not depend on noise settings
    n_val = max(1, int(round(spec.val_fraction * spec.n_orbits)))
    perm = torch.randperm(spec.n_orbits, generator=g)
    if spec.noise_std > 0:
        states = states + spec.noise_std * torch.randn(states.shape, generator=g, dtype=states.dtype)
        if spec.noise_on == "both":
            derivs = derivs + spec.noise_std * torch.randn(derivs.shape, generator=g, dtype=derivs.dtype)
    val_ids, train_ids = perm[:n_val].sort().values, perm[n_val:].sort().values

    def pairs(ids: Tensor) -> PairSet:
        d = states.shape[-1]
        return PairSet(
            states=states[ids].reshape(-1, d).to(dtype),
            derivatives=derivs[ids].reshape(-1, d).to(dtype),
            orbit=orbit_id[ids].reshape(-1),
            t=times[ids].reshape(-1).to(dtype),
        )

    config = {
        "system": system.config() if hasattr(system, "config") else {"name": type(system).__name__},
        "spec": asdict(spec),
        "seed": seed,
        "n_train": int(len(train_ids) * states.shape[1]),
        "n_val": int(len(val_ids) * states.shape[1]),
        "integration": {"method": "dopri5", "rtol": 1e-10, "atol": 1e-10, "dtype": "float64"},
    }
    return Dataset(train=pairs(train_ids), val=pairs(val_ids), config=config)

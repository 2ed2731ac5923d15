"""MNIST-1D (4000 train / 1000 test sequences of length 40, 10 classes), generated offline.

The ``mnist1d`` package's generator is called directly (its download helper never is).
It seeds Python's and NumPy's global random state, so that state is saved and restored
around the call. The arrays are cached under the user cache folder; a corrupt cache is
regenerated.
"""

from __future__ import annotations

import os
import random
from pathlib import Path

import numpy as np

from physnet.io import write_npz


def cache_dir() -> Path:
    """``$PHYSNET_CACHE`` or ``$XDG_CACHE_HOME/physnet`` (default ``~/.cache/physnet``)."""
    if os.environ.get("PHYSNET_CACHE"):
        return Path(os.environ["PHYSNET_CACHE"])
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "physnet"


def generate_mnist1d() -> dict[str, np.ndarray]:
    """The dataset with the package's default arguments: ``x`` (4000, 40), ``y`` (4000,),
    ``x_test`` (1000, 40), ``y_test`` (1000,); the caller's global RNG state is untouched."""
    from mnist1d.data import get_dataset_args, make_dataset

    py_state, np_state = random.getstate(), np.random.get_state()
    try:
        data = make_dataset(get_dataset_args())
    finally:
        random.setstate(py_state)
        np.random.set_state(np_state)
    return {k: np.asarray(data[k]) for k in ("x", "y", "x_test", "y_test")}


def load_mnist1d(cache: Path | None = None) -> dict[str, np.ndarray]:
    """The cached arrays, generating (and caching) them when missing or unreadable."""
    path = (cache or cache_dir()) / "mnist1d-default.npz"
    try:
        with np.load(path, allow_pickle=False) as f:
            data = {k: f[k] for k in ("x", "y", "x_test", "y_test")}
        if data["x"].shape == (4000, 40) and data["x_test"].shape == (1000, 40):
            return data
    except Exception:  # noqa: BLE001 - missing or corrupt cache: regenerate
        pass
    data = generate_mnist1d()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_npz(path, **data)
    except OSError:
        pass  # an unwritable cache only costs regeneration next time
    return data

"""Activations files: one ``.npz`` with the grid, each type's values and JSON metadata."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import numpy as np

from physnet.activations.frozen import INTERPOLATION_KINDS, FrozenBank
from physnet.errors import UserError
from physnet.io import write_npz

FORMAT = "physnet-activations/1"


def save_activations(path: str | Path, bank: FrozenBank, metadata: dict | None = None) -> Path:
    """Write ``bank`` to ``path``: arrays ``grid`` (G,), ``values`` (k, G), where known
    ``initial_values`` (k, G: the types before meta-learning) and ``metadata`` (a JSON string
    holding base, k, width, grid, interpolation kind and provenance)."""
    meta = {**bank.metadata, **(metadata or {})}
    meta.update(
        format=FORMAT,
        k=bank.k,
        interpolation=bank.kind,
        grid=[float(bank.grid[0]), float(bank.grid[-1]), int(len(bank.grid))],
    )
    extra = {} if bank.initial is None else {"initial_values": bank.initial.numpy()}
    return write_npz(
        Path(path),
        grid=bank.grid.numpy(),
        values=bank.values.numpy(),
        metadata=np.array(json.dumps(meta, sort_keys=True)),
        **extra,
    )


def load_activations(path: str | Path, *, k: int | None = None, kind: str | None = None) -> FrozenBank:
    """Read an activations file (``allow_pickle=False``) into a :class:`FrozenBank`.

    Args:
        k: if given, the number of types the file must hold.
        kind: interpolation to use; default: the kind recorded in the file.

    Raises:
        FileNotFoundError, ValueError: one line naming what is wrong (missing file,
            truncated or not an npz, not an activations file, pickled payload, wrong k).
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"activations file not found: {path}")
    if not zipfile.is_zipfile(path):
        raise UserError(f"{path} is truncated or not an .npz activations file")
    try:
        with np.load(path, allow_pickle=False) as data:
            missing = {"grid", "values", "metadata"} - set(data.files)
            if missing:
                raise UserError(f"{path} is not an activations file (missing {', '.join(sorted(missing))})")
            grid, values, meta_text = data["grid"], data["values"], data["metadata"]
            initial = data["initial_values"] if "initial_values" in data.files else None
    except (zipfile.BadZipFile, EOFError, OSError) as err:
        raise UserError(f"{path} is truncated or not an .npz activations file ({err})") from None
    except ValueError as err:
        if "pickle" in str(err):
            raise UserError(f"{path} holds a pickled payload, which is refused; re-export it with physnet") from None
        raise
    try:
        meta = json.loads(str(meta_text))
    except json.JSONDecodeError:
        raise UserError(f"{path}: metadata is not valid JSON; not a physnet activations file") from None
    if not isinstance(meta, dict):
        raise UserError(
            f"{path}: metadata is a JSON {type(meta).__name__}, not an object; not a physnet activations file"
        )
    if values.ndim != 2 or grid.ndim != 1 or values.shape[1] != grid.shape[0]:
        raise UserError(f"{path}: values {values.shape} do not match grid {grid.shape}")
    if k is not None and values.shape[0] != k:
        raise UserError(f"{path} holds {values.shape[0]} activation types but {k} were asked for")
    kind = kind or meta.get("interpolation", "linear")
    if kind not in INTERPOLATION_KINDS:
        raise UserError(f"unknown interpolation {kind!r}; valid: {', '.join(INTERPOLATION_KINDS)}")
    if initial is not None and initial.shape != values.shape:
        raise UserError(f"{path}: initial values {initial.shape} do not match values {values.shape}")
    meta["source_file"] = str(path)
    return FrozenBank(grid, values, kind, meta, initial)

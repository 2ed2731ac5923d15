"""Saving and loading the trained networks of one arm (all its seeds) without retraining."""

from __future__ import annotations

from pathlib import Path

import torch
from torch import nn

from physnet.activations import FixedBank, FrozenBank
from physnet.activations.sine_fit import SineAffineBank
from physnet.errors import UserError
from physnet.io import write_atomically
from physnet.meta.learn import DTYPES
from physnet.networks import build_model
from physnet.version import __version__


def _is_member_param(key: str) -> bool:
    """Ensemble-member parameters (EnsembleLinear weights and biases) lead with the member axis."""
    return key.split(".")[-1] in ("weight", "bias") and ".layers." in f".{key}"


def model_dtype(model: nn.Module) -> torch.dtype:
    """The floating dtype of a model's parameters."""
    return next(model.parameters()).dtype


def bank_spec(bank: nn.Module) -> dict:
    """What rebuilds a fixed or frozen bank (tensors and plain values only)."""
    if isinstance(bank, FixedBank):
        return {"kind": "fixed", "names": list(bank.names)}
    if isinstance(bank, FrozenBank):
        return {"kind": "frozen", "grid": bank.grid.cpu(), "values": bank.values.cpu(), "interpolation": bank.kind}
    if isinstance(bank, SineAffineBank):
        return {"kind": "sine_affine", "params": bank.params.cpu()}
    raise TypeError(f"only fixed, frozen or fitted activations can be stored, got {type(bank).__name__}")


def bank_from_spec(spec: dict) -> nn.Module:
    if spec["kind"] == "fixed":
        return FixedBank(list(spec["names"]))
    if spec["kind"] == "sine_affine":
        return SineAffineBank(spec["params"])
    return FrozenBank(spec["grid"], spec["values"], spec["interpolation"])


def save_arm(path: Path, model: nn.Module, arch: dict, bank: nn.Module) -> None:
    """Write ``{arch, bank, state_dict}``; ``arch`` holds kind, dim_in, hidden, dim_out, seeds, dtype
    and the physnet version that wrote it. Loads with torch's weights-only loader."""
    arch = {**arch, "physnet_version": __version__}
    state = {"arch": arch, "bank": bank_spec(bank), "state_dict": {k: v.cpu() for k, v in model.state_dict().items()}}
    write_atomically(path, lambda tmp: torch.save(state, tmp))


def build_from_arch(arch: dict, bank: nn.Module, seeds: list[int], device: str = "cpu") -> nn.Module:
    return build_model(
        arch["kind"],
        arch["dim_in"],
        arch["hidden"],
        bank,
        dim_out=arch.get("dim_out"),
        seeds=seeds,
        dtype=DTYPES[arch["dtype"]],
        device=device,
        output_bias=arch.get("output_bias", True),
    )


def load_arm(path: Path, device: str = "cpu") -> tuple[nn.Module, dict]:
    """The ensemble of every stored seed of an arm, and its ``arch`` (with ``seeds``)."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no stored models at {path}; run `physnet compare` first")
    try:
        state = torch.load(path, weights_only=True, map_location=device)
    except Exception as err:  # noqa: BLE001 - any unreadable file is the same user error
        raise UserError(f"cannot read stored models {path} ({type(err).__name__})") from None
    missing = {"arch", "bank", "state_dict"} - set(state) if isinstance(state, dict) else {"arch", "bank", "state_dict"}
    if missing:
        raise UserError(
            f"{path} is not a physnet model file (no {', '.join(sorted(missing))}); "
            "rerun `physnet compare` into a new folder"
        )
    arch = state["arch"]
    try:
        model = build_from_arch(arch, bank_from_spec(state["bank"]), list(arch["seeds"]), device)
        model.load_state_dict(state["state_dict"])
    except (KeyError, TypeError, RuntimeError) as err:
        lines = [line.strip() for line in str(err).splitlines() if line.strip()] or [""]
        reason = next(
            (line for line in lines if "mismatch" in line or "Missing" in line or "Unexpected" in line), lines[0]
        )[:160]
        raise UserError(
            f"{path} does not hold the networks its arch describes ({type(err).__name__}: {reason}); "
            "rerun `physnet compare` into a new folder"
        ) from None
    return model, arch


def merge_arm(path: Path, model: nn.Module, arch: dict, bank: nn.Module) -> None:
    """Store ``model`` (members ``arch['seeds']``), appending to the members already at ``path``;
    a stored member of one of these seeds (left by an interruption between this file and
    ``runs.csv``) is replaced, so the file holds exactly one member per seed."""
    if not path.exists():
        save_arm(path, model, arch, bank)
        return
    old, old_arch = load_arm(path)
    new_seeds = [int(s) for s in arch["seeds"]]
    keep = [i for i, s in enumerate(old_arch["seeds"]) if int(s) not in new_seeds]
    seeds = [int(old_arch["seeds"][i]) for i in keep] + new_seeds
    merged_state = {}
    new_state = model.state_dict()
    index = torch.tensor(keep, dtype=torch.long)
    for key, value in old.state_dict().items():
        if _is_member_param(key):
            merged_state[key] = torch.cat([value[index.to(value.device)], new_state[key].to(value.device)])
        else:
            merged_state[key] = value
    merged = build_from_arch({**arch, "seeds": seeds}, bank, seeds)
    merged.load_state_dict(merged_state)
    save_arm(path, merged, {**arch, "seeds": seeds}, bank)


def member_network(model: nn.Module, arch: dict, index: int) -> nn.Module:
    """Member ``index`` of a stored ensemble as a standalone single-seed model (same bank)."""
    seed = int(arch["seeds"][index])
    bank = model_bank(model)
    single = build_from_arch(arch, bank, [seed])
    state = {}
    for key, value in model.state_dict().items():
        state[key] = value[index : index + 1] if _is_member_param(key) else value
    single.load_state_dict(state)
    return single


def model_bank(model: nn.Module) -> nn.Module:
    """The activation bank of a model's first hidden layer."""
    from physnet.activations import DiverseActivation

    for m in model.modules():
        if isinstance(m, DiverseActivation):
            return m.bank
    raise UserError("model has no hidden activation")

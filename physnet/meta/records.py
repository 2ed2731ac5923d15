"""What a meta-learning run records besides its result: checkpoints (written atomically,
refused when made with other settings) and the provenance its activations file carries."""

from __future__ import annotations

from pathlib import Path

import torch

from physnet.activations import LearnedBank
from physnet.data import TaskData
from physnet.errors import UserError
from physnet.io import write_atomically
from physnet.meta.config import MetaConfig


def provenance(config: MetaConfig, bank: LearnedBank, data: TaskData) -> dict:
    """What an activations file records about where its types came from."""
    return {
        "base": config.base,
        "width": config.width,
        "k": bank.k,
        "task": config.task,
        "model": config.model,
        "hidden": list(config.hidden),
        "meta_learning": {
            key: getattr(config, key)
            for key in (
                "mode",
                "truncate",
                "inner_steps",
                "inner_epochs",
                "outer_steps",
                "inner_optimizer",
                "inner_lr",
                "inner_momentum",
                "inner_decay",
                "inner_initial_scale",
                "outer_optimizer",
                "outer_lr",
                "outer_momentum",
                "outer_decay",
                "outer_grad_clip",
                "batch_size",
                "reinit",
                "meta_loss",
                "sub_activation",
                "residual_scale",
                "knots",
            )
        },
        "subnet_init": config.subnet_init_kind,
        "subnet_eval": config.subnet_eval_kind,
        "seed": config.seed,
        "data": data.config.get("source", ""),
    }


def save_checkpoint(path: Path, state: dict) -> None:
    """Write a checkpoint atomically (tensors, numbers, lists and dicts only)."""
    write_atomically(path, lambda tmp: torch.save(state, tmp))


def load_checkpoint(path: Path, config: MetaConfig) -> dict:
    """Load a checkpoint with torch's weights-only loader; refuse one from other settings."""
    try:
        state = torch.load(path, weights_only=True, map_location=config.device)
    except Exception as err:  # noqa: BLE001 - any failure to read is the same user error
        raise UserError(f"cannot read checkpoint {path} ({type(err).__name__}); delete it to start afresh") from None
    # may change between resumes (the evaluation of the sub-networks changes only rounding)
    free = ("outer_steps", "checkpoint_every", "compile", "subnet_eval", "subnet_eval_kind", "knots")
    saved = {k: v for k, v in _upgraded(state.get("config", {})).items() if k not in free}
    wanted = {k: v for k, v in config.to_dict().items() if k not in free}
    if _jsonish(saved) != _jsonish(wanted):
        diff = sorted(k for k in wanted if _jsonish(saved.get(k)) != _jsonish(wanted[k]))
        raise UserError(
            f"checkpoint {path} was made with other settings ({', '.join(diff)}); use the same options or a new --out"
        )
    return state


#: Settings added after checkpoints were first written, at the value that reproduces the
#: behaviour of the code that wrote them (a checkpoint without them resumes as it was).
_ADDED_LATER = {
    "inner_epochs": None,
    "inner_decay": 0.99,
    "inner_initial_scale": 0.0,
    "outer_decay": 0.99,
    "meta_loss": "final",
    "sub_activation": "tanh",
    "subnet_init": None,
    "subnet_init_kind": "zero",
    "residual_scale": 1.0,
}


def _upgraded(saved: dict) -> dict:
    """A checkpoint's config in today's terms (``reinit_inner`` became ``reinit``)."""
    saved = dict(saved)
    if "reinit_inner" in saved:
        saved.setdefault("reinit", "fresh" if saved.pop("reinit_inner") else "none")
    for key, value in _ADDED_LATER.items():
        saved.setdefault(key, value)
    return saved


def _jsonish(value):
    if isinstance(value, (list, tuple)):
        return [_jsonish(v) for v in value]
    if isinstance(value, dict):
        return {k: _jsonish(v) for k, v in value.items()}
    return value


__all__ = ["load_checkpoint", "provenance", "save_checkpoint"]

"""A reproduction's meta-learning folder: ``DIR/meta/`` (checkpoint, activations, history,
config) and the two meta-learning figures beside the study."""

from __future__ import annotations

from pathlib import Path

from physnet.activations import save_activations
from physnet.plots import plot_activation_evolution, plot_training_curves
from physnet.run_output import write_figure, write_json, write_npz
from physnet.tasks import TaskData
from physnet.training import MetaConfig, MetaResult, meta_learn


def meta_learn_into(
    out: Path, meta_config: MetaConfig, data: TaskData, *, force: bool, progress: bool
) -> tuple[MetaResult, dict]:
    """Meta-learning into ``out/meta/`` (checkpointed, resumed; ``force`` starts afresh):
    the activations, history and config files and the two meta-learning figures; returns
    the result and the numbers the report quotes."""
    task, model = meta_config.task, meta_config.model
    meta_dir = out / "meta"
    meta_dir.mkdir(exist_ok=True)
    if force:
        (meta_dir / "checkpoint.pt").unlink(missing_ok=True)
    meta = meta_learn(meta_config, data=data, checkpoint=meta_dir / "checkpoint.pt", resume=True, progress=progress)
    save_activations(meta_dir / "activations.npz", meta.frozen)
    write_npz(meta_dir / "history.npz", **meta.history)
    title = f"{task} / {model}"
    evolution = plot_activation_evolution(meta.history["grid"], meta.history["activations"], title=title)
    write_figure(out / "activation_evolution.png", evolution)
    write_figure(out / "training_curves.png", plot_training_curves(meta.history, title=title))
    numbers = {
        "val_loss_initial": float(meta.history["val_loss"][0]),
        "val_loss_final": float(meta.history["val_loss"][-1]),
        "outer_steps": meta.config.outer_steps,
        "mode": meta.config.mode,
        "interpolation": meta.config.interpolation_kind,
        "seed": meta.config.seed,
        "frozen_vs_learned": meta.deployment,
    }
    write_json(meta_dir / "config.json", {"command": "meta", "config": meta.config.to_dict(), "results": numbers})
    return meta, numbers


__all__ = ["meta_learn_into"]

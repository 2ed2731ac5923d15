"""The one writer of a meta-learning folder, used by ``physnet meta``, ``reproduce`` and
``ablate``: ``checkpoint.pt`` (written as it goes, resumed), ``activations.npz`` (the frozen
types), ``history.npz`` (every outer step), ``config.json`` (settings and results) and, where
asked, the three meta-learning figures."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from physnet.activations import save_activations
from physnet.data import TaskData
from physnet.io import write_figure, write_json, write_npz
from physnet.meta.config import MetaConfig
from physnet.meta.learn import meta_learn
from physnet.meta.run import MetaResult
from physnet.plots import plot_activation_evolution, plot_learned_vs_base, plot_training_curves

#: The figures of a meta-learning run, by file name.
FIGURES = ("activation_evolution.png", "learned_vs_base.png", "training_curves.png")


def meta_numbers(result: MetaResult) -> dict:
    """What a meta-learning run's ``config.json`` and a report quote: validation loss before and
    after, steps, mode, interpolation, seed, time per outer step, and the frozen-vs-learned gap."""
    h = result.history
    seconds = h["seconds"][1:]
    return {
        "val_loss_initial": float(h["val_loss"][0]),
        "val_loss_final": float(h["val_loss"][-1]),
        "outer_steps": result.config.outer_steps,
        "outer_steps_done": int(h["outer_step"][-1]),
        "mode": result.config.mode,
        "interpolation": result.config.interpolation_kind,
        "seed": result.config.seed,
        "median_seconds_per_outer_step": float(np.median(seconds)) if len(seconds) else None,
        "frozen_vs_learned": result.deployment,
    }


def write_meta_folder(
    folder: Path,
    config: MetaConfig,
    *,
    data: TaskData | None = None,
    resume: bool = True,
    progress: bool = False,
    figures: Path | None = None,
    on_step=None,
) -> tuple[MetaResult, dict]:
    """Meta-learn into ``folder`` and return the result and :func:`meta_numbers`.

    Args:
        data: the task's data (default: loaded by the task's name in ``config``).
        resume: continue from ``folder/checkpoint.pt`` where it exists (False: start afresh).
        progress: a progress bar over outer steps.
        figures: the folder for the :data:`FIGURES` (None: no figures).
        on_step: called with each finished outer step and its record (``meta_learn``'s).
    """
    folder.mkdir(parents=True, exist_ok=True)
    checkpoint = folder / "checkpoint.pt"
    if not resume:
        checkpoint.unlink(missing_ok=True)
    result = meta_learn(config, data=data, checkpoint=checkpoint, resume=resume, progress=progress, on_step=on_step)
    save_activations(folder / "activations.npz", result.frozen)
    write_npz(folder / "history.npz", **result.history)
    numbers = meta_numbers(result)
    config = result.config  # with inner epochs resolved to steps
    write_json(
        folder / "config.json",
        {
            "command": "meta",
            "config": config.to_dict(),
            "data": result.data_config,
            "interpolation": config.interpolation_kind,
            "results": numbers,
        },
    )
    if figures is not None:
        _write_figures(figures, result)
    return result, numbers


def _write_figures(out: Path, result: MetaResult) -> None:
    h, config = result.history, result.config
    label = f"{config.task} / {config.model}, {config.mode}"
    write_figure(out / FIGURES[0], plot_activation_evolution(h["grid"], h["activations"], title=label))
    write_figure(out / FIGURES[1], plot_learned_vs_base(h["grid"], h["activations"][-1], config.base, title=label))
    write_figure(out / FIGURES[2], plot_training_curves(h, title=label))


__all__ = ["FIGURES", "meta_numbers", "write_meta_folder"]

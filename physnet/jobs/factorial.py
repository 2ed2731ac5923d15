"""The map of when learned diversity helps: a full factorial over meta-learning and comparison
settings, each setting run for several meta seeds, with the two effects per cell.

Layout of an ablation folder ``DIR``:

- ``DIR/meta/<meta settings>/meta-seed-M/``: one meta-learning run (checkpoint, activations),
  shared by every setting that differs only in comparison settings;
- ``DIR/studies/<settings>/meta-seed-M/``: one comparison study (``runs.csv``, models, ...);
- ``DIR/ablation.csv``, ``DIR/effects.csv``, ``DIR/ablation.png``, ``DIR/report.md``,
  ``DIR/config.json``.

Folder names are built from the varied values, so a rerun with more values resumes every
cell it already has.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass, fields, replace
from typing import Any

from physnet.errors import UserError
from physnet.meta.learn import MetaConfig
from physnet.study.config import TRAIN_KEYS
from physnet.study.run import StudyConfig
from physnet.training import TrainConfig

#: Settings that are not a regime's: identity, bookkeeping, or set by other options.
NOT_VARIED = {
    "task",
    "model",
    "device",
    "data",
    "checkpoint_every",
    "seed",
    "seeds",
    "arms",
    "grid",
    "small",
    "recompute",
}
#: Factorials larger than this need ``--yes``.
LARGE_FACTORIAL = 500


def _annotations(cls) -> dict[str, str]:
    return {f.name: str(f.type) for f in fields(cls) if f.name not in NOT_VARIED}


META_FIELDS = _annotations(MetaConfig)
#: A study's settings as the command line names them: its training run's fields flat.
COMPARE_FIELDS = {
    **{k: v for k, v in _annotations(StudyConfig).items() if k != "train"},
    **{k: v for k, v in _annotations(TrainConfig).items() if k in TRAIN_KEYS},
}
VARIABLE = sorted(set(META_FIELDS) | set(COMPARE_FIELDS))


@dataclass(frozen=True)
class Vary:
    """One ``--vary NAME=V1,V2`` option: the setting, where it applies and its values."""

    name: str
    targets: tuple[str, ...]  # "meta", "compare" or both
    values: tuple[Any, ...]

    @property
    def label(self) -> str:
        return self.name


def _bare(name: str) -> str:
    return name.rpartition(".")[2]


def _slug(value: Any) -> str:
    text = "-".join(str(v) for v in value) if isinstance(value, tuple) else str(value)
    return re.sub(r"[^A-Za-z0-9.+-]", "_", text)


@dataclass(frozen=True)
class Setting:
    """One cell of the factorial: the varied values and the two configurations they give."""

    values: tuple[tuple[str, Any], ...]
    meta: MetaConfig
    compare: StudyConfig

    @property
    def folder(self) -> str:
        return "_".join(f"{n}={_slug(v)}" for n, v in self.values) or "default"

    def meta_folder(self, varies: list[Vary]) -> str:
        """Named by the varied values that reach meta-learning."""
        touching = {v.name for v in varies if "meta" in v.targets}
        return "_".join(f"{n}={_slug(v)}" for n, v in self.values if n in touching) or "default"


def plan_settings(varies: list[Vary], meta: MetaConfig, compare: StudyConfig, *, yes: bool = False) -> list[Setting]:
    """The full factorial over ``varies`` applied to the base configurations.

    Raises:
        ValueError: a name varied twice, more than :data:`LARGE_FACTORIAL` settings without
            ``yes``, or a combination the configurations refuse (naming it).
    """
    names = [v.name for v in varies]
    if len(set(map(_bare, names))) != len(names):
        raise UserError(f"--vary names a setting twice: {', '.join(names)}")
    count = 1
    for v in varies:
        count *= len(v.values)
    if count > LARGE_FACTORIAL and not yes:
        raise UserError(f"the factorial has {count} settings (over {LARGE_FACTORIAL}); pass --yes to run it")
    settings = []
    for combo in itertools.product(*(v.values for v in varies)):
        m_over: dict[str, Any] = {}
        c_over: dict[str, Any] = {}
        for v, value in zip(varies, combo, strict=True):
            if "meta" in v.targets:
                m_over[_bare(v.name)] = value
            if "compare" in v.targets:
                c_over[_bare(v.name)] = value
        if "inner_steps" in m_over and "inner_epochs" not in m_over:
            m_over["inner_epochs"] = None  # a step count replaces a preset's epochs
        if "lr" in c_over and "tune" not in c_over:
            c_over["tune"] = None  # a rate varied is a rate used, not one to tune
        label = ", ".join(f"{v.name}={value}" for v, value in zip(varies, combo, strict=True))
        try:
            settings.append(
                Setting(tuple(zip(names, combo, strict=True)), replace(meta, **m_over), replace(compare, **c_over))
            )
        except (ValueError, TypeError) as err:
            raise UserError(f"setting {label}: {err}") from None
    return settings


Echo = Callable[[str], None]

__all__ = [
    "COMPARE_FIELDS",
    "LARGE_FACTORIAL",
    "META_FIELDS",
    "VARIABLE",
    "Setting",
    "Vary",
    "plan_settings",
]

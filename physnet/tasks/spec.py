"""A task: where its data comes from and, per model it accepts, its settings record."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from physnet.data import TaskData
from physnet.errors import UserError
from physnet.tasks.settings import ModelSettings


@dataclass(frozen=True)
class Task:
    """A task: its data loader and, per model it accepts, its settings.

    Attributes:
        name, description: what the commands call it and one line on what it is.
        load: ``load(seed=, small=, data=) -> TaskData`` (``small``: the small data).
        settings: model (``"nn"``, ``"hnn"``, ``"classifier"``) -> its settings record; the
            first model is the default one.
        accepts_data_file: ``load`` takes ``data=`` (a series file in place of the shipped one).
        source: how to build the task again (a user's task, from a study's ``config.json``:
            see :mod:`physnet.tasks.sources`); None for the paper's tasks.
        reproduce_models: the models ``reproduce`` runs (default: the first alone).
        notes: what the user should know about how the task was built (the commands print
            them), e.g. a model left out by the conservation check.
    """

    name: str
    description: str
    load: Callable[..., TaskData]
    settings: Mapping[str, ModelSettings]
    accepts_data_file: bool = False
    source: Mapping[str, Any] | None = None
    reproduce_models: tuple[str, ...] | None = None
    notes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.settings:
            raise UserError(f"task {self.name!r} names no model")
        object.__setattr__(self, "settings", MappingProxyType(dict(self.settings)))
        if self.source is not None:
            object.__setattr__(self, "source", MappingProxyType(dict(self.source)))
        for model in self.reproduce_models or ():
            self.model_settings(model)

    @property
    def models(self) -> tuple[str, ...]:
        """The models the task accepts, the default first."""
        return tuple(self.settings)

    @property
    def meta_defaults(self) -> dict[str, dict[str, Any]]:
        """Model -> meta-learning defaults (``MetaConfig`` overrides)."""
        return {model: dict(s.meta) for model, s in self.settings.items()}

    def model_settings(self, model: str | None = None) -> ModelSettings:
        """The settings of ``model`` (default: the task's first).

        Raises:
            ValueError: the task does not take that model (the message lists those it takes).
        """
        model = model or self.models[0]
        if model not in self.settings:
            raise UserError(f"task {self.name!r} takes models {', '.join(self.models)}, not {model!r}")
        return self.settings[model]


__all__ = ["Task"]

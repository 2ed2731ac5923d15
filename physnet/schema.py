"""One settings schema: every setting a user can give is a field of a settings record
(:class:`~physnet.meta.MetaConfig` and its groups, :class:`~physnet.training.TrainConfig`,
:class:`~physnet.study.StudyConfig`), and its description - help, command-line type, choices,
unit - is declared once, on that field, with :func:`setting`. The command line builds every
option of a setting from it (through ``cli/names.json``, so that ``--help`` needs no PyTorch):
a flag exists once and reads the same on every command that takes it.

Types and choices are named, not imported, so that this module stays at the bottom of the tree:
``type`` is a parser of :mod:`physnet.cli.arguments` (``positive_int``, ``momentum``, ...) and
``choices`` a registry of :mod:`physnet.cli.names` (``OPTIMIZERS``, ...) or the choices
themselves.
"""

from __future__ import annotations

import dataclasses
from dataclasses import MISSING, dataclass
from typing import Any

#: The key of a field's description in its metadata.
KEY = "physnet.setting"


@dataclass(frozen=True)
class Description:
    """How a setting reads on the command line.

    Attributes:
        help: one sentence; ``{default}`` is replaced by the default the command states.
        type: the parser (an attribute of :mod:`physnet.cli.arguments`; None: text).
        choices: a registry name of :mod:`physnet.cli.names`, or the choices themselves.
        metavar: the value's name in the usage line.
        flag: the option's flag (default: ``--`` and the field's name with dashes).
        unit: the value's unit, said in the help (``samples``, ``steps``, ...).
        switch: an on/off setting: ``--name`` and ``--no-name``.
    """

    help: str
    type: str | None = None
    choices: str | tuple[str, ...] | None = None
    metavar: str | None = None
    flag: str | None = None
    unit: str | None = None
    switch: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {k: (list(v) if isinstance(v, tuple) else v) for k, v in dataclasses.asdict(self).items()}


def setting(default: Any = MISSING, *, default_factory: Any = MISSING, **description: Any) -> Any:
    """A dataclass field with its description (:class:`Description`'s keywords)."""
    metadata = {KEY: Description(**description)}
    if default_factory is not MISSING:
        return dataclasses.field(default_factory=default_factory, metadata=metadata)
    return dataclasses.field(default=default, metadata=metadata)


def described(record: type, name: str) -> Description | None:
    """The description of field ``name`` of the settings record ``record`` (None: none)."""
    for f in dataclasses.fields(record):
        if f.name == name:
            return f.metadata.get(KEY)
    raise KeyError(f"{record.__name__} has no field {name!r}")


def descriptions(record: type) -> dict[str, Description]:
    """Every described field of ``record``, in declaration order."""
    return {f.name: f.metadata[KEY] for f in dataclasses.fields(record) if KEY in f.metadata}


def as_setting(record: type, name: str, *, prefix: str = "", with_default: bool = True) -> Any:
    """A field holding the same setting as ``record``'s field ``name`` - its default and its
    description, the help behind ``prefix`` - for a record that stores another's settings flat
    (``MetaConfig.inner_lr`` is ``InnerSettings.lr``). ``with_default=False``: the description
    alone, for a record whose constructor states its defaults."""
    field = next(f for f in dataclasses.fields(record) if f.name == name)
    found = field.metadata.get(KEY)
    description = {} if found is None else dataclasses.asdict(found)
    if found is not None and prefix:
        description["help"] = prefix + found.help
    metadata = {KEY: Description(**description)} if found is not None else {}
    if not with_default:
        return dataclasses.field(metadata=metadata)
    if field.default_factory is not MISSING:
        return dataclasses.field(default_factory=field.default_factory, metadata=metadata)
    return dataclasses.field(default=field.default, metadata=metadata)


__all__ = ["KEY", "Description", "as_setting", "described", "descriptions", "setting"]

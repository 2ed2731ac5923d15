"""``--vary NAME=V1,V2,...`` read from the command line: the setting's name checked against
the factorial's variable settings (:mod:`physnet.jobs.factorial`), each value parsed by the
setting's declared type."""

from __future__ import annotations

from typing import Any

from physnet.errors import UserError
from physnet.jobs.factorial import COMPARE_FIELDS, META_FIELDS, VARIABLE, Vary


def parse_value(name: str, text: str, annotation: str) -> Any:
    """One value of setting ``name`` from the command line, by its declared type.

    ``none`` gives None where the setting is optional; tuples (``hidden``, ``fractions``) are
    written with ``-`` between their entries (``64-64``).

    Raises:
        ValueError: naming the setting and the type it needs.
    """
    optional = "None" in annotation
    kind = annotation.replace(" | None", "").strip()
    if optional and text.lower() == "none":
        return None
    try:
        if kind == "int":
            return int(text)
        if kind == "float":
            value = float(text)
            if value != value:
                raise ValueError
            return value
        if kind == "bool":
            if text.lower() not in ("true", "false", "1", "0", "yes", "no"):
                raise ValueError
            return text.lower() in ("true", "1", "yes")
        if kind.startswith("tuple[int"):
            return tuple(int(v) for v in text.split("-"))
        if kind.startswith("tuple[float"):
            return tuple(float(v) for v in text.split("-"))
        return text
    except ValueError:
        need = {"int": "an integer", "float": "a number", "bool": "true or false"}.get(kind, f"of type {kind}")
        raise UserError(f"--vary {name}: value {text!r} is not {need}" + (" (or none)" if optional else "")) from None


def parse_vary(text: str) -> Vary:
    """``NAME=V1,V2,...`` (``meta.NAME`` / ``compare.NAME`` where a name exists in both).

    Raises:
        ValueError: an unknown name, a value of the wrong type, or no values.
    """
    if "=" not in text:
        raise UserError(f"--vary takes NAME=V1,V2,..., got {text!r}")
    name, _, values = text.partition("=")
    name = name.strip().replace("-", "_")
    scope, _, bare = name.rpartition(".")
    if scope and scope not in ("meta", "compare"):
        raise UserError(f"--vary {name}: prefix must be meta. or compare.")
    targets = tuple(
        t
        for t, table in (("meta", META_FIELDS), ("compare", COMPARE_FIELDS))
        if bare in table and (not scope or scope == t)
    )
    if not targets:
        raise UserError(f"--vary: unknown setting {name!r}; valid: {', '.join(VARIABLE)}")
    raw = [v.strip() for v in values.split(",") if v.strip()]
    if not raw:
        raise UserError(f"--vary {name}: give at least one value")
    annotation = (META_FIELDS if targets[0] == "meta" else COMPARE_FIELDS)[bare]
    parsed = tuple(dict.fromkeys(parse_value(bare, v, annotation) for v in raw))
    return Vary(bare if not scope else name, targets, parsed)


__all__ = ["parse_value", "parse_vary"]

"""Where the studies of a reproduction live inside its folder."""

from __future__ import annotations

from pathlib import Path


def meta_seed_name(meta_seed: int) -> str:
    """The folder name of one meta seed's runs: ``meta-seed-M``."""
    return f"meta-seed-{meta_seed}"


def meta_seed_folder(out: Path, meta_seed: int, meta_seeds: int) -> Path:
    """Where meta seed ``meta_seed``'s study lives: ``out`` itself for a single meta seed
    (the layout of earlier versions), else ``out/meta-seed-M``."""
    return out if meta_seeds == 1 else out / meta_seed_name(meta_seed)


__all__ = ["meta_seed_folder", "meta_seed_name"]

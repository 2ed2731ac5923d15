"""Reproducible, resumable mini-batch index streams."""

from __future__ import annotations

import torch
from torch import Tensor

from physnet.errors import UserError


class BatchStream:
    """Endless mini-batches of indices into ``n`` samples: a fresh permutation each epoch,
    drawn from its own generator. Its state (generator, permutation, position) can be
    saved and restored so that a resumed run sees the same batches."""

    def __init__(self, n: int, batch_size: int, seed: int) -> None:
        if n < 1:
            raise UserError("no training samples")
        if batch_size < 1:
            raise UserError(f"batch size must be >= 1, got {batch_size}")
        self.n, self.batch_size = n, min(batch_size, n)
        self.generator = torch.Generator().manual_seed(int(seed))
        self.perm = torch.randperm(n, generator=self.generator)
        self.pos = 0

    @property
    def batches_per_epoch(self) -> int:
        return max(1, self.n // self.batch_size)

    def next(self) -> Tensor:
        if self.pos + self.batch_size > self.n:
            self.perm = torch.randperm(self.n, generator=self.generator)
            self.pos = 0
        idx = self.perm[self.pos : self.pos + self.batch_size]
        self.pos += self.batch_size
        return idx

    def state_dict(self) -> dict:
        return {"generator": self.generator.get_state(), "perm": self.perm.clone(), "pos": self.pos}

    def load_state_dict(self, state: dict) -> None:
        self.generator.set_state(state["generator"])
        self.perm = state["perm"].clone()
        self.pos = int(state["pos"])

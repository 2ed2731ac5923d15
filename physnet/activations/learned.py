"""Learned activation types: 1-W-1 sub-networks on top of a base function."""

from __future__ import annotations

import torch
from torch import Tensor, nn

from physnet.activations.fixed import get_activation
from physnet.activations.fused_subnet import fused_residual
from physnet.activations.grid import check_k


class LearnedBank(nn.Module):
    """k learned activations ``f_j(x) = base(x) + sum_w a_jw tanh(w_jw x + b_jw) + c_j``:
    1-W-1 sub-networks (W = ``width``) on top of a base function.

    The output layer ``(a, c)`` starts at zero, so at step 0 every type *is* the base
    function; the hidden layer ``(w, b)`` is drawn independently for each type, so the
    types' gradients differ from the first step and they do not evolve identically
    (the JAX reference started all types from one key). All types are stored in
    stacked parameters shaped ``(k, W)``; type ``j`` is evaluated on all its neurons in
    one broadcast call.

    With ``fused = True`` the sub-networks run as one autograd Function with hand-written
    derivatives (:mod:`physnet.activations.fused_subnet`): the same function and gradients
    (to rounding), far less memory per differentiated step, and faster where its kernels
    are compiled (``fused_subnet.set_compiled``).

    Args:
        k: number of types.
        base: name of the base function (sin, identity, ramp/relu, sigmoid, zero, ...).
        width: sub-network width W (the paper's 50).
        generator: randomness for the hidden layers (required for reproducibility).
        hidden_scale: hidden weights and biases are uniform in
            ``[-hidden_scale, hidden_scale]``, so that the tanh features bend on the
            scale of typical pre-activations.
    """

    def __init__(
        self,
        k: int = 2,
        base: str = "sin",
        width: int = 50,
        *,
        generator: torch.Generator,
        hidden_scale: float = 1.0,
        dtype: torch.dtype = torch.float32,
        device: str | torch.device = "cpu",
    ) -> None:
        super().__init__()
        check_k(k)
        if width < 1:
            raise ValueError(f"sub-network width must be >= 1, got {width}")
        self.base = base
        self._base_fn = get_activation(base)
        self.width = width
        u = lambda: (2 * torch.rand(k, width, generator=generator, dtype=torch.float64) - 1) * hidden_scale  # noqa: E731
        self.w_in = nn.Parameter(u().to(dtype=dtype, device=device))
        self.b_in = nn.Parameter(u().to(dtype=dtype, device=device))
        self.w_out = nn.Parameter(torch.zeros(k, width, dtype=dtype, device=device))
        self.b_out = nn.Parameter(torch.zeros(k, dtype=dtype, device=device))
        self.fused = False

    @property
    def k(self) -> int:
        return self.w_in.shape[0]

    def apply_type(self, j: int, x: Tensor) -> Tensor:
        """Type ``j``'s function elementwise on ``x`` (any shape)."""
        if self.fused:
            residual = fused_residual(x, self.w_in[j], self.b_in[j], self.w_out[j])
        else:
            residual = torch.tanh(x.unsqueeze(-1) * self.w_in[j] + self.b_in[j]) @ self.w_out[j]  # via (..., W)
        return self._base_fn(x) + residual + self.b_out[j]

    def sample(self, grid: Tensor) -> Tensor:
        """Every type's values on ``grid`` (``(G,)``), shaped ``(k, G)``, detached."""
        with torch.no_grad():
            g = grid.to(dtype=self.w_in.dtype, device=self.w_in.device)
            return torch.stack([self.apply_type(j, g) for j in range(self.k)]).detach()

    def describe(self) -> dict:
        return {"kind": "learned", "base": self.base, "k": self.k, "width": self.width}

"""The energy models' vector field with ``grad H`` in closed form (physnet/networks/
energy_gradient.py, physnet/activations/slopes.py): the same values as autograd's field to
float64 round-off for every model and every kind of neuron type, the same training gradient
(which needs every activation's second derivative), gradcheck through it, and the compiled
rollout equal to the plain one."""

from __future__ import annotations

import shutil

import pytest
import torch

from physnet.activations import ACTIVATIONS, FixedBank, LearnedBank, freeze
from physnet.activations.slopes import SLOPES
from physnet.networks.build import build_model, hidden_activation
from physnet.networks.energy_gradient import input_gradient, value_and_input_gradient
from physnet.networks.mlp import MLP
from physnet.training.rollout import rollout_displacements


def _learned(eval_: str = "direct", sub: str = "tanh", seed: int = 1) -> LearnedBank:
    g = torch.Generator().manual_seed(seed)
    return LearnedBank(
        2, "sin", 8, generator=g, init="default", sub_activation=sub, subnet_eval=eval_, dtype=torch.float64
    )


def _banks():
    learned = _learned()
    yield "tanh", "tanh"
    yield "relu", "relu"
    yield "two fixed types", FixedBank(["sin", "softplus"])
    yield "learned", learned
    yield "learned relu sub-network", _learned(sub="relu", seed=3)
    yield "learned on knots", _learned("knots", seed=2)
    yield "frozen linear", freeze(learned, "linear")
    yield "frozen cubic", freeze(learned, "cubic")


BANKS = list(_banks())
MODELS = ("hnn", "hnn-separable", "dhnn", "dhnn-forced")


def _model(kind: str, bank, seeds=(0, 1, 2)):
    return build_model(kind, 4 if kind == "dhnn-forced" else 2, [7, 5], bank, seeds=seeds, dtype=torch.float64)


def _states(model, seed: int = 0) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    lead = (model.n_members,) if model.n_members > 1 else ()
    return 3 * torch.randn(*lead, 9, model.dim, generator=g, dtype=torch.float64)  # reaches the frozen extensions


def _grads(loss, model) -> list[torch.Tensor]:
    params = list(model.parameters())
    found = torch.autograd.grad(loss, params, allow_unused=True)
    return [torch.zeros_like(p) if g is None else g for p, g in zip(params, found, strict=True)]


@pytest.mark.parametrize("kind", MODELS)
@pytest.mark.parametrize(("label", "bank"), BANKS, ids=[label for label, _ in BANKS])
@pytest.mark.parametrize("seeds", [(0,), (0, 1, 2)], ids=["one", "ensemble"])
def test_the_closed_form_field_and_its_training_gradient_equal_autograds(kind, label, bank, seeds):
    model = _model(kind, bank, seeds)
    y = _states(model)
    exact, closed = model.vector_field(None, y), model.closed_form_field(y)
    assert torch.allclose(closed, exact, rtol=0, atol=1e-12), (closed - exact).abs().max()
    for ours, theirs in zip(_grads((closed**3).sum(), model), _grads((exact**3).sum(), model), strict=True):
        assert torch.allclose(ours, theirs, rtol=1e-10, atol=1e-11)  # needs sigma'' of every type


@pytest.mark.parametrize("name", sorted(SLOPES))
def test_every_slope_and_its_derivative_equal_autograds(name):
    x = torch.linspace(-25, 25, 401, dtype=torch.float64) + 0.01  # off relu's kink and softplus's switch at 20
    x.requires_grad_(True)
    (first,) = torch.autograd.grad(ACTIVATIONS[name](x).sum(), x, create_graph=True)
    slope = SLOPES[name](x)
    assert torch.allclose(slope, first, rtol=0, atol=1e-12)
    if first.requires_grad:
        (second,) = torch.autograd.grad(first.sum(), x)
        ours = torch.autograd.grad(slope.sum(), x, allow_unused=True)[0] if slope.requires_grad else None
        ours = torch.zeros_like(x) if ours is None else ours  # a piecewise-constant slope (relu)
        assert torch.allclose(ours, second, rtol=0, atol=1e-12)


class _InputGradient(torch.nn.Module):
    def __init__(self, net: MLP) -> None:
        super().__init__()
        self.net = net

    def forward(self, y: torch.Tensor) -> torch.Tensor:
        return input_gradient(self.net, y)


@pytest.mark.parametrize(("label", "bank"), [BANKS[3], BANKS[5], BANKS[7]], ids=["learned", "knots", "frozen cubic"])
def test_gradcheck_of_a_loss_through_the_closed_form_gradient(label, bank):
    wrapper = _InputGradient(MLP([2, 6, 1], [hidden_activation(6, bank)], dtype=torch.float64))
    names = [n for n, _ in wrapper.named_parameters()]
    y = torch.randn(5, 2, dtype=torch.float64, generator=torch.Generator().manual_seed(4))

    def loss(*params):
        return (torch.func.functional_call(wrapper, dict(zip(names, params, strict=True)), (y,)) ** 2).sum()

    params = tuple(p.detach().clone().requires_grad_(True) for p in wrapper.parameters())
    assert torch.autograd.gradcheck(loss, params)


def test_a_network_with_several_outputs_is_refused():
    with pytest.raises(Exception, match="needs one output"):
        value_and_input_gradient(build_model("nn", 2, [4], "tanh").net, torch.zeros(3, 2))


@pytest.mark.skipif(not shutil.which("g++") and not shutil.which("c++"), reason="torch.compile needs a C++ compiler")
@pytest.mark.parametrize("kind", ["nn", "hnn", "dhnn"])
def test_the_compiled_rollout_equals_the_plain_one(kind):
    model = build_model(kind, 2, [16], "tanh", seeds=[0, 1], dtype=torch.float64)
    field = getattr(model, "closed_form_field", model)
    x = torch.randn(2, 12, 2, dtype=torch.float64)
    plain = rollout_displacements(field, x, 5, 0.1)
    compiled = torch.compile(lambda z: rollout_displacements(field, z, 5, 0.1), dynamic=False)(x)
    assert torch.allclose(compiled, plain, rtol=1e-12, atol=1e-12)
    compiled_grads = _grads(torch.compile(lambda z: rollout_displacements(field, z, 5, 0.1))(x).pow(2).sum(), model)
    for ours, theirs in zip(compiled_grads, _grads(plain.pow(2).sum(), model), strict=True):
        assert torch.allclose(ours, theirs, rtol=1e-10, atol=1e-12)

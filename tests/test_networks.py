"""Networks: ensemble MLP, Hamiltonian vector fields (gradcheck, closed form), model building."""

from __future__ import annotations

import pytest
import torch
from torch.func import functional_call

from physnet import odeint
from physnet.activations import FixedBank, LearnedBank, freeze
from physnet.networks import (
    MLP,
    HamiltonianNetwork,
    build_model,
    hidden_activation,
    symplectic_gradient,
)


def test_symplectic_gradient_equals_j_grad_h_in_closed_form():
    """H = q1^2 p2 + sin(q2) p1^2 + q1 q2: dq/dt = dH/dp, dp/dt = -dH/dq by hand."""

    def H(y):
        q1, q2, p1, p2 = y.unbind(-1)
        return q1**2 * p2 + torch.sin(q2) * p1**2 + q1 * q2

    y = torch.randn(6, 4, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    q1, q2, p1, p2 = y.unbind(-1)
    expected = torch.stack([2 * torch.sin(q2) * p1, q1**2, -(2 * q1 * p2 + q2), -(torch.cos(q2) * p1**2 + q1)], -1)
    torch.testing.assert_close(symplectic_gradient(H, y, 2), expected)


def test_hamiltonian_network_field_is_j_grad_of_its_h():
    hnn = build_model("hnn", 4, [16], "tanh", seeds=[3], dtype=torch.float64)
    y = torch.randn(5, 4, dtype=torch.float64, generator=torch.Generator().manual_seed(1))
    grad = torch.stack([torch.autograd.functional.jacobian(hnn.hamiltonian, y[i]) for i in range(5)])
    expected = torch.cat([grad[:, 2:], -grad[:, :2]], -1)
    torch.testing.assert_close(hnn.vector_field(0.0, y), expected)
    # the field is divergence free (Liouville): trace of its Jacobian vanishes
    jac = torch.autograd.functional.jacobian(lambda z: hnn.vector_field(0.0, z), y[0])
    assert abs(float(torch.trace(jac))) < 1e-12


@pytest.mark.parametrize("kind", ["hnn", "hnn-separable"])
def test_hamiltonian_vector_field_float64_gradcheck(kind):
    bank = LearnedBank(2, "sin", 6, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    with torch.no_grad():
        bank.w_out.normal_(0, 0.3, generator=torch.Generator().manual_seed(5))
    model = build_model(kind, 2, [6], bank, seeds=[1], dtype=torch.float64)
    names = [n for n, _ in model.named_parameters()]
    params = [p.detach().clone().requires_grad_(True) for p in model.parameters()]
    x = torch.randn(3, 2, dtype=torch.float64, requires_grad=True, generator=torch.Generator().manual_seed(2))
    fn = lambda x, *ps: functional_call(model, dict(zip(names, ps, strict=True)), (x,))  # noqa: E731
    assert torch.autograd.gradcheck(fn, (x, *params))


def test_ensemble_members_match_single_models_with_their_seeds():
    seeds = [4, 9, 11]
    ens = build_model("nn", 2, [20, 10], "tanh", seeds=seeds, dtype=torch.float64)
    x = torch.randn(7, 2, dtype=torch.float64)
    out = ens(x.expand(3, 7, 2))
    for i, s in enumerate(seeds):
        single = build_model("nn", 2, [20, 10], "tanh", seeds=[s], dtype=torch.float64)
        torch.testing.assert_close(out[i], single(x), rtol=0, atol=1e-14)
    with pytest.raises(ValueError, match="3 members"):
        ens(torch.randn(2, 7, 2, dtype=torch.float64))


def test_layers_can_be_plain_diverse_learned_or_frozen():
    bank = LearnedBank(2, "sin", 10, generator=torch.Generator().manual_seed(0))
    frozen = freeze(bank, "linear")
    model = build_model("nn", 2, [10, 9, 8], ["tanh", bank, frozen], seeds=[0])
    kinds = [type(a.bank).__name__ for a in model.net.activations]
    assert kinds == ["FixedBank", "LearnedBank", "FrozenBank"]
    assert model(torch.randn(4, 2)).shape == (4, 2)
    # frozen types do not train, learned ones do
    assert all(not p.requires_grad for p in frozen.buffers())
    assert any(p is bank.w_out for p in model.parameters())


def test_build_model_validation():
    with pytest.raises(ValueError, match="valid models"):
        build_model("transformer", 2, [10], "tanh")
    with pytest.raises(ValueError, match="hidden layer"):
        build_model("nn", 2, [], "tanh")
    with pytest.raises(ValueError, match="entries"):
        hidden_activation(10, FixedBank(["sin"]), assignment=torch.zeros(9, dtype=torch.long))
    with pytest.raises(ValueError, match="one output"):
        HamiltonianNetwork(MLP([2, 5, 2], [hidden_activation(5, "tanh")]))
    clf = build_model("classifier", 40, [100], "relu", dim_out=10)
    assert clf(torch.randn(3, 40)).shape == (3, 10)


def test_models_roll_out_with_the_integrators():
    hnn = build_model("hnn", 2, [8], "tanh", seeds=[0], dtype=torch.float64)
    sep = build_model("hnn-separable", 2, [8], "tanh", seeds=[0], dtype=torch.float64)
    y0 = torch.tensor([[0.5, 0.0]], dtype=torch.float64)
    t = torch.linspace(0, 1, 11, dtype=torch.float64)
    with torch.no_grad():
        assert odeint(hnn, y0, t, method="implicit-midpoint").shape == (11, 1, 2)
        assert odeint(hnn, y0, t, method="dopri5").shape == (11, 1, 2)
        assert odeint(sep, y0, t, method="leapfrog").shape == (11, 1, 2)
    with pytest.raises(ValueError, match="separable"):
        odeint(hnn, y0, t, method="leapfrog")

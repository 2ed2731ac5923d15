"""The names of the comparison arms (the arms themselves are built in
:mod:`physnet.study.arms`): here so that task settings can name arm sets without
importing the experiments."""

#: The paper's arms first, then the classic ones, then the controls.
ARMS = ("base", "type1", "type2", "mix", "relu", "tanh", "untrained1", "untrained2", "fit1", "fit2")
PAPER_ARMS = ("base", "type1", "type2", "mix")
#: The paper's arms and the classic activations (MNIST-1D's Fig. 3 and 8).
CLASSIC_ARMS = PAPER_ARMS + ("relu", "tanh")
#: What separates meta-learning from the sub-network's function class: each type as it was
#: before any outer step (``untrainedJ``), and each learned type's best least-squares fit
#: within ``sin(a x) + b x + c`` on the grid (``fitJ``).
CONTROL_ARMS = ("untrained1", "untrained2", "fit1", "fit2")

__all__ = ["ARMS", "CLASSIC_ARMS", "CONTROL_ARMS", "PAPER_ARMS"]

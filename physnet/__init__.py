"""physnet: physics-informed neural networks with learned, diverse neuron types.

The package face re-exports the verbs; see the README for a tour.
"""

from physnet.integrators import METHODS, ConvergenceError, get_method, odeint

__version__ = "0.1.0"

__all__ = ["METHODS", "ConvergenceError", "__version__", "get_method", "odeint"]

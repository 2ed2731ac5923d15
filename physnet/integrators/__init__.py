"""Integrators for true systems and learned models: ``odeint`` and the method table."""

from physnet.integrators.implicit_midpoint import ConvergenceError
from physnet.integrators.odeint import check_method_fits, odeint
from physnet.integrators.registry import METHODS, Method, get_method

__all__ = ["METHODS", "ConvergenceError", "Method", "check_method_fits", "get_method", "odeint"]

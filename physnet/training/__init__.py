"""Training: plain (ensemble) training for evaluation and meta-learning of neuron types."""

from physnet.training.evaluation import evaluate
from physnet.training.functional_optim import FunctionalOptimizer
from physnet.training.meta import MODES, MetaConfig, MetaResult, meta_config_for, meta_learn
from physnet.training.trainer import TrainConfig, TrainingDivergedError, TrainResult, train

__all__ = [
    "MODES",
    "FunctionalOptimizer",
    "MetaConfig",
    "MetaResult",
    "TrainConfig",
    "TrainResult",
    "TrainingDivergedError",
    "evaluate",
    "meta_config_for",
    "meta_learn",
    "train",
]

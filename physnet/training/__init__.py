"""Training: plain (ensemble) training for evaluation - the trainer, mini-batches, losses,
evaluation on a split, and the optimisers (also as pure functions for meta-learning's inner
loop). Meta-learning lives in :mod:`physnet.meta`."""

from physnet.training.evaluation import evaluate
from physnet.training.functional_optim import FunctionalOptimizer
from physnet.training.trainer import TrainConfig, TrainingDivergedError, TrainResult, train

__all__ = ["FunctionalOptimizer", "TrainConfig", "TrainResult", "TrainingDivergedError", "evaluate", "train"]

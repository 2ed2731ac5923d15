"""Studies: the paper's comparison protocol, statistics, stored models, forecasts, reports."""

from physnet.experiments.arms import ARMS, PAPER_ARMS, arm_bank
from physnet.experiments.model_store import load_arm
from physnet.experiments.statistics import arm_summary, bootstrap_median_difference, mann_whitney_p, summarize
from physnet.experiments.study import StudyConfig, StudyResult, run_study, study_summary
from physnet.renamed import renamed_attributes

__all__ = [
    "ARMS",
    "PAPER_ARMS",
    "StudyConfig",
    "StudyResult",
    "arm_bank",
    "arm_summary",
    "bootstrap_median_difference",
    "load_arm",
    "mann_whitney_p",
    "run_study",
    "study_summary",
    "summarize",
]

#: Names of earlier releases: still importable, with a DeprecationWarning, for one release.
__getattr__ = renamed_attributes(__name__, globals(), {"CompareConfig": "StudyConfig"})

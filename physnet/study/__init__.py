"""Studies: the paper's comparison protocol over many seeds - its settings
(:mod:`physnet.study.config`), the arms (:mod:`physnet.study.arms`), seed blocks and where they
run (:mod:`physnet.study.blocks`, :mod:`physnet.study.backends`, :mod:`physnet.study.local_pool`,
:mod:`physnet.study.ray_backend`), the study folder (:mod:`physnet.study.folder`), the run
(:mod:`physnet.study.run`), tuning and failures, statistics, effects and the verdict, stored
models, forecasts and forecast skill. Names are imported on first use.
"""

from __future__ import annotations

from physnet.lazy_exports import lazy_exports

_EXPORTS = {
    "ARMS": "physnet.study.arms",
    "PAPER_ARMS": "physnet.study.arms",
    "arm_bank": "physnet.study.arms",
    "load_arm": "physnet.study.model_store",
    "arm_summary": "physnet.study.statistics",
    "bootstrap_median_difference": "physnet.study.statistics",
    "mann_whitney_p": "physnet.study.statistics",
    "summarize": "physnet.study.statistics",
    "StudyConfig": "physnet.study.run",
    "StudyResult": "physnet.study.run",
    "compare": "physnet.study.run",
    "run_study": "physnet.study.run",
    "study_summary": "physnet.study.run",
}
__all__ = sorted(_EXPORTS)
__getattr__ = lazy_exports(__name__, globals(), _EXPORTS)

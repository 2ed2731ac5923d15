"""Meta-learning neuron types (the paper's Algorithm 1): the settings (:mod:`physnet.meta.config`),
the inner loop and its meta-gradient (:mod:`physnet.meta.unrolled`), one outer step
(:mod:`physnet.meta.outer_step`), the run between outer steps (:mod:`physnet.meta.run`), its
records (:mod:`physnet.meta.records`), the run itself (:mod:`physnet.meta.learn`) and the one
writer of a meta-learning folder (:mod:`physnet.meta.folder`). Names are imported on first use.
"""

from __future__ import annotations

from physnet.lazy_exports import lazy_exports

_EXPORTS = {
    "DTYPES": "physnet.meta.config",
    "BankSettings": "physnet.meta.groups",
    "InnerSettings": "physnet.meta.groups",
    "OuterSettings": "physnet.meta.groups",
    "MODES": "physnet.meta.config",
    "MetaConfig": "physnet.meta.config",
    "meta_config_for": "physnet.meta.config",
    "MetaResult": "physnet.meta.run",
    "meta_learn": "physnet.meta.learn",
    "write_meta_folder": "physnet.meta.folder",
}
__all__ = sorted(_EXPORTS)
__getattr__ = lazy_exports(__name__, globals(), _EXPORTS)

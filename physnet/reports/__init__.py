"""Reports: what a finished study or reproduction says, written as files - a study's outputs
(:mod:`physnet.reports.outputs`), a task's Markdown report (:mod:`physnet.reports.task_report`),
the forecast half of it (:mod:`physnet.reports.forecast_report`), the paper's claims
(:mod:`physnet.reports.claim_verdicts`, :mod:`physnet.reports.claims_report`), summaries over meta-learning
seeds (:mod:`physnet.reports.meta_seed_summary`) and timings (:mod:`physnet.reports.timings`)."""

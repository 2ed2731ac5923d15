"""Jobs: the long runs the commands start, each end to end - reproduce one task
(:mod:`physnet.jobs.reproduce`) or all (:mod:`physnet.jobs.reproduce_all`), the size sweep
(:mod:`physnet.jobs.sweep`), the map of when diversity helps (:mod:`physnet.jobs.factorial`,
:mod:`physnet.jobs.ablate`), the answer at two budgets (:mod:`physnet.jobs.budgets`) and
simulation (:mod:`physnet.jobs.simulate`)."""

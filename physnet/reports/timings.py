"""Wall time and peak memory of a long run, recorded as it goes (``timings.json``)."""

from __future__ import annotations

import resource
import time
from pathlib import Path

from physnet.io import write_json


def peak_rss_mb() -> float:
    """Peak resident memory of this process and its finished children, in MB (Linux)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) / 1024


class Timings:
    """``out/timings.json`` for a run of several tasks, rewritten after each one: per task
    its wall ``seconds``, ``finished_after`` (since the start), the mix median per model and
    any extra numbers; in total ``total_seconds`` and the peak memory."""

    def __init__(self, out: Path, **settings: object) -> None:
        self.out, self.began = out, time.perf_counter()
        self.record: dict = {"tasks": {}, **settings}

    def task_done(self, task: str, summaries: dict[str, dict], seconds: float, **extra: object) -> float:
        """Record ``task`` (its study summaries per model), write the file; returns the total so far."""
        self.record["tasks"][task] = {
            "seconds": seconds,
            "finished_after": time.perf_counter() - self.began,
            "mix_median": {m: s["arms"]["mix"]["median"] for m, s in summaries.items()},
            **extra,
        }
        return self.write()

    def write(self) -> float:
        """Update the totals and write the file; returns the total seconds so far."""
        tasks = self.record["tasks"].values()
        self.record["total_seconds"] = time.perf_counter() - self.began
        self.record["peak_rss_mb"] = max(peak_rss_mb(), *(t.get("peak_rss_mb", 0) for t in tasks))
        write_json(self.out / "timings.json", self.record)
        return self.record["total_seconds"]

    def table(self) -> list[str]:
        """The Markdown table of the tasks and the totals line."""
        lines = ["| task | wall time (s) | finished after (s) | report |", "|---|---|---|---|"]
        lines += [
            f"| {t} | {v['seconds']:.0f} | {v['finished_after']:.0f} | [{t}/report.md]({t}/report.md) |"
            for t, v in self.record["tasks"].items()
        ]
        total, peak = self.record["total_seconds"], self.record["peak_rss_mb"]
        return lines + ["", f"Total {total:.0f} s; peak memory {peak:.0f} MB."]


def earlier_seconds(out: Path, force: bool) -> float:
    """Wall seconds of the earlier runs a resumed run builds on: the ``wall_seconds`` of a
    ``summary.json`` already in ``out`` (0 when ``force`` starts afresh, or there is none),
    so that a rerun that resumes finished work reports the whole cost, not its own few seconds."""
    import json

    path = out / "summary.json"
    if force or not path.is_file():
        return 0.0
    try:
        return float(json.loads(path.read_text()).get("wall_seconds", 0.0))
    except (ValueError, TypeError, AttributeError):
        return 0.0  # an unreadable summary is rewritten below; its time is lost, not the run


__all__ = ["Timings", "earlier_seconds", "peak_rss_mb"]

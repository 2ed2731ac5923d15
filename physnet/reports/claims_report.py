"""The paper's claims judged on a ``reproduce all --preset paper`` run folder: reads the
studies' summaries and analyses, writes ``claims.md`` (the judging itself is :mod:`~physnet.reports.claim_verdicts`)."""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path

from physnet.reports.claim_verdicts import (
    claims_markdown,
    effect_claims,
    hessian_claim,
    hnn_vs_nn_claim,
    participation_claim,
    size_claim,
)
from physnet.study.layout import meta_seed_folder


def write_claims(
    out: Path, summaries: dict[str, dict[str, dict]], sizes: dict[str, dict] | None, *, quick: bool
) -> list:
    """Judge the paper's claims on a paper-preset run's summaries; writes ``out/claims.md``."""
    claims = []
    for task, per_model in summaries.items():
        for model, summary in per_model.items():
            n = summary.get("meta_seeds", 1)
            setting = f"paper preset, {summary['config']['seeds']} seeds per arm, {n} meta seed(s)"
            claims += effect_claims(f"{task} ({model})", summary, setting)
    if "henon-heiles" in summaries and {"nn", "hnn"} <= set(summaries["henon-heiles"]):
        hh = summaries["henon-heiles"]
        claims.append(hnn_vs_nn_claim(hh["nn"], hh["hnn"], "paper preset, meta seed 0, same arms"))
    if "mnist1d" in summaries:
        mnist = summaries["mnist1d"]["classifier"]
        folder = meta_seed_folder(out / "mnist1d", 0, mnist.get("meta_seeds", 1))
        rows = _analysis_rows(folder / "analysis.csv")
        if rows:
            claims.append(participation_claim(rows, "paper preset, meta seed 0, every seed of every analysed arm"))
        analysis = (
            json.loads((folder / "analysis.json").read_text())["arms"] if (folder / "analysis.json").exists() else {}
        )
        claims.append(hessian_claim(analysis, "paper preset, meta seed 0, Hessian of the first 10 seeds per arm"))
    if sizes:
        claims.append(size_claim(sizes, "paper preset, sizes 25-400, meta seed 0's types"))
    header = [
        f"# The paper's claims, judged on this run ({date.today().isoformat()}{', quick budget' if quick else ''})",
        "",
        "Differences of medians are signed so that positive favours the claim; an interval is the 95 % "
        "percentile bootstrap. Reproduced: every judged difference significantly in the claim's favour; "
        "not reproduced: none; mixed: some.",
        "",
    ]
    (out / "claims.md").write_text(claims_markdown(claims, header))
    return claims


def _analysis_rows(path: Path) -> list[dict]:
    if not path.exists():
        return []
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    num = lambda v: float(v) if v not in ("", None) else float("nan")  # noqa: E731
    return [{"arm": r["arm"], "metric": num(r["metric"]), "r": num(r["r"])} for r in rows]


__all__ = ["write_claims"]

"""The paper's claims, each judged on a reproduction's numbers: one row per claim with its
setting, the numbers, an interval or p-value and a verdict (reproduced / not reproduced /
mixed). Computation only; :mod:`~physnet.reports.claims_report` writes ``claims.md``."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.stats import spearmanr

from physnet.study.effects import effect, judged

REPRODUCED, NOT_REPRODUCED, MIXED = "reproduced", "not reproduced", "mixed"


@dataclass(frozen=True)
class Claim:
    """One row of ``claims.md``."""

    claim: str
    setting: str
    numbers: str
    evidence: str
    verdict: str


def _fmt(e: dict) -> str:
    return f"{e['diff']:+.3g} [{e['lo']:+.3g}, {e['hi']:+.3g}]"


def _verdict_over(effects: list[dict]) -> str:
    """Reproduced where every effect is significantly better, not reproduced where none is,
    mixed otherwise."""
    better = [judged(e) == "better" for e in effects]
    return REPRODUCED if all(better) else NOT_REPRODUCED if not any(better) else MIXED


def _per_seed_and_pooled(summary: dict, key: str) -> tuple[list[dict], dict | None]:
    """The effect ``key`` per meta seed and pooled (one meta seed: itself, twice)."""
    if "meta_seed_effects" in summary:
        each = [e[key] for e in summary["meta_seed_effects"]["per_meta_seed"].values() if e.get(key)]
        return each, summary["meta_seed_effects"]["pooled"].get(key)
    e = (summary.get("effects") or {}).get(key)
    return ([e] if e else []), e


def effect_claims(label: str, summary: dict, setting: str) -> list[Claim]:
    """'Learned types beat sine' and 'the mix beats each pure type' for one task / model."""
    rows = []
    for key, claim in (
        ("learned_vs_base", "learned types beat the base (sine)"),
        ("mix_vs_best_pure", "the mix beats each pure type"),
    ):
        each, pooled = _per_seed_and_pooled(summary, key)
        if pooled is None:
            continue
        verdict = _verdict_over(each)
        if verdict == REPRODUCED and judged(pooled) != "better":
            verdict = MIXED
        seeds = f"{len(each)} meta seed(s): " + ", ".join(_fmt(e) for e in each)
        arms = summary["arms"]
        medians = ", ".join(f"{a} {arms[a]['median']:.3g}" for a in ("base", "type1", "type2", "mix") if a in arms)
        rows.append(
            Claim(
                f"{label}: {claim}",
                setting,
                f"medians (meta seed 0) {medians}",
                f"pooled {_fmt(pooled)} (p = {pooled['p_value']:.2g}); per {seeds}",
                verdict,
            )
        )
    return rows


def hnn_vs_nn_claim(nn_summary: dict, hnn_summary: dict, setting: str) -> Claim:
    """'The HNN beats the NN on Henon-Heiles', per arm (every arm both ran)."""
    arms = [a for a in ("base", "type1", "type2", "mix") if a in nn_summary["arms"] and a in hnn_summary["arms"]]
    effects = {
        a: effect(np.asarray(hnn_summary["arms"][a]["values"]), np.asarray(nn_summary["arms"][a]["values"]), False)
        for a in arms
    }
    numbers = ", ".join(
        f"{a}: HNN {hnn_summary['arms'][a]['median']:.3g} vs NN {nn_summary['arms'][a]['median']:.3g}" for a in arms
    )
    return Claim(
        "Henon-Heiles: the HNN beats the NN",
        setting,
        numbers,
        "; ".join(f"{a} {_fmt(e)}" for a, e in effects.items()),
        _verdict_over(list(effects.values())),
    )


def participation_claim(rows: list[dict], setting: str) -> Claim:
    """'The mix has the highest participation ratio and accuracy rises with it' (MNIST-1D, Fig. 8)."""
    arms = list(dict.fromkeys(r["arm"] for r in rows))
    medians = {a: float(np.nanmedian([r["r"] for r in rows if r["arm"] == a])) for a in arms}
    top = max(medians, key=lambda a: medians[a])
    metric = np.array([r["metric"] for r in rows], dtype=float)
    r = np.array([r["r"] for r in rows], dtype=float)
    ok = np.isfinite(metric) & np.isfinite(r)
    rho, p = spearmanr(metric[ok], r[ok])
    mix_top = top == "mix"
    rises = rho > 0 and p < 0.05
    verdict = REPRODUCED if mix_top and rises else NOT_REPRODUCED if not (mix_top or rises) else MIXED
    return Claim(
        "MNIST-1D: the mix has the highest participation ratio, and accuracy rises with it",
        setting,
        "median r: " + ", ".join(f"{a} {v:.3g}" for a, v in medians.items()),
        f"highest: {top}; Spearman rho(accuracy, r) = {rho:.2f} over {int(ok.sum())} networks (p = {p:.2g})",
        verdict,
    )


def hessian_claim(summary: dict, setting: str) -> Claim:
    """'Tr H1 > Tr H2 > Tr H12 and f1 < f2 < f12': the mix's minima are the flattest."""
    need = ("type1", "type2", "mix")
    if not all(a in summary and "hessian_trace" in summary[a] and "flat_fraction" in summary[a] for a in need):
        return Claim("MNIST-1D: Tr H1 > Tr H2 > Tr H12 and f1 < f2 < f12", setting, "not computed", "", NOT_REPRODUCED)
    tr = {a: summary[a]["hessian_trace"]["median"] for a in need}
    f = {a: summary[a]["flat_fraction"]["median"] for a in need}
    chain = tr["type1"] > tr["type2"] > tr["mix"] and f["type1"] < f["type2"] < f["mix"]
    flattest = tr["mix"] < min(tr["type1"], tr["type2"]) and f["mix"] > max(f["type1"], f["type2"])
    verdict = (
        REPRODUCED if chain else MIXED if flattest or tr["mix"] < min(tr["type1"], tr["type2"]) else NOT_REPRODUCED
    )
    return Claim(
        "MNIST-1D: Tr H1 > Tr H2 > Tr H12 and f1 < f2 < f12",
        setting,
        "median Tr H: "
        + ", ".join(f"{a} {v:.3g}" for a, v in tr.items())
        + "; median f: "
        + ", ".join(f"{a} {v:.3g}" for a, v in f.items()),
        f"the full ordering {'holds' if chain else 'does not hold'}; the mix is "
        f"{'the flattest on both' if flattest else 'not the flattest on both'} (medians over "
        f"{summary['mix']['hessian_trace']['n']} seeds)",
        verdict,
    )


def size_claim(sizes: dict[str, dict], setting: str) -> Claim:
    """'The mix above pure networks at every size' (Fig. 4): mix vs the better pure type per size."""
    effects = {
        s: v["effects"]["mix_vs_best_pure"]
        for s, v in sizes.items()
        if v.get("effects") and v["effects"].get("mix_vs_best_pure")
    }
    return Claim(
        "MNIST-1D: the mix above pure networks at every size",
        setting,
        "; ".join(
            f"{s}: mix {sizes[s]['arms']['mix']['median']:.3g} vs "
            f"{sizes[s]['effects']['best_pure']} {sizes[s]['arms'][sizes[s]['effects']['best_pure']]['median']:.3g}"
            for s in effects
        ),
        "; ".join(f"size {s} {_fmt(e)}" for s, e in effects.items()),
        _verdict_over(list(effects.values())),
    )


def claims_markdown(claims: list[Claim], header: list[str]) -> str:
    lines = [
        *header,
        "| claim | setting | numbers | difference of medians [95 % CI] or test | verdict |",
        "|---|---|---|---|---|",
    ]
    lines += [f"| {c.claim} | {c.setting} | {c.numbers} | {c.evidence} | **{c.verdict}** |" for c in claims]
    return "\n".join(lines) + "\n"


__all__ = [
    "Claim",
    "MIXED",
    "NOT_REPRODUCED",
    "REPRODUCED",
    "claims_markdown",
    "effect_claims",
    "hessian_claim",
    "hnn_vs_nn_claim",
    "participation_claim",
    "size_claim",
]

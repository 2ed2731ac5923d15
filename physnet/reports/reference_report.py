"""The first question of a report: is a neural network worth it here? The best network arm
against sparse regression, one step ahead and in forecast, by the one verdict rule
(:mod:`physnet.study.verdict`), the fitted equations, and a plain sentence when sparse
regression wins."""

from __future__ import annotations

from physnet.study.effects import judged
from physnet.study.verdict import BETTER, WORSE

#: How each verdict reads from the network's side.
NETWORK_WORDS = {
    BETTER: "the network is better",
    WORSE: "sparse regression is better",
}


def _comparison(what: str, versus: dict | None, sindy_median: float | None, unit: str) -> tuple[str, str | None]:
    """A sentence for one score and its verdict (None where either side is missing)."""
    if versus is None or sindy_median is None:
        return f"- {what}: no comparison (sparse regression has no finite value).", None
    e = versus["effect"]
    word = judged(e)
    said = NETWORK_WORDS.get(word, word)
    best_median = sindy_median - e["diff"]  # diff = median(sindy) - median(best) for a lower-is-better score
    return (
        f"- {what} ({unit}): sparse regression {sindy_median:.3g}, the best network arm ({versus['arm']}) "
        f"{best_median:.3g}: {said} (difference of medians {e['diff']:+.3g}, 95 % CI [{e['lo']:+.3g}, {e['hi']:+.3g}], "
        "positive where the network is better).",
        word,
    )


def conclusion(one_step: str | None, forecast: str | None, terms: int) -> str:
    """The plain answer from the two verdicts, each from the network's side (``better``:
    the network is better; None: not compared)."""
    if one_step == WORSE and forecast == BETTER:
        return (
            "**Sparse regression fits one step ahead better, but its forecasts go wrong sooner: the networks forecast "
            "better here, which is what a forecaster is for.**"
        )
    if one_step == WORSE:
        also = "" if forecast is None else " and forecasts at least as well"
        return (
            f"**Sparse regression recovered the field with {terms} terms{also}: on these data a neural network is "
            "not the tool to reach for, and the networks' question below is academic.**"
        )
    if one_step == BETTER and forecast == WORSE:
        return "**The networks fit one step ahead better, but sparse regression forecasts better.**"
    if one_step == BETTER:
        return "**The networks beat sparse regression here: a neural network is worth it on these data.**"
    if forecast == BETTER:
        return "**The networks forecast better than sparse regression; one step ahead neither is clearly better.**"
    if forecast == WORSE:
        return "**Sparse regression forecasts better than the networks; one step ahead neither is clearly better.**"
    return f"**Neither is clearly better; sparse regression, with {terms} terms, is the simpler model.**"


def worth_it_section(summary: dict) -> list[str]:
    """``## Is a neural network worth it here?`` (empty where sparse regression did not run)."""
    sindy = (summary.get("references") or {}).get("sindy")
    if not sindy:
        return []
    library = sindy["library"]
    lines = [
        "## Is a neural network worth it here?",
        "",
        f"Sparse regression (SINDy: sequentially thresholded least squares on a {library['text']}, threshold "
        f"{sindy['threshold']:g}, both chosen on {sindy['chosen_on']}) kept {sindy['terms']} of "
        f"{library['terms'] * len(library['state_names'])} candidate terms on the whole training split:",
        "",
        "```",
        *sindy["equations"],
        "```",
        "",
        f"Like a network arm it has one fit per seed, each on a bootstrap resample of the training data "
        f"({sindy['n']} fits" + (f", {sindy['failed']} failed" if sindy["failed"] else "") + ").",
        "",
    ]
    one_line, one_word = _comparison(
        "One step ahead", summary.get("worth_it"), sindy.get("median"), f"{summary['metric']}, lower is better"
    )
    forecast = summary.get("forecast") or {}
    fc_sindy = ((forecast.get("references") or {}).get("sindy") or {}).get("metrics", {}).get("rollout_error")
    fc_line, fc_word = (
        _comparison(
            "Forecast",
            forecast.get("worth_it"),
            None if fc_sindy is None else fc_sindy["median"],
            "mean normalised rollout error, lower is better",
        )
        if forecast
        else (None, None)
    )
    lines.append(one_line)
    if fc_line:
        lines.append(fc_line + _vpt_clause(forecast))
    return [*lines, "", conclusion(one_word, fc_word, int(sindy["terms"])), ""]


def worth_it_lines(summary: dict) -> list[str]:
    """The answer in two lines for a terminal: the verdicts one step ahead and in forecast, and
    the conclusion (empty where sparse regression did not run)."""
    section = worth_it_section(summary)
    if not section:
        return []
    verdicts = [line.removeprefix("- ") for line in section if line.startswith("- ")]
    return ["is a neural network worth it here? " + " ".join(verdicts), section[-2].strip("*")]


def _vpt_clause(forecast: dict) -> str:
    """`` Valid prediction time: sparse regression 1.9, the best network arm 12.5 of 13.4.``"""
    versus = forecast.get("worth_it") or {}
    vpt = (forecast.get("metrics") or {}).get("vpt", {}).get("arms", {}).get(versus.get("arm", ""))
    ref = ((forecast.get("references") or {}).get("sindy") or {}).get("metrics", {}).get("vpt")
    if not vpt or not ref:
        return ""
    return (
        f" Valid prediction time (median): sparse regression {ref['median']:.3g}, {versus['arm']} {vpt['median']:.3g} "
        f"of {forecast['horizon']:.3g}."
    )


__all__ = ["conclusion", "worth_it_lines", "worth_it_section"]

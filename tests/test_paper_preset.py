"""The paper regime end to end at a tiny budget: several meta seeds judged per seed and pooled,
the authors' numbers beside ours, and claims.md from ``reproduce all --preset paper``."""

from __future__ import annotations

import json

import numpy as np
import pytest

from physnet.cli.main import main
from physnet.tasks.presets import PAPER, RunRequest, get_regime, preset


def test_the_paper_regime_has_the_reference_codes_values():
    clock = preset("clock", "hnn", "paper")
    assert clock["meta"]["inner_optimizer"] == "rmsprop" and clock["meta"]["inner_decay"] == 0.1
    assert clock["meta"]["inner_momentum"] == 0.6 and clock["meta"]["reinit"] == "same"
    assert clock["meta"]["sub_activation"] == "relu" and clock["meta"]["subnet_init"] == "default"
    assert clock["compare"]["epochs"] == 5 and clock["compare"]["optimizer"] == "rmsprop"
    hh = preset("henon-heiles", "hnn", "paper")["meta"]
    assert (hh["width"], hh["inner_epochs"], hh["outer_lr"], hh["outer_steps"]) == (20, 1, 5e-2, 100)
    mnist = preset("mnist1d", "classifier", "paper")["meta"]
    assert (mnist["meta_loss"], mnist["residual_scale"], mnist["inner_initial_scale"], mnist["outer_lr"]) == (
        "trajectory",
        0.2,
        1.0,
        0.4,
    )
    # a task added later runs the recipe
    assert PAPER.settings("my-task", "nn")["meta"]["reinit"] == "same"
    with pytest.raises(ValueError, match="has no preset 'reference'; its presets: paper"):
        get_regime("reference").settings("clock", "hnn")


@pytest.mark.slow
def test_reproduce_with_meta_seeds_judges_the_mix_per_meta_seed_and_pooled(tmp_path, capsys):
    argv = [
        "reproduce",
        "clock",
        "--preset",
        "paper",
        "--quick",
        "--meta-seeds",
        "2",
        "--seeds",
        "4",
        "--no-progress",
        "--out",
        str(tmp_path),
    ]
    assert main(argv) == 0
    summary = json.loads((tmp_path / "summary.json").read_text())
    effects = summary["meta_seed_effects"]
    assert summary["meta_seeds"] == 2 and set(effects["per_meta_seed"]) == {"0", "1"}
    for m in ("0", "1"):
        one = json.loads((tmp_path / f"meta-seed-{m}" / "summary.json").read_text())
        assert one["config"]["meta_seed"] == int(m)
        best = one["effects"]["best_pure"]
        assert effects["per_meta_seed"][m]["best_pure"] == best
        mix, pure = np.array(one["arms"]["mix"]["values"]), np.array(one["arms"][best]["values"])
        assert effects["per_meta_seed"][m]["mix_vs_best_pure"]["diff"] == pytest.approx(
            np.median(pure) - np.median(mix)
        )  # MSE: positive where the mix is lower
        assert set(one["arms"]) == {"base", "type1", "type2", "mix", "untrained1", "untrained2", "fit1", "fit2"}
        assert len(one["sine_fits"]) == 2
    pooled = effects["pooled"]["mix_vs_best_pure"]
    assert pooled["lo"] <= pooled["diff"] <= pooled["hi"] and pooled["n_first"] == 8
    report = (tmp_path / "report.md").read_text()
    assert "2 meta-learning seeds" in report and "meta-seed-1/report.md" in report
    seed_report = (tmp_path / "meta-seed-0" / "report.md").read_text()
    assert "Beside the authors' numbers" in seed_report and "0.115" in seed_report
    assert "## Effects" in seed_report and "untrained1" in seed_report
    # different meta seeds learned different types
    a = np.load(tmp_path / "meta-seed-0" / "meta" / "activations.npz")["values"]
    b = np.load(tmp_path / "meta-seed-1" / "meta" / "activations.npz")["values"]
    assert np.abs(a - b).max() > 1e-3


@pytest.mark.slow
def test_reproduce_all_with_the_paper_preset_writes_the_claims(tmp_path):
    from physnet.jobs.reproduce_all import reproduce_all

    reproduce_all(tmp_path, RunRequest(quick=True, seeds=3, meta_seeds=2, preset="paper"), tasks=("clock",))
    claims = (tmp_path / "claims.md").read_text()
    assert "| clock (hnn): learned types beat the base (sine) |" in claims
    assert "| clock (hnn): the mix beats each pure type |" in claims
    rows = [line for line in claims.splitlines() if line.startswith("| clock")]
    assert all(any(v in line for v in ("**reproduced**", "**not reproduced**", "**mixed**")) for line in rows)
    assert "claims.md" in (tmp_path / "report.md").read_text()

"""Forecasts you can act on: bands of an ensemble against known quantiles, coverage and CRPS
against hand-computed values and the CDF integral, the spread scale's remedy, the forecaster
against the study's own forecast-skill rollouts, failed seeds left out, and every bad input."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest
import torch
from scipy import stats

import physnet
from physnet.cli.main import main
from physnet.errors import UserError
from physnet.study import StudyConfig, run_study
from physnet.study.calibration import calibration, calibration_sentence, verdict
from physnet.study.ensemble_bands import check_levels, coverage, crps, ensemble_bands, fit_spread_scale
from physnet.study.study_skill import arm_skills
from physnet.tasks.registry import get_task


def test_bands_of_a_planted_normal_ensemble_are_its_quantiles():
    rng = np.random.default_rng(0)
    mu, sigma, members = np.array([1.0, -2.0]), np.array([0.5, 2.0]), 20001
    rollouts = mu + sigma * rng.standard_normal((members, 1, 1, 2))
    bands = ensemble_bands(rollouts, (0.5, 0.9))
    se = 3 * sigma * 2.0 / np.sqrt(members)  # a few standard errors of a central quantile
    np.testing.assert_allclose(bands.median[0, 0], mu, atol=se.max())
    for level in (0.5, 0.9):
        z = stats.norm.ppf((1 + level) / 2)
        np.testing.assert_allclose(bands.upper[level][0, 0], mu + z * sigma, atol=se.max())
        np.testing.assert_allclose(bands.lower[level][0, 0], mu - z * sigma, atol=se.max())
    assert bands.members[0, 0] == members


def test_coverage_and_crps_on_a_small_case_by_hand():
    members = np.array([0.0, 1.0, 2.0, 3.0, 4.0]).reshape(5, 1, 1, 1)
    rollouts = np.concatenate([members, members], axis=2)  # two times
    truth = np.array([[[2.5], [3.5]]])  # (1 orbit, 2 times, 1 state)
    bands = ensemble_bands(rollouts, (0.5,))  # quartiles of 0..4: [1, 3]
    np.testing.assert_allclose(bands.lower[0.5][0, :, 0], [1.0, 1.0])
    np.testing.assert_allclose(bands.upper[0.5][0, :, 0], [3.0, 3.0])
    np.testing.assert_allclose(coverage(truth, bands)[0.5], [1.0, 0.0])
    # CRPS of {0, 2} at 1: mean|x - y| = 1, half the mean pair distance = 0.5 -> 0.5
    pair = np.array([0.0, 2.0]).reshape(2, 1, 1, 1)
    assert crps(pair, np.ones((1, 1, 1)))[0, 0] == pytest.approx(0.5)
    # one member: the absolute error
    assert crps(np.full((1, 1, 1, 1), 3.0), np.zeros((1, 1, 1)))[0, 0] == pytest.approx(3.0)


def test_crps_equals_the_integral_of_the_squared_cdf_difference():
    rng = np.random.default_rng(1)
    x = rng.normal(size=7)
    y = 0.3
    grid = np.linspace(-8, 8, 200001)
    cdf = (x[None, :] <= grid[:, None]).mean(axis=1)
    integral = np.trapezoid((cdf - (grid >= y)) ** 2, grid)
    value = crps(x.reshape(7, 1, 1, 1), np.full((1, 1, 1), y))[0, 0]
    assert value == pytest.approx(integral, abs=1e-3)


def test_lost_members_are_left_out_of_bands_coverage_and_crps():
    rollouts = np.array([0.0, 2.0, np.nan]).reshape(3, 1, 1, 1)
    bands = ensemble_bands(rollouts, (0.5,))
    assert bands.members[0, 0] == 2 and bands.median[0, 0, 0] == pytest.approx(1.0)
    assert crps(rollouts, np.ones((1, 1, 1)))[0, 0] == pytest.approx(0.5)
    every = np.full((2, 1, 1, 1), np.nan)
    assert np.isnan(crps(every, np.ones((1, 1, 1)))[0, 0])


def test_an_under_dispersed_ensemble_is_said_so_and_the_fitted_scale_makes_its_bands_honest():
    rng = np.random.default_rng(2)
    orbits, times, members = 400, 11, 100
    truth = rng.standard_normal((orbits, times, 1))
    rollouts = 0.4 * rng.standard_normal((members, orbits, times, 1))  # the truth is 2.5x wider
    record = calibration(rollouts, truth)
    assert verdict(record) == "under-states"
    assert record["coverage"]["0.9"][1] < 0.6
    fitted = record["spread_scale"]
    assert fitted["scale"] == pytest.approx(2.5, rel=0.2)
    assert all(abs(s - 0.9) < 0.1 for s in fitted["after"]["0.9"])
    assert "under-state" in calibration_sentence(record) and "Widening every band" in calibration_sentence(record)
    honest = calibration(rng.standard_normal((members, orbits, times, 1)), truth)
    assert verdict(honest) == "calibrated" and "calibrated" in calibration_sentence(honest)
    assert fit_spread_scale(rng.standard_normal((members, orbits, times, 1)), truth) == pytest.approx(1.0, rel=0.2)


def test_band_levels_outside_zero_one_are_refused():
    for bad in ((0.0,), (1.0,), (1.5,), (-0.2, 0.5), ()):
        with pytest.raises(UserError):
            check_levels(bad)
    assert check_levels((0.9, 0.5)) == (0.5, 0.9)


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    out = tmp_path_factory.mktemp("study")
    config = StudyConfig(
        task="van-der-pol", model="nn", arms=("base", "tanh"), seeds=4, epochs=20, small=True, hidden=(16,)
    )
    run_study(config, None, out)
    return out


def test_the_forecaster_equals_the_studys_forecast_skill_rollouts(study):
    data = get_task("van-der-pol").load(seed=0, small=True)
    skills = arm_skills(study, ["tanh"], data, "nn", n_orbits=2)
    skill = skills["tanh"]
    forecaster = physnet.load_forecaster(study, arm="tanh", seeds=[0, 1, 2, 3])
    assert forecaster.kind == "nn" and forecaster.method == skill.method and forecaster.dtype == torch.float32
    result = forecaster.predict(skill.truth[:, 0], skill.t)
    np.testing.assert_array_equal(result.rollouts, skill.rollouts)
    assert result.rollouts.shape == (4, 2, len(skill.t), 2) and result.median.shape == (2, len(skill.t), 2)
    one = forecaster.predict(torch.as_tensor(skill.truth[0, 0]), skill.t)  # one state, a torch tensor
    np.testing.assert_array_equal(one.rollouts[:, 0], skill.rollouts[:, 0])


def test_failed_seeds_are_left_out(study, tmp_path):
    import shutil

    copy = tmp_path / "study"
    shutil.copytree(study, copy)
    with open(copy / "runs.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    for r in rows:
        if r["arm"] == "tanh" and r["seed"] == "1":
            r["failed"], r["failure"] = "1", "diverged"
    with open(copy / "runs.csv", "w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    assert physnet.load_forecaster(copy, arm="tanh").seeds == (0, 2, 3)
    assert physnet.load_forecaster(copy, arm="tanh", seeds=[1]).seeds == (1,)  # asked for by name: kept


def test_the_forecasters_bad_inputs_are_one_line_errors(study, tmp_path):
    forecaster = physnet.load_forecaster(study, arm="tanh")
    t = np.linspace(0, 1, 11)
    cases = [
        (lambda: forecaster.predict(np.zeros((3, 3)), t), "states must be shaped (N, 2)"),
        (lambda: forecaster.predict(np.array([[np.nan, 0.0]]), t), "finite"),
        (lambda: forecaster.predict(np.zeros((0, 2)), t), "no states"),
        (lambda: forecaster.predict(np.zeros((1, 2)), t[::-1]), "increase"),
        (lambda: forecaster.predict(np.zeros((1, 2)), [0.0]), "at least two"),
        (lambda: forecaster.predict(np.zeros((1, 2)), [0.0, 0.1, 0.5]), "equally spaced"),
        (lambda: forecaster.predict(np.zeros((1, 2)), t, levels=(1.2,)), "between 0 and 1"),
        (lambda: physnet.load_forecaster(study, arm="mix"), "no such arm"),
        (lambda: physnet.load_forecaster(study, arm="tanh", seeds=[9]), "seed 9 is not stored"),
        (lambda: physnet.load_forecaster(tmp_path, arm="tanh"), "not a study folder"),
    ]
    for call, words in cases:
        with pytest.raises(UserError) as err:
            call()
        assert words in str(err.value) and "\n" not in str(err.value)


def test_missing_networks_and_another_version_are_named(study, tmp_path):
    import shutil

    copy = tmp_path / "study"
    shutil.copytree(study, copy)
    state = torch.load(copy / "models" / "tanh.pt", weights_only=True)
    state["arch"]["physnet_version"] = "0.1.3"
    torch.save(state, copy / "models" / "tanh.pt")
    with pytest.raises(UserError, match="written by physnet 0.1.3, this is physnet"):
        physnet.load_forecaster(copy, arm="tanh")
    (copy / "models" / "base.pt").unlink()
    with pytest.raises(UserError, match="base.pt is missing"):
        physnet.load_forecaster(copy, arm="base")


def test_forecast_command_writes_the_ensemble_and_its_calibration(study, tmp_path, capsys):
    out = tmp_path / "fc"
    assert main(["forecast", str(study), "--arm", "tanh", "--out", str(out), "--steps", "30"]) == 0
    said = capsys.readouterr().out
    assert "from 4 seeds of arm tanh" in said and "band of 4 seeds held the truth" in said and "CRPS" in said
    with open(out / "forecast.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == ["orbit", "t", "state", "truth", "median", "lower_50", "upper_50", "lower_90", "upper_90",
                             "members"]  # fmt: skip
    assert {r["state"] for r in rows} == set(get_task("van-der-pol").load(seed=0, small=True).state_names)
    first = [r for r in rows if r["t"] == rows[-1]["t"]]
    assert all(float(r["lower_90"]) <= float(r["median"]) <= float(r["upper_90"]) for r in first)
    record = json.loads((out / "calibration.json").read_text())
    assert record["members"] == 4 and set(record["coverage"]) >= {"0.5", "0.9"}
    config = json.loads((out / "config.json").read_text())
    assert config["method"] == "rk4" and config["seeds"] == [0, 1, 2, 3] and config["levels"] == [0.5, 0.9]
    assert (out / "orbits.png").exists() and (out / "phase.png").exists() and (out / "reliability.png").exists()
    one = tmp_path / "one"
    assert main(["forecast", str(study), "--arm", "tanh", "--seed", "2", "--out", str(one), "--steps", "10"]) == 0
    assert "from seed 2 of arm tanh" in capsys.readouterr().out


@pytest.mark.parametrize(
    "extra, words",
    [
        (["--levels", "0.5,1.5"], "between 0 and 1"),
        (["--seed", "7"], "seed 7 is not stored"),
        (["--horizon", "-1"], "--horizon"),
        (["--spread-scale", "-2"], "positive number"),
        (["--spread-scale", "wide"], "positive number or 'fit'"),
    ],
)
def test_forecast_command_refuses_bad_input_in_one_line(study, tmp_path, capsys, extra, words):
    code = main(["forecast", str(study), "--arm", "tanh", "--out", str(tmp_path / "x"), *extra])
    err = capsys.readouterr().err.strip()
    assert code == 2 and words in err and len(err.splitlines()) == 1
    assert not (tmp_path / "x").exists()


def test_initial_states_files_that_are_wrong_are_refused(study, tmp_path, capsys):
    names = get_task("van-der-pol").load(seed=0, small=True).state_names
    cases = {
        "columns.csv": "a,b\n1,2\n",
        "nan.csv": f"{names[0]},{names[1]}\nnan,1\n",
        "empty.csv": "",
    }
    for name, text in cases.items():
        path = tmp_path / name
        path.write_text(text)
        code = main(["forecast", str(study), "--arm", "tanh", "--initial", str(path), "--out", str(tmp_path / name)])
        err = capsys.readouterr().err.strip()
        assert code == 2 and len(err.splitlines()) == 1, (name, err)
    good = tmp_path / "good.csv"
    good.write_text(f"{names[0]},{names[1]}\n1.0,0.5\n-1.0,0.0\n")
    assert main(["forecast", str(study), "--arm", "tanh", "--initial", str(good), "--steps", "20",
                 "--out", str(tmp_path / "good")]) == 0  # fmt: skip
    assert "calibration.json" not in {p.name for p in (tmp_path / "good").iterdir()}


def test_a_conventional_model_exports_for_plain_pytorch(study, tmp_path):
    forecaster = physnet.load_forecaster(study, arm="tanh", seeds=[1, 3])
    from physnet.study.export import export_forecaster

    said = export_forecaster(forecaster, tmp_path / "field.pt2")
    assert "exported 2 member(s)" in said
    loaded = torch.export.load(str(tmp_path / "field.pt2")).module()
    y = torch.randn(2, 5, 2)
    full = torch.zeros(4, 5, 2)
    full[[1, 3]] = y
    expected = forecaster.model.vector_field(torch.zeros(()), full)[[1, 3]]
    torch.testing.assert_close(loaded(y), expected.detach())


def test_a_hamiltonian_model_exports_its_energy_whose_gradient_is_the_field(tmp_path):
    from physnet.activations import freeze
    from physnet.activations.learned import LearnedBank
    from physnet.study.export import export_forecaster
    from physnet.study.forecaster import Forecaster

    bank = LearnedBank(k=2, base="sin", width=8, generator=torch.Generator().manual_seed(0), init="default")
    hnn = physnet.build_model("hnn", 2, [16], freeze(bank, "cubic"), seeds=range(3))
    arch = {"kind": "hnn", "seeds": [0, 1, 2], "dim_in": 2}
    forecaster = Forecaster(hnn, arch, [0, 2], {"task": "t"}, method="implicit-midpoint", substeps=1)
    assert "energy H" in export_forecaster(forecaster, tmp_path / "energy.pt2")
    energy = torch.export.load(str(tmp_path / "energy.pt2")).module()
    y = torch.randn(2, 5, 2, requires_grad=True)
    (grad,) = torch.autograd.grad(energy(y).sum(), y)
    field = torch.stack([grad[..., 1], -grad[..., 0]], dim=-1)  # dq/dt = dH/dp, dp/dt = -dH/dq
    full = torch.zeros(3, 5, 2)
    full[[0, 2]] = y.detach()
    torch.testing.assert_close(field, hnn.vector_field(torch.zeros(()), full)[[0, 2]].detach())
    dhnn = physnet.build_model("dhnn", 2, [16], "sin", seeds=range(2))
    refused = Forecaster(dhnn, {**arch, "kind": "dhnn", "seeds": [0, 1]}, [0], {}, method="rk4", substeps=1)
    with pytest.raises(UserError, match="does not export"):
        export_forecaster(refused, tmp_path / "dhnn.pt2")
    with pytest.raises(UserError, match=r"\.pt2"):
        export_forecaster(forecaster, tmp_path / "energy.pt")


def test_the_widening_is_offered_only_where_it_changes_the_held_out_coverage():
    record = {
        "members": 10, "orbits": 2, "coverage": {"0.9": [0.75, 0.5, 1.0]},
        "spread_scale": {"scale": 1.5, "fitted_on_orbits": 1, "checked_on_orbits": 1,
                         "before": {"0.9": [1.0, 1.0, 1.0]}, "after": {"0.9": [1.0, 1.0, 1.0]}},
    }  # fmt: skip
    assert "Widening" not in calibration_sentence(record)
    record["spread_scale"]["before"] = {"0.9": [0.5, 0.5, 1.0]}
    assert "Widening every band 1.5x" in calibration_sentence(record)


def test_a_fitted_spread_scale_needs_two_validation_orbits(study, tmp_path):
    from physnet.study.ensemble_forecast import forecast_orbits

    forecaster = physnet.load_forecaster(study, arm="tanh")
    data = forecaster.data
    with pytest.raises(UserError, match="needs at least two orbits"):
        forecast_orbits(forecaster, data, 10, n_orbits=1, spread_scale="fit")
    fitted = forecast_orbits(forecaster, data, 10, n_orbits=2, spread_scale="fit")
    assert fitted.scale == fitted.calibration["spread_scale"]["scale"]

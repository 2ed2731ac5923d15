"""Shipping a task's folder to a Ray worker and back (no Ray needed)."""

from __future__ import annotations

import pytest

from physnet.jobs.reproduce_all import paper_units
from physnet.study.ray_backend import pack_files, unpack_files


def test_files_round_trip_byte_for_byte(tmp_path):
    src = tmp_path / "src"
    (src / "meta").mkdir(parents=True)
    (src / "runs.csv").write_text("arm,seed\nbase,0\n")
    (src / "meta" / "checkpoint.pt").write_bytes(bytes(range(256)) * 3)
    packed = pack_files(src)
    assert sorted(packed) == ["meta/checkpoint.pt", "runs.csv"]
    unpack_files(packed, tmp_path / "dst")
    assert pack_files(tmp_path / "dst") == packed
    assert pack_files(tmp_path / "missing") == {}


def test_unpack_refuses_paths_outside_the_folder(tmp_path):
    with pytest.raises(ValueError, match="outside"):
        unpack_files({"../escape.txt": b"x"}, tmp_path / "dst")
    assert not (tmp_path / "escape.txt").exists()


def test_henon_heiles_is_two_units_the_others_one():
    units = paper_units(("mnist1d", "henon-heiles", "clock"))
    assert [(u.task, u.model, u.folder) for u in units] == [
        ("mnist1d", "classifier", "mnist1d"),
        ("henon-heiles", "nn", "henon-heiles/nn"),
        ("henon-heiles", "hnn", "henon-heiles/hnn"),
        ("clock", "hnn", "clock"),
    ]

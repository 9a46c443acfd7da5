"""Config validation: defaults filled, and one clear message naming the key for every kind of mistake."""
from pathlib import Path

import pytest
import yaml

from relulab.core import configuration

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = configuration.load_schema(ROOT / "config" / "schema.yaml")


def _merged(*files):
    cfg = {}
    for f in files:
        for k, v in (yaml.safe_load((ROOT / "config" / f).read_text()) or {}).items():
            cfg[k] = {**cfg[k], **v} if isinstance(v, dict) and isinstance(cfg.get(k), dict) else v
    return cfg


def test_shipped_configs_are_valid_and_defaults_are_filled():
    for files in (("config.yaml",), ("config.yaml", "quick.yaml")):
        cfg = configuration.validate(_merged(*files), SCHEMA)
        assert cfg["surfaces"]["planar_grid"] >= 11
    empty = configuration.validate({}, SCHEMA)
    assert empty["seeds"] == 8 and empty["surfaces"]["init"] == "he"


@pytest.mark.parametrize("cfg, message", [
    ({"surfaces": {"activations": ["relux"]}}, "surfaces.activations[0]: 'relux' is not allowed; allowed values: relu"),
    ({"surfaces": {"archs": ["-4x4"]}}, "surfaces.archs[0]: '-4x4' is not valid; expected hidden widths"),
    ({"surfaces": {"lr": "fast"}}, "surfaces.lr: 'fast' is not of type number"),
    ({"seeds": 0}, "config key seeds: 0 is less than the minimum of 1"),
    ({"seedz": 3}, "config key seedz: unknown key; allowed keys here: base_seed, "),
    ({"surfaces": {"optimiser": "adam"}}, "config key surfaces.optimiser: unknown key"),
    ({"surfaces": {"init": "orthogonal"}}, "allowed values: he, xavier, torch_default, small"),
])
def test_bad_values_name_the_key(cfg, message):
    with pytest.raises(configuration.ConfigError) as err:
        configuration.validate(cfg, SCHEMA)
    assert message in str(err.value)
    assert "\n" not in str(err.value)

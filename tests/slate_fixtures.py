"""Shared builders for the slate tests: MovieLens features and small simulated experiments."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pandas as pd
import yaml

from analysis.movielens.load import load_movielens
from analysis.slates.experiment import simulate_experiment, stream
from analysis.slates.features import item_features, user_features
from analysis.slates.params import SlateParams, slate_params
from analysis.slates.seed_slates import SeedSlateSpec, build_seed_slates
from analysis.slates.slate_outcomes import slate_outcome_table
from tests.conftest import movielens_path

ROOT = Path(__file__).resolve().parents[1]


@lru_cache(maxsize=1)
def movielens() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(ratings, item features, user features) from the session's MovieLens copy."""
    data = load_movielens(movielens_path())
    return data.ratings, item_features(data.ratings, data.items), user_features(data.ratings, data.users)


@lru_cache(maxsize=2)
def default_params() -> SlateParams:
    """The default (book) slate parameters from config/config.yaml."""
    config = yaml.safe_load((ROOT / "config" / "config.yaml").read_text(encoding="utf-8"))
    return slate_params({"slates": config["slates"]})


@lru_cache(maxsize=4)
def seed_slates(n_slates: int, seed: int) -> pd.DataFrame:
    ratings, items, users = movielens()
    spec = default_params().seed_slates
    spec = SeedSlateSpec(n_slates, spec.slate_size, spec.prior_strength, spec.liked_threshold)
    return build_seed_slates(ratings, items, users, spec, stream(seed, "seed_slates"))


@lru_cache(maxsize=4)
def experiment(n_slates: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(exposure, slate outcomes) of one simulated experiment with the default model."""
    p = default_params()
    exposure = simulate_experiment(seed_slates(n_slates, seed), p.design, p.outcome, seed)
    return exposure, slate_outcome_table(exposure)

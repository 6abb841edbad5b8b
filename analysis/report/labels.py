"""Reader language: the one map from the package's identifiers to the words a reader sees.

Tables, figures and inline values name things with identifiers (``observed_clicks``,
``horvitz_thompson``, ``action_adventure``); a reader of the book sees words ("Observed clicks",
"Horvitz–Thompson", "action/adventure"). Every path from an artifact to a page goes through
:func:`label`, :func:`relabel_frame` or :func:`yes_no`, so one concept has one name everywhere.

Identifiers not in :data:`LABELS` fall back to a plain rendering (underscores become spaces, first
letter capitalised), so no snake_case identifier can reach a page; the explicit entries exist where
the plain rendering would be wrong (proper names, abbreviations, symbols, genre names).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

#: Explicit reader words, by identifier.
LABELS: dict[str, str] = {
    # estimators, designs, variance types
    "horvitz_thompson": "Horvitz–Thompson",
    "hajek": "Hájek",
    "ht_direct": "Horvitz–Thompson, direct",
    "ht_full": "Horvitz–Thompson, full neighbourhood",
    "hajek_direct": "Hájek, direct",
    "hajek_full": "Hájek, full neighbourhood",
    "dim": "Difference in means",
    "dim_naive": "Difference in means, naive SE",
    "dim_clustered": "Difference in means, clustered SE",
    "difference_in_means": "Difference in means",
    "share_regression": "Regression on own treatment and neighbour share",
    "ols": "OLS",
    "cr0": "CR0", "cr1": "CR1", "cr2": "CR2", "cr3": "CR3",
    "wild_bootstrap": "Wild cluster bootstrap",
    "graph_cluster": "Graph-cluster randomization",
    "individual": "Individual randomization",
    "individual_holdout": "Holdout of individual people",
    "ego_cluster": "Ego-cluster randomization",
    "ego_holdout": "Holdout of whole ego networks",
    "bernoulli": "Bernoulli",
    "leiden": "Leiden",
    "louvain": "Louvain",
    "planted": "Planted communities",
    "naive": "Naive",
    "clustered": "Clustered",
    # exposure mappings, conditions, regression terms
    "four_way": "Four-way condition",
    "full_neighborhood": "Full neighbourhood",
    "any_treated_neighbor": "Any treated neighbour",
    "neighbor_share": "Share of treated neighbours",
    "peer_saturation": "Peer saturation",
    "A": "Own treatment (A)",
    "A:peer_saturation": "Own treatment × peer saturation",
    "contrast": "Contrast",
    "direct_no_exposure": "Direct effect, no treated neighbours",
    "spillover_full": "Spillover of a fully treated neighbourhood",
    "total_effect": "Total effect",
    # teams world
    "direct_high": "Direct effect, high saturation",
    "direct_low": "Direct effect, low saturation",
    "indirect_treated": "Spillover on treated workers",
    "indirect_untreated": "Spillover on untreated workers",
    "rollout_all_vs_none": "Full rollout against none",
    "n_groups": "Teams", "group_size": "Workers per team",
    "direct_effect": "Direct effect", "spillover_effect": "Spillover effect",
    "interaction_effect": "Interaction of own treatment and saturation",
    "skill_coef": "Skill coefficient", "skill_sd": "Skill SD", "noise_sd": "Noise SD",
    "team_shock_sd": "Team shock SD",
    "individual_p": "Treatment probability, individual design",
    "cluster_p": "Treatment probability, cluster design",
    "saturations_1": "Saturation, arm 1", "saturations_2": "Saturation, arm 2",
    "saturations_3": "Saturation, arm 3",
    # search and bipartite marketplaces
    "item_contrast": "Item-level difference (boosted − unboosted)",
    "naive_platform_extrapolation": "Naive platform extrapolation",
    "sample_platform_lift": "Platform lift in this sample",
    "search_level_slope": "Search-level slope on boosted share",
    "items_per_search": "Items per search", "n_searches": "Searches",
    "demand_scale": "Demand scale", "demand_shape": "Demand shape",
    "quality_coef": "Quality coefficient", "ranking_boost": "Ranking boost",
    "treat_p": "Treatment probability",
    "n_buyers": "Buyers", "n_sellers": "Sellers",
    "min_sellers_per_buyer": "Sellers per buyer, minimum",
    "max_sellers_per_buyer": "Sellers per buyer, maximum",
    "montecarlo_n_buyers": "Buyers per Monte Carlo world",
    "montecarlo_n_sellers": "Sellers per Monte Carlo world",
    "montecarlo_reps": "Monte Carlo replications",
    "popularity_sigma": "Seller popularity SD", "seller_shock_sd": "Seller shock SD",
    "buyer_noise_sd": "Buyer noise SD", "degree_effect": "Effect per linked seller",
    "effect_all": "Effect, all sellers treated", "effect_mixed": "Effect, some sellers treated",
    # slate experiment: views, contrasts, components, exposure groups, checks, settings
    "observed_clicks": "Observed clicks",
    "expected_probability": "Expected click probability",
    "known_lift": "Known lift",
    "direct_focal": "Direct effect on the promoted movie",
    "same_cluster_spillover": "Same-cluster spillover",
    "all_non_focal": "All other movies in the slate",
    "displaced_items": "Displaced movies",
    "total_slate": "Whole slate",
    "focal": "Focal movie",
    "competitors": "Competitors",
    "focal_control": "Focal movie, control slate",
    "direct_promoted": "Promoted movie, promoted slate",
    "other_slate_spillover": "Other movies, promoted slate",
    "unchanged_non_focal": "Other movies, control slate",
    "same_cluster_competitor": "Same-cluster competitor",
    "other_competitor": "Other competitor",
    "same_cluster": "Same genre cluster",
    "same_cluster_displaced": "Same genre cluster and displaced",
    "near_position_displaced": "Displaced from a nearby position",
    "no_attention_penalty": "No attention penalty",
    "no_cluster_penalty": "No same-cluster penalty",
    "strong_direct_boost": "Strong direct boost",
    "weak_visibility": "Weak visibility effect",
    "market_expansion": "Market expansion",
    "mild_market_expansion": "Mild market expansion",
    "attention_penalty": "Attention penalty",
    "cluster_penalty": "Same-cluster penalty",
    "direct_boost": "Direct boost",
    "visibility": "Visibility effect",
    "liked_rate": "Share of ratings liked",
    "user_tendency": "User click tendency",
    "baseline_score": "Baseline ranker score",
    "focal_seed_position": "Focal movie's seed position",
    "is_female": "Female user",
    "n_same_cluster": "Movies in the focal genre cluster",
    "user_activity": "User activity (ratings)",
    "user_mean_rating": "User's mean rating",
    "focal_cluster": "Focal genre cluster",
    "focal_position": "Focal position",
    "focal_position_bucket": "Focal position band",
    "focal_spillover_cluster": "Focal genre cluster",
    "complete_slates": "Every slate is complete",
    "direct_treatment_rows": "Rows with direct treatment",
    "displaced_rows": "Displaced rows",
    "invalid_final_position_slates": "Slates with an invalid final position",
    "items_per_slate_min": "Movies per slate, minimum",
    "items_per_slate_max": "Movies per slate, maximum",
    "mean_control_slate_known_lift": "Mean known lift, control slates",
    "mean_promoted_slate_known_lift": "Mean known lift, promoted slates",
    "observed_promotion_rate": "Observed promotion rate",
    "promotion_probability": "Promotion probability",
    "promotion_rate_z": "Promotion rate, z against design",
    "same_cluster_spillover_rows": "Rows in the same-cluster spillover group",
    "same_slate_spillover_rows": "Rows in the same-slate spillover group",
    "slates_without_one_focal": "Slates without exactly one focal movie",
    "default": "Default",
    # genre clusters and MovieLens genres
    # lower case like the one-word clusters ("family", "comedy") they share a table column with;
    # figures capitalise tick labels through heading()
    "action_adventure": "action/adventure",
    "thriller_crime": "thriller/crime",
    "comedy_romance": "Comedy/romance",
    "drama_other": "Drama and other",
    "family_fantasy": "Family/fantasy",
    "childrens": "Children's",
    "film_noir": "Film noir",
    "sci_fi": "Sci-fi",
    # effects
    "direct": "Direct",
    "indirect": "Spillover",
    "total": "Total",
    # statistics
    "se": "SE",
    "std_error": "SE",
    "ci_lower": "95% CI low",
    "ci_upper": "95% CI high",
    "p_value": "p-value",
    "rmse": "RMSE",
    "truth": "True value",
    "se_sd_ratio": "SE / SD",
    "se_ratio": "SE ratio",
}

#: Words shown for booleans.
YES, NO = "yes", "no"

_SNAKE = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)+$")
_ACRONYMS = {"se": "SE", "ci": "CI", "sd": "SD", "rmse": "RMSE", "ht": "HT", "ols": "OLS",
             "id": "id", "mc": "Monte Carlo", "p": "p"}


def _plain(name: str) -> str:
    if name.startswith("n_"):
        return "Number of " + _plain(name[2:]).lower()
    words = [_ACRONYMS.get(w, w) for w in name.split("_")]
    text = " ".join(words)
    return text[:1].upper() + text[1:]


def label(name: Any) -> str:
    """The reader's word for an identifier (a column name or a categorical value).

    Non-identifier text is returned unchanged (``"Total effect"`` stays as it is); snake_case
    identifiers absent from :data:`LABELS` become plain words (``"n_units"`` → ``"N units"``).
    """
    if isinstance(name, bool | np.bool_):
        return yes_no(name)
    text = str(name)
    if text in LABELS:
        return LABELS[text]
    key = text.lower()
    if key in LABELS and (text == key or text.islower()):
        return LABELS[key]
    if _SNAKE.match(text):
        return _plain(text)
    return text


def heading(name: Any) -> str:
    """:func:`label` starting with a capital letter, for tick labels and legend entries
    (``"comedy"`` → ``"Comedy"``, ``"sci_fi"`` → ``"Sci-fi"``)."""
    text = label(name)
    return text[:1].upper() + text[1:]


#: Words that keep their capital letter inside a sentence.
PROPER_WORDS = frozenset({"Hájek", "Horvitz–Thompson", "Bernoulli", "Leiden", "Louvain", "OLS",
                          "SE", "SD", "CI", "RMSE", "CR0", "CR1", "CR2", "CR3", "HT"})
#: The book's spelling of names that arrive without their accents.
SPELLINGS = {"Hajek": "Hájek"}
_EMBEDDED = re.compile(r"(?<![\w\\])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?!\w)")


def in_text(reader: str) -> str:
    """Reader words as they read inside a sentence: lower-case first letter, unless they start
    with a proper name or an abbreviation (:data:`PROPER_WORDS`)."""
    first = reader.split(" ")[0].rstrip(",")
    return reader if first in PROPER_WORDS else reader[:1].lower() + reader[1:]


def label_text(text: str) -> str:
    """Free text with every embedded snake_case identifier replaced by its reader words,
    lower-case inside the text unless the words start with a proper name
    (``"Regression (A + peer_saturation)"`` → ``"Regression (A + peer saturation)"``), and
    names spelled as the book spells them (:data:`SPELLINGS`)."""

    def words(match: re.Match[str]) -> str:
        reader = label(match.group(0))
        return reader if match.start() == 0 else in_text(reader)

    text = _EMBEDDED.sub(words, str(text))
    for wrong, right in SPELLINGS.items():
        text = re.sub(rf"\b{wrong}\b", right, text)
    return text


def yes_no(value: Any) -> str:
    """``yes``/``no`` for booleans (and numpy booleans); empty for missing values."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return YES if bool(value) else NO


_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def scientific(value: float, digits: int = 1) -> str:
    """A tiny or huge number as a reader writes it: ``3.9 × 10⁻¹⁶`` (not ``3.9e-16``), with a true
    minus sign; exactly zero is ``0``."""
    if value == 0:
        return "0"
    mantissa, exponent = f"{value:.{digits}e}".split("e")
    power = str(int(exponent)).translate(_SUPERSCRIPT)
    return f"{mantissa.replace('-', '−')} × 10{power}"


_IDENTIFIER_LIST = re.compile(r"^[a-z][a-z0-9_]*(?:, *[a-z][a-z0-9_]*)+$")


def label_list(text: str) -> str:
    """A comma-separated list of identifiers in reader words (``"sci_fi, war"`` → ``"sci-fi, war"``)."""
    parts = [label(part.strip()) for part in text.split(",")]
    return ", ".join([parts[0], *map(in_text, parts[1:])])


_ASSIGNMENTS = re.compile(r"^[a-z][a-z0-9_]*=[^,=]+(?:, *[a-z][a-z0-9_]*=[^,=]+)*$")


def label_assignments(text: str) -> str:
    """Settings written as ``key=value`` pairs in reader words
    (``"attention_penalty=0, cluster_penalty=0"`` → ``"attention penalty 0, same-cluster penalty 0"``)."""
    parts = []
    for item in text.split(","):
        key, value = item.strip().split("=", 1)
        parts.append(f"{in_text(label(key))} {value.strip()}")
    return ", ".join(parts)


def _relabel_value(value: Any) -> Any:
    if value is None or (isinstance(value, float) and value != value):
        return value
    if isinstance(value, bool):
        return yes_no(value)
    if isinstance(value, str) and _IDENTIFIER_LIST.match(value):
        return label_list(value)
    if isinstance(value, str) and _ASSIGNMENTS.match(value):
        return label_assignments(value)
    return label(value)


def relabel_values(values: pd.Series) -> pd.Series:
    """A column with booleans as yes/no and identifier strings as reader words."""
    if pd.api.types.is_bool_dtype(values):
        return values.map(yes_no)
    if values.dtype == object or isinstance(values.dtype, pd.CategoricalDtype) or \
            pd.api.types.is_string_dtype(values):
        return values.map(_relabel_value)
    return values


def relabel_frame(df: pd.DataFrame, rename: Mapping[str, str] | None = None,
                  keep: Iterable[str] = ()) -> pd.DataFrame:
    """``df`` with reader words: values via :func:`relabel_values`, then column names as
    headings (capitalised).

    ``rename`` overrides the label of particular columns; columns in ``keep`` keep their values
    (for example artifact ids in the catalog, which are identifiers on purpose).
    """
    keep = set(keep)
    out = df.copy()
    for column in out.columns:
        if column not in keep:
            out[column] = relabel_values(out[column])
    names = {c: (rename or {}).get(c, heading(c)) for c in out.columns}
    return out.rename(columns=names)

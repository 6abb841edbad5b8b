"""The MovieLens slate-promotion experiment (issue 3), one job per module.

Data and design
    genre_clusters     genre -> spillover cluster mapping (priority order)
    features           user and item features (pre-treatment)
    baseline_ranker    leave-user-out Bayesian-average ranker (seed order)
    seed_slates        seed slates from real ratings
    promotion_design   focal selection + slate-level promotion coin
    exposure_mapping   item-row exposure variables and groups
    outcome_model      logistic click model with both potential outcomes
    experiment         one simulated run (design -> exposure -> clicks), random streams
    slate_outcomes     slate-level component sums per outcome view
    diagnostics        readiness, balance, exposure shares, cluster support

Estimation and reporting
    contrasts, bootstrap_effects, adjusted_effects, heterogeneity_effects
    decomposition, sensitivity, product_summary, robustness
    figures            tidy table in, matplotlib Figure out
    params             typed view of the ``slates`` config section
"""

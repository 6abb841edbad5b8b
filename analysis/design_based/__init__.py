"""design_based package."""

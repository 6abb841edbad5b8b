"""designs package."""

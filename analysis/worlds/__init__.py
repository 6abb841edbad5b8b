"""worlds package."""

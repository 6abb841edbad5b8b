"""exposure package."""

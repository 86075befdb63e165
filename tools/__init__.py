"""Checks the project runs on itself (make lint, the suite): each module is also a script."""

"""Pytest fixtures for this lab; filled in by the issue that needs them."""

"""The application: what a run does with a finished report (publish it, keep it in the
history, tell what changed since the last run)."""

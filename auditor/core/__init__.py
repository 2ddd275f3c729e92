"""The core: the vocabulary every layer shares (findings, check specs, the configuration, the
family interface, the runner, the report and its records) and the small helpers beneath them."""

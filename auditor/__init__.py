"""auditor: checks Alternativet's published security promises, with evidence, every week."""

__version__ = "0.1.0"

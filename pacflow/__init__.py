"""pacflow: a commercial action plan (PAC) as a living, audited, event-sourced workflow."""

__version__ = "0.1.0"

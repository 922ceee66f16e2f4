"""PaperBot: a daily, per-channel ranked digest of new research papers that learns from reactions."""

__version__ = "0.1.0"

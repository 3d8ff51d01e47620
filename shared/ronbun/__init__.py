"""Ronbun: trustworthy Japanese summaries and Q&A of arXiv papers."""

__version__ = "0.1.0"

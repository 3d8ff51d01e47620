"""Fake arXiv HTTP server (Atom API + PDFs) and its pytest fixtures."""

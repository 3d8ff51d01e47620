"""Fake OpenAI-compatible HTTP server and its pytest fixtures."""

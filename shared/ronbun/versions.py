"""Names that are part of every cache key, in a module that imports nothing.

The API function needs them to look a summary up; importing them from prompts.py or
offline.py would pull pydantic and the PDF text code into its cold start. Bump
PROMPT_VERSION whenever a prompt or the offline engine changes what it writes: results
stored under the old version are then generated again on request."""

PROMPT_VERSION = "2026-11-30.3"   # Q&A before the 概要 sentences (streamed, issue 12); cached prefix; summary sentences with evidence (issue 14)
OFFLINE_MODEL = "offline-extractive-1"

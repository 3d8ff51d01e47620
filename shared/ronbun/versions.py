"""Names that are part of every cache key, in a module that imports nothing.

The API function needs them to look a summary up; importing them from prompts.py or
offline.py would pull pydantic and the PDF text code into its cold start. Bump
PROMPT_VERSION whenever a prompt or the offline engine changes what it writes: results
stored under the old version are then generated again on request."""

PROMPT_VERSION = "2026-11-30.4"   # the judge names non-answers and literal term renderings (issue 9); Q&A before the 概要 (issue 12); summary sentences with evidence (issue 14)
OFFLINE_MODEL = "offline-extractive-1"

"""The local stack (``python -m infra.local``) as a subprocess for the fault tests and the bench,
with its output kept; tests/integration/test_local_stack.Stack under the name they use."""

from __future__ import annotations

from tests.integration.test_local_stack import Stack


class LocalStack(Stack):
    """`python -m infra.local` in a subprocess; stdout and stderr (merged) are kept in
    `lines`, all of them once `stop()` returns. Same helpers as test_local_stack.Stack
    (request, post, wait_terminal, aws, ...); `workers` sets the worker threads (2)."""

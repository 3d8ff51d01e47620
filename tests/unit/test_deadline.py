"""Deadline: the smaller of a call's own limit and what is left; steps refused without time."""

from __future__ import annotations

import math

import pytest

from ronbun.deadline import Deadline
from ronbun.errors import DeadlineExceeded


class Clock:
    def __init__(self, now: float = 100.0):
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_a_call_gets_the_smaller_of_its_own_limit_and_what_is_left():
    clock = Clock()
    deadline = Deadline.after(30, clock)
    assert deadline.timeout(100, "a model call") == 30
    assert deadline.timeout(10, "an arXiv request") == 10
    clock.now += 25
    assert deadline.timeout(100, "a model call") == pytest.approx(5)
    assert deadline.limits(10) and not deadline.limits(4)


def test_a_step_is_not_started_without_the_time_it_needs():
    clock = Clock()
    deadline = Deadline.after(8, clock)
    with pytest.raises(DeadlineExceeded) as caught:
        deadline.timeout(100, "a model call", least=10)
    assert "a model call" in str(caught.value) and caught.value.retryable
    with pytest.raises(DeadlineExceeded):
        deadline.require(9, "the repair round")
    deadline.require(8, "the repair round")
    clock.now += 9
    with pytest.raises(DeadlineExceeded):
        deadline.timeout(1, "anything")


def test_no_deadline_never_limits_and_derived_deadlines_only_come_sooner():
    clock = Clock()
    assert Deadline.none().left() == math.inf and Deadline.none().timeout(5, "x") == 5
    deadline = Deadline.after(30, clock)
    assert deadline.earlier(3).left() == pytest.approx(27)
    assert deadline.capped(10).left() == pytest.approx(10)
    assert deadline.capped(60).left() == pytest.approx(30)
    assert Deadline.none().capped(25).left() == pytest.approx(25, abs=0.5)

"""The practice timer: what it shows and when it turns amber or red.

The answer's time box comes from the prompt; the timer turns amber in the last stretch (the
larger of 10 s and 15% of the box) so the speaker can wrap up, and red once past the box.
"""

from __future__ import annotations

from dataclasses import dataclass

from coach.core.timefmt import clock, clock_left

__all__ = ["clock", "clock_left", "countdown", "timer_view"]

OK, WARN, OVER = "ok", "warn", "over"


def warn_window(answer_seconds: float) -> float:
    return max(10.0, 0.15 * answer_seconds)


@dataclass(frozen=True)
class TimerView:
    elapsed: str
    remaining: str
    state: str  # OK / WARN / OVER
    fraction: float  # of the time box used, capped at 1

    @property
    def label(self) -> str:
        if self.state == OVER:
            return f"{self.elapsed}  over by {self.remaining}"
        return f"{self.elapsed}  /  {self.remaining} left"


def timer_view(elapsed_s: float, answer_seconds: float) -> TimerView:
    """The timer's text and colour state after ``elapsed_s`` seconds of answering."""
    left = answer_seconds - elapsed_s
    if left < 0:
        state = OVER
    elif left <= warn_window(answer_seconds):
        state = WARN
    else:
        state = OK
    fraction = min(1.0, elapsed_s / answer_seconds) if answer_seconds > 0 else 1.0
    return TimerView(clock(elapsed_s), clock(-left) if left < 0 else clock_left(left), state,
                     fraction)


def countdown(prep_seconds: float, elapsed_s: float) -> float:
    """Seconds of preparation left (never negative)."""
    return max(0.0, prep_seconds - elapsed_s)

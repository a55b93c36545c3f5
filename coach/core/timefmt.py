"""m:ss, the one clock every front end shows: the report, the review, the player, the timer.

Two readings of the same recording must not disagree by a second ("1:54" in the player, "1:55"
in the report), so positions and lengths drop the part of a second not yet complete, as a
media player does; a countdown counts a started second as still left, so elapsed and left
always add up to the time box.
"""

from __future__ import annotations

import math


def clock(seconds: float) -> str:
    """A position or a length as m:ss (whole seconds, never negative)."""
    whole = max(0, int(seconds))
    return f"{whole // 60}:{whole % 60:02d}"


def clock_left(seconds: float) -> str:
    """Time left on a countdown as m:ss: 2:00 until a whole second of a 2:00 box has gone."""
    return clock(math.ceil(round(seconds, 6)))

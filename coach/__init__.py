"""coach: a local-first voice practice coach for rehearsing interview answers aloud."""

__version__ = "0.1.0"

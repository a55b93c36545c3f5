"""``python -m coach`` runs the same entry point as the ``coach`` console script."""

from coach.cli import main

raise SystemExit(main())

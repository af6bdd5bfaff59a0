"""`python -m autograder ...`: the same command line as `dllab ...` (see README.md)."""

from .cli import main

raise SystemExit(main())

"""Command line: python -m autograder {build,check,grade} ... (see README.md)."""

from .cli import main

raise SystemExit(main())

"""`python -m worker` is the `wire` command."""

from worker.cli import main

main()

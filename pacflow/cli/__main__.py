"""`python -m pacflow.cli`: the same as the `pacflow` command."""

from pacflow.cli import main

main()

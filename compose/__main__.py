"""`python -m compose`: the same as the `compose` command."""

from compose.cli import main

main()

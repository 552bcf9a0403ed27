"""``python -m studycards`` runs the same command as the ``studycards`` script."""

from studycards.cli import main

main()

"""``python -m skyshield``: the same command line as the ``skyshield`` script."""

from skyshield.cli import main

if __name__ == "__main__":
    main()

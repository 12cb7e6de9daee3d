"""``python -m fairmark``: the ``fairmark`` command line (:func:`fairmark.cli.main.main`)."""

from fairmark.cli.main import main

if __name__ == "__main__":
    main()

"""The ``fairmark`` command line: a thin Typer front over the core functions."""

"""The `plaudit` command line: one Typer module per command group."""

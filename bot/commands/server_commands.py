"""`yorisoi` commands for server."""

import click

COMMANDS: list[click.Command] = []

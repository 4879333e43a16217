"""`yorisoi` commands for knowledge."""

import click

COMMANDS: list[click.Command] = []

"""`yorisoi` commands for handoff."""

import click

COMMANDS: list[click.Command] = []

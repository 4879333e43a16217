"""`yorisoi` commands that talk to LINE's platform."""

import click

COMMANDS: list[click.Command] = []

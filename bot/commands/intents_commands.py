"""`yorisoi` commands for intents."""

import click

COMMANDS: list[click.Command] = []

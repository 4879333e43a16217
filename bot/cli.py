"""The `yorisoi` command line: one group, commands contributed by the modules in `bot.commands`."""

from __future__ import annotations

import click

from bot.commands import (
    crisis_commands,
    docs_commands,
    handoff_commands,
    insights_commands,
    intents_commands,
    knowledge_commands,
    line_commands,
    notice_commands,
    server_commands,
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    """寄り添い (Yorisoi): a LINE consultation bot for single-parent families."""


for module in (
    knowledge_commands,
    docs_commands,
    intents_commands,
    handoff_commands,
    insights_commands,
    notice_commands,
    crisis_commands,
    server_commands,
    line_commands,
):
    for command in module.COMMANDS:
        cli.add_command(command)


def main() -> None:
    cli(prog_name="yorisoi")


if __name__ == "__main__":
    main()

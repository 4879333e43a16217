"""`yorisoi crisis-eval FILE...`: how well the crisis authority catches crisis messages, and how often it
raises an alarm on hard-topic messages that are not a crisis.

Each file is JSON lines `{"text": ..., "kind": <crisis kind or null>}`. A crisis message counts as caught
when the detector (rules plus the real embedder, as the bot runs it) calls it a crisis of any kind: that is
what opens the urgent thread and puts contacts in the first reply; the kind found is reported beside it.
`--router` embeds each message as the conversation does (its own words, cleaned as the knowledge cleans a
query, through `SharedQueryEmbedder`), without needing a built index.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import click

from bot.config import Settings


def _rows(paths: tuple[Path, ...]) -> list[dict]:
    rows = []
    for path in paths:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if line.strip():
                row = json.loads(line)
                if "text" not in row or "kind" not in row:
                    raise click.ClickException(f"{path}:{number}: each line needs 'text' and 'kind'")
                rows.append(row)
    return rows


@click.command("crisis-eval")
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option("--rules-only", is_flag=True, help="Without the embedder (what the webhook check sees).")
@click.option("--router", is_flag=True, help="The message's vector as the conversation computes it.")
@click.option("--show-misses/--no-show-misses", default=True, help="List missed and false-alarm texts.")
def crisis_eval(files: tuple[Path, ...], rules_only: bool, router: bool, show_misses: bool) -> None:
    """Recall per crisis kind and overall, and the false-urgent rate on non-crisis messages."""
    from handoff.crisis import CrisisDetector

    embedder = None
    if not rules_only:
        from knowledge import load_embedder

        embedder = load_embedder(Settings.from_env().embedder)
        if router:
            from bot.embedding import SharedQueryEmbedder
            from knowledge.retrieval import clean_query

            embedder = SharedQueryEmbedder(embedder, clean_query)
    detector = CrisisDetector.load(embedder=embedder)
    caught: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])  # caught, count, of the right kind
    false_alarms, plain, misses, wrong = 0, 0, [], []
    for row in _rows(files):
        found = detector.assess(row["text"], detector.embed(row["text"]))
        if row["kind"] is None:
            plain += 1
            if found is not None:
                false_alarms += 1
                misses.append(f"  false urgent [{','.join(found.kinds)} by {found.by}] {row['text']}")
            continue
        caught[row["kind"]][1] += 1
        if found is None:
            misses.append(f"  missed [{row['kind']}] {row['text']}")
            continue
        caught[row["kind"]][0] += 1
        if row["kind"] in found.kinds:
            caught[row["kind"]][2] += 1
        else:
            wrong.append(
                f"  other kind [{row['kind']} → {','.join(found.kinds)} by {found.by}] {row['text']}"
            )
    total_hit = sum(hit for hit, _, _ in caught.values())
    total = sum(count for _, count, _ in caught.values())
    for kind, (hit, count, right) in sorted(caught.items()):
        click.echo(f"{kind:20} recall {hit}/{count} = {hit / count:.0%}, of this kind {right}/{count}")
    if total:
        click.echo(f"{'overall':20} recall {total_hit}/{total} = {total_hit / total:.1%}")
        click.echo(f"{'':20} caught under another kind: {len(wrong)}")
    if plain:
        click.echo(f"{'non-crisis':20} false urgent {false_alarms}/{plain} = {false_alarms / plain:.1%}")
    if show_misses and (misses or wrong):
        click.echo("\n".join(misses + wrong))


COMMANDS: list[click.Command] = [crisis_eval]

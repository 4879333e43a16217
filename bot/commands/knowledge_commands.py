"""`yorisoi index`, `yorisoi ask`, `yorisoi eval`: the knowledge engine from the command line.

The data directory comes from YORISOI_DATA_DIR and the embedder from YORISOI_EMBEDDER (bot.config.Settings),
so these commands use exactly the index the server uses.
"""

from __future__ import annotations

import datetime
import json
import sys
from pathlib import Path

import click

from bot.config import Settings
from bot.content import CityContent, open_content
from bot.database import open_database
from knowledge import DocumentError, EmbedderError, KnowledgeBase, build_index, load_embedder
from knowledge.evaluation import EvalFileError, evaluate, load_cases


def _settings() -> Settings:
    return Settings.from_env()


def _content(settings: Settings) -> CityContent:
    """The city's published documents and amounts periods, which answers use as the server does."""
    return open_content(open_database(settings.data_dir), settings.data_dir)


def _open_knowledge_base() -> KnowledgeBase:
    settings = _settings()
    try:
        return KnowledgeBase.open(
            settings.data_dir,
            load_embedder(settings.embedder),
            home_municipality=settings.home_municipality or None,
            content=_content(settings),
        )
    except (EmbedderError, DocumentError) as error:
        raise click.ClickException(str(error)) from error


def _dump(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False)


@click.command("index")
@click.option("--force", is_flag=True, help="Rebuild even if the stored index is current.")
def index_command(force: bool) -> None:
    """Build the knowledge index, or refresh it if documents or embedder changed."""
    settings = _settings()
    try:
        stats = build_index(
            settings.data_dir, load_embedder(settings.embedder), force=force, content=_content(settings)
        )
    except (EmbedderError, DocumentError) as error:
        raise click.ClickException(str(error)) from error
    if stats["rebuilt"]:
        click.echo(
            f"Built {stats['index_dir']}: {stats['documents']} documents, {stats['chunks']} chunks "
            f"({stats.get('embedded', 0)} embedded, {stats.get('reused_vectors', 0)} reused) "
            f"in {stats.get('build_seconds', 0):.1f} s — {stats['reason']}."
        )
    else:
        click.echo(
            f"Index {stats['index_dir']} is current: "
            f"{stats['documents']} documents, {stats['chunks']} chunks."
        )
    click.echo(f"Embedder: {stats['embedder']}")


def _print_answer(answer, as_json: bool) -> None:
    if as_json:
        click.echo(_dump(answer.to_dict()))
        return
    click.echo(answer.text)
    if answer.sources:
        click.echo("")
        click.echo("sources:")
        for rank, source in enumerate(answer.sources[:3], start=1):
            click.echo(
                f"  {rank}. {source.heading} [{source.jurisdiction}, {source.date}] score={source.score:.3f}"
            )
    click.echo(f"confident: {'yes' if answer.confident else 'no'}")


@click.command("ask")
@click.argument("question", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print the answer as one JSON object.")
@click.option(
    "--file",
    "questions_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Answer every line of this file (one question a line).",
)
@click.option("--municipality", help="The resident's municipality, e.g. 小平市 (prefers its sources).")
@click.option(
    "--after",
    "after",
    is_flag=True,
    help="Ask the lines of --file as one chat: a short follow-up (「3人だと？」) continues the line before.",
)
@click.option(
    "--today",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Answer as of this day (YYYY-MM-DD): picks the amounts in force. Default: YORISOI_TODAY or today.",
)
def ask_command(
    question: str | None,
    as_json: bool,
    questions_file: Path | None,
    municipality: str | None,
    after: bool,
    today: datetime.datetime | None,
) -> None:
    """Answer QUESTION from the program documents (builds the index first if it is missing)."""
    if question is None and questions_file is None:
        raise click.UsageError(
            'Give a question (yorisoi ask "児童扶養手当の額は？") or --file QUESTIONS.txt.'
        )
    if question is not None and questions_file is not None:
        raise click.UsageError("Give either a question or --file, not both.")
    if questions_file is not None:
        try:
            lines = questions_file.read_text(encoding="utf-8").splitlines()
        except UnicodeDecodeError as error:
            raise click.ClickException(f"{questions_file}: not UTF-8 text") from error
        questions = [line for line in lines if line.strip()]
    else:
        questions = [question or ""]
    kb = _open_knowledge_base()
    topic = ""
    for number, text in enumerate(questions):
        if number and not as_json:
            click.echo("-" * 40)
        day = today.date() if today else None
        answer = kb.answer(text, municipality=municipality, today=day, topic=topic or None)
        if after:
            topic = answer.topic or topic
        _print_answer(answer, as_json)
        sys.stdout.flush()


@click.command("eval")
@click.argument("eval_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print metrics and misses as one JSON object.")
def eval_command(eval_file: Path, as_json: bool) -> None:
    """Score retrieval and answers on EVAL_FILE (JSON lines: q, gold, fact): hit@1, hit@3, fact@3, MRR."""
    try:
        cases = load_cases(eval_file)
    except EvalFileError as error:
        raise click.ClickException(str(error)) from error
    kb = _open_knowledge_base()
    report = evaluate(cases, kb.answer)
    if as_json:
        click.echo(_dump(report.to_dict()))
        return
    metrics = report.metrics
    click.echo(f"{eval_file} — {metrics['questions']} questions, embedder {kb.embedder.name}")
    for name in ("hit@1", "hit@3", "fact@3", "mrr", "confident"):
        click.echo(f"  {name:<9} {metrics[name]:.3f}")
    click.echo(
        f"  confident and wrong at rank 1: {metrics['confident_wrong']}"
        f" ({metrics['confident_wrong_share']:.1%} of answerable)"
    )
    click.echo(f"  hedged (confident: false): {metrics['hedged']}")
    if metrics["unanswerable"]:
        click.echo(
            f"  unanswerable lines hedged: {metrics['unanswerable_hedged']:.1%} of {metrics['unanswerable']}"
        )
    click.echo(f"  first source a plan: {metrics['plan_first']:.1%}")
    misses = report.misses
    click.echo(f"misses ({len(misses)}):" if misses else "misses: none")
    for miss in misses:
        problems = []
        if not miss.hit1:
            problems.append(f"gold rank {miss.rank}" if miss.rank else "gold not in sources")
        if not miss.fact_found:
            problems.append(f"fact {miss.facts} not found")
        click.echo(f"  - {miss.question}  [{'; '.join(problems)}]")
        click.echo(f"      gold {miss.gold}; top: {miss.headings[0] if miss.headings else '(none)'}")


COMMANDS: list[click.Command] = [index_command, ask_command, eval_command]

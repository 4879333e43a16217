"""The one-way rule, read from the source: bot → (handoff | intents | knowledge), nothing back, no middle
package importing another, and the shipped packages never importing tools/ or tests/."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
MIDDLE = ("handoff", "intents", "knowledge")
SHIPPED = ("bot", *MIDDLE)
# What is never importable from the product: the dev tools and the test helpers.
NOT_SHIPPED = {"tools", "tests", "fake_line", "serve_support", "shared_files", "conftest"}


def imported_packages(package: str) -> dict[str, set[str]]:
    """Top-level names each module of `package` imports (relative imports count as the package itself)."""
    found: dict[str, set[str]] = {}
    for path in sorted((REPO / package).rglob("*.py")):
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                names.add(package if node.level else (node.module or "").split(".")[0])
        found[str(path.relative_to(REPO))] = names
    return found


@pytest.mark.parametrize("package", MIDDLE)
def test_a_middle_package_imports_neither_bot_nor_another_middle_package(package: str) -> None:
    forbidden = {"bot", *MIDDLE} - {package}
    offenders = {module: names & forbidden for module, names in imported_packages(package).items()}
    assert not {module: names for module, names in offenders.items() if names}


@pytest.mark.parametrize("package", SHIPPED)
def test_shipped_packages_never_import_dev_tools_or_tests(package: str) -> None:
    offenders = {module: names & NOT_SHIPPED for module, names in imported_packages(package).items()}
    assert not {module: names for module, names in offenders.items() if names}


def test_the_graph_is_read_from_real_imports() -> None:
    """Guards the test itself: bot's wiring does import the three middle packages."""
    assert set(MIDDLE) <= imported_packages("bot")["bot/services.py"]

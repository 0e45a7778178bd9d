"""The house rules of the package, checked: one-way imports, analysis without I/O, words only in i18n,
small modules, and docs that point only inside the repository."""

from __future__ import annotations

import ast
import json
import re
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import pytest

from tests.conftest import REPO

PACKAGE = REPO / "src" / "tpnb"
LANGUAGE_BRANCH = re.compile(
    r"""(\blanguage|\blang|\bde)\s*==\s*\\?["'](de|en)["']|["'](de|en)["']\s*==\s*(language|lang)\b"""
)


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_type_checking(node: ast.If) -> bool:
    return isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING"


def _imports(path: Path) -> set[str]:
    """Every module a file imports (at any depth, but not under ``if TYPE_CHECKING``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node):
            return
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


def _graph() -> dict[str, set[str]]:
    modules = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    return {name: {m for m in _imports(path) if m in modules and m != name} for name, path in modules.items()}


def test_the_import_graph_of_the_package_has_no_cycle():
    graph = _graph()
    assert len(graph) > 30
    try:
        list(TopologicalSorter(graph).static_order())
    except CycleError as exc:
        pytest.fail(f"import cycle: {' -> '.join(exc.args[1])}")


def test_a_cycle_would_be_found():
    # the check itself: two modules importing each other are a cycle
    with pytest.raises(CycleError):
        list(TopologicalSorter({"a": {"b"}, "b": {"a"}}).static_order())


def test_the_analysis_never_opens_the_database_or_reaches_up():
    for path in (PACKAGE / "analysis").rglob("*.py"):
        imported = _imports(path)
        banned = {
            m
            for m in imported
            if m == "duckdb" or m.startswith(("duckdb.", "tpnb.warehouse", "tpnb.ingest", "tpnb.report", "tpnb.cli"))
        }
        assert not banned, f"{path.relative_to(REPO)} imports {sorted(banned)}"


def test_layers_only_reach_down():
    below = {
        "tpnb.warehouse": ("tpnb.analysis", "tpnb.report", "tpnb.cli"),
        "tpnb.ingest": ("tpnb.warehouse", "tpnb.analysis", "tpnb.report", "tpnb.cli"),
        "tpnb.contracts": (
            "tpnb.ingest",
            "tpnb.warehouse",
            "tpnb.analysis",
            "tpnb.report",
            "tpnb.cli",
        ),
    }
    for name, imported in _graph().items():
        for layer, banned in below.items():
            if name.startswith(layer):
                up = sorted(m for m in imported if m.startswith(banned))
                assert not up, f"{name} reaches up to {up}"


def _notebook_code(path: Path) -> str:
    return "\n".join("".join(c["source"]) for c in json.loads(path.read_text())["cells"] if c["cell_type"] == "code")


def test_no_language_branch_outside_the_i18n_module():
    sources = {p: p.read_text(encoding="utf-8") for p in PACKAGE.rglob("*.py") if p.name != "i18n.py"}
    sources.update({p: _notebook_code(p) for p in (REPO / "notebooks").rglob("*.ipynb")})
    hits = [
        f"{p.relative_to(REPO)}: {m.group(0)}" for p, text in sources.items() for m in LANGUAGE_BRANCH.finditer(text)
    ]
    assert not hits, hits
    assert LANGUAGE_BRANCH.search('x = "a" if language == "de" else "b"')  # the pattern finds one


def test_modules_stay_small():
    long = {
        str(p.relative_to(REPO)): n
        for p in PACKAGE.rglob("*.py")
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > 400
    }
    assert not long, long


def test_both_languages_have_the_same_words():
    from tpnb.report.i18n import LABELS, LANGUAGES, TEXTS

    for catalogue in (LABELS, TEXTS):
        for key, entry in catalogue.items():
            assert set(entry) == set(LANGUAGES), key
            assert all(entry[lang].strip() for lang in LANGUAGES), key
    for key, entry in TEXTS.items():
        fields = [set(re.findall(r"{(\w+)}", entry[lang])) for lang in LANGUAGES]
        assert fields[0] == fields[1], f"{key}: placeholders differ between languages"


def test_every_text_key_the_package_asks_for_exists():
    from tpnb.report.i18n import TEXTS

    asked = set()
    for path in PACKAGE.rglob("*.py"):
        asked |= set(
            re.findall(
                r"""\.text\(\s*["']([a-z_]+\.[a-z_0-9]+|yes|no)["']""",
                path.read_text(encoding="utf-8"),
            )
        )
    assert len(asked) > 60
    assert asked <= set(TEXTS), sorted(asked - set(TEXTS))


def test_report_notebooks_hold_only_parameters_a_setup_call_and_sections():
    for path in sorted((REPO / "notebooks").glob("0*.ipynb")):
        cells = [c for c in json.loads(path.read_text())["cells"] if c["cell_type"] == "code"]
        assert "parameters" in cells[0]["metadata"].get("tags", []), path.name
        assert "tpnb.report.setup(" in "".join(cells[1]["source"]), path.name
        for cell in cells[2:]:
            source = "".join(cell["source"]).strip()
            assert re.fullmatch(r"sections(\.service|\.observations)?\.[a-z_]+\(ctx(, \"[a-z_]+\")?\)", source), (
                f"{path.name}: {source}"
            )
            assert not cell.get("outputs"), f"{path.name}: committed with outputs"


def test_readme_and_docs_link_only_inside_the_repository():
    for doc in [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]:
        text = doc.read_text(encoding="utf-8")
        assert "../shared" not in text, doc.name
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text):
            if re.match(r"[a-z]+:", target):
                continue
            assert (doc.parent / target).exists(), f"{doc.name}: broken link {target}"


def test_docs_contract_is_generated_from_the_declarations():
    from tpnb.contracts.docs import contract_markdown
    from tpnb.contracts.marts import MARTS
    from tpnb.contracts.sources import KINDS

    committed = (REPO / "docs" / "contract.md").read_text(encoding="utf-8")
    assert committed == contract_markdown(), (
        "docs/contract.md is stale: run `tpnb contract --markdown > docs/contract.md`"
    )
    for name in [*KINDS, *(m.name for m in MARTS)]:
        assert f"### {name}\n" in committed


def test_code_is_ruff_clean_and_formatted():
    import shutil
    import subprocess
    import sys

    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    if ruff is None:
        pytest.skip("ruff is not installed (pip install -e '.[test]')")
    paths = [str(REPO / d) for d in ("src", "tests", "bench", "examples", "docs")]
    lint = subprocess.run([ruff, "check", *paths], capture_output=True, text=True)
    assert lint.returncode == 0, lint.stdout[-2000:]
    fmt = subprocess.run([ruff, "format", "--check", *paths], capture_output=True, text=True)
    assert fmt.returncode == 0, fmt.stdout[-2000:]


def test_readme_make_help_and_tpnb_help_agree():
    from tpnb.cli import app

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    targets = set(re.findall(r"^([a-z][a-z0-9-]*):.*## ", makefile, re.M))
    assert {"demo", "test", "test-fast", "help"} <= targets
    for named in set(re.findall(r"`make ([a-z][a-z0-9-]*)", readme)) | set(
        re.findall(r"^make ([a-z-]+)", readme, re.M)
    ):
        assert named in targets, f"README names `make {named}`, which the Makefile lacks"
    commands = {c.name or c.callback.__name__ for c in app.registered_commands}
    block = readme.split("## Commands", 1)[1].split("```", 2)[1]
    documented = set(re.findall(r"^tpnb ([a-z]+)", block, re.M))
    assert documented == commands, f"README lists {sorted(documented)}, tpnb has {sorted(commands)}"

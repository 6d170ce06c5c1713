"""The import contracts of pyproject.toml catch an upward import or a cycle when one comes back.

Each case copies the package, adds one offending import to the copy, and runs import-linter
(what `scripts/check` runs) over the copy with the project's own configuration.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint(src: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(src)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(ROOT / "pyproject.toml"), "--no-cache"],
        cwd=src,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture
def package_copy(tmp_path: Path) -> Path:
    src = tmp_path / "src"
    shutil.copytree(
        ROOT / "src" / "plaudit",
        src / "plaudit",
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
    )
    return src


def _add_import(src: Path, module: str, line: str) -> None:
    path = src / Path(*module.split(".")).with_suffix(".py")
    path.write_text(path.read_text() + f"\n{line}  # noqa\n")


def test_the_tree_as_it_is_keeps_every_contract(package_copy: Path) -> None:
    result = _lint(package_copy)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_the_engine_importing_a_domain_service_breaks_the_layers(package_copy: Path) -> None:
    _add_import(package_copy, "plaudit.engine.gate", "import plaudit.award.service")
    result = _lint(package_copy)
    assert result.returncode != 0
    assert "Layers run one way" in result.stdout
    assert "plaudit.engine.gate -> plaudit.award.service" in result.stdout


def test_the_database_layer_importing_models_breaks_the_layers(package_copy: Path) -> None:
    _add_import(package_copy, "plaudit.db.session", "import plaudit.models")
    result = _lint(package_copy)
    assert result.returncode != 0
    assert "plaudit.db.session -> plaudit.models" in result.stdout


def test_a_cycle_between_two_domain_packages_is_refused(package_copy: Path) -> None:
    # record already imports notification; the way back closes a cycle within one layer.
    _add_import(package_copy, "plaudit.notification.firing", "import plaudit.record.service")
    result = _lint(package_copy)
    assert result.returncode != 0
    assert "No import cycles between sibling packages" in result.stdout

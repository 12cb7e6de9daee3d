"""``fairmark model-card RUN_ID`` mounted on a local app."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import typer
import yaml
from typer.testing import CliRunner, Result

from fairmark.cli.model_card import model_card_command
from fairmark.explain import build_model_card
from fairmark.store import record_run

SAMPLE = Path(__file__).resolve().parents[1] / "report" / "fixtures" / "sample_report.json"


def _app() -> typer.Typer:
    app = typer.Typer()
    app.command("model-card")(model_card_command)

    @app.command("noop")
    def _noop() -> None:
        """Nothing."""

    return app


def run(*args: Any) -> Result:
    return CliRunner().invoke(_app(), ["model-card", *[str(a) for a in args]])


@pytest.fixture
def recorded(cli_env: Path) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(SAMPLE.read_text("utf-8"))
    record_run(doc)  # into FAIRMARK_DB_URL of cli_env
    return doc


def test_writes_the_three_formats(recorded: dict[str, Any], cli_env: Path) -> None:
    details = cli_env / "details.yaml"
    details.write_text("name: spring-propensity\nlicense: apache-2.0\ndate: 2026-11-30\n", "utf-8")
    result = run(recorded["run_id"][:8], "--out", "card", "--details", details)
    assert result.exit_code == 0, result.output
    folder = cli_env / "card"
    assert sorted(p.name for p in folder.iterdir()) == [
        "model_card.html",
        "model_card.json",
        "model_card.md",
    ]
    want = build_model_card(recorded, model_details=details).to_dict()
    assert json.loads((folder / "model_card.json").read_text("utf-8")) == want
    md = (folder / "model_card.md").read_text("utf-8")
    meta = yaml.safe_load(md.split("---\n")[1])
    assert meta["license"] == "apache-2.0" and meta["model-index"][0]["name"] == "spring-propensity"
    assert want["sections"][0]["facts"][4] == {"label": "Date", "value": "2026-11-30"}
    assert (folder / "model_card.html").read_text("utf-8").startswith("<!DOCTYPE html>")


def test_one_format(recorded: dict[str, Any], cli_env: Path) -> None:
    result = run(recorded["run_id"], "--out", "only", "--format", "md")
    assert result.exit_code == 0, result.output
    assert [p.name for p in (cli_env / "only").iterdir()] == ["model_card.md"]


@pytest.mark.parametrize(
    ("args", "expect"),
    [
        (["ffffffff"], "no run 'ffffffff'"),
        (["not-a-run!"], "is not a run id"),
        (["3f0c2a9e", "--format", "pdf"], "--format"),
        (["3f0c2a9e", "--details", "missing.yaml"], "not found"),
        (["3f0c2a9e", "--details", "bad.yaml"], "colour"),
    ],
)
def test_bad_inputs(
    recorded: dict[str, Any],
    cli_env: Path,
    error_line: Callable[[Result], str],
    args: list[str],
    expect: str,
) -> None:
    (cli_env / "bad.yaml").write_text("colour: red\n", "utf-8")
    line = error_line(run(*args, "--out", "card"))
    assert expect in line, line
    assert not (cli_env / "card").exists()

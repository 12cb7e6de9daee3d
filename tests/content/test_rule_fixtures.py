"""Every rule of every shipped pack has a positive and a negative fixture that behave."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from fairmark.content import scan
from fairmark.content.rules import SHIPPED_PACKS, shipped_pack

FIXTURES = Path(__file__).parent / "fixtures"


def _cases() -> list[tuple[str, str, dict[str, Any]]]:
    out = []
    for name in SHIPPED_PACKS:
        path = FIXTURES / f"{name}.yaml"
        data = yaml.safe_load(path.read_text()) if path.exists() else {}
        for rule in shipped_pack(name).rules:
            out.append((name, rule.id, (data or {}).get(rule.id) or {}))
    return out


CASES = _cases()


def _scan(item: Any) -> list[str]:
    if isinstance(item, str):
        return [f.rule_id for f in scan(item)]
    kw = {k: v for k, v in item.items() if k != "text"}
    return [f.rule_id for f in scan(item["text"], **kw)]


@pytest.mark.parametrize(("pack", "rule_id", "fx"), CASES, ids=[c[1] for c in CASES])
def test_rule_has_fixtures_and_they_hold(pack: str, rule_id: str, fx: dict[str, Any]) -> None:
    assert fx.get("positive"), f"{rule_id} has no positive fixture in fixtures/{pack}.yaml"
    assert fx.get("negative"), f"{rule_id} has no negative fixture in fixtures/{pack}.yaml"
    for item in fx["positive"]:
        assert rule_id in _scan(item), f"{rule_id} missed {item!r}"
    for item in fx["negative"]:
        assert rule_id not in _scan(item), f"{rule_id} fired on {item!r}"


def test_no_fixture_for_unknown_rule() -> None:
    known = {c[1] for c in CASES}
    for path in (FIXTURES / f"{n}.yaml" for n in SHIPPED_PACKS):
        for rid in yaml.safe_load(path.read_text()) or {}:
            assert rid in known, f"{path.name}: fixture for unknown rule {rid}"

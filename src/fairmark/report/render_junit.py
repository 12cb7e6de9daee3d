"""Render the policy rules of a fairmark document as JUnit XML for CI systems.

Every kind of document (audit, delivery, representation, proxies) carries ``rules[]`` and
``findings[]``, so every kind renders the same way. One ``<testsuite name="fairmark">``
holds one ``<testcase>`` per entry of ``rules[]``:

* ``fail`` → ``<failure type="fail">`` whose text lists the rule's failing findings;
* ``insufficient_evidence`` → ``<failure type="insufficient_evidence">`` (an unknown
  is never a pass);
* ``warn`` → passes, with the warnings in ``<system-out>``;
* ``pass`` → a plain passing test case.

The format follows the de-facto JUnit XML schema read by Jenkins, GitLab and GitHub
Actions reporters (Apache Ant ``junitreport`` / Maven Surefire report format).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from typing import Any

from fairmark.report.disclosure_control import publishable
from fairmark.report.kinds import document_kind
from fairmark.report.validate import validate_report

__all__ = ["render_junit"]

# XML 1.0 forbids most control characters even when escaped; they are replaced.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _clean(text: object) -> str:
    return _XML_INVALID.sub("\ufffd", str(text))


def _finding_line(finding: Mapping[str, Any]) -> str:
    return f"[{finding['verdict']}] {_clean(finding['message'])}"


def _lines(findings: Sequence[Mapping[str, Any]], verdicts: set[str]) -> str:
    return "\n".join(_finding_line(f) for f in findings if f["verdict"] in verdicts)


def render_junit(doc: Mapping[str, Any]) -> str:
    """Render one JUnit test case per policy rule.

    Parameters
    ----------
    doc : Mapping
        An audit's ``report.json`` (schema 1.x, ``docs/report-schema.md``), or the
        document of a delivery, representation or proxies run.

    Returns
    -------
    str
        An XML document (UTF-8 declaration included) with root
        ``<testsuite name="fairmark" tests= failures= errors="0" skipped="0">``; each
        ``<testcase classname="<policy id>" name="<rule_id> (<check>)">``. Without a
        policy the class name is ``fairmark``. The suite's properties name the verdict,
        run id, tool version, policy, system and document kind.

    Raises
    ------
    UsageError
        If ``doc`` is not a valid report document (:func:`fairmark.report.validate_report`).
    """
    validate_report(doc)
    doc = publishable(doc)  # small-cell suppression, unless the document has it
    kind = document_kind(doc)
    policy = doc["policy"]
    classname = _clean(policy["id"]) if policy is not None else "fairmark"
    rules = doc["rules"]
    findings = doc["findings"]
    n_failures = sum(1 for r in rules if r["verdict"] in ("fail", "insufficient_evidence"))

    suite = ET.Element(
        "testsuite",
        {
            "name": "fairmark",
            "tests": str(len(rules)),
            "failures": str(n_failures),
            "errors": "0",
            "skipped": "0",
            "time": "0",
            "timestamp": _clean(doc["created_at"]),
        },
    )
    properties = ET.SubElement(suite, "properties")
    props = {
        "verdict": doc["verdict"],
        "run_id": doc["run_id"],
        "tool_version": doc["tool_version"],
        "policy_id": policy["id"] if policy else "",
        "policy_version": policy["version"] if policy else "",
        "system_name": doc.get("system_name") or "",
        "kind": kind,
    }
    for name, value in props.items():
        ET.SubElement(properties, "property", {"name": name, "value": _clean(value)})

    for rule in rules:
        mine = [f for f in findings if f["rule_id"] == rule["rule_id"]]
        case = ET.SubElement(
            suite,
            "testcase",
            {
                "classname": classname,
                "name": _clean(f"{rule['rule_id']} ({rule['check']})"),
                "time": "0",
            },
        )
        verdict = rule["verdict"]
        if verdict == "fail":
            failing = [f for f in mine if f["verdict"] == "fail"]
            failure = ET.SubElement(
                case,
                "failure",
                {
                    "type": "fail",
                    "message": _clean(
                        f"{len(failing)} of {len(mine)} findings failed rule {rule['rule_id']}"
                        + (f": {failing[0]['message']}" if failing else "")
                    ),
                },
            )
            failure.text = _lines(mine, {"fail", "insufficient_evidence"})
        elif verdict == "insufficient_evidence":
            unknown = [f for f in mine if f["verdict"] == "insufficient_evidence"]
            failure = ET.SubElement(
                case,
                "failure",
                {
                    "type": "insufficient_evidence",
                    "message": _clean(
                        f"{len(unknown)} of {len(mine)} findings of rule {rule['rule_id']} "
                        "could not be judged (insufficient evidence)"
                    ),
                },
            )
            failure.text = _lines(mine, {"insufficient_evidence"})
        elif verdict == "warn":
            out = ET.SubElement(case, "system-out")
            out.text = "WARNING\n" + _lines(mine, {"warn"})
    ET.indent(suite)
    body = ET.tostring(suite, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"

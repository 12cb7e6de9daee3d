"""A published figure of skewed ad delivery, reproduced through ``delivery_skew``.

Ali, Sapiezynski, Bogen, Korolova, Mislove & Rieke (2019), *Discrimination through
optimization: how Facebook's ad delivery can lead to skewed outcomes*, Proc. ACM on
Human-Computer Interaction 3 (CSCW), article 199, report that job ads run with an
**identical targeted audience** reached very different audiences: the ad for jobs in the
lumber industry reached an audience that was **90% men**, the ad for supermarket cashier
positions one that was **85% women**.

What this test takes from the paper: the two delivered compositions and that the targeting
was the same for both ads (a paired design). What it adds, and says so: the paper's
sentence does not state the eligible audience's gender split, so the eligible-vs-delivered
half uses a **balanced eligible audience (50% men) as an assumption**, and absolute counts
(1,000 people reached per ad, 10,000 eligible per gender) chosen to give those percentages.
The quantities are then checked by hand:

* lumber, reach view: delivered share of men 0.90 against 0.50 eligible: difference +0.40,
  ratio 1.8; women 0.10 / 0.50 = 0.2; TVD = ½(|0.9 − 0.5| + |0.1 − 0.5|) = 0.40;
* cashier: men 0.15, women 0.85: TVD = 0.35, women's ratio 0.85 / 0.5 = 1.7;
* the pair (same targeting): women's delivered share 0.10 against 0.85, a difference of
  −0.75; the TVD between the two delivered audiences 0.75; between the two eligible
  audiences 0 (identical targeting).

(The figures were taken from the paper as published; they could only be cross-checked
against secondary sources quoting it in this environment.)
"""

from __future__ import annotations

import pandas as pd
import pytest
from statsmodels.stats.proportion import proportions_ztest

from fairmark.fairness.delivery import delivery_skew

ELIGIBLE_PER_GENDER = 10_000  # assumption: a balanced eligible audience
REACHED = {"lumber": {"men": 900, "women": 100}, "cashier": {"men": 150, "women": 850}}


@pytest.fixture(scope="module")
def result():
    eligible = pd.DataFrame(
        [
            {"ad": ad, "gender": g, "people": ELIGIBLE_PER_GENDER}
            for ad in REACHED
            for g in ("men", "women")
        ]
    )
    delivered = pd.DataFrame(
        [{"ad": ad, "gender": g, "reached": n} for ad, by in REACHED.items() for g, n in by.items()]
    )
    return delivery_skew(
        eligible,
        group="gender",
        eligible="people",
        delivered="reached",
        ad="ad",
        delivered_data=delivered,
        delivered_kind="reach",
        pairs=[("lumber", "cashier")],
    )


def shares(result, ad):
    return {g.group: g for g in result.groups if g.ad == ad}


def test_lumber_ad_90_percent_men(result):
    g = shares(result, "lumber")
    assert g["men"].delivered_share.value == pytest.approx(0.90, abs=1e-12)
    assert g["men"].eligible_share == pytest.approx(0.50, abs=1e-12)
    assert g["men"].share_difference.value == pytest.approx(0.40, abs=1e-12)
    assert g["men"].share_ratio.value == pytest.approx(1.8, abs=1e-12)
    assert g["women"].share_ratio.value == pytest.approx(0.2, abs=1e-12)
    assert result.ad("lumber", "reach").tvd.value == pytest.approx(0.40, abs=1e-12)


def test_cashier_ad_85_percent_women(result):
    g = shares(result, "cashier")
    assert g["women"].delivered_share.value == pytest.approx(0.85, abs=1e-12)
    assert g["women"].share_ratio.value == pytest.approx(1.7, abs=1e-12)
    assert result.ad("cashier", "reach").tvd.value == pytest.approx(0.35, abs=1e-12)


def test_the_paired_ads_differ_by_75_points_of_women(result):
    (pair,) = result.pairs
    assert (pair.ad_a, pair.ad_b, pair.view) == ("lumber", "cashier", "reach")
    assert pair.eligible_tvd == 0.0  # identical targeting
    assert pair.delivered_tvd == pytest.approx(0.75, abs=1e-12)
    women = next(g for g in pair.groups if g.group == "women")
    assert women.difference.value == pytest.approx(0.10 - 0.85, abs=1e-12)
    _, p = proportions_ztest([100, 850], [1000, 1000])
    assert women.p_value == pytest.approx(p, rel=1e-9, abs=1e-300) and women.p_value < 1e-100


def test_a_policy_capping_the_skew_fails_both_ads(result, tmp_path):
    policy = tmp_path / "p.yaml"
    policy.write_text(
        "id: ads\nversion: '1'\nowner: tests\nreview_by: 2099-01-01\nrules:\n"
        "  - id: vrs-like\n    check: fairness.delivery_skew\n    max: 0.1\n"
        "    severity: block\n    principle: fairness\n    rationale: housing ads\n"
    )
    eligible = pd.DataFrame(
        [{"ad": "lumber", "gender": g, "people": 10_000} for g in ("men", "women")]
    )
    delivered = pd.DataFrame(
        [
            {"ad": "lumber", "gender": "men", "reached": 900},
            {"ad": "lumber", "gender": "women", "reached": 100},
        ]
    )
    r = delivery_skew(
        eligible,
        group="gender",
        eligible="people",
        delivered="reached",
        ad="ad",
        delivered_data=delivered,
        delivered_kind="reach",
        policy=policy,
    )
    assert r.verdict == "fail" and r.exit_code == 1
    (finding,) = r.outcome.findings
    assert "0.40" in finding.message and "ad 'lumber'" in finding.message

"""explain_decision on small synthetic models: direction, sensitive wording, inputs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from sklearn.svm import SVC

from fairmark.errors import DataError, UsageError
from fairmark.explain import explain_decision

LABELS = {
    "features": {
        "age": {
            "name": "your age",
            "sensitive": True,
            "low": "your age: younger than the average customer",
            "high": "your age: older than the average customer",
        },
        "member": {
            "name": "your membership",
            "values": {"yes": "you are a member", "no": "you are not a member"},
        },
    }
}


def _data(n: int = 600, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "age": rng.integers(18, 90, size=n).astype(float),
            "member": rng.choice(["yes", "no"], size=n),
            "cust_seg_code": rng.choice(["gold_tier", "basic_tier"], size=n),
            "noise": rng.normal(size=n),
        }
    )
    logit = 0.08 * (frame["age"] - 50) + 1.0 * (frame["member"] == "yes")
    return frame, (rng.random(n) < 1 / (1 + np.exp(-logit))).to_numpy()


def _model(estimator: object, frame: pd.DataFrame, y: np.ndarray) -> Pipeline:
    pre = ColumnTransformer(
        [
            ("cat", OneHotEncoder(handle_unknown="ignore"), ["member", "cust_seg_code"]),
            ("num", StandardScaler(), ["age", "noise"]),
        ]
    )
    return Pipeline([("pre", pre), ("clf", estimator)]).fit(frame, y)


def test_sensitive_driver_named_honestly_and_neutrally() -> None:
    frame, y = _data()
    model = _model(LogisticRegression(), frame, y)
    old = {"age": 88.0, "member": "yes", "cust_seg_code": "gold_tier", "noise": 0.0}
    exp = explain_decision(model, old, background=frame, feature_labels=LABELS)
    assert exp.drivers[0].feature == "age" and exp.drivers[0].direction == "raised"
    assert exp.drivers[0].sensitive and exp.drivers[0].level == "high"
    assert exp.text.startswith(
        "You were offered this mainly because your age: older than the average customer"
    )
    assert "Among these reasons is your age; we tell you because it made a difference" in exp.text
    assert "compare you with a typical customer in our data" in exp.text
    young = dict(old, age=19.0, member="no")
    why_not = explain_decision(model, young, background=frame, feature_labels=LABELS, offered=False)
    assert why_not.text.startswith("You were not offered this mainly because your age: younger")
    assert "you are not a member" in why_not.text
    assert all(d.direction == "lowered" for d in why_not.drivers[:2])


def test_unlabelled_features_get_plain_words() -> None:
    frame, y = _data()
    frame["cust_seg_code"] = np.where(y, "gold_tier", "basic_tier")  # make it matter
    model = _model(LogisticRegression(), frame, y)
    exp = explain_decision(model, frame.iloc[[0]], background=frame, top=4)
    assert "cust seg code: gold tier" in exp.text or "cust seg code: basic tier" in exp.text
    assert "cust_seg_code" not in exp.text and "_tier" not in exp.text
    assert "member: yes" in exp.text or "member: no" in exp.text


def test_tree_model_and_document() -> None:
    frame, y = _data()
    model = _model(GradientBoostingClassifier(n_estimators=40, random_state=0), frame, y)
    exp = explain_decision(model, frame.iloc[3], background=frame, feature_labels=LABELS)
    assert exp.output == "log_odds" and "tree_path_dependent" in exp.method
    assert "the customers our model learned from" in exp.text
    doc = exp.to_dict()
    assert doc["text"] == exp.text and len(doc["contributions"]) == 4
    assert doc["probability"] == pytest.approx(model.predict_proba(frame.iloc[[3]])[0, 1])
    assert sum(d["contribution"] for d in doc["contributions"]) + doc[
        "base_value"
    ] == pytest.approx(doc["prediction"], abs=1e-6)


def test_bad_inputs() -> None:
    frame, y = _data()
    model = _model(LogisticRegression(), frame, y)
    with pytest.raises(DataError, match="lacks 1 column"):
        explain_decision(model, frame.drop(columns=["noise"]).iloc[[0]], background=frame)
    with pytest.raises(DataError, match="does not accept the row"):
        explain_decision(model, frame.iloc[[0]].assign(age="old"), background=frame)
    with pytest.raises(UsageError, match="exactly one"):
        explain_decision(model, frame.iloc[:2], background=frame)
    with pytest.raises(UsageError, match="top"):
        explain_decision(model, frame.iloc[[0]], background=frame, top=0)
    with pytest.raises(UsageError, match="background"):
        explain_decision(model, frame.iloc[[0]])
    svc = _model(SVC(), frame, y)
    with pytest.raises(UsageError, match="SHAP explains tree and linear models, not SVC"):
        explain_decision(svc, frame.iloc[[0]], background=frame)
    with pytest.raises(UsageError, match="binary"):
        explain_decision(
            _model(LogisticRegression(), frame, np.arange(len(frame)) % 3),
            frame.iloc[[0]],
            background=frame,
        )


def test_joint_feature_is_named_as_a_combination() -> None:
    from sklearn.decomposition import PCA

    frame, y = _data()
    pre = ColumnTransformer(
        [
            ("cat", OneHotEncoder(handle_unknown="ignore"), ["member"]),
            (
                "mix",
                Pipeline([("s", StandardScaler()), ("p", PCA(n_components=2))]),
                ["age", "noise"],
            ),
        ]
    )
    model = Pipeline([("pre", pre), ("clf", LogisticRegression())]).fit(frame, y)
    exp = explain_decision(model, frame.iloc[[0]], background=frame, feature_labels=LABELS, top=2)
    joint = next(d for d in exp.contributions if d.feature == "age + noise")
    assert joint.label == "the combination of your age and noise" and joint.sensitive
    assert joint.value == {"age": float(frame["age"].iloc[0]), "noise": frame["noise"].iloc[0]}
    assert "age + noise" not in exp.text

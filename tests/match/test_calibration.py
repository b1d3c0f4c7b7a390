"""Calibrated confidence: reliability/ECE arithmetic, the fit, and the table applied by review()."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from policy_review import calibration
from policy_review.calibration import (
    CalibrationTable,
    ConfidenceFeatures,
    Sample,
    confidence_features,
    cross_fit,
    fit_table,
    load_table,
    reliability,
)
from policy_review.checklist import load_checklist
from policy_review.cli import main
from policy_review.model import Modality, PassageKind, Status, build_document
from policy_review.review import review

TEXT = (
    "Missing Children Policy\n\n"
    "Every report of a missing child will be investigated promptly and thoroughly.\n\n"
    "Officers shall enter the missing child into NCIC within two hours of the report.\n"
)


def test_reliability_table_and_ece_on_a_hand_made_case() -> None:
    """Bucket 0.9-1.0: confidences 0.9, 1.0 (mean 0.95), 1 of 2 right -> gap 0.45.
    Bucket 0.6-0.7: 0.6, 0.6, 0.6 (mean 0.6), 3 of 3 right -> gap 0.4.
    Bucket 0.2-0.3: 0.25 once, wrong -> gap 0.25.  ECE = (2*0.45 + 3*0.4 + 1*0.25) / 6."""
    scored = [(0.9, True), (1.0, False), (0.6, True), (0.6, True), (0.6, True), (0.25, False)]
    table = reliability(scored)
    assert [(b.low, b.count) for b in table.buckets] == [(0.2, 1), (0.6, 3), (0.9, 2)]
    assert [round(b.agreement, 3) for b in table.buckets] == [0.0, 1.0, 0.5]
    assert [round(b.mean_confidence, 3) for b in table.buckets] == [0.25, 0.6, 0.95]
    assert table.ece == pytest.approx((2 * 0.45 + 3 * 0.4 + 0.25) / 6)
    assert (table.confident_count, table.confident_agreement) == (2, 0.5)
    assert table.count == 6


def test_a_perfectly_calibrated_set_has_no_error() -> None:
    scored = [(0.75, True)] * 3 + [(0.75, False)]
    assert reliability(scored).ece == pytest.approx(0.0)
    assert reliability([]).confident_agreement is None


def _features(
    status: Status, margin: float = 0.0, element: str = "E", **more
) -> ConfidenceFeatures:
    return ConfidenceFeatures(element, status, margin, **more)


def test_a_near_miss_close_to_the_bar_lowers_the_fitted_missing() -> None:
    """'missing' whose nearest miss met most of its cue (margin -0.1) is right half the time,
    'missing' with no near miss at all 9 times in 10: the fit says so, whatever the element."""
    samples = [
        Sample(_features(Status.MISSING, -0.1), correct=i % 2 == 0, group=f"d{i % 4}")
        for i in range(60)
    ] + [
        Sample(_features(Status.MISSING, -1.0), correct=i % 10 != 0, group=f"d{i % 4}")
        for i in range(60)
    ]
    table = fit_table(samples)
    close = table.probability(_features(Status.MISSING, -0.1, element="other"))
    clear = table.probability(_features(Status.MISSING, -1.0, element="other"))
    assert close < clear
    assert abs(close - 0.5) < 0.1 and abs(clear - 0.9) < 0.1  # ridge: a little shrunk
    assert close == table.probability(_features(Status.MISSING, -0.1, element="E"))


def test_a_gap_in_a_directive_meeting_most_of_its_checklist_is_less_sure() -> None:
    rich = [
        Sample(_features(Status.MISSING, -1.0, coverage=0.9), i % 3 != 0, f"r{i % 4}")
        for i in range(60)
    ]
    thin = [
        Sample(_features(Status.MISSING, -1.0, coverage=0.1), i % 20 != 0, f"t{i % 4}")
        for i in range(60)
    ]
    table = fit_table(rich + thin)
    assert table.probability(_features(Status.MISSING, -1.0, coverage=0.9)) < (
        table.probability(_features(Status.MISSING, -1.0, coverage=0.1))
    )


def test_a_weight_against_its_features_meaning_is_held_at_zero() -> None:
    """Permissive wording never makes 'found' surer, even when the data happen to say so."""
    samples = [Sample(_features(Status.FOUND, quotes=1), i % 4 != 0, "a") for i in range(40)] + [
        Sample(_features(Status.FOUND, quotes=1, modality=Modality.PERMISSIVE), True, "b")
        for _ in range(40)
    ]
    table = fit_table(samples)
    assert "hedged" not in table.models[Status.FOUND].weights
    plain = table.probability(_features(Status.FOUND, quotes=1))
    assert table.probability(_features(Status.FOUND, quotes=1, modality=Modality.PERMISSIVE)) == (
        plain
    )


def test_each_labelled_document_weighs_the_same_in_the_fit() -> None:
    """Four documents always right and four always wrong give even odds, however many findings
    each document has: a long familiar directive does not outvote a short unfamiliar one."""
    long = [Sample(_features(Status.FOUND, quotes=1), True, f"l{i % 4}") for i in range(160)]
    short = [Sample(_features(Status.FOUND, quotes=1), False, f"s{i % 4}") for i in range(20)]
    assert table_rate(fit_table(long + short)) == pytest.approx(0.5, abs=0.02)


def table_rate(table: CalibrationTable) -> float:
    return table.probability(_features(Status.FOUND, quotes=1))


def test_cross_fit_never_scores_a_document_with_its_own_labels() -> None:
    """Two documents with identical features, one always right, one always wrong: held out,
    each is scored by the other's record, so the cross-fit error is large."""
    right = [Sample(_features(Status.FOUND), True, "right") for _ in range(20)]
    wrong = [Sample(_features(Status.FOUND), False, "wrong") for _ in range(20)]
    scored = cross_fit(right + wrong)
    assert all(p < 0.3 for p, correct in scored if correct)
    assert all(p > 0.7 for p, correct in scored if not correct)
    in_sample = fit_table(right + wrong)
    assert (
        reliability(cross_fit(right + wrong)).ece
        > reliability((in_sample.probability(s.features), s.correct) for s in right + wrong).ece
    )


def test_table_round_trips_through_json() -> None:
    samples = [
        Sample(_features(s, -0.5 * (i % 2), quotes=i % 3), i % 3 != 0, "d")
        for s in Status
        for i in range(30)
    ]
    table = fit_table(samples, fitted_on=("set",))
    again = CalibrationTable.from_dict(json.loads(json.dumps(table.to_dict())), "test")
    assert again == table


def test_review_shows_the_shipped_tables_probability() -> None:
    report = _review(TEXT)
    table = load_table()
    assert {f.status for f in report.findings} >= {Status.FOUND, Status.MISSING}
    features = confidence_features(report.findings)
    for finding, read in zip(report.findings, features, strict=True):
        assert finding.confidence == table.probability(read)


def _review(text: str):
    document = build_document(
        source="pd.txt",
        sha256="0" * 64,
        format="txt",
        page_count=None,
        blocks=[(line, None, (), PassageKind.PARAGRAPH) for line in text.split("\n\n")],
    )
    return review(document, (load_checklist("le-model-policy"),))


def _ncic(text: str):
    return next(f for f in _review(text).findings if f.element == "LE-NCIC-2HR")


def test_permissive_wording_is_shown_less_sure_than_the_mandatory_duty() -> None:
    """The same sentence with 'may' for 'shall': partial (optional wording of a duty), and the
    shipped model is less sure of it than of the mandatory version's found."""
    mandatory = _ncic(TEXT)
    permissive = _ncic(TEXT.replace("Officers shall enter", "Officers may enter"))
    assert (mandatory.status, permissive.status) == (Status.FOUND, Status.PARTIAL)
    assert permissive.confidence < mandatory.confidence


def test_a_near_miss_lowers_the_shown_confidence_in_missing() -> None:
    """Among the gaps of one document (none under a heading naming its topic), the one whose
    nearest text came closest to a hit is shown less sure than one with no near text at all."""
    gaps = [f for f in _review(TEXT).findings if f.status is Status.MISSING and not f.add_to]
    closest = max((f for f in gaps if f.near_miss is not None), key=lambda f: f.near_miss.score)
    nothing = next(f for f in gaps if f.near_miss is None)
    assert closest.confidence < nothing.confidence


DUTIES = (
    "Officers shall obtain a recent photograph of the missing child from the parents.",
    "Officers shall search the home and the surrounding area of the missing child.",
    "Officers shall notify a supervisor of every missing child report.",
    "The investigator shall contact the National Center for Missing and Exploited Children.",
)


def test_a_directive_in_unfamiliar_wording_is_shown_less_sure_with_the_same_statuses() -> None:
    """The same duties written as bare imperatives ('Search the home ...'), which the cues read
    with no mandatory wording: the same statuses, but the document as a whole reads as wording
    the cues know less well, so a finding whose evidence is identical (the NCIC sentence; a gap
    quoting nothing in either) is never surer, and less sure where its status's model reads the
    document's wording (a fit may leave one status, such as found, without those features), and
    so is the document on average. Findings whose own quote changed wording are the fitted
    model's call per finding (its `mandatory` weight may take either sign)."""
    familiar = _review(TEXT + "\n\n" + "\n\n".join(DUTIES))
    imperative = [duty.split(" shall ", 1)[1].capitalize() for duty in DUTIES]
    unfamiliar = _review(TEXT + "\n\n" + "\n\n".join(imperative))
    assert [f.status for f in unfamiliar.findings] == [f.status for f in familiar.findings]
    pairs = list(zip(familiar.findings, unfamiliar.findings, strict=True))
    same_evidence = [(f, u) for f, u in pairs if f.evidence == u.evidence]
    assert any(f.evidence for f, _ in same_evidence)
    assert all(u.confidence <= f.confidence for f, u in same_evidence)
    assert any(u.confidence < f.confidence for f, u in same_evidence)
    ncic = next((f, u) for f, u in pairs if f.element == "LE-NCIC-2HR")
    assert ncic in same_evidence
    assert sum(u.confidence for _, u in pairs) < sum(f.confidence for f, _ in pairs)


def test_excluded_documents_are_neither_measured_nor_fitted(tmp_path: Path, capsys) -> None:
    """`make calibrate` keeps the held-out samples out of the fit with --exclude."""
    folder = tmp_path / "set"
    folder.mkdir()
    elements = {e.id: "missing" for e in load_checklist("le-model-policy").elements}
    labels = json.dumps({"checklists": ["le-model-policy"], "elements": elements})
    for name in ("dev", "heldout-a"):
        (folder / f"{name}.txt").write_text(TEXT, encoding="utf-8")
        (folder / f"{name}.labels.yaml").write_text(labels, encoding="utf-8")
    target = tmp_path / "table.json"
    argv = ["evaluate", str(folder), "--no-ocr", "--exclude", "heldout-*"]
    assert main([*argv, "--fit-confidence", str(target)]) == 0
    assert capsys.readouterr().out.startswith(f"1 labelled document files, {len(elements)} ")
    fitted = json.loads(target.read_text(encoding="utf-8"))["statuses"]
    assert sum(model["judgements"] for model in fitted.values()) == len(elements)


def test_fit_confidence_writes_the_same_table_every_time(tmp_path: Path, capsys) -> None:
    folder = tmp_path / "set"
    folder.mkdir()
    (folder / "pd.txt").write_text(TEXT, encoding="utf-8")
    elements = {e.id: "missing" for e in load_checklist("le-model-policy").elements}
    elements["LE-NCIC-2HR"] = "found"
    (folder / "pd.labels.yaml").write_text(
        json.dumps({"checklists": ["le-model-policy"], "elements": elements}), encoding="utf-8"
    )
    outputs = []
    for name in ("one.json", "two.json"):
        target = tmp_path / name
        assert main(["evaluate", str(folder), "--no-ocr", "--fit-confidence", str(target)]) == 0
        outputs.append(target.read_bytes())
    assert outputs[0] == outputs[1]
    assert CalibrationTable.from_dict(json.loads(outputs[0]), "fit").fitted_on == (str(folder),)
    assert "ECE" in capsys.readouterr().out


def test_shown_confidence_meets_the_targets_on_the_real_directives(real_corpus: Path) -> None:
    """Issue 11: at confidence >= 0.8 right >= 90% of the time, also held out. The confidence
    shown is fitted for wording the cues were not tuned on, and these directives were tuned on:
    it may err low here (ECE up to 0.1), never high (no bucket shows more than it measures).
    Fails when the matcher changes under the shipped table: re-fit it (README, Accuracy)."""
    from policy_review.evaluate import evaluate_directories

    figures = evaluate_directories([real_corpus], ocr=False).per_set[str(real_corpus)]
    for measured in (figures.shown, figures.cross_fit):
        assert measured.confident_agreement >= 0.9
        assert measured.ece <= 0.1
        assert all(b.mean_confidence <= b.agreement + 0.02 for b in measured.buckets)


HELD_OUT = [
    Path(__file__).parents[2] / "sample_policies" / name for name in ("heldout", "heldout4")
]


@pytest.mark.parametrize("folder", HELD_OUT, ids=[p.name for p in HELD_OUT])
def test_shown_confidence_is_honest_on_samples_never_fitted_on(folder: Path) -> None:
    """Issue 11 on wording never tuned on nor fitted on (12 samples): the confidence shown
    stays within 0.09 of the measured agreement (ECE; 0.076 and 0.076 at this release, 0.12
    when the tuned-on documents set the mix)."""
    from policy_review.evaluate import evaluate_directories

    figures = evaluate_directories([folder], ocr=False).per_set[str(folder)]
    assert figures.shown.ece <= 0.09


def _labelled_folder(tmp_path: Path) -> Path:
    """Two documents labelled as the matcher reads them and two, in the same words, labelled
    the other way round for every element: as if in wording the cues were never tuned on."""
    folder = tmp_path / "set"
    folder.mkdir()
    reported = {f.element: f.status.value for f in _review(TEXT).findings}
    flipped = {e: "missing" if s != "missing" else "found" for e, s in reported.items()}
    for name, elements in (("dev-a", reported), ("dev-b", reported)) + (
        ("new-a", flipped),
        ("new-b", flipped),
    ):
        (folder / f"{name}.txt").write_text(TEXT, encoding="utf-8")
        labels = {"checklists": ["le-model-policy"], "elements": elements}
        (folder / f"{name}.labels.yaml").write_text(json.dumps(labels), encoding="utf-8")
    return folder


def test_unfamiliar_documents_are_fitted_with_a_familiarity_indicator(tmp_path: Path) -> None:
    """`--unfamiliar GLOB` marks documents in wording the cues were not tuned on: the fit gives
    that indicator a weight that lowers confidence, and the table mixes the familiar and the
    unfamiliar answers with the weight best calibrated on the unfamiliar documents (a submission
    is wording the cues were not tuned on). Without it there is nothing to mix."""
    folder = _labelled_folder(tmp_path)
    tables = {}
    for name, extra in (("plain", []), ("marked", ["--unfamiliar", "new-*"])):
        target = tmp_path / f"{name}.json"
        argv = ["evaluate", str(folder), "--no-ocr", *extra, "--fit-confidence", str(target)]
        assert main(argv) == 0
        tables[name] = json.loads(target.read_text(encoding="utf-8"))
    plain, marked = tables["plain"], tables["marked"]
    assert (plain["unfamiliar"], plain["familiar_weight"]) == ([], 1.0)
    assert all("unfamiliar" not in model["weights"] for model in plain["statuses"].values())
    assert marked["unfamiliar"] == ["new-*"]
    # chosen where the wording was new: there, the answer for unfamiliar wording is the right one
    assert marked["familiar_weight"] < 0.5
    assert all(model["weights"]["unfamiliar"] < 0 for model in marked["statuses"].values())


def test_an_old_confidence_table_is_one_clear_error(tmp_path: Path, monkeypatch, capsys) -> None:
    """A table of the format before the familiarity indicator is refused, saying to re-fit."""
    old = tmp_path / "confidence.json"
    data = json.loads(calibration.table_path().read_text(encoding="utf-8"))
    old.write_text(json.dumps({**data, "schema": "policy-review/confidence@2"}), encoding="utf-8")
    source = tmp_path / "pd.txt"
    source.write_text(TEXT, encoding="utf-8")
    monkeypatch.setattr(calibration, "table_path", lambda: old)
    load_table.cache_clear()
    try:
        assert main(["analyze", str(source), "-o", str(tmp_path / "pd.json")]) == 2
    finally:
        load_table.cache_clear()
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "confidence@2, not policy-review/confidence@3: re-fit it (make calibrate)" in err

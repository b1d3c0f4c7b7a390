# Quick start targets (see README). Everything installs into .venv beside this file.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO_SAMPLE := sample_policies/lakeview-pd-missing-children.pdf

.PHONY: demo test lint bench system-deps calibrate

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

# Installs the built package (not editable), so the demo proves the wheel carries its data.
demo: $(BIN)/python
	$(BIN)/python -m pip install -q .
	cd $(VENV) && bin/policy-review analyze ../$(DEMO_SAMPLE) -o ../lakeview-demo.report.html
	@echo "HTML report: $(CURDIR)/lakeview-demo.report.html"

system-deps:
	scripts/install-system-deps

test: $(BIN)/python system-deps
	$(BIN)/python -m pip install -q -e '.[test]'
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest -q

bench: $(BIN)/python
	$(BIN)/python -m pip install -q -e .
	OMP_THREAD_LIMIT=1 $(BIN)/python bench/run.py

# Re-fit the confidence table (see README, Accuracy) on the labelled samples and the real
# directives, each document weighing the same. Documents written in wording the cues had not met
# when they were labelled are marked --unfamiliar: the 7 new-style samples (never tuned on) and the
# own-wording development sets 5 to 20 (labelled and measured blind, then tuned on lightly).
# They show the model how often the matcher errs on wording it has not met; the confidence shown
# mixes the answers for familiar and unfamiliar wording (a submission may be either).
# sample_policies/heldout3/ (held out for two stops, development data since stop 12) is fitted on
# as familiar wording; sample_policies/heldout/ and heldout4/ are never fitted on.
UNFAMILIAR := carrow garrison halvorsen ferris-valley dunmore lindell kestrel-basin \
	kilbride merrow-valley pellston-heights brenner-county wabash-junction \
	granite-hollow tamsin-county penrick-county tansy-creek \
	sutter-bend ostrander-county calder-plains wyeth-county harwick-county \
	bellmont-county pruett-county red-willow-river sackett-mills tamarack-county-ecc \
	ashcombe-tullwater castlemere quillan-county quillhaven sorrel-county \
	santa-dorotea monteluz okanee-county nettleford \
	cinder-mesa oxbury-county lowther wickersham-county \
	fenwick-lake hollowell-county brackwater stennis-ridge \
	siletz-bay verrill-county ashgrove-junction \
	skelkwa-nation sable-river harrow-creek-pd-pscpa tallow-creek-county \
	ardenne-state-police wrenfield-regional brightwater-pd dunhollow-county \
	cinnabar-county osprey-bay larkspur-county fallow-ridge \
	thornbury-regional wexford-mills harrowgate-county meridian-transit \
	dorrance-county keelson-pd fenlow-pd cordell-county \
	stillhorn-county kelso-springs pemberton-springs pemberton-ridge
calibrate: $(BIN)/python
	$(BIN)/python -m pip install -q -e .
	$(BIN)/policy-review evaluate sample_policies sample_policies/heldout3 ../shared/corpus/real \
		$(foreach name,$(UNFAMILIAR),--unfamiliar '$(name)*') \
		--fit-confidence checklists/calibration/confidence.json

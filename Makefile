# Moodbiome — the two commands a newcomer needs:
#   make demo   install what is missing, build, run the main job on Datasets/
#   make test   the whole test suite (.ci/run calls exactly this)
# and, not part of the tests:
#   make bench  Moodbiome side by side with the peer tools (README, "Speed")

SWIFT ?= swift
RESULTS ?= results
BIN = .build/release/moodbiome

.PHONY: setup build demo test bench clean

setup:
	@scripts/setup.sh

build: setup
	$(SWIFT) build -c release --product moodbiome

demo: build
	bash Notebooks-scripts/01-alpha-diversity.sh $(RESULTS)
	bash Notebooks-scripts/02-diversity-vs-phq9.sh $(RESULTS)
	bash Notebooks-scripts/03-real-data-models.sh $(RESULTS)
	bash Notebooks-scripts/04-rarefaction-sensitivity.sh $(RESULTS)
	bash Notebooks-scripts/05-reproducible-run.sh $(RESULTS)
	bash Notebooks-scripts/06-community-composition.sh $(RESULTS)
	bash Notebooks-scripts/07-taxa-and-mood.sh $(RESULTS)

test:
	@scripts/setup.sh --test
	$(SWIFT) test
	MOODBIOME=.build/debug/moodbiome bash scripts/smoke-notebooks.sh

bench: build
	python3 scripts/bench_alpha.py
	python3 scripts/bench_population.py
	python3 scripts/bench_models.py
	python3 scripts/bench_beta.py
	python3 scripts/bench_associate.py

clean:
	rm -rf .build $(RESULTS)

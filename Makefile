# Moodbiome — the two commands a newcomer needs:
#   make demo   install what is missing, build, run the main job on Datasets/
#   make test   the whole test suite (.ci/run calls exactly this)
# and, not part of the tests:
#   make bench  Moodbiome side by side with the peer tools (README, "Speed")
#   make fuzz   every reader under libFuzzer + AddressSanitizer, 5 minutes each
#   make asan   the Swift test suite under AddressSanitizer (also run by make test)

SWIFT ?= swift
RESULTS ?= results
BIN = .build/release/moodbiome

.PHONY: setup build demo test asan bench fuzz clean

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
	bash Notebooks-scripts/08-repeated-measures.sh $(RESULTS)
	bash Notebooks-scripts/09-diversity-by-exposure.sh $(RESULTS)

test:
	@scripts/setup.sh --test
	$(SWIFT) test
	MOODBIOME=.build/debug/moodbiome bash scripts/smoke-notebooks.sh
	$(SWIFT) build --product moodbiome-fuzz
	for t in counts metadata formula manifest newick distance taxonomy biomjson; do .build/debug/moodbiome-fuzz $$t Tests/Fuzz/corpus/$$t || exit 1; done
	scripts/fuzz.sh runs=20000
	$(MAKE) asan

asan:
	ASAN_OPTIONS=detect_leaks=1 LSAN_OPTIONS=suppressions=$(CURDIR)/scripts/lsan-suppressions.txt \
	  $(SWIFT) test --sanitize=address --scratch-path .build/asan

fuzz:
	scripts/fuzz.sh 300

bench: build
	python3 scripts/bench_alpha.py
	python3 scripts/bench_population.py
	python3 scripts/bench_models.py
	python3 scripts/bench_beta.py
	python3 scripts/bench_associate.py
	python3 scripts/bench_figures.py

clean:
	rm -rf .build $(RESULTS)

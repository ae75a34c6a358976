# Moodbiome — the two commands a newcomer needs:
#   make demo       install what is missing, build, run the main job on Datasets/
#   make test       every unit, reference and smoke test (about 6 minutes on 2 cores)
# and, one target away:
#   make campaigns  the fuzz campaign (20,000 inputs per reader) and the suite
#                   under AddressSanitizer; CI (.ci/run) runs `make test campaigns`
#   make fuzz       every reader under libFuzzer + AddressSanitizer, 5 minutes each
#   make asan       the Swift test suite under AddressSanitizer
#   make bench      Moodbiome side by side with the peer tools (README, "Speed")
#   make slurm-check the Snakemake workflow on a one-node Slurm started here (root)

SWIFT ?= swift
RESULTS ?= results
BIN = .build/release/moodbiome

.PHONY: setup build demo test campaigns fuzz-ci asan bench fuzz clean slurm-check

setup:
	@scripts/setup.sh

# The release binary carries the Swift runtime (--static-swift-stdlib): it
# starts faster and runs on a machine without Swift. It is linked at a fixed
# address (--no-pie): the loader then has no pointers in Swift's metadata to
# relocate at each start (47,000 of them in a PIE, and a copied page for each
# page they sit on: 445 page faults to start, against 321), about 1 ms of
# a 5 ms `--version`. The cost: its own code and data sit at the same
# addresses in every run (no address randomisation for the executable, which
# a local analysis tool can afford); the shared libraries it opens are still
# placed at random. Its symbols are not exported (--no-export-dynamic, which
# undoes SwiftPM's -rdynamic: nothing looks the executable's symbols up):
# 419 dynamic symbols instead of 9,965, so the loader no longer searches
# them for every symbol of libstdc++ and libc it binds, nor does dladdr
# scan them at start; `--version` took 1.9 ms of CPU instead of 2.65 ms.
build: setup
	$(SWIFT) build -c release --static-swift-stdlib --product moodbiome -Xlinker --no-pie -Xlinker --no-export-dynamic

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

FUZZ_TARGETS = counts metadata formula manifest newick distance distanceh5 taxonomy biomjson biom2 qza mothur functions modules

test:
	@scripts/setup.sh --test
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build
	# The Snakemake workflow check (mostly waiting on Snakemake) beside the notebooks.
	MOODBIOME=.build/debug/moodbiome bash scripts/workflow-check.sh > .build/workflow-check.log 2>&1 & w=$$!; \
	MOODBIOME=.build/debug/moodbiome bash scripts/smoke-notebooks.sh; s=$$?; \
	wait $$w; r=$$?; cat .build/workflow-check.log; \
	[ $$r -eq 0 ] || echo "workflow-check FAILED" >&2; [ $$s -eq 0 ] && [ $$r -eq 0 ]
	MOODBIOME=.build/debug/moodbiome bash scripts/cli-checks.sh
	bash scripts/check-cbytes.sh
	for t in $(FUZZ_TARGETS); do MOODBIOME_HDF5_PATIENCE=3 .build/debug/moodbiome-fuzz $$t Tests/Fuzz/corpus/$$t || exit 1; done
	for d in Tests/Fuzz/hangs/*/; do t=$$(basename $$d); MOODBIOME_HDF5_PATIENCE=3 .build/debug/moodbiome-fuzz $$t $$d || exit 1; done

campaigns: fuzz-ci asan

slurm-check:
	@scripts/setup.sh --test
	$(SWIFT) build --product moodbiome
	MOODBIOME=.build/debug/moodbiome bash scripts/slurm-check.sh

fuzz-ci:
	scripts/fuzz.sh runs=20000

asan:
	ASAN_OPTIONS=detect_leaks=1 LSAN_OPTIONS=suppressions=$(CURDIR)/scripts/lsan-suppressions.txt \
	  $(SWIFT) test --sanitize=address --scratch-path .build/asan

fuzz:
	scripts/fuzz.sh 300

bench: build
	scripts/setup.sh --bench
	python3 scripts/bench_start.py
	python3 scripts/bench_alpha.py
	python3 scripts/bench_population.py
	python3 scripts/bench_models.py
	python3 scripts/bench_beta.py
	python3 scripts/bench_associate.py
	python3 scripts/bench_linda.py
	python3 scripts/bench_ancombc.py
	python3 scripts/bench_mediation.py
	python3 scripts/bench_modules.py
	python3 scripts/bench_figures.py

clean:
	rm -rf .build $(RESULTS)

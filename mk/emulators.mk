# Emulator targets for lambda-conform; included by the top-level Makefile.
# Process management lives in scripts/emulator.sh (pinned installs into
# .venv-moto/ and .venv-localstack/, loopback-only servers, cleanup on exit).

LC ?= cargo run --quiet --
EMULATOR ?= scripts/emulator.sh
# A fixed seed and a modest instance count keep the expectation files stable and CI quick;
# `make moto SEED=… CASES=16` explores further.
SEED ?= 1a3bc0de
CASES ?= 8
EMULATOR_RUN_FLAGS = --seed $(SEED) --cases $(CASES) --regressions none

.PHONY: moto moto-repro localstack moto-up localstack-up emulators-down moto-expectations localstack-expectations

moto:            ## run the suite against moto (expectations/moto.toml), with a results bundle that must verify
	rm -rf reports/moto-run-bundle
	$(EMULATOR) run moto -- $(LC) run --endpoint {endpoint} --target moto $(EMULATOR_RUN_FLAGS) --expectations expectations/moto.toml --report-dir reports/moto --bundle reports/moto-run-bundle
	scripts/bundle-check.sh reports/moto-run-bundle

moto-repro:      ## run every divergence's reproduction from a fresh moto's report against another fresh moto
	$(EMULATOR) install moto
	LC_REQUIRE_MOTO=1 MOTO_REPRO_SEED=$(SEED) MOTO_REPRO_CASES=$(CASES) cargo test --test moto_repro -- --nocapture

localstack:      ## same for LocalStack (expectations/localstack.toml), with a results bundle that must verify
	rm -rf reports/localstack-run-bundle
	$(EMULATOR) run localstack -- $(LC) run --endpoint {endpoint} --target localstack $(EMULATOR_RUN_FLAGS) --expectations expectations/localstack.toml --report-dir reports/localstack --bundle reports/localstack-run-bundle
	scripts/bundle-check.sh reports/localstack-run-bundle

moto-up:         ## start moto in the background (.emulators/moto-up/) and print its URL
	@$(EMULATOR) up moto

localstack-up:   ## start LocalStack in the background (.emulators/localstack-up/) and print its URL
	@$(EMULATOR) up localstack

emulators-down:  ## stop the emulators started by moto-up / localstack-up
	@$(EMULATOR) down

moto-expectations:       ## rewrite expectations/moto.toml from a run against moto
	$(EMULATOR) run moto -- $(LC) run --endpoint {endpoint} --target moto $(EMULATOR_RUN_FLAGS) --expectations expectations/moto.toml --update-expectations --report-dir reports/moto

localstack-expectations: ## rewrite expectations/localstack.toml from a run against LocalStack
	$(EMULATOR) run localstack -- $(LC) run --endpoint {endpoint} --target localstack $(EMULATOR_RUN_FLAGS) --expectations expectations/localstack.toml --update-expectations --report-dir reports/localstack

# Results bundles of the committed corpus (README "Certification"): the run exits 1 because the
# emulator diverges; any other code fails. Then the bundle is verified offline.
.PHONY: moto-bundle localstack-bundle
moto-bundle:             ## a results bundle of corpus/aws-2026.jsonl against moto (reports/moto-bundle), verified
	rm -rf reports/moto-bundle
	$(EMULATOR) run moto -- $(LC) run --endpoint {endpoint} --target moto --corpus corpus/aws-2026.jsonl --regressions none --quiet --bundle reports/moto-bundle || [ $$? -eq 1 ]
	scripts/bundle-check.sh reports/moto-bundle

localstack-bundle:       ## the same against LocalStack (reports/localstack-bundle)
	rm -rf reports/localstack-bundle
	$(EMULATOR) run localstack -- $(LC) run --endpoint {endpoint} --target localstack --corpus corpus/aws-2026.jsonl --regressions none --quiet --bundle reports/localstack-bundle || [ $$? -eq 1 ]
	scripts/bundle-check.sh reports/localstack-bundle

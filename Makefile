# lambda-conform — everyday tasks. `make help` lists them.
.PHONY: help test run stub spec spec-check lint fmt doc bench bench-soak compat selftest

LC ?= cargo run --quiet --

help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

test: ## the whole suite against the embedded stub (no network)
	cargo test

run: ## the main job: every case class against the embedded stub, reports in reports/stub
	$(LC) run --report-dir reports/stub

stub: ## serve the embedded reference stub on 127.0.0.1:9001
	$(LC) stub --port 9001

spec: ## regenerate specs/*/model.toml (pinned botocore) and specs/*/cfn-lint.toml (pinned cfn-lint)
	scripts/spec.sh all

spec-check: spec ## fail if a fresh import differs from the committed tables
	git diff --exit-code -- specs/

lint: ## formatting, clippy, docs
	cargo fmt --all -- --check
	cargo clippy --all-targets -- -D warnings
	RUSTDOCFLAGS=-Dwarnings cargo doc --no-deps

fmt: ## format the code
	cargo fmt --all

doc: ## build the API docs
	cargo doc --no-deps

bench: ## speed figures (docs/benchmarks.md): generation, run vs wrk vs Schemathesis on the stub, one run
	scripts/bench.sh

bench-soak: ## the suite at several concurrencies, and the stub's memory under sustained load
	cargo bench --bench suite
	cargo bench --bench stub_soak

compat: ## run stub, moto and LocalStack and write the compatibility table into README.md
	scripts/compat.sh

include mk/emulators.mk

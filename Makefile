# lambda-conform — everyday tasks. `make help` lists them.
.PHONY: help test run replay stub spec spec-check lint fmt doc bench bench-soak compat selftest corpus corpus-check

LC ?= cargo run --quiet --

help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

test: ## the whole suite against the embedded stub (no network)
	cargo test

run: ## the main job: every case class against the embedded stub, reports in reports/stub
	$(LC) run --report-dir reports/stub

replay: ## AWS parity: the requests recorded against AWS, replayed to the embedded stub (reports/stub/replay.json)
	$(LC) replay

stub: ## serve the embedded reference stub on 127.0.0.1:9001
	$(LC) stub --port 9001

spec: ## regenerate specs/*/model.toml (pinned botocore) and specs/*/cfn-lint.toml (pinned cfn-lint)
	scripts/spec.sh all

spec-check: spec ## fail if a fresh import differs from the committed tables
	git diff --exit-code -- specs/

# The committed corpora: a fixed seed per profile and 2 instances per case class (the default 16
# would make aws-2026's file about 6 MB; 2 keeps it under 1 MB and still holds every case class).
CORPUS_CASES ?= 2

corpus: ## regenerate corpus/<profile>.jsonl (the frozen requests a certification run sends)
	$(LC) corpus freeze --profile aws-2026 --seed 2026 --cases $(CORPUS_CASES) --out corpus/aws-2026.jsonl
	$(LC) corpus freeze --profile seed-2020 --seed 2020 --cases $(CORPUS_CASES) --out corpus/seed-2020.jsonl

corpus-check: corpus ## fail if a fresh freeze differs from the committed corpora
	git diff --exit-code -- corpus/

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

compat: ## run stub, moto and LocalStack (suite + AWS replay) and write COMPATIBILITY.md (lambda-conform matrix)
	scripts/compat.sh

include mk/emulators.mk

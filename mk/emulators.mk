# Emulator targets for lambda-conform; included by the top-level Makefile.
# Process management lives in scripts/emulator.sh (pinned installs into
# .venv-moto/ and .venv-localstack/, loopback-only servers, cleanup on exit).

LC ?= cargo run --quiet --
EMULATOR ?= scripts/emulator.sh

.PHONY: moto localstack moto-up localstack-up emulators-down

moto:            ## run the suite against moto (expectations/moto.toml)
	$(EMULATOR) run moto -- $(LC) run --endpoint {endpoint} --target moto --expectations expectations/moto.toml --report-dir reports/moto

localstack:      ## same for LocalStack (expectations/localstack.toml)
	$(EMULATOR) run localstack -- $(LC) run --endpoint {endpoint} --target localstack --expectations expectations/localstack.toml --report-dir reports/localstack

moto-up:         ## start moto in the background (.emulators/moto-up/) and print its URL
	@$(EMULATOR) up moto

localstack-up:   ## start LocalStack in the background (.emulators/localstack-up/) and print its URL
	@$(EMULATOR) up localstack

emulators-down:  ## stop the emulators started by moto-up / localstack-up
	@$(EMULATOR) down

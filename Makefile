# smbfs — see README.md. Every target that needs a server starts its own
# private smbd instances on 127.0.0.1 high ports (fstest/samba) and stops
# them afterwards; nothing touches /etc/samba or port 445.

GO        ?= go
PKGS      := ./...
FUZZTIME  ?= 60s
SMOKETIME ?= 2s
TESTFLAGS ?=

.PHONY: all demo test unit fuzz fuzz-smoke bench lint samba clean

all: lint test

# Install Samba (apt-get) when it is missing.
samba:
	@scripts/ensure-samba.sh

# The main job: a local Samba with a demo share, and examples/demo driving it.
demo: samba
	$(GO) run ./fstest/cmd/smbtestserver -preset main -- $(GO) run ./examples/demo

# The suite: vet, every test with -race against real smbd instances, then
# each fuzz target briefly.
test: samba
	$(GO) vet $(PKGS)
	$(GO) test -race -count=1 -timeout 20m $(TESTFLAGS) $(PKGS)
	@$(MAKE) --no-print-directory fuzz-smoke

# Unit tests only (no server needed): the packages below protocol/.
unit:
	$(GO) test -race -count=1 ./protocol/...

# Every fuzz target for FUZZTIME each.
fuzz:
	scripts/fuzz.sh $(FUZZTIME)

fuzz-smoke:
	scripts/fuzz.sh $(SMOKETIME)

bench: samba
	@echo "make bench: the workload benchmark arrives with the pipeline issue (#3)."
	$(GO) test -run '^$$' -bench . -benchmem ./protocol/...

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet $(PKGS)
	$(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2 $(PKGS)

clean:
	$(GO) clean -testcache

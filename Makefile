# smbfs — see README.md. Every target that needs a server starts its own
# private smbd instances on 127.0.0.1 high ports (fstest/samba) and stops
# them afterwards; nothing touches /etc/samba or port 445.

GO        ?= go
PKGS      := ./...
FUZZTIME  ?= 60s
SMOKETIME ?= 2s
TESTFLAGS ?=

.PHONY: all demo test unit fuzz fuzz-smoke bench lint samba addc clean

all: lint test

# Install Samba (apt-get) when it is missing.
samba:
	@scripts/ensure-samba.sh

# Install what the Kerberos tests' throwaway AD DC needs (samba-ad-dc,
# krb5-user, winbind) when it is missing.
addc:
	@scripts/ensure-addc.sh

# The main job: a local Samba with a demo share, and examples/demo driving it.
demo: samba
	$(GO) run ./fstest/cmd/smbtestserver -preset main -- $(GO) run ./examples/demo

# The suite: vet, every test with -race against real smbd instances, then
# each fuzz target briefly. The CLI and browser tests need tmux and
# chromium: scripts/ensure-test-tools.sh installs them when missing.
test: samba addc
	@scripts/ensure-test-tools.sh
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

# The workload benchmark: smbfs against go-smb2, cloudsoda/go-smb2 and
# smbclient, direct and through the LAN/WAN link proxy (bench/linkproxy);
# the report goes to stdout and docs/benchmarks.md. It lives in its own
# module (bench/peers) so that the library never depends on the peers.
# BENCHFLAGS passes flags, e.g. BENCHFLAGS=-quick (~2 min; the default run
# takes ~12 min) or BENCHFLAGS=-full. Then the hot-path microbenchmarks.
BENCHFLAGS ?=
bench: samba
	cd bench/peers && $(GO) run -mod=mod ./cmd/smbbench -o ../../docs/benchmarks.md $(BENCHFLAGS)
	$(GO) test -run '^$$' -bench . -benchmem ./protocol/...
	$(GO) test -run '^$$' -bench RunWindow -benchmem ./pipeline/

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet $(PKGS)
	$(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2 $(PKGS)

clean:
	$(GO) clean -testcache

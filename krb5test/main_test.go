package krb5test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/smbfs/smbfs/fstest/addc"
)

// startLimit bounds bringing the DC up: ~5-15 s measured, much more on a
// loaded CI runner (provisioning is Python and CPU-bound).
const startLimit = 5 * time.Minute

// env is what every test uses: the DC and credential files made for the
// test user. TestMain sets it up once.
var env struct {
	dc     *addc.DC
	keytab string // the test user's keys (samba-tool domain exportkeytab)
	ccache string // the test user's TGT (MIT kinit)
	dir    string // scratch directory for credential files, inside the DC's
}

func TestMain(m *testing.M) {
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	ctx, cancel := context.WithTimeout(context.Background(), startLimit)
	defer cancel()
	start := time.Now()
	dc, err := addc.Start(ctx, addc.Config{})
	if err != nil {
		// A missing DC is a failure, never a skip.
		fmt.Fprintf(os.Stderr, "krb5test: cannot start the AD DC: %v\n(run scripts/ensure-addc.sh, as root)\n", err)
		return 1
	}
	env.dc = dc
	code := func() int {
		defer func() {
			t := time.Now()
			if err := dc.Stop(); err != nil {
				fmt.Fprintf(os.Stderr, "krb5test: stop the AD DC: %v\n", err)
			}
			fmt.Fprintf(os.Stderr, "krb5test: AD DC torn down in %v\n", time.Since(t).Round(10*time.Millisecond))
		}()
		if err := prepare(ctx); err != nil {
			fmt.Fprintf(os.Stderr, "krb5test: %v\n", err)
			return 1
		}
		fmt.Fprintf(os.Stderr, "krb5test: AD DC %s (%s, realm %s) ready in %v: %s\n",
			dc.FQDN(), dc.IP(), dc.Realm(), time.Since(start).Round(10*time.Millisecond), timings(dc))
		code := m.Run()
		if code != 0 {
			fmt.Fprintf(os.Stderr, "=== AD DC authentication log (tail)\n%s\n", tailLines(dc.AuthLog(), 40))
		}
		return code
	}()
	// Teardown is part of the contract: nothing may be left behind, and
	// the host's /etc must be as it was.
	if err := dc.CheckGone(); err != nil {
		fmt.Fprintf(os.Stderr, "krb5test: the AD DC was not torn down: %v\n", err)
		return 1
	}
	return code
}

// prepare exports the test user's keytab and gets it a credential cache.
func prepare(ctx context.Context) error {
	// Inside the DC's directory, so that Stop removes the keys with it.
	dir, err := os.MkdirTemp(env.dc.Dir(), "krb5test-")
	if err != nil {
		return err
	}
	env.dir = dir
	u := env.dc.User()
	env.keytab = filepath.Join(dir, "testuser.keytab")
	if err := env.dc.ExportKeytab(ctx, u.Name, env.keytab); err != nil {
		return fmt.Errorf("export keytab: %w", err)
	}
	env.ccache = filepath.Join(dir, "testuser.ccache")
	if err := env.dc.Kinit(ctx, u.Name, u.Password, env.ccache); err != nil {
		return fmt.Errorf("kinit: %w", err)
	}
	return nil
}

// timings formats the DC's startup steps.
func timings(dc *addc.DC) string {
	var parts []string
	for _, t := range dc.Timings() {
		parts = append(parts, fmt.Sprintf("%s %v", t.Step, t.Duration.Round(10*time.Millisecond)))
	}
	return strings.Join(parts, ", ")
}

// tailLines returns the last n lines of s.
func tailLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

package addc

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"
)

// toolLimit bounds one run of a short-lived tool (samba-tool, kinit,
// smbclient). samba-tool is Python and loads the whole sam.ldb: ~0.6 s on
// an idle machine, many times that on a loaded CI runner. Provisioning has
// its own, longer bound.
const (
	toolLimit      = 2 * time.Minute
	provisionLimit = 5 * time.Minute
)

// baseEnv is the caller's environment without what would make Samba or
// Kerberos tools read someone else's configuration, plus TDB_NO_FSYNC=1:
// a throwaway DC needs no durability, and on a busy machine the syncs of
// ldb/tdb transactions stretch provisioning many times over (Samba's own
// selftest sets it too).
func baseEnv() []string {
	env := make([]string, 0, len(os.Environ())+1)
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "KRB5") || k == "TDB_NO_FSYNC" || k == "LD_PRELOAD" || strings.HasPrefix(k, "NSS_WRAPPER") {
			continue
		}
		env = append(env, kv)
	}
	return append(env, "TDB_NO_FSYNC=1")
}

// krb5Env is baseEnv for Kerberos client tools: the DC's client krb5.conf
// and the given credential cache.
func (dc *DC) krb5Env(ccache string) []string {
	env := baseEnv()
	env = append(env, "KRB5_CONFIG="+dc.l.krb5Conf())
	if ccache != "" {
		env = append(env, "KRB5CCNAME=FILE:"+ccache)
	}
	return env
}

// tool describes one run of a short-lived program.
type tool struct {
	limit   time.Duration
	env     []string
	stdin   string
	secrets []string // arguments replaced by "…" in errors
}

// run runs path to completion within t.limit and returns its combined
// output. A failure's error includes the output's tail.
func (t tool) run(ctx context.Context, path string, args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, t.limit)
	defer cancel()
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.Env = t.env
	if t.stdin != "" {
		cmd.Stdin = strings.NewReader(t.stdin)
	}
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	// Kill the whole group on timeout: samba-tool may have started helpers.
	cmd.SysProcAttr = toolAttr()
	cmd.Cancel = func() error { return killGroup(cmd.Process.Pid) }
	cmd.WaitDelay = 5 * time.Second
	err := cmd.Run()
	if err != nil {
		if ctx.Err() != nil {
			err = fmt.Errorf("%w (limit %v)", ctx.Err(), t.limit)
		}
		return out.Bytes(), fmt.Errorf("%s %s: %w\n%s", path, strings.Join(t.redact(args), " "), err, tail(out.String(), 20))
	}
	return out.Bytes(), nil
}

// redact hides the secrets in a command line shown in an error.
func (t tool) redact(args []string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		for _, s := range t.secrets {
			if s != "" {
				a = strings.ReplaceAll(a, s, "…")
			}
		}
		out[i] = a
	}
	return out
}

// tail returns the last n lines of s.
func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

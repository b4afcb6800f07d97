package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// envPassword is the environment variable holding the password.
const envPassword = "SMB_PASSWORD"

// credentials finds passwords: $SMB_PASSWORD, --password-stdin, or a
// prompt on the terminal, asked once per account.
type credentials struct {
	a        *app
	known    map[string]string // by account
	stdinPW  *string           // the line read for --password-stdin
	warned   bool
	stdinErr error
}

func newCredentials(a *app) *credentials {
	return &credentials{a: a, known: map[string]string{}}
}

// usesStdin reports whether standard input is reserved for the password.
func (c *credentials) usesStdin() bool { return c.a.passwordStdin }

// password returns the password for r's account.
func (c *credentials) password(ctx context.Context, r *remote) (string, error) {
	acct := r.account()
	if pw, ok := c.known[acct]; ok {
		return pw, nil
	}
	pw, err := c.find(ctx, acct)
	if err != nil {
		return "", err
	}
	c.known[acct] = pw
	return pw, nil
}

func (c *credentials) find(ctx context.Context, acct string) (string, error) {
	if pw := c.a.getenv(envPassword); pw != "" {
		return pw, nil
	}
	if c.a.passwordStdin {
		return c.fromStdin()
	}
	tty, err := openTerminal()
	if err != nil {
		return "", fmt.Errorf("no password for %s: set %s, pass --password-stdin, or run on a terminal to be asked", acct, envPassword)
	}
	defer tty.Close()
	return promptPassword(ctx, tty, fmt.Sprintf("Password for %s: ", acct))
}

// fromStdin reads the first line of standard input, once.
func (c *credentials) fromStdin() (string, error) {
	if c.stdinPW != nil || c.stdinErr != nil {
		return deref(c.stdinPW), c.stdinErr
	}
	// Read byte by byte: nothing past the newline may be consumed, in
	// case a later reader wants the rest.
	var b strings.Builder
	var one [1]byte
	for {
		n, err := c.a.stdin.Read(one[:])
		if n == 1 {
			if one[0] == '\n' {
				break
			}
			b.WriteByte(one[0])
			continue
		}
		if errors.Is(err, io.EOF) {
			if b.Len() == 0 {
				c.stdinErr = errors.New("--password-stdin: standard input is empty")
				return "", c.stdinErr
			}
			break
		}
		if err != nil {
			c.stdinErr = fmt.Errorf("--password-stdin: %w", err)
			return "", c.stdinErr
		}
	}
	pw := strings.TrimSuffix(b.String(), "\r")
	c.stdinPW = &pw
	return pw, nil
}

// warnURLPassword warns, once, that a password sits in a URL.
func (c *credentials) warnURLPassword(r *remote) {
	if c.warned {
		return
	}
	c.warned = true
	c.a.warn("a password in the URL is visible to other users (ps, shell history); use $%s or --password-stdin", envPassword)
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// promptPassword asks on the terminal with echo off. Ctrl-C (ctx ending)
// restores the terminal and gives up.
func promptPassword(ctx context.Context, tty *os.File, prompt string) (string, error) {
	restore, err := disableEcho(tty)
	if err != nil {
		return "", fmt.Errorf("cannot turn off echo on the terminal: %w", err)
	}
	fmt.Fprint(tty, prompt)
	type result struct {
		line string
		err  error
	}
	done := make(chan result, 1)
	go func() {
		line, err := bufio.NewReader(tty).ReadString('\n')
		done <- result{line, err}
	}()
	var res result
	select {
	case res = <-done:
	case <-ctx.Done():
		res.err = ctx.Err()
	}
	restore()
	fmt.Fprintln(tty)
	if res.err != nil && !(errors.Is(res.err, io.EOF) && res.line != "") {
		if errors.Is(res.err, io.EOF) {
			return "", errors.New("no password given")
		}
		return "", res.err
	}
	return strings.TrimRight(res.line, "\r\n"), nil
}

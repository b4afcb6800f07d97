package smbfs_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/smbfs/smbfs"
	"github.com/smbfs/smbfs/protocol/krb5auth"
)

// TestKerberosNotOffered: a standalone smbd offers only NTLMSSP in its
// NEGOTIATE hint, so a Kerberos login fails at once, before any KDC is
// asked, naming what the server offers; with the fallback allowed the
// same options log in with NTLM. (Kerberos logins themselves are tested
// against an AD DC in ./krb5test.)
func TestKerberosNotOffered(t *testing.T) {
	t.Parallel()
	kc := smbfs.KerberosConfig{
		// No such cache: were the hint ignored, the login would fail on
		// it instead.
		Credentials: smbfs.KerberosCCache(filepath.Join(t.TempDir(), "no-ccache")),
		ConfigPath:  "/dev/null",
		Realm:       "EXAMPLE.COM",
	}
	base := []smbfs.Option{smbfs.WithServerName("localhost"), smbfs.WithCredentials("", user.Name, user.Password)}

	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	start := time.Now()
	_, err := smbfs.Connect(ctx, servers.main.URL("", nil), append(base, smbfs.WithKerberos(kc))...)
	if !errors.Is(err, krb5auth.ErrNotOffered) || !strings.Contains(err.Error(), "1.3.6.1.4.1.311.2.2.10") {
		t.Fatalf("error %v: want ErrNotOffered listing NTLMSSP", err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("the error took %v", d)
	}

	kc.AllowNTLMFallback = true
	c, err := smbfs.Connect(ctx, servers.main.URL("", nil), append(base, smbfs.WithKerberos(kc))...)
	if err != nil {
		t.Fatalf("with NTLM fallback: %v", err)
	}
	defer c.Close()
	if c.Session().IsGuest() || c.Session().IsAnonymous() {
		t.Fatal("the fallback logged in as guest or anonymous, not as the user")
	}
}

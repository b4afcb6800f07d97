package krb5test

import (
	"bytes"
	"context"
	"crypto/rand"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/smbfs/smbfs"
	"github.com/smbfs/smbfs/fstest/addc"
	"github.com/smbfs/smbfs/fstest/faultproxy"
)

// TestReconnectReauthenticates: when the connection drops, the client
// reconnects and logs in again with Kerberos (a new AP-REQ, so a new
// session key), for each credential source; the files written before the
// reset read back after it, and the session still signs.
func TestReconnectReauthenticates(t *testing.T) {
	u := env.dc.User()
	tests := []struct {
		name  string
		creds smbfs.KerberosCredentials
		user  string
	}{
		{"password", smbfs.KerberosPassword(u.Password), u.Name},
		{"keytab", smbfs.KerberosKeytab(env.keytab), u.Name},
		{"ccache", smbfs.KerberosCCache(env.ccache), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			px, err := faultproxy.New(net.JoinHostPort(env.dc.IP().String(), "445"))
			if err != nil {
				t.Fatal(err)
			}
			defer px.Close()
			ctx, cancel := context.WithTimeout(t.Context(), loginLimit)
			defer cancel()
			opts := append(kerberos(tt.creds, tt.user), smbfs.WithReconnect(20*time.Second))
			fsys, err := smbfs.Dial(ctx, "smb://"+px.Addr()+"/"+addc.ShareName, opts...)
			if err != nil {
				t.Fatalf("Dial: %v", err)
			}
			defer fsys.Close()
			fsys = fsys.WithContext(ctx)

			logins := func() int {
				return strings.Count(env.dc.AuthLog(), `[SMB2,krb5] user [`+env.dc.Domain()+`]\[`+u.Name+`]`)
			}
			before := logins()
			name := "reconnect-" + tt.name + ".bin"
			data := make([]byte, 2<<20)
			rand.Read(data)
			if err := fsys.WriteFile(name, data, 0o644); err != nil {
				t.Fatalf("WriteFile: %v", err)
			}
			defer fsys.Remove(name)
			key := bytes.Clone(fsys.Client().Session().ApplicationKey())
			for i := range 3 {
				px.ResetAll()
				got, err := fsys.ReadFile(name)
				if err != nil {
					t.Fatalf("ReadFile after reset %d: %v", i+1, err)
				}
				if !bytes.Equal(got, data) {
					t.Fatalf("after reset %d: read back %d bytes that differ", i+1, len(got))
				}
			}
			if n := fsys.Client().Stats().Reconnects; n < 3 {
				t.Fatalf("%d reconnects for 3 resets", n)
			}
			if !fsys.Client().Session().Signing() {
				t.Fatal("the new session does not sign")
			}
			if bytes.Equal(key, fsys.Client().Session().ApplicationKey()) {
				t.Fatal("the session key did not change: no new Kerberos login")
			}
			// smbd logs each Kerberos session setup: the first and one per
			// reconnect.
			deadline := time.Now().Add(5 * time.Second)
			for logins()-before < 3 && time.Now().Before(deadline) {
				time.Sleep(50 * time.Millisecond)
			}
			if n := logins() - before; n < 3 {
				t.Fatalf("smbd logged %d Kerberos logins for 3 reconnects", n)
			}
		})
	}
}

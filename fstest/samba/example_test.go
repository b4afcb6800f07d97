package samba_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/smbfs/smbfs/fstest/samba"
)

// A test would call samba.StartT(t, samba.Main()) instead; Start is the
// same without a testing.TB.
func ExampleStart() {
	srv, err := samba.Start(context.Background(), samba.Main())
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Stop()

	u := samba.DefaultUser()
	fmt.Println(strings.Replace(srv.URL("private", &u), srv.Addr(), "ADDR", 1))
	fmt.Println(strings.Replace(srv.URL("ro", nil), srv.Addr(), "ADDR", 1))

	// The read-only share's files are ordinary files on disk.
	data, err := os.ReadFile(filepath.Join(srv.SharePath("ro"), samba.ROFileName))
	fmt.Printf("%q %v\n", data, err)
	// Output:
	// smb://smbuser:Smbfs-test-pw1@ADDR/private
	// smb://ADDR/ro
	// "hello from the read-only share\n" <nil>
}

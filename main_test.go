package smbfs_test

import (
	"context"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/smbfs/smbfs/fstest/samba"
)

// servers are the private smbd instances every test in this package uses,
// started once by TestMain. A missing Samba is a failure, not a skip.
var servers struct {
	main, signing, encrypt, smallio, smb1 *samba.Server
}

func TestMain(m *testing.M) {
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	presets := []struct {
		dst **samba.Server
		cfg samba.Config
	}{
		{&servers.main, samba.Main()},
		{&servers.signing, samba.SigningMandatory()},
		{&servers.encrypt, samba.EncryptRequired()},
		{&servers.smallio, samba.SmallIO()},
		{&servers.smb1, samba.SMB1Only()},
	}
	var wg sync.WaitGroup
	errs := make([]error, len(presets))
	for i, p := range presets {
		wg.Add(1)
		go func() {
			defer wg.Done()
			*p.dst, errs[i] = samba.Start(ctx, p.cfg)
		}()
	}
	wg.Wait()
	defer func() {
		for _, p := range presets {
			if *p.dst != nil {
				(*p.dst).Stop()
			}
		}
	}()
	for i, err := range errs {
		if err != nil {
			fmt.Fprintf(os.Stderr, "smbfs tests: cannot start Samba preset %q: %v\n(run scripts/ensure-samba.sh, as root)\n", presets[i].cfg.Name, err)
			return 1
		}
	}
	code := m.Run()
	if code != 0 {
		for _, p := range presets {
			fmt.Fprintf(os.Stderr, "=== smbd log of preset %q (tail)\n%s\n", (*p.dst).Name(), tailLines((*p.dst).Logs(), 40))
		}
	}
	return code
}

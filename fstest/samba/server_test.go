package samba

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// These tests start real smbd instances. They need root and Samba
// (scripts/ensure-samba.sh) and fail, rather than skip, without them: a
// CI run without a server must not look green.

// Uids the nss_wrapper files give the guest account and the first user.
const (
	nobodyUID = 65534
	userUID   = firstUID
)

// startAll starts every config concurrently, the way a test binary with
// parallel tests does, logs how long that took, and stops them all at
// cleanup.
func startAll(t *testing.T, cfgs []Config) []*Server {
	t.Helper()
	servers := make([]*Server, len(cfgs))
	errs := make([]error, len(cfgs))
	ctx, cancel := context.WithTimeout(t.Context(), startTLimit)
	defer cancel()
	start := time.Now()
	var wg sync.WaitGroup
	for i, cfg := range cfgs {
		wg.Go(func() { servers[i], errs[i] = Start(ctx, cfg) })
	}
	wg.Wait()
	elapsed := time.Since(start)
	for i, srv := range servers {
		if errs[i] != nil {
			t.Errorf("start %s: %v", cfgs[i].Name, errs[i])
		}
		if srv != nil {
			stopAtCleanup(t, srv)
		}
	}
	if t.Failed() {
		t.FailNow()
	}
	t.Logf("started %d instances concurrently in %v", len(cfgs), elapsed.Round(time.Millisecond))
	return servers
}

func TestPresets(t *testing.T) {
	u := DefaultUser()
	tests := []struct {
		name  string
		cfg   Config
		check func(t *testing.T, srv *Server)
	}{
		{"main", Main(), checkMain},
		{"signing", SigningMandatory(), checkSigning},
		{"encrypt", EncryptRequired(), checkEncrypt},
		{"smallio", SmallIO(), checkSmallIO},
		{"smb1", SMB1Only(), checkSMB1},
	}
	cfgs := make([]Config, len(tests))
	for i, tc := range tests {
		cfgs[i] = tc.cfg
	}
	servers := startAll(t, cfgs)
	for i, tc := range tests {
		srv := servers[i]
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if srv.Port() < portRangeLow || srv.Port() >= portRangeHigh {
				t.Errorf("port %d outside %d-%d", srv.Port(), portRangeLow, portRangeHigh)
			}
			if !strings.Contains(srv.Logs(), "smbd version") {
				t.Errorf("Logs() lacks smbd's banner:\n%s", srv.Logs())
			}
			if want := "smb://" + u.Name + ":" + u.Password + "@" + srv.Addr() + "/private"; srv.URL("private", &u) != want {
				t.Errorf("URL = %q, want %q", srv.URL("private", &u), want)
			}
			tc.check(t, srv)
		})
	}
}

func checkMain(t *testing.T, srv *Server) {
	u := DefaultUser()
	wrong := User{Name: u.Name, Password: "not-" + u.Password}
	t.Run("guest writes public", func(t *testing.T) {
		t.Parallel()
		p := roundTrip(t, srv, "public", nil, []byte("guest data\n"))
		if uid := ownerUID(t, p); uid != nobodyUID {
			t.Errorf("guest's file is owned by uid %d, want %d (nobody)", uid, nobodyUID)
		}
	})
	t.Run("user writes private", func(t *testing.T) {
		t.Parallel()
		p := roundTrip(t, srv, "private", &u, []byte("user data\n"))
		if uid := ownerUID(t, p); uid != userUID {
			t.Errorf("user's file is owned by uid %d, want %d (smbd switched to the nss_wrapper user)", uid, userUID)
		}
	})
	t.Run("guest refused on private", func(t *testing.T) {
		t.Parallel()
		mustFailWith(t, "guest ls private", smbclient(t, srv, "private", nil, "-c", "ls"), "NT_STATUS_ACCESS_DENIED")
	})
	t.Run("wrong password refused", func(t *testing.T) {
		t.Parallel()
		mustFailWith(t, "bad password", smbclient(t, srv, "private", &wrong, "-c", "ls"), "NT_STATUS_LOGON_FAILURE")
	})
	t.Run("ro serves its files", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		r := smbclient(t, srv, "ro", nil, "-c", "get "+ROFileName+" "+filepath.Join(dir, "a")+"; get "+RONestedName+" "+filepath.Join(dir, "b"))
		mustSucceed(t, "get from ro", r)
		for name, want := range map[string]string{"a": ROFileContent, "b": RONestedContent} {
			got, err := os.ReadFile(filepath.Join(dir, name))
			if err != nil || string(got) != want {
				t.Errorf("ro file %s: got %q, %v; want %q", name, got, err, want)
			}
		}
	})
	t.Run("ro refuses writes", func(t *testing.T) {
		t.Parallel()
		local := filepath.Join(t.TempDir(), "x")
		if err := os.WriteFile(local, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
		for _, user := range []*User{nil, &u} {
			mustFailWith(t, "put to ro", smbclient(t, srv, "ro", user, "-c", "put "+local+" x"), "NT_STATUS_ACCESS_DENIED")
		}
		if _, err := os.Stat(filepath.Join(srv.SharePath("ro"), "x")); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("refused write left a file: %v", err)
		}
	})
	t.Run("secret encrypts the share", func(t *testing.T) {
		t.Parallel()
		mustFailWith(t, "guest ls secret", smbclient(t, srv, "secret", nil, "-c", "ls"), "NT_STATUS_ACCESS_DENIED")
		roundTrip(t, srv, "secret", &u, []byte("secret data\n"))
		h, se := holdSession(t, srv, "secret", &u)
		defer h.close()
		st, err := srv.Status(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		var tcon *TreeConnect
		for i := range st.Tcons {
			if st.Tcons[i].SessionID == se.ID && st.Tcons[i].Service == "secret" {
				tcon = &st.Tcons[i]
			}
		}
		if tcon == nil || tcon.Encryption == "-" || tcon.Encryption == "" {
			t.Errorf("tree connect to secret is not encrypted: %+v (status %+v)", tcon, st)
		}
	})
	t.Run("share listing", func(t *testing.T) {
		t.Parallel()
		r := smbclient(t, srv, "", nil)
		mustSucceed(t, "smbclient -L", r)
		for _, share := range srv.Shares() {
			if !strings.Contains(r.out, share) {
				t.Errorf("share list lacks %q:\n%s", share, r.out)
			}
		}
	})
}

func checkSigning(t *testing.T, srv *Server) {
	u := DefaultUser()
	tests := []struct {
		name    string
		args    []string
		dialect string
		signing string
	}{
		{"SMB3.1.1 signs with GMAC", nil, "SMB3_11", "AES-128-GMAC"},
		{"client signing disabled still signs", []string{"--option=client signing=disabled"}, "SMB3_11", "AES-128-GMAC"},
		{"SMB2.1 signs with HMAC-SHA256", []string{"-m", "SMB2_10"}, "SMB2_10", "HMAC-SHA256"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			roundTrip(t, srv, "private", &u, []byte("signed\n"), tc.args...)
			h, se := holdSession(t, srv, "private", &u, tc.args...)
			defer h.close()
			if se.Dialect != tc.dialect || se.Signing != tc.signing || se.SigningDegree != "full" {
				t.Errorf("session: dialect %s, signing %s (%s); want %s, %s (full)", se.Dialect, se.Signing, se.SigningDegree, tc.dialect, tc.signing)
			}
		})
	}
	t.Run("guest allowed unsigned", func(t *testing.T) {
		t.Parallel()
		roundTrip(t, srv, "public", nil, []byte("guest\n"))
		h, se := holdSession(t, srv, "public", nil)
		defer h.close()
		if se.Username != "nobody" || se.Signing != "-" {
			t.Errorf("guest session: user %q signing %q; want nobody, unsigned", se.Username, se.Signing)
		}
	})
	t.Run("no on-demand rpc helper", func(t *testing.T) {
		t.Parallel()
		// Without Config.RPC nothing answers srvsvc; what matters is that
		// smbd did not spawn samba-dcerpcd, which would outlive it.
		r := smbclient(t, srv, "", nil)
		if strings.Contains(r.out, "private") {
			t.Errorf("share listing worked without RPC: %s", r)
		}
		procs, err := processesUsingConfig(srv.ConfigPath())
		if err != nil {
			t.Fatal(err)
		}
		for _, pid := range procs {
			if d := describePIDs([]int{pid}); strings.Contains(d, "dcerpcd") || strings.Contains(d, "rpcd_") {
				t.Errorf("rpc helper started on demand: %s", d)
			}
		}
	})
}

func checkEncrypt(t *testing.T, srv *Server) {
	u := DefaultUser()
	t.Run("encrypting client accepted", func(t *testing.T) {
		t.Parallel()
		args := []string{"--client-protection=encrypt"}
		roundTrip(t, srv, "private", &u, []byte("sealed\n"), args...)
		h, se := holdSession(t, srv, "private", &u, args...)
		defer h.close()
		if se.Encryption != "AES-128-GCM" || se.EncryptionDegree != "full" {
			t.Errorf("session encryption %s (%s), want AES-128-GCM (full)", se.Encryption, se.EncryptionDegree)
		}
	})
	t.Run("SMB2.1 client refused", func(t *testing.T) {
		t.Parallel()
		// SMB 2.x cannot encrypt; Samba refuses it at session setup.
		mustFailWith(t, "SMB2_10 client", smbclient(t, srv, "private", &u, "-m", "SMB2_10", "-c", "ls"), "NT_STATUS_ACCESS_DENIED")
	})
	t.Run("guest refused", func(t *testing.T) {
		t.Parallel()
		// Guest sessions have no key to encrypt with.
		mustFailWith(t, "guest", smbclient(t, srv, "private", nil, "-c", "ls"), "NT_STATUS_ACCESS_DENIED")
	})
}

func checkSmallIO(t *testing.T, srv *Server) {
	u := DefaultUser()
	// Several times the cap, so every read and write must be split.
	big := bytes.Repeat([]byte("0123456789abcdef"), 5*SmallIOSize/16+7)
	t.Run("large file round trip", func(t *testing.T) {
		t.Parallel()
		roundTrip(t, srv, "private", &u, big)
		roundTrip(t, srv, "public", nil, big)
	})
	t.Run("smbd loads the caps", func(t *testing.T) {
		t.Parallel()
		// smbclient does not print the negotiated sizes; what smbd loaded
		// from the instance's configuration is the next best check here
		// (the client's own tests see MaxReadSize in NEGOTIATE).
		cmd, err := srv.Command(t.Context(), "testparm", "-s", "-v", srv.ConfigPath())
		if err != nil {
			t.Fatal(err)
		}
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("testparm: %v", err)
		}
		for _, p := range []string{"smb2 max read", "smb2 max write", "smb2 max trans"} {
			if !strings.Contains(string(out), p+" = 65536") {
				t.Errorf("testparm lacks %q = 65536", p)
			}
		}
	})
}

func checkSMB1(t *testing.T, srv *Server) {
	t.Run("SMB2 client is cut off", func(t *testing.T) {
		t.Parallel()
		mustFailWith(t, "default smbclient", smbclient(t, srv, "public", nil, "-c", "ls"), "NT_STATUS_CONNECTION_DISCONNECTED")
	})
	t.Run("NT1 client works", func(t *testing.T) {
		t.Parallel()
		args := []string{"--option=client min protocol=NT1"}
		roundTrip(t, srv, "public", nil, []byte("smb1\n"), args...)
		h, se := holdSession(t, srv, "public", nil, args...)
		defer h.close()
		if se.Dialect != "NT1" {
			t.Errorf("dialect %q, want NT1", se.Dialect)
		}
	})
}

// smallConfig is a cheap instance: one guest share, no users, no RPC.
func smallConfig(name string) Config {
	return Config{Name: name, Shares: []Share{{Name: "public", Guest: true}}}
}

func TestStopLeavesNothing(t *testing.T) {
	srv := StartT(t, Main())
	u := DefaultUser()
	// Make the instance busy: a connected session has its own smbd
	// process, and a share listing starts rpcd_* workers.
	h, _ := holdSession(t, srv, "private", &u)
	defer h.close()
	mustSucceed(t, "share listing", smbclient(t, srv, "", nil))
	// The rpcd_* workers ignore "log file"; the harness's -l must keep
	// them out of /var/log/samba.
	if !strings.Contains(srv.Logs(), "==> log.rpcd_classic <==") {
		t.Errorf("rpcd_classic did not log into the instance directory:\n%s", srv.Logs())
	}
	conf, dir := srv.ConfigPath(), srv.Dir()
	if procs, _ := processesUsingConfig(conf); len(procs) < 2 {
		t.Errorf("expected smbd and helpers running before Stop, found %v", procs)
	}

	start := time.Now()
	if err := srv.Stop(); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	took := time.Since(start)
	h.close() // the client is the test's own process, not the server's
	procs := processesMatching(t, dir)
	if len(procs) > 0 {
		t.Errorf("processes left after Stop: %s", describePIDs(procs))
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		entries, _ := os.ReadDir(dir)
		t.Errorf("Stop left %s behind (%v, %d entries)", dir, err, len(entries))
	}
	t.Logf("Stop took %v; left behind: %d processes, directory removed", took.Round(time.Millisecond), len(procs))
	if err := srv.Stop(); err != nil {
		t.Errorf("second Stop: %v", err)
	}
	if !strings.Contains(srv.Logs(), "smbd version") {
		t.Errorf("Logs() after Stop lost the log:\n%s", srv.Logs())
	}
}

func TestKeepLeavesLogs(t *testing.T) {
	srv, err := Start(t.Context(), smallConfig("keep"))
	if err != nil {
		t.Fatal(err)
	}
	srv.Keep()
	if err := srv.Stop(); err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(srv.Dir())
	for _, p := range []string{srv.ConfigPath(), filepath.Join(srv.Dir(), "log", "smbd.log")} {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("kept directory lacks %s: %v", p, err)
		}
	}
	if procs := processesMatching(t, srv.Dir()); len(procs) > 0 {
		t.Errorf("processes left after Stop: %s", describePIDs(procs))
	}
}

func TestPortConflict(t *testing.T) {
	first := StartT(t, smallConfig("first"))

	t.Run("explicit port in use", func(t *testing.T) {
		cfg := smallConfig("second")
		cfg.Port = first.Port()
		srv, err := Start(t.Context(), cfg)
		if err == nil {
			srv.Stop()
			t.Fatal("second instance started on a port already served")
		}
		if !errors.Is(err, ErrPortInUse) {
			t.Errorf("error %v, want ErrPortInUse", err)
		}
	})

	t.Run("SO_REUSEPORT bind is caught", func(t *testing.T) {
		// Skip the plain-bind check so a second smbd really binds next to
		// the first (smbd sets SO_REUSEPORT); the ownership check must
		// notice the foreign listener and give up.
		cfg := smallConfig("stealer")
		cfg.Port = first.Port()
		cfg.skipFreeCheck = true
		srv, err := Start(t.Context(), cfg)
		if err == nil {
			srv.Stop()
			t.Fatal("second smbd on a served port went unnoticed")
		}
		if !errors.Is(err, ErrPortInUse) || !strings.Contains(err.Error(), "also served by") {
			t.Errorf("error %v, want ErrPortInUse naming the other server", err)
		}
		if procs := processesMatching(t, "smbfs-samba-stealer-"); len(procs) > 0 {
			t.Errorf("failed start left processes: %s", describePIDs(procs))
		}
		st, err := inspectPort(first.Port(), first.smbd.pid())
		if err != nil || !st.ours || len(st.foreign) > 0 || st.unowned > 0 {
			t.Errorf("after the failed start the port has %+v, %v; want only the first server", st, err)
		}
		roundTrip(t, first, "public", nil, []byte("still here\n"))
	})
}

func TestConcurrentStartsGetDistinctPorts(t *testing.T) {
	const n = 6
	cfgs := make([]Config, n)
	for i := range cfgs {
		cfgs[i] = smallConfig("many")
	}
	servers := startAll(t, cfgs)
	seen := map[int]bool{}
	for _, srv := range servers {
		if seen[srv.Port()] {
			t.Errorf("port %d handed out twice", srv.Port())
		}
		seen[srv.Port()] = true
		if st, err := inspectPort(srv.Port(), srv.smbd.pid()); err != nil || !st.ours || len(st.foreign) > 0 {
			t.Errorf("port %d: %+v, %v", srv.Port(), st, err)
		}
	}
}

func TestStartRefusesUnsearchableBaseDir(t *testing.T) {
	// t.TempDir() is 0700: smbd could not enter a share below it as a
	// test user. Start must say so instead of starting a broken server.
	cfg := smallConfig("perm")
	cfg.BaseDir = t.TempDir()
	if err := os.Chmod(cfg.BaseDir, 0o700); err != nil {
		t.Fatal(err)
	}
	srv, err := Start(context.Background(), cfg)
	if err == nil {
		srv.Stop()
		t.Fatal("Start accepted a share below a directory others cannot enter")
	}
	if !strings.Contains(err.Error(), "not searchable") {
		t.Errorf("error %v does not explain the permission problem", err)
	}
	if entries, _ := os.ReadDir(cfg.BaseDir); len(entries) != 0 {
		t.Errorf("failed Start left %d entries in BaseDir", len(entries))
	}
}

func TestStartReportsSmbdFailure(t *testing.T) {
	// smbd refuses this role and exits at once; Start must say why, with
	// smbd's own words from the log, and leave nothing behind.
	cfg := smallConfig("refused")
	cfg.Global = [][2]string{{"server role", "active directory domain controller"}}
	srv, err := Start(t.Context(), cfg)
	if err == nil {
		srv.Stop()
		t.Fatal("Start succeeded with a role smbd refuses")
	}
	for _, want := range []string{"exited before listening", "not compatible with running smbd standalone"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	if procs := processesMatching(t, "smbfs-samba-refused-"); len(procs) > 0 {
		t.Errorf("failed start left processes: %s", describePIDs(procs))
	}
}

func TestCallerSharePath(t *testing.T) {
	// A caller-supplied share directory is used as is, gets the Files,
	// and survives Stop.
	dir, err := os.MkdirTemp("", "smbfs-share-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	if err := os.Chmod(dir, 0o777); err != nil {
		t.Fatal(err)
	}
	cfg := Config{Name: "ownpath", Shares: []Share{{Name: "data", Path: dir, Guest: true, Files: map[string]string{"a/b.txt": "b\n"}}}}
	srv := StartT(t, cfg)
	if srv.SharePath("DATA") != dir {
		t.Errorf("SharePath = %q, want %q", srv.SharePath("DATA"), dir)
	}
	if srv.SharePath("nope") != "" {
		t.Errorf("SharePath of an unknown share = %q", srv.SharePath("nope"))
	}
	local := filepath.Join(t.TempDir(), "b")
	mustSucceed(t, "get", smbclient(t, srv, "data", nil, "-c", "get a/b.txt "+local))
	if got, err := os.ReadFile(local); err != nil || string(got) != "b\n" {
		t.Errorf("got %q, %v", got, err)
	}
	if err := srv.Stop(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "a", "b.txt")); err != nil {
		t.Errorf("Stop removed the caller's share directory: %v", err)
	}
}

// envHelperProcess makes the test binary act as a program that starts an
// instance, prints its directory and waits to be killed.
const envHelperProcess = "SMBFS_SAMBA_HELPER_PROCESS"

func TestHelperProcess(t *testing.T) {
	if os.Getenv(envHelperProcess) != "1" {
		t.Skip("runs only as TestServerDiesWithTestBinary's helper process")
	}
	srv, err := Start(context.Background(), Main())
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	fmt.Println(srv.Dir())
	time.Sleep(time.Minute)
	os.Exit(0)
}

func TestServerDiesWithTestBinary(t *testing.T) {
	// A test binary killed outright (timeout, SIGKILL) cannot run Stop;
	// Pdeathsig must still take smbd and samba-dcerpcd down with it.
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$")
	cmd.Env = append(os.Environ(), envHelperProcess+"=1")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "/") {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("helper said %q, %v", line, err)
	}
	dir := strings.TrimSpace(line)
	defer os.RemoveAll(dir)
	if procs := processesMatching(t, dir); len(procs) < 2 {
		t.Errorf("helper's servers not running: %v", procs)
	}
	cmd.Process.Kill()
	cmd.Wait()
	deadline := time.Now().Add(stopGrace + killGrace)
	for {
		procs := processesMatching(t, dir)
		if len(procs) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("processes outlived the killed test binary: %s", describePIDs(procs))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// BenchmarkStartStop measures one instance's full life per preset:
// directory, users, smbd (and samba-dcerpcd) ready, Stop, directory gone.
func BenchmarkStartStop(b *testing.B) {
	for _, name := range PresetNames() {
		b.Run(name, func(b *testing.B) {
			cfg, err := Preset(name)
			if err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				srv, err := Start(b.Context(), cfg)
				if err != nil {
					b.Fatal(err)
				}
				if err := srv.Stop(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

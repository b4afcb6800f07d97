package addc

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Bounds on the DC's lifecycle.
const (
	// readyLimit bounds waiting for a started samba to serve Kerberos SMB
	// sessions (~1-6 s measured; loaded CI runners are much slower).
	readyLimit = 3 * time.Minute
	// stopGrace is how long samba gets to stop its children after
	// SIGTERM before everything left in the namespace is killed.
	stopGrace = 10 * time.Second
	// killGrace bounds waiting for killed processes to disappear.
	killGrace = 5 * time.Second
)

// DC is a running domain controller. Its methods are safe for concurrent
// use.
type DC struct {
	cfg  Config
	l    layout
	link link
	bin  binaries

	cmd   *exec.Cmd
	done  chan struct{} // closed when samba has been reaped
	netns string        // the namespace samba runs in, as /proc names it

	timings []Timing
	etc     map[string]fileState // the host files the DC must not touch

	stopOnce sync.Once
	stopErr  error
	mu       sync.Mutex // serialises tools that write the DC's files
}

// Timing is how long one startup step took.
type Timing struct {
	Step     string
	Duration time.Duration
}

// Start provisions and starts a DC and waits until it serves Kerberos SMB
// sessions. On failure everything it made is removed again, and the error
// carries the tail of the logs.
func Start(ctx context.Context, cfg Config) (*DC, error) {
	if !supported {
		return nil, fmt.Errorf("%w: the AD DC harness needs Linux namespaces", errors.ErrUnsupported)
	}
	if os.Geteuid() != 0 {
		return nil, errors.New("addc: must run as root (network namespaces, veth pairs, bind mounts)")
	}
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	bin, err := findBinaries()
	if err != nil {
		return nil, err
	}
	removeStale(ctx, bin["ip"])
	root, err := os.MkdirTemp("", dirPrefix)
	if err != nil {
		return nil, err
	}
	dc := &DC{cfg: cfg, l: layout{root: root}, bin: bin, done: make(chan struct{}), etc: hostFiles()}
	if err := dc.start(ctx); err != nil {
		logs := dc.Logs()
		serr := dc.Stop()
		return nil, errors.Join(fmt.Errorf("addc: start: %w\n--- log tail:\n%s", err, tail(logs, 30)), serr)
	}
	return dc, nil
}

// start runs the startup steps, timing each.
func (dc *DC) start(ctx context.Context) error {
	t0 := time.Now()
	step := func(name string, fn func() error) error {
		t := time.Now()
		err := fn()
		dc.timings = append(dc.timings, Timing{name, time.Since(t)})
		return err
	}
	if err := writeOwner(dc.l, ownerRecord{}); err != nil {
		return err
	}
	if err := dc.l.mkdirs(); err != nil {
		return err
	}
	var err error
	if dc.link, err = newLink(); err != nil {
		return err
	}
	if err := step("provision", func() error { return dc.provision(ctx) }); err != nil {
		return err
	}
	if err := step("create user", func() error { return dc.createUser(ctx, dc.cfg.User) }); err != nil {
		return err
	}
	if err := dc.writeClientFiles(); err != nil {
		return err
	}
	if err := step("start samba", func() error { return dc.startSamba(ctx) }); err != nil {
		return err
	}
	if err := step("wait until ready", func() error { return dc.waitReady(ctx) }); err != nil {
		return err
	}
	dc.timings = append(dc.timings, Timing{"total", time.Since(t0)})
	return nil
}

// provision creates the domain with samba-tool. "-s /dev/null" keeps the
// host's /etc/samba/smb.conf out; every path goes under the target
// directory.
func (dc *DC) provision(ctx context.Context) error {
	args := []string{
		"domain", "provision", "-s", "/dev/null",
		"--targetdir=" + dc.l.dc(),
		"--realm=" + dc.cfg.Realm, "--domain=" + dc.cfg.Domain,
		"--server-role=dc", "--dns-backend=SAMBA_INTERNAL",
		"--host-name=" + dc.cfg.HostName, "--host-ip=" + dc.link.dcIP.String(),
		"--adminpass=" + adminPassword,
		"--option=interfaces=" + dc.link.dcIP.String() + " 127.0.0.1",
		"--option=bind interfaces only=yes",
		"--option=pid directory=" + dc.l.run(),
		"--option=ncalrpc dir=" + dc.l.dc("run", "ncalrpc"),
		"--option=ntp signd socket directory=" + dc.l.dc("run", "ntp_signd"),
		"--option=log file=" + filepath.Join(dc.l.logDir(), "log.%m"),
	}
	out, err := tool{limit: provisionLimit, env: baseEnv(), secrets: []string{adminPassword}}.run(ctx, dc.bin["samba-tool"], args...)
	_ = os.WriteFile(filepath.Join(dc.l.logDir(), "provision.log"), out, 0o644)
	if err != nil {
		return err
	}
	conf, err := os.ReadFile(dc.l.conf())
	if err != nil {
		return err
	}
	edited, err := editDCConf(string(conf), dc.l)
	if err != nil {
		return err
	}
	return os.WriteFile(dc.l.conf(), []byte(edited), 0o644)
}

// createUser adds an account straight into sam.ldb (samba need not run).
func (dc *DC) createUser(ctx context.Context, u User) error {
	dc.mu.Lock()
	defer dc.mu.Unlock()
	_, err := tool{limit: toolLimit, env: baseEnv(), secrets: []string{u.Password}}.run(ctx, dc.bin["samba-tool"],
		"user", "create", u.Name, u.Password, "-s", dc.l.conf())
	return err
}

// writeClientFiles writes the client krb5.conf and smb.conf, and the
// resolv.conf and hosts files the DC's namespace sees: the DC resolves its
// own name through its own DNS server and the hosts file.
func (dc *DC) writeClientFiles() error {
	files := map[string]string{
		dc.l.krb5Conf():         clientKrb5Conf(dc.cfg, dc.link.dcIP),
		dc.l.client("smb.conf"): clientSmbConf(dc.cfg, dc.l),
		dc.l.etc("resolv.conf"): fmt.Sprintf("nameserver %s\n", dc.link.dcIP),
		dc.l.etc("hosts"): fmt.Sprintf("127.0.0.1 localhost\n%s %s %s\n",
			dc.link.dcIP, dc.cfg.fqdn(), dc.cfg.HostName),
	}
	for path, content := range files {
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// startScript runs inside the new namespaces: it waits until the harness
// has moved the veth end in (a line on stdin), configures it, makes the
// private bind mounts and becomes samba, with stdin detached from the
// harness (a foreground samba may treat EOF on a piped stdin as a request
// to exit). Its arguments: DC address and
// prefix length, interface, run directory, resolv.conf, hosts, samba,
// smb.conf.
const startScript = `set -e
read -r ready
ip addr add "$1" dev "$2"
ip link set "$2" up
ip link set lo up
mount --bind "$3" /run/samba
mount --bind "$4" /etc/resolv.conf
mount --bind "$5" /etc/hosts
exec "$6" -s "$7" -F -M single </dev/null
`

// startSamba starts samba in a new network and mount namespace (unshare
// makes mounts private there, so nothing leaks to the host), connects the
// namespace to the host with the veth pair, and lets it run.
func (dc *DC) startSamba(ctx context.Context) error {
	// /run/samba must exist to be mounted over; samba's package makes it.
	if err := os.MkdirAll("/run/samba", 0o755); err != nil {
		return err
	}
	logf, err := os.OpenFile(filepath.Join(dc.l.logDir(), "samba.stdout"), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer logf.Close()
	cmd := exec.Command(dc.bin["unshare"], "--net", "--mount", "--propagation", "private", "--",
		dc.bin["sh"], "-c", startScript, "sh",
		fmt.Sprintf("%s/%d", dc.link.dcIP, dc.link.prefixBits), dc.link.nsIf,
		dc.l.run(), dc.l.etc("resolv.conf"), dc.l.etc("hosts"),
		dc.bin["samba"], dc.l.conf())
	cmd.Env = append(baseEnv(), "PATH="+pathWith(dc.bin))
	cmd.Stdout = logf
	cmd.Stderr = logf
	cmd.SysProcAttr = daemonAttr()
	ready, err := cmd.StdinPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start samba: %w", err)
	}
	dc.cmd = cmd
	go func() {
		_ = cmd.Wait()
		close(dc.done)
	}()
	defer ready.Close()
	// unshare has switched namespaces once /proc shows a different one.
	own := netnsOf(os.Getpid())
	for {
		ns := netnsOf(cmd.Process.Pid)
		if ns != "" && ns != own {
			dc.netns = ns
			break
		}
		select {
		case <-dc.done:
			return errors.New("samba's launcher exited before entering its namespace")
		case <-ctx.Done():
			return context.Cause(ctx)
		case <-time.After(2 * time.Millisecond):
		}
	}
	if err := writeOwner(dc.l, ownerRecord{netns: dc.netns, hostIf: dc.link.hostIf}); err != nil {
		return err
	}
	if err := dc.createVeth(ctx, cmd.Process.Pid); err != nil {
		return err
	}
	if _, err := io.WriteString(ready, "go\n"); err != nil {
		return fmt.Errorf("release samba's launcher: %w", err)
	}
	return nil
}

// pathWith is $PATH extended by the directories of the resolved programs,
// for the start script's ip and mount.
func pathWith(bin binaries) string {
	dirs := strings.Split(os.Getenv("PATH"), ":")
	for _, p := range []string{bin["ip"], bin["mount"]} {
		dirs = append([]string{filepath.Dir(p)}, dirs...)
	}
	return strings.Join(dirs, ":")
}

// waitReady waits for the KDC and SMB ports, then for a ticket, then for a
// Kerberos SMB session made by smbclient: smbd refuses sessions with
// NT_STATUS_INTERNAL_ERROR until winbindd (which maps the user's SID to a
// uid) is up.
func (dc *DC) waitReady(ctx context.Context) error {
	ctx, cancel := context.WithTimeoutCause(ctx, readyLimit, fmt.Errorf("DC not ready within %v", readyLimit))
	defer cancel()
	watch, unwatch := context.WithCancel(ctx)
	defer unwatch()
	go func() {
		select {
		case <-dc.done:
			unwatch()
		case <-watch.Done():
		}
	}()
	for _, port := range []string{"88", "445"} {
		if err := waitTCP(watch, net.JoinHostPort(dc.link.dcIP.String(), port)); err != nil {
			return dc.exitedOr(err)
		}
	}
	ccache := dc.l.client("probe.ccache")
	if err := retry(watch, 100*time.Millisecond, func() error { return dc.Kinit(watch, dc.cfg.User.Name, dc.cfg.User.Password, ccache) }); err != nil {
		return dc.exitedOr(err)
	}
	probe := tool{limit: 15 * time.Second, env: dc.krb5Env(ccache)}
	err := retry(watch, 100*time.Millisecond, func() error {
		_, err := probe.run(watch, dc.bin["smbclient"], "-s", dc.l.client("smb.conf"), "--use-kerberos=required",
			"-N", "-I", dc.link.dcIP.String(), "//"+dc.cfg.fqdn()+"/"+ShareName, "-c", "ls")
		return err
	})
	return dc.exitedOr(err)
}

// exitedOr reports samba's premature exit in place of err, which is then
// only its consequence.
func (dc *DC) exitedOr(err error) error {
	if err == nil {
		return nil
	}
	select {
	case <-dc.done:
		return fmt.Errorf("samba exited (%v) during startup", dc.cmd.ProcessState)
	default:
		return err
	}
}

// retry calls fn every interval until it succeeds or ctx ends, and then
// returns the last error.
func retry(ctx context.Context, interval time.Duration, fn func() error) error {
	for {
		err := fn()
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w (last attempt: %v)", context.Cause(ctx), err)
		case <-time.After(interval):
		}
	}
}

// Stop ends every process of the DC (SIGTERM to samba, then SIGKILL to
// anything left in its network namespace), removes the veth pair and the
// directory. It is idempotent and returns the first call's result.
func (dc *DC) Stop() error {
	dc.stopOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), stopGrace+killGrace+toolLimit)
		defer cancel()
		var errs []error
		if dc.cmd != nil {
			_ = signal(dc.cmd.Process.Pid, syscall.SIGTERM)
			select {
			case <-dc.done:
			case <-time.After(stopGrace):
				errs = append(errs, fmt.Errorf("addc: samba (pid %d) ignored SIGTERM for %v", dc.cmd.Process.Pid, stopGrace))
			}
		}
		if dc.netns != "" {
			errs = append(errs, killNetns(dc.netns, filepath.Base(dc.l.root)))
		}
		if dc.cmd != nil {
			_ = killGroup(dc.cmd.Process.Pid)
			<-dc.done
		}
		if dc.link.hostIf != "" {
			errs = append(errs, deleteVeth(ctx, dc.bin["ip"], dc.link.hostIf))
		}
		errs = append(errs, os.RemoveAll(dc.l.root))
		dc.stopErr = errors.Join(errs...)
	})
	return dc.stopErr
}

// killNetns kills every process of the DC whose directory is marker in the
// network namespace ns (see processesInNetns) and waits,
// bounded, until none is left; the namespace (and the veth end in it)
// disappears with its last process. Samba's children call setsid(), so
// neither a process group nor a session reaches them all: the namespace
// does.
func killNetns(ns, marker string) error {
	deadline := time.Now().Add(killGrace)
	for {
		pids, err := processesInNetns(ns, marker)
		if err != nil {
			return err
		}
		if len(pids) == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("addc: processes %v still in %s after SIGKILL", pids, ns)
		}
		for _, pid := range pids {
			_ = signal(pid, syscall.SIGKILL)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// CheckGone verifies, after Stop, that nothing of the DC is left: no
// process in its namespace, no veth interface, no directory.
func (dc *DC) CheckGone() error {
	var errs []error
	if dc.netns != "" {
		if pids, err := processesInNetns(dc.netns, filepath.Base(dc.l.root)); err != nil || len(pids) > 0 {
			errs = append(errs, fmt.Errorf("addc: processes %v left in %s (%v)", pids, dc.netns, err))
		}
	}
	if dc.link.hostIf != "" {
		if _, err := net.InterfaceByName(dc.link.hostIf); err == nil {
			errs = append(errs, fmt.Errorf("addc: interface %s left", dc.link.hostIf))
		}
	}
	if _, err := os.Stat(dc.l.root); !errors.Is(err, os.ErrNotExist) {
		errs = append(errs, fmt.Errorf("addc: directory %s left (%v)", dc.l.root, err))
	}
	for path, before := range dc.etc {
		if now := statFile(path); now != before {
			errs = append(errs, fmt.Errorf("addc: %s changed while the DC ran: %+v, now %+v", path, before, now))
		}
	}
	return errors.Join(errs...)
}

// watchedHostFiles are the host files the DC's namespace shadows or that a
// careless setup would write; CheckGone verifies they did not change.
var watchedHostFiles = []string{"/etc/resolv.conf", "/etc/hosts", "/etc/krb5.conf", "/etc/samba/smb.conf"}

// fileState is what CheckGone compares of a host file.
type fileState struct {
	exists  bool
	size    int64
	modTime time.Time
}

// statFile returns a file's state (following symbolic links).
func statFile(path string) fileState {
	st, err := os.Stat(path)
	if err != nil {
		return fileState{}
	}
	return fileState{exists: true, size: st.Size(), modTime: st.ModTime()}
}

// hostFiles records the state of the watched host files.
func hostFiles() map[string]fileState {
	m := make(map[string]fileState, len(watchedHostFiles))
	for _, p := range watchedHostFiles {
		m[p] = statFile(p)
	}
	return m
}

// Status returns smbstatus's list of sessions (user, machine, dialect,
// encryption and signing of each), read from the DC's databases.
func (dc *DC) Status(ctx context.Context) (string, error) {
	out, err := tool{limit: toolLimit, env: baseEnv()}.run(ctx, dc.bin["smbstatus"], "-b", "-s", dc.l.conf())
	return string(out), err
}

// Realm returns the Kerberos realm, e.g. "SMBFS.TEST".
func (dc *DC) Realm() string { return dc.cfg.Realm }

// Domain returns the NetBIOS domain name, e.g. "SMBFS".
func (dc *DC) Domain() string { return dc.cfg.Domain }

// FQDN returns the DC's host name, e.g. "dc.smbfs.test"; its SMB service
// principal is cifs/<FQDN>.
func (dc *DC) FQDN() string { return dc.cfg.fqdn() }

// IP returns the DC's address on the veth pair.
func (dc *DC) IP() netip.Addr { return dc.link.dcIP }

// HostIP returns the host's address on the veth pair: the DC sees clients
// in the test process coming from it.
func (dc *DC) HostIP() netip.Addr { return dc.link.hostIP }

// Addr returns the DC's SMB address, "ip:445".
func (dc *DC) Addr() string { return net.JoinHostPort(dc.link.dcIP.String(), "445") }

// KDC returns the DC's KDC address, "ip:88".
func (dc *DC) KDC() string { return net.JoinHostPort(dc.link.dcIP.String(), "88") }

// User returns the test account.
func (dc *DC) User() User { return dc.cfg.User }

// KRB5Conf returns the path of a krb5.conf naming the DC as the realm's
// only KDC.
func (dc *DC) KRB5Conf() string { return dc.l.krb5Conf() }

// Dir returns the DC's temporary directory.
func (dc *DC) Dir() string { return dc.l.root }

// ShareDir returns the directory on the host that share exports, for
// checking from the server side what a client wrote.
func (dc *DC) ShareDir(share string) string { return dc.l.share(share) }

// Timings returns how long each startup step took.
func (dc *DC) Timings() []Timing { return append([]Timing(nil), dc.timings...) }

// Dial connects to address, resolving the DC's host name (FQDN or short)
// to its IP address, so that clients can name it as they would in a real
// domain; it has the signature smbfs.WithDialer takes.
func (dc *DC) Dial(ctx context.Context, network, address string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(address)
	if err != nil {
		return nil, err
	}
	if strings.EqualFold(host, dc.FQDN()) || strings.EqualFold(host, dc.cfg.HostName) {
		address = net.JoinHostPort(dc.link.dcIP.String(), port)
	}
	var d net.Dialer
	return d.DialContext(ctx, network, address)
}

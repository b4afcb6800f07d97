// Command httpserve puts an SMB share behind Go's http.FileServerFS:
// directory listings, Range and multi-range requests (so browsers can seek
// in audio and video), HEAD, If-Modified-Since, and 404/403 straight from
// the io/fs errors smbfs returns.
//
//	SMB_PASSWORD=... go run ./examples/httpserve -addr localhost:8080 smb://user@host/share/dir
//
// Without an argument it serves $SMBFS_TEST_URL (set by smbtestserver).
// The smbfs CLI offers the same as "smbfs serve".
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/smbfs/smbfs"
)

func main() {
	addr := flag.String("addr", "localhost:8080", "listen address (port 0: any free port)")
	flag.Parse()
	target := flag.Arg(0)
	if target == "" {
		target = os.Getenv("SMBFS_TEST_URL")
	}
	if target == "" {
		fmt.Fprintln(os.Stderr, "usage: httpserve [-addr host:port] smb://[user@]host/share[/dir]")
		os.Exit(2)
	}
	if err := run(target, *addr); err != nil {
		fmt.Fprintln(os.Stderr, "httpserve:", err)
		os.Exit(1)
	}
}

func run(target, addr string) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	var opts []smbfs.Option
	if pw, ok := os.LookupEnv("SMB_PASSWORD"); ok {
		opts = append(opts, smbfs.WithPassword(pw))
	}
	dctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	fsys, err := smbfs.Dial(dctx, target, opts...)
	cancel()
	if err != nil {
		return err
	}
	defer fsys.Close()

	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: Handler(fsys), ReadHeaderTimeout: 30 * time.Second}
	fmt.Printf("serving %s on http://%s/\n", redact(target), ln.Addr())

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		log.Print(err)
	}
	fmt.Println("stopped")
	return nil
}

// Handler serves fsys over HTTP. Each request works on a view of the share
// bound to the request's context, so a client that disconnects (or a
// server shutting down) cancels the SMB requests made for it.
func Handler(fsys *smbfs.FS) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.FileServerFS(fsys.WithContext(r.Context())).ServeHTTP(w, r)
	})
}

// redact hides a password in a URL before it is printed.
func redact(raw string) string {
	if u, err := url.Parse(raw); err == nil {
		return u.Redacted()
	}
	return "smb://…"
}

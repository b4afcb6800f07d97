package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/smbfs/smbfs"
)

func serveCommand() *command {
	return &command{
		name:    "serve",
		args:    "[--addr HOST:PORT] [-q] URL",
		summary: "serve a share (or a directory in it) over HTTP",
		help: `
Serve the directory URL names read-only over HTTP with Go's
http.FileServerFS: directory listings, index.html, Range and multi-range
requests (seeking in audio and video), HEAD, If-Modified-Since and
If-None-Match; a missing file answers 404, a forbidden one 403. Each
request runs with its own context: a client that goes away cancels its
SMB requests. One line per request is logged on standard error unless -q.
Runs until interrupted.`,
		minArgs: 1, maxArgs: 1,
		untilSignal: true,
		setup: func(f *flag.FlagSet) runner {
			addr := f.String("addr", "localhost:8080", "listen on `HOST:PORT` (port 0: any free port)")
			quiet := f.Bool("q", false, "no request log")
			return func(ctx context.Context, a *app, args []string) error {
				r, err := parseRemote(args[0])
				if err != nil {
					return usagef("%v", err)
				}
				fsys, err := a.sessions.fs(ctx, r)
				if err != nil {
					return err
				}
				info, err := fsys.Stat(r.path)
				if err == nil && !info.IsDir() {
					err = errors.New("not a directory")
				}
				if err != nil {
					return failf("serve", r, err)
				}
				sub, err := fsys.Sub(r.path)
				if err != nil {
					return failf("serve", r, err)
				}
				ln, err := net.Listen("tcp", *addr)
				if err != nil {
					return failf("serve", *addr, errors.Unwrap(err))
				}
				var log io.Writer
				if !*quiet {
					log = a.stderr
				}
				srv := &http.Server{
					Handler:           fileServer(sub.(*smbfs.FS), log),
					ReadHeaderTimeout: 30 * time.Second,
				}
				fmt.Fprintf(a.stderr, "smbfs: serving %s at http://%s/ (Ctrl-C to stop)\n", r, ln.Addr())
				errc := make(chan error, 1)
				go func() { errc <- srv.Serve(ln) }()
				select {
				case err := <-errc:
					return failf("serve", ln.Addr().String(), err)
				case <-ctx.Done():
				}
				sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				defer cancel()
				srv.Shutdown(sctx)
				return nil
			}
		},
	}
}

// fileServer serves root with http.FileServerFS, each request on a view
// of the share bound to the request's context, logging to log (if not
// nil).
func fileServer(root *smbfs.FS, log io.Writer) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		http.FileServerFS(root.WithContext(req.Context())).ServeHTTP(rec, req)
		if log != nil {
			rng := ""
			if h := req.Header.Get("Range"); h != "" {
				rng = " (" + h + ")"
			}
			fmt.Fprintf(log, "%s %s %s%s %d %s %v\n", time.Now().Format("15:04:05"), req.Method, req.URL.Path, rng,
				rec.status, formatBytes(float64(rec.bytes)), time.Since(start).Round(time.Millisecond))
		}
	})
}

// statusRecorder notes the status and body size of a response.
type statusRecorder struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (s *statusRecorder) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(p []byte) (int, error) {
	n, err := s.ResponseWriter.Write(p)
	s.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the real writer.
func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

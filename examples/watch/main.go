// Command watch subscribes to changes in a directory on a share
// (FS.Watch, SMB2 CHANGE_NOTIFY) and prints them as they arrive. With
// -demo it makes a few changes itself through a second connection (create,
// write, rename, remove) and exits once it has seen them all.
//
//	SMB_PASSWORD=... go run ./examples/watch [-r] smb://user@host/share/dir
//	go run ./examples/watch -demo smb://host/public
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path"
	"time"

	"github.com/smbfs/smbfs"
)

func main() {
	recursive := flag.Bool("r", false, "watch the whole tree")
	demo := flag.Bool("demo", false, "make some changes, print their events, exit")
	flag.Parse()
	url := flag.Arg(0)
	if url == "" {
		url = os.Getenv("SMBFS_TEST_URL")
	}
	if url == "" {
		fmt.Fprintln(os.Stderr, "usage: watch [-r] [-demo] smb://[user@]host/share[/dir]")
		os.Exit(2)
	}
	if err := run(url, *recursive, *demo); err != nil {
		fmt.Fprintln(os.Stderr, "watch:", err)
		os.Exit(1)
	}
}

func dial(ctx context.Context, url string) (*smbfs.FS, error) {
	var opts []smbfs.Option
	if pw, ok := os.LookupEnv("SMB_PASSWORD"); ok {
		opts = append(opts, smbfs.WithPassword(pw))
	}
	return smbfs.Dial(ctx, url, opts...)
}

func run(url string, recursive, demo bool) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if demo {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, time.Minute)
		defer cancel()
	}
	fsys, err := dial(ctx, url)
	if err != nil {
		return err
	}
	defer fsys.Close()

	dir := "."
	if demo {
		dir = fmt.Sprintf("watch-example-%d", os.Getpid())
		if err := fsys.Mkdir(dir, 0o755); err != nil {
			return err
		}
		defer fsys.RemoveAll(dir)
	}
	var opts []smbfs.WatchOption
	if recursive {
		opts = append(opts, smbfs.WatchRecursive())
	}
	// Watch returns once the server has registered the subscription:
	// every change from now on is reported.
	w, err := fsys.Watch(ctx, dir, opts...)
	if err != nil {
		return err
	}
	defer w.Close()
	fmt.Printf("watching %s in %s\n", dir, url)

	want := 0
	if demo {
		changes, err := makeChanges(ctx, url, dir)
		if err != nil {
			return err
		}
		want = changes
	}
	seen := map[smbfs.Op]bool{}
	for {
		select {
		case ev, ok := <-w.Events:
			if !ok {
				return nil
			}
			fmt.Println(ev) // e.g. CREATE "dir/a.txt"
			seen[ev.Op] = true
			if want > 0 && seen[smbfs.OpCreate] && seen[smbfs.OpWrite] && seen[smbfs.OpRename] && seen[smbfs.OpRemove] {
				fmt.Println("saw every kind of change")
				return nil
			}
		case err, ok := <-w.Errors:
			if !ok {
				return nil
			}
			if errors.Is(err, smbfs.ErrOverflow) {
				fmt.Println("too many changes at once: rescan the directory")
				continue
			}
			return err
		case <-ctx.Done():
			if demo {
				return fmt.Errorf("not every change was reported: %w", ctx.Err())
			}
			return nil
		}
	}
}

// makeChanges changes dir through a connection of its own, as another
// client would, and returns how many changes it made.
func makeChanges(ctx context.Context, url, dir string) (int, error) {
	other, err := dial(ctx, url)
	if err != nil {
		return 0, err
	}
	defer other.Close()
	a, b := path.Join(dir, "a.txt"), path.Join(dir, "b.txt")
	steps := []func() error{
		func() error { return other.WriteFile(a, []byte("hello\n"), 0o644) },
		func() error { return other.WriteFile(a, []byte("hello again\n"), 0o644) },
		func() error { return other.Rename(a, b) },
		func() error { return other.Remove(b) },
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return 0, err
		}
	}
	return len(steps), nil
}

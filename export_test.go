package smbfs

import (
	"context"
	"io/fs"

	"github.com/smbfs/smbfs/protocol/wire"
)

// NotifyForTest sends one CHANGE_NOTIFY on an open directory and waits for
// it, so tests can watch a request sit pending on the server.
func (fsys *FS) NotifyForTest(ctx context.Context, f fs.File) error {
	h := f.(*File).h
	_, err := fsys.m.tree.Do(ctx, &wire.ChangeNotifyRequest{FileID: h.FileID(), OutputBufferLength: 4096, CompletionFilter: wire.NotifyChangeFileName})
	return err
}

// DurableForTest reports whether the server granted f a durable handle.
func DurableForTest(f fs.File) bool { return f.(*File).h.Durable() }

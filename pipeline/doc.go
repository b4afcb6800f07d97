// Package pipeline schedules file operations over an SMB2 tree connect.
//
// It sits between the io/fs adapter (package smbfs) and the connection
// (package protocol). Callers name files by their SMB path — relative to the
// share root, backslash-separated, already mapped — and get back neutral
// results (Attr, DirEntry) and errors from package protocol. This package
// knows nothing of io/fs.
//
// Two ideas make it fast:
//
//   - Small operations are compounds: Stat is CREATE+CLOSE, ReadFile is
//     CREATE+READ+CLOSE, WriteFile is CREATE+WRITE+FLUSH+CLOSE, Remove is
//     CREATE+SET_INFO+CLOSE, and so on — one round trip each
//     (MS-SMB2 3.2.4.1.4).
//   - Large transfers are cut into chunks that travel through a sliding
//     window: up to Config.Window chunks are in flight, and the next one is
//     sent the moment any one completes.
package pipeline

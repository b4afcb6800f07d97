//go:build linux || darwin

package main

import "syscall"

// diskTotal is the size of the file system holding path, as df sees it.
func diskTotal(path string) (uint64, error) {
	var st syscall.Statfs_t
	if err := syscall.Statfs(path, &st); err != nil {
		return 0, err
	}
	return uint64(st.Blocks) * uint64(st.Bsize), nil
}

//go:build !(linux || darwin)

package main

import "errors"

// diskTotal is not implemented here (the Samba harness needs Linux).
func diskTotal(string) (uint64, error) {
	return 0, errors.New("statfs: not supported on this system")
}

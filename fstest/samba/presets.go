package samba

import (
	"fmt"
	"strings"
)

// The presets group shares by the settings Samba takes only in [global]
// (signing, global encryption, protocol range, maximum I/O sizes): one
// instance per group serves every test that needs that behaviour. All of
// them know DefaultUser; all use Port 0.

// Files the Main preset puts into its read-only share.
const (
	ROFileName      = "hello.txt"
	ROFileContent   = "hello from the read-only share\n"
	RONestedName    = "dir/nested.txt"
	RONestedContent = "nested file in the read-only share\n"
)

// Main is the everyday preset: default server settings and
//   - "public": writable, guest ok;
//   - "private": writable, DefaultUser only;
//   - "ro": read only, guest ok, holding ROFileName and RONestedName;
//   - "secret": DefaultUser only, "smb encrypt = required" on the share.
//
// It runs samba-dcerpcd, so share listing (srvsvc) works. File names are
// stored raw (no vfs_catia), so a client's own character mapping is what
// the tests observe.
func Main() Config {
	u := DefaultUser()
	return Config{
		Name:  "main",
		Users: []User{u},
		RPC:   true,
		Shares: []Share{
			{Name: "public", Comment: "writable, guest ok", Guest: true},
			{Name: "private", Comment: "writable, " + u.Name + " only", Users: []string{u.Name}},
			{Name: "ro", Comment: "read only, guest ok", Guest: true, ReadOnly: true,
				Files: map[string]string{ROFileName: ROFileContent, RONestedName: RONestedContent}},
			{Name: "secret", Comment: "encryption required on this share", Users: []string{u.Name},
				Params: [][2]string{{"smb encrypt", "required"}}},
		},
	}
}

// SigningMandatory requires signing ("server signing = mandatory") with
// shares "public" (guest; guest sessions stay unsigned even here) and
// "private" (DefaultUser).
func SigningMandatory() Config {
	u := DefaultUser()
	return Config{
		Name:   "signing",
		Users:  []User{u},
		Global: [][2]string{{"server signing", "mandatory"}},
		Shares: []Share{
			{Name: "public", Guest: true},
			{Name: "private", Users: []string{u.Name}},
		},
	}
}

// EncryptRequired requires encryption of every session ("server smb
// encrypt = required") with share "private" (DefaultUser). Guests and
// SMB 2.x clients are refused.
func EncryptRequired() Config {
	u := DefaultUser()
	return Config{
		Name:   "encrypt",
		Users:  []User{u},
		Global: [][2]string{{"server smb encrypt", "required"}},
		Shares: []Share{
			{Name: "private", Users: []string{u.Name}},
		},
	}
}

// SmallIOSize is the maximum read, write and transact size of SmallIO.
const SmallIOSize = 65536

// SmallIO caps reads, writes and transacts at SmallIOSize, so that the
// client must split large transfers; shares "public" (guest) and "private"
// (DefaultUser).
func SmallIO() Config {
	u := DefaultUser()
	size := fmt.Sprint(SmallIOSize)
	return Config{
		Name:  "smallio",
		Users: []User{u},
		Global: [][2]string{
			{"smb2 max read", size},
			{"smb2 max write", size},
			{"smb2 max trans", size},
		},
		Shares: []Share{
			{Name: "public", Guest: true},
			{Name: "private", Users: []string{u.Name}},
		},
	}
}

// SMB1Only speaks nothing but NT1 (SMB1); an SMB2 NEGOTIATE gets the
// connection closed. Share "public" (guest).
func SMB1Only() Config {
	return Config{
		Name:  "smb1",
		Users: []User{DefaultUser()},
		Global: [][2]string{
			{"server min protocol", "NT1"},
			{"server max protocol", "NT1"},
		},
		Shares: []Share{{Name: "public", Guest: true}},
	}
}

// Durable serves share "durable" (DefaultUser) with durable handles on
// (MS-SMB2 3.3.5.9.10), which needs, per SAMBA-NOTES.md, leases enabled
// globally and kernel oplocks, kernel share modes and POSIX locking off on
// the share. Resilience tests reclaim open files across reconnects there.
func Durable() Config {
	u := DefaultUser()
	return Config{
		Name:   "durable",
		Users:  []User{u},
		Global: [][2]string{{"smb2 leases", "yes"}},
		Shares: []Share{{Name: "durable", Users: []string{u.Name}, Params: [][2]string{
			{"durable handles", "yes"},
			{"kernel oplocks", "no"},
			{"kernel share modes", "no"},
			{"posix locking", "no"},
		}}},
	}
}

// presetTable lists the presets by their command-line names.
var presetTable = []struct {
	name string
	cfg  func() Config
}{
	{"main", Main},
	{"signing", SigningMandatory},
	{"encrypt", EncryptRequired},
	{"smallio", SmallIO},
	{"smb1", SMB1Only},
	{"durable", Durable},
}

// PresetNames returns the names Preset accepts, in a fixed order.
func PresetNames() []string {
	names := make([]string, len(presetTable))
	for i, p := range presetTable {
		names[i] = p.name
	}
	return names
}

// Preset returns the preset called name ("main", "signing", "encrypt",
// "smallio", "smb1").
func Preset(name string) (Config, error) {
	for _, p := range presetTable {
		if p.name == name {
			return p.cfg(), nil
		}
	}
	return Config{}, fmt.Errorf("samba: unknown preset %q (have %s)", name, strings.Join(PresetNames(), ", "))
}

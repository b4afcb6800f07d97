package peers

import (
	"github.com/smbfs/smbfs/fstest/samba"
)

// ShareName is the share every benchmark server exports.
const ShareName = "bench"

// ServerConfig returns the private smbd the benchmark runs for sessions
// of kind sec: one share, ShareName, for samba.DefaultUser, with "smb2 max
// credits" at Samba's default (8192) written out, so that a reader of the
// results sees what every client could have used. Signed adds "server
// signing = mandatory", Encrypted "server smb encrypt = required": the
// server, not only the client, insists. baseDir is where the instance's
// directory goes (empty: os.TempDir()); it must be searchable by others.
func ServerConfig(sec Security, baseDir string) samba.Config {
	u := samba.DefaultUser()
	global := [][2]string{{"smb2 max credits", "8192"}}
	switch sec {
	case Signed:
		global = append(global, [2]string{"server signing", "mandatory"})
	case Encrypted:
		global = append(global, [2]string{"server smb encrypt", "required"})
	}
	return samba.Config{
		Name:    "bench-" + sec.String(),
		Users:   []samba.User{u},
		Global:  global,
		Shares:  []samba.Share{{Name: ShareName, Comment: "benchmark share", Users: []string{u.Name}}},
		BaseDir: baseDir,
	}
}

// ServerTarget returns the Target of srv's benchmark share as the default
// user, dialling addr (srv.Addr(), or a proxy in front of it).
func ServerTarget(srv *samba.Server, addr string, sec Security, scratch string) Target {
	u := samba.DefaultUser()
	return Target{
		Addr:       addr,
		Host:       "127.0.0.1",
		Share:      ShareName,
		User:       u.Name,
		Password:   u.Password,
		Security:   sec,
		ClientConf: srv.ClientConfigPath(),
		ScratchDir: scratch,
	}
}

package samba

// Environment variables describing a running instance to another process
// (set by the smbtestserver command for the command it runs).
const (
	// EnvAddr is "127.0.0.1:port".
	EnvAddr = "SMBFS_TEST_ADDR"
	// EnvURL is the guest URL of the first share.
	EnvURL = "SMBFS_TEST_URL"
	// EnvUserURL is the URL of the "private" share with DefaultUser's
	// credentials (or the first user's, without DefaultUser), when the
	// instance has such a share and users.
	EnvUserURL = "SMBFS_TEST_USER_URL"
	// EnvShareDir is the directory on disk behind the first share.
	EnvShareDir = "SMBFS_TEST_SHARE_DIR"
	// EnvPreset is the instance's name (the preset name for presets).
	EnvPreset = "SMBFS_TEST_PRESET"
)

// Env returns the EnvXxx variables for this instance as "KEY=value"
// strings, in a fixed order, for exec.Cmd.Env.
func (s *Server) Env() []string {
	env := []string{EnvAddr + "=" + s.Addr(), EnvPreset + "=" + s.Name()}
	if len(s.cfg.Shares) > 0 {
		first := s.cfg.Shares[0].Name
		env = append(env, EnvURL+"="+s.URL(first, nil), EnvShareDir+"="+s.SharePath(first))
	}
	if s.SharePath("private") != "" && len(s.cfg.Users) > 0 {
		u := s.cfg.Users[0]
		for _, c := range s.cfg.Users {
			if c.Name == DefaultUserName {
				u = c
			}
		}
		env = append(env, EnvUserURL+"="+s.URL("private", &u))
	}
	return env
}

package samba

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestValidate(t *testing.T) {
	u := DefaultUser()
	ok := func() Config {
		return Config{Users: []User{u}, Shares: []Share{{Name: "s", Users: []string{u.Name}}}}
	}
	tests := []struct {
		name   string
		mutate func(c *Config)
		want   string // substring of the error; "" means valid
	}{
		{"valid", func(c *Config) {}, ""},
		{"valid override of a default", func(c *Config) {
			c.Global = [][2]string{{"log level", "3"}, {"Interfaces", "127.0.0.1;speed=10000000000"}}
		}, ""},
		{"valid parametric option", func(c *Config) { c.Global = [][2]string{{"smbd:backgroundqueue", "no"}} }, ""},
		{"port 445", func(c *Config) { c.Port = 445 }, "privileged"},
		{"port negative", func(c *Config) { c.Port = -1 }, "out of range"},
		{"port too big", func(c *Config) { c.Port = 70000 }, "out of range"},
		{"enforced smb ports", func(c *Config) { c.Global = [][2]string{{"smb ports", "445"}} }, "cannot be overridden"},
		{"enforced, odd spelling", func(c *Config) { c.Global = [][2]string{{"Lock_Dir", "/run/samba"}} }, "cannot be overridden"},
		{"enforced passdb", func(c *Config) { c.Global = [][2]string{{"passdb backend", "tdbsam"}} }, "cannot be overridden"},
		{"enforced include", func(c *Config) { c.Global = [][2]string{{"include", "/etc/samba/smb.conf"}} }, "cannot be overridden"},
		{"enforced rpc helpers", func(c *Config) { c.Global = [][2]string{{"rpc start on demand helpers", "yes"}} }, "cannot be overridden"},
		{"newline in value", func(c *Config) { c.Global = [][2]string{{"comment", "a\n[evil]"}} }, "line break"},
		{"continuation backslash", func(c *Config) { c.Global = [][2]string{{"comment", `a\`}} }, "backslash"},
		{"empty key", func(c *Config) { c.Global = [][2]string{{" ", "x"}} }, "empty parameter"},
		{"key with =", func(c *Config) { c.Global = [][2]string{{"a=b", "x"}} }, "bad parameter name"},
		{"share param newline", func(c *Config) { c.Shares[0].Params = [][2]string{{"path", "/x\n"}} }, "line break"},
		{"bad user name", func(c *Config) { c.Users = []User{{Name: "Bad User", Password: "x"}} }, "user name"},
		{"root user", func(c *Config) { c.Users = []User{{Name: "root", Password: "x"}} }, "user name"},
		{"duplicate user", func(c *Config) { c.Users = append(c.Users, u) }, "twice"},
		{"empty password", func(c *Config) { c.Users[0].Password = "" }, "password"},
		{"multi-line password", func(c *Config) { c.Users[0].Password = "a\nb" }, "password"},
		{"unknown valid user", func(c *Config) { c.Shares[0].Users = []string{"ghost"} }, "not in Config.Users"},
		{"empty share name", func(c *Config) { c.Shares[0].Name = "" }, "bad share name"},
		{"share name with bracket", func(c *Config) { c.Shares[0].Name = "a]b" }, "bad share name"},
		{"share name with slash", func(c *Config) { c.Shares[0].Name = "a/b" }, "bad share name"},
		{"reserved share", func(c *Config) { c.Shares[0].Name = "Global" }, "reserved"},
		{"reserved ipc", func(c *Config) { c.Shares[0].Name = "IPC$" }, "reserved"},
		{"duplicate share, other case", func(c *Config) { c.Shares = append(c.Shares, Share{Name: "S"}) }, "twice"},
		{"relative share path", func(c *Config) { c.Shares[0].Path = "rel/dir" }, "not absolute"},
		{"file escaping share", func(c *Config) { c.Shares[0].Files = map[string]string{"../x": ""} }, "inside the share"},
		{"absolute file", func(c *Config) { c.Shares[0].Files = map[string]string{"/etc/x": ""} }, "inside the share"},
		{"comment newline", func(c *Config) { c.Shares[0].Comment = "a\nb" }, "line break"},
		{"name with slash", func(c *Config) { c.Name = "a/b" }, "name"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := ok()
			tc.mutate(&c)
			err := c.validate()
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case tc.want != "" && err == nil:
				t.Fatalf("accepted; want error containing %q", tc.want)
			case tc.want != "" && (!errors.Is(err, errConfig) || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("error %v; want errConfig containing %q", err, tc.want)
			}
		})
	}
}

func TestPresetsAreValid(t *testing.T) {
	for _, name := range PresetNames() {
		t.Run(name, func(t *testing.T) {
			cfg, err := Preset(name)
			if err != nil {
				t.Fatal(err)
			}
			if cfg.Name != name {
				t.Errorf("Name = %q, want %q", cfg.Name, name)
			}
			if err := cfg.validate(); err != nil {
				t.Fatal(err)
			}
			if len(cfg.Shares) == 0 || cfg.Port != 0 {
				t.Errorf("want shares and an automatic port, got %d shares, port %d", len(cfg.Shares), cfg.Port)
			}
		})
	}
	if _, err := Preset("nope"); err == nil || !strings.Contains(err.Error(), "main") {
		t.Errorf("Preset(nope) = %v; want an error listing the presets", err)
	}
}

func TestPresetSettings(t *testing.T) {
	global := func(c Config, key string) string {
		for _, p := range c.Global {
			if normKey(p[0]) == normKey(key) {
				return p[1]
			}
		}
		return ""
	}
	shareNames := func(c Config) []string {
		var n []string
		for _, s := range c.Shares {
			n = append(n, s.Name)
		}
		return n
	}
	tests := []struct {
		cfg    Config
		shares []string
		key    string
		value  string
	}{
		{Main(), []string{"public", "private", "ro", "secret"}, "server signing", ""},
		{SigningMandatory(), []string{"public", "private"}, "server signing", "mandatory"},
		{EncryptRequired(), []string{"private"}, "server smb encrypt", "required"},
		{SmallIO(), []string{"public", "private"}, "smb2 max trans", "65536"},
		{SMB1Only(), []string{"public"}, "server max protocol", "NT1"},
	}
	for _, tc := range tests {
		t.Run(tc.cfg.Name, func(t *testing.T) {
			if got := shareNames(tc.cfg); !slices.Equal(got, tc.shares) {
				t.Errorf("shares %v, want %v", got, tc.shares)
			}
			if got := global(tc.cfg, tc.key); got != tc.value {
				t.Errorf("%s = %q, want %q", tc.key, got, tc.value)
			}
		})
	}
	if !Main().RPC {
		t.Error("Main must run samba-dcerpcd for share listing")
	}
}

func TestURL(t *testing.T) {
	s := &Server{port: 24455}
	tests := []struct {
		name  string
		share string
		user  *User
		want  string
	}{
		{"guest", "public", nil, "smb://127.0.0.1:24455/public"},
		{"default user", "private", &User{Name: DefaultUserName, Password: DefaultUserPassword}, "smb://smbuser:Smbfs-test-pw1@127.0.0.1:24455/private"},
		{"escaped password", "p", &User{Name: "u", Password: "p@ss:w/rd %?#"}, "smb://u:p%40ss%3Aw%2Frd%20%25%3F%23@127.0.0.1:24455/p"},
		{"escaped share", "my share", nil, "smb://127.0.0.1:24455/my%20share"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := s.URL(tc.share, tc.user); got != tc.want {
				t.Errorf("URL = %q, want %q", got, tc.want)
			}
		})
	}
	if s.Addr() != "127.0.0.1:24455" || s.Port() != 24455 {
		t.Errorf("Addr %q Port %d", s.Addr(), s.Port())
	}
}

func TestRenderConf(t *testing.T) {
	l := layout{root: "/tmp/x"}
	u := DefaultUser()
	c := Config{
		Name:   "t",
		Global: [][2]string{{"log level", "3"}},
		Users:  []User{u},
		Shares: []Share{
			{Name: "pub", Comment: "c", Guest: true},
			{Name: "priv", ReadOnly: true, Users: []string{u.Name}, Params: [][2]string{{"smb encrypt", "required"}}},
		},
	}
	conf := renderConf(l, &c, 24455, []string{"/tmp/x/shares/pub", "/srv/priv"})
	lines := strings.Split(conf, "\n")
	index := func(line string) int {
		return slices.Index(lines, "\t"+line)
	}
	for _, want := range []string{
		"smb ports = 24455",
		"bind interfaces only = yes",
		"interfaces = 127.0.0.1",
		"passdb backend = tdbsam:/tmp/x/passdb.tdb",
		"lock directory = /tmp/x/run/lock",
		"private dir = /tmp/x/run/private",
		"ncalrpc dir = /tmp/x/run/ncalrpc",
		"log file = /tmp/x/log/samba.log",
		"rpc start on demand helpers = no",
		"disable netbios = yes",
		"map to guest = bad user",
		"unix charset = UTF-8",
		"server multi channel support = no",
		"path = /tmp/x/shares/pub",
		"path = /srv/priv",
		"valid users = smbuser",
		"smb encrypt = required",
	} {
		if index(want) < 0 {
			t.Errorf("smb.conf lacks %q:\n%s", want, conf)
		}
	}
	// A later line wins in smb.conf: the caller's log level must follow
	// the default one.
	if def, over := index("log level = 1"), index("log level = 3"); def < 0 || over < def {
		t.Errorf("caller's log level (line %d) must follow the default (line %d)", over, def)
	}
	if pub, priv := slices.Index(lines, "[pub]"), slices.Index(lines, "[priv]"); pub < 0 || priv < pub {
		t.Errorf("share sections missing or out of order:\n%s", conf)
	}
	if strings.Contains(conf, "/etc/samba") || strings.Contains(conf, "/var/lib/samba") {
		t.Errorf("smb.conf refers to the system's Samba directories:\n%s", conf)
	}
}

func TestRenderPasswd(t *testing.T) {
	passwd, group := renderPasswd([]User{{Name: "a", Password: "x"}, {Name: "b", Password: "y"}})
	for _, want := range []string{
		"root:x:0:0:", "nobody:x:65534:65534:", "a:x:61001:61001:", "b:x:61002:61002:",
	} {
		if !strings.Contains(passwd, "\n"+want) && !strings.HasPrefix(passwd, want) {
			t.Errorf("passwd lacks %q:\n%s", want, passwd)
		}
	}
	for _, want := range []string{"root:x:0:\n", "nogroup:x:65534:\n", "a:x:61001:\n", "smbfs:x:61000:a,b\n"} {
		if !strings.Contains(group, want) {
			t.Errorf("group lacks %q:\n%s", want, group)
		}
	}
	if strings.Contains(passwd, "x:x") {
		t.Errorf("passwords leaked into passwd:\n%s", passwd)
	}
}

func TestServerEnv(t *testing.T) {
	l := layout{root: "/r"}
	env := serverEnv([]string{"PATH=/bin", "LD_PRELOAD=/other.so", "NSS_WRAPPER_PASSWD=/etc/evil", "HOME=/root", "TDB_NO_FSYNC=0"}, "/lib/nss.so", l)
	want := []string{"PATH=/bin", "HOME=/root", "LD_PRELOAD=/lib/nss.so:/other.so", "NSS_WRAPPER_PASSWD=/r/passwd", "NSS_WRAPPER_GROUP=/r/group", "TDB_NO_FSYNC=1"}
	if !slices.Equal(env, want) {
		t.Errorf("env = %q\nwant  %q", env, want)
	}
}

func TestTail(t *testing.T) {
	tests := []struct {
		in   string
		n    int
		want string
	}{
		{"", 3, ""},
		{"a\nb\nc\nd\n", 2, "c\nd"},
		{"a\nb", 5, "a\nb"},
		{"a\n\n\n", 1, "a"},
	}
	for _, tc := range tests {
		if got := tail(tc.in, tc.n); got != tc.want {
			t.Errorf("tail(%q, %d) = %q, want %q", tc.in, tc.n, got, tc.want)
		}
	}
}

func TestFindProgramMissing(t *testing.T) {
	_, err := findProgram("smbfs-no-such-samba-program")
	if !errors.Is(err, ErrNoSamba) {
		t.Errorf("err = %v, want ErrNoSamba", err)
	}
	t.Setenv(EnvNSSWrapper, "/nonexistent/libnss_wrapper.so")
	if _, err := findNSSWrapper(); !errors.Is(err, ErrNoSamba) {
		t.Errorf("findNSSWrapper with a bad override = %v, want ErrNoSamba", err)
	}
}

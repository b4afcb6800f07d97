package samba

import (
	"testing"
)

// smbstatusJSON is "smbstatus -j" output from Samba 4.17.12 with a signed
// user session and a guest session (captured on the project's machine).
const smbstatusJSON = `{"timestamp": "2026-11-24T04:22:10.550906+0000", "version": "4.17.12-Debian", "smb_conf": "/tmp/sxs/smb.conf", "sessions": {"3779249985": {"session_id": "3779249985", "server_id": {"pid": "4777", "task_id": "0", "vnn": "4294967295", "unique_id": "13673443523887440135"}, "uid": 61001, "gid": 61001, "username": "smbuser", "groupname": "smbuser", "remote_machine": "127.0.0.1", "hostname": "ipv4:127.0.0.1:33058", "session_dialect": "SMB3_11", "encryption": {"cipher": "-", "degree": "none"}, "signing": {"cipher": "AES-128-GMAC", "degree": "full"}}, "2650809807": {"session_id": "2650809807", "server_id": {"pid": "4778", "task_id": "0", "vnn": "4294967295", "unique_id": "453632342627880901"}, "uid": 65534, "gid": 65534, "username": "nobody", "groupname": "nogroup", "remote_machine": "127.0.0.1", "hostname": "ipv4:127.0.0.1:33074", "session_dialect": "SMB3_11", "encryption": {"cipher": "-", "degree": "none"}, "signing": {"cipher": "-", "degree": "none"}}}, "tcons": {"3194761316": {"service": "public", "server_id": {"pid": "4778", "task_id": "0", "vnn": "4294967295", "unique_id": "453632342627880901"}, "tcon_id": "3194761316", "session_id": "2650809807", "machine": "127.0.0.1", "connected_at": "2026-11-24T04:22:09.752140+00:00", "encryption": {"cipher": "-", "degree": "none"}, "signing": {"cipher": "-", "degree": "none"}}, "135480165": {"service": "private", "server_id": {"pid": "4777", "task_id": "0", "vnn": "4294967295", "unique_id": "13673443523887440135"}, "tcon_id": "135480165", "session_id": "3779249985", "machine": "127.0.0.1", "connected_at": "2026-11-24T04:22:09.734023+00:00", "encryption": {"cipher": "-", "degree": "none"}, "signing": {"cipher": "-", "degree": "none"}}}, "open_files": {}}`

func TestParseStatus(t *testing.T) {
	st, err := parseStatus([]byte(smbstatusJSON))
	if err != nil {
		t.Fatal(err)
	}
	wantSessions := []Session{
		{ID: "2650809807", PID: 4778, UID: 65534, GID: 65534, Username: "nobody", Remote: "ipv4:127.0.0.1:33074",
			Dialect: "SMB3_11", Encryption: "-", EncryptionDegree: "none", Signing: "-", SigningDegree: "none"},
		{ID: "3779249985", PID: 4777, UID: 61001, GID: 61001, Username: "smbuser", Remote: "ipv4:127.0.0.1:33058",
			Dialect: "SMB3_11", Encryption: "-", EncryptionDegree: "none", Signing: "AES-128-GMAC", SigningDegree: "full"},
	}
	if len(st.Sessions) != len(wantSessions) {
		t.Fatalf("sessions %+v", st.Sessions)
	}
	for i, want := range wantSessions {
		if st.Sessions[i] != want {
			t.Errorf("session %d:\n got %+v\nwant %+v", i, st.Sessions[i], want)
		}
	}
	wantTcons := []TreeConnect{
		{ID: "135480165", SessionID: "3779249985", Service: "private", PID: 4777, Encryption: "-", Signing: "-"},
		{ID: "3194761316", SessionID: "2650809807", Service: "public", PID: 4778, Encryption: "-", Signing: "-"},
	}
	if len(st.Tcons) != len(wantTcons) {
		t.Fatalf("tcons %+v", st.Tcons)
	}
	for i, want := range wantTcons {
		if st.Tcons[i] != want {
			t.Errorf("tcon %d:\n got %+v\nwant %+v", i, st.Tcons[i], want)
		}
	}

	tests := []struct {
		remote string
		want   string
		ok     bool
	}{
		{"127.0.0.1:33058", "3779249985", true},
		{"127.0.0.1:33074", "2650809807", true},
		{"127.0.0.1:3305", "", false},
		{"ipv4:127.0.0.1:33058", "3779249985", true},
	}
	for _, tc := range tests {
		se, ok := st.SessionFor(tc.remote)
		if ok != tc.ok || se.ID != tc.want {
			t.Errorf("SessionFor(%q) = %q, %v; want %q, %v", tc.remote, se.ID, ok, tc.want, tc.ok)
		}
	}
}

func TestParseStatusErrors(t *testing.T) {
	for _, bad := range []string{
		"",
		"not json",
		`{"sessions": {"1": {"server_id": {"pid": "x"}}}}`,
		`{"tcons": {"1": {"server_id": {"pid": "-3"}}}}`,
		`{"sessions": []}`,
	} {
		if st, err := parseStatus([]byte(bad)); err == nil {
			t.Errorf("parseStatus(%q) accepted: %+v", bad, st)
		}
	}
	st, err := parseStatus([]byte(`{"sessions": {}, "tcons": {}, "open_files": {}}`))
	if err != nil || len(st.Sessions) != 0 || len(st.Tcons) != 0 {
		t.Errorf("idle server: %+v, %v", st, err)
	}
}

func FuzzParseStatus(f *testing.F) {
	f.Add([]byte(smbstatusJSON))
	f.Add([]byte(`{"sessions": {}, "tcons": {}}`))
	f.Add([]byte(`{"sessions": {"1": {"server_id": {"pid": "12"}, "session_dialect": "NT1"}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		st, err := parseStatus(data)
		if err != nil {
			return
		}
		for _, se := range st.Sessions {
			if se.PID < 0 {
				t.Fatalf("negative pid: %+v", se)
			}
		}
	})
}

package krb5auth

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/jcmturner/gokrb5/v8/client"
	"github.com/jcmturner/gokrb5/v8/config"
	"github.com/jcmturner/gokrb5/v8/credentials"
	"github.com/jcmturner/gokrb5/v8/iana/nametype"
	"github.com/jcmturner/gokrb5/v8/keytab"
	"github.com/jcmturner/gokrb5/v8/messages"
	"github.com/jcmturner/gokrb5/v8/types"
)

// Initiator holds what the client side of a Kerberos exchange needs (RFC
// 4121 calls it the context initiator): the configuration, where the
// credentials come from and the service principal. It makes a fresh
// Authenticator for every session setup, so a reconnecting client can
// authenticate again; the credential cache and keytab are read anew each
// time, so tickets renewed by kinit are picked up. An Initiator is safe for
// concurrent use.
type Initiator struct {
	cfg      Config
	source   credentialSource
	krb5conf *config.Config
	confPath string
	spn      types.PrincipalName
	// user and realm are the client principal as configured; for a
	// credential cache or keytab they may be empty until the file is read.
	user, realm string
	now         func() time.Time
	// fetch obtains the service ticket: serviceTicket, or a stand-in in
	// tests.
	fetch func() (*ticket, error)
}

// New checks cfg and loads krb5.conf. Credential files are only opened when
// an Authenticator needs them.
func New(cfg Config) (*Initiator, error) {
	src, err := cfg.source()
	if err != nil {
		return nil, err
	}
	if cfg.SPN == "" {
		return nil, configError("no service principal (SPN) given: it is cifs/<server host name>")
	}
	service, host, ok := strings.Cut(cfg.SPN, "/")
	if !ok || service == "" || host == "" || strings.Contains(host, "@") {
		return nil, configError("service principal %q is not of the form service/host (e.g. cifs/fs1.example.com)", cfg.SPN)
	}
	in := &Initiator{
		cfg:    cfg,
		source: src,
		spn:    types.PrincipalName{NameType: nametype.KRB_NT_SRV_INST, NameString: []string{service, host}},
		now:    cfg.Now,
	}
	if in.now == nil {
		in.now = time.Now
	}
	in.fetch = in.serviceTicket
	in.user, in.realm = splitPrincipal(cfg.User)
	if in.realm == "" {
		in.realm = cfg.Realm
	}
	if src == sourcePassword && in.user == "" {
		return nil, configError("a password login needs a user name")
	}
	if in.krb5conf, in.confPath, err = cfg.loadKrb5Conf(); err != nil {
		return nil, err
	}
	if in.realm == "" && src == sourcePassword {
		in.realm = in.krb5conf.LibDefaults.DefaultRealm
		if in.realm == "" {
			return nil, configError("no realm for user %q: name it (user@REALM or Realm) or set default_realm in krb5.conf", in.user)
		}
	}
	// The realm of a keytab or cache may be known only once the file is
	// read; withKDCs applies the KDCs then.
	if len(cfg.KDCs) > 0 && in.realm != "" {
		if err := applyKDCs(in.krb5conf, in.realm, cfg.KDCs); err != nil {
			return nil, err
		}
	}
	return in, nil
}

// SPN returns the service principal, e.g. "cifs/fs1.example.com".
func (in *Initiator) SPN() string { return in.spn.PrincipalNameString() }

// NewAuthenticator returns an Authenticator for one session setup.
func (in *Initiator) NewAuthenticator() *Authenticator {
	return &Authenticator{in: in}
}

// ticket is a service ticket with what the AP-REQ needs besides it.
type ticket struct {
	tkt        messages.Ticket
	sessionKey types.EncryptionKey
	crealm     string
	cname      types.PrincipalName
}

// serviceTicket obtains a ticket for the service principal: from the
// credential cache when it holds a valid one, else through the KDC (an AS
// exchange for password and keytab logins, then a TGS exchange).
func (in *Initiator) serviceTicket() (*ticket, error) {
	cl, err := in.client()
	if err != nil {
		return nil, err
	}
	// Destroy stops the TGT renewal goroutine gokrb5 starts on login; the
	// client lives only for this exchange.
	defer cl.Destroy()
	crealm, cname := cl.Credentials.Domain(), cl.Credentials.CName()
	principal := cname.PrincipalNameString() + "@" + crealm
	if in.source != sourceCCache {
		if err := cl.Login(); err != nil {
			return nil, kdcError("get a ticket-granting ticket for "+principal, err)
		}
	}
	spn := in.SPN()
	tkt, key, err := cl.GetServiceTicket(spn)
	if err != nil {
		e := kdcError("get a service ticket for "+spn+" as "+principal, err)
		if srealm := in.krb5conf.ResolveRealm(in.spn.NameString[1]); srealm != "" && srealm != crealm && e.Kind == ErrUnknownService {
			// The KDC has no cross-realm key towards the service's realm:
			// the client's tickets are for the wrong realm.
			e.Kind = ErrWrongRealm
			e.Detail = fmt.Sprintf("the client's tickets are for realm %s, %s belongs to realm %s, and the KDC knows no path between them", crealm, in.spn.NameString[1], srealm)
		}
		return nil, e
	}
	return &ticket{tkt: tkt, sessionKey: key, crealm: crealm, cname: cname}, nil
}

// client builds a gokrb5 client from the configured credential source.
func (in *Initiator) client() (*client.Client, error) {
	settings := []func(*client.Settings){
		// gokrb5 cannot do FAST (RFC 6113); without this it refuses KDCs
		// that merely offer it, as Active Directory does.
		client.DisablePAFXFAST(true),
	}
	switch in.source {
	case sourcePassword:
		return in.withKDCs(client.NewWithPassword(in.user, in.realm, in.cfg.Password, in.krb5conf, settings...))
	case sourceKeytab:
		kt, err := loadKeytab(in.cfg.Keytab)
		if err != nil {
			return nil, err
		}
		user, realm := in.user, in.realm
		if user == "" {
			if len(kt.Entries) == 0 {
				return nil, &Error{Op: "read keytab " + in.cfg.Keytab, Kind: ErrNoCredentials, Err: errors.New("the keytab is empty")}
			}
			p := kt.Entries[0].Principal
			user = strings.Join(p.Components, "/")
			if realm == "" {
				realm = p.Realm
			}
		}
		if realm == "" {
			realm = in.krb5conf.LibDefaults.DefaultRealm
		}
		if realm == "" {
			return nil, configError("no realm for user %q: name it (user@REALM or Realm) or set default_realm in krb5.conf", user)
		}
		if !keytabHas(kt, user, realm) {
			return nil, &Error{Op: "read keytab " + in.cfg.Keytab, Kind: ErrNoCredentials, Err: fmt.Errorf("no key for %s@%s in it", user, realm)}
		}
		return in.withKDCs(client.NewWithKeytab(user, realm, kt, in.krb5conf, settings...))
	}
	path, err := ccachePath(in.cfg.CCache)
	if err != nil {
		return nil, err
	}
	cc, err := loadCCache(path)
	if err != nil {
		return nil, err
	}
	principal := cc.DefaultPrincipal.PrincipalName.PrincipalNameString() + "@" + cc.DefaultPrincipal.Realm
	if in.user != "" {
		want := in.user
		if in.realm != "" {
			want += "@" + in.realm
		} else {
			want += "@" + cc.DefaultPrincipal.Realm
		}
		if !strings.EqualFold(want, principal) {
			return nil, &Error{Op: "use credential cache " + path, Kind: ErrNoCredentials, Err: fmt.Errorf("it holds tickets for %s, not %s", principal, want)}
		}
	}
	if tgt, ok := cc.GetEntry(types.PrincipalName{NameType: nametype.KRB_NT_SRV_INST, NameString: []string{"krbtgt", cc.DefaultPrincipal.Realm}}); ok {
		if !tgt.EndTime.IsZero() && !time.Now().Before(tgt.EndTime) {
			return nil, &Error{Op: "use credential cache " + path, Kind: ErrNoCredentials,
				Err: fmt.Errorf("the ticket-granting ticket of %s expired at %s; run kinit", principal, tgt.EndTime.Format(time.RFC3339))}
		}
	}
	cl, err := client.NewFromCCache(cc, in.krb5conf, settings...)
	if err != nil {
		return nil, &Error{Op: "use credential cache " + path, Kind: ErrNoCredentials, Err: err}
	}
	return in.withKDCs(cl)
}

// withKDCs applies Config.KDCs to the client's realm once it is known (for
// keytab and cache logins), and checks that the realm has a KDC.
func (in *Initiator) withKDCs(cl *client.Client) (*client.Client, error) {
	realm := cl.Credentials.Domain()
	if len(in.cfg.KDCs) > 0 && !hasKDC(cl.Config, realm) {
		// A private copy: the shared configuration must not change under
		// concurrent authenticators.
		c := *cl.Config
		c.Realms = append([]config.Realm(nil), c.Realms...)
		if err := applyKDCs(&c, realm, in.cfg.KDCs); err != nil {
			return nil, err
		}
		cl.Config = &c
	}
	if !cl.Config.LibDefaults.DNSLookupKDC && !hasKDC(cl.Config, realm) {
		where := "krb5.conf"
		if in.confPath != "" {
			where = in.confPath
		}
		return nil, configError("no KDC known for realm %s: list it in %s ([realms] %s = { kdc = host }) or give the KDCs", realm, where, realm)
	}
	return cl, nil
}

// keytabHas reports whether kt holds a key for user@realm.
func keytabHas(kt *keytab.Keytab, user, realm string) bool {
	for _, e := range kt.Entries {
		if strings.EqualFold(e.Principal.Realm, realm) && strings.Join(e.Principal.Components, "/") == user {
			return true
		}
	}
	return false
}

// loadKeytab reads a keytab file. gokrb5's parser indexes without bounds
// checks, so a damaged file is turned into an error rather than a panic.
func loadKeytab(path string) (kt *keytab.Keytab, err error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, &Error{Op: "read keytab", Kind: ErrNoCredentials, Err: err}
	}
	return parseKeytab(path, b)
}

// parseKeytab decodes keytab bytes (the MIT format, versions 1 and 2).
func parseKeytab(path string, b []byte) (kt *keytab.Keytab, err error) {
	kt = keytab.New()
	defer func() {
		if r := recover(); r != nil {
			kt, err = nil, &Error{Op: "read keytab " + path, Kind: ErrNoCredentials, Err: fmt.Errorf("malformed keytab: %v", r)}
		}
	}()
	if len(b) == 0 {
		return nil, &Error{Op: "read keytab " + path, Kind: ErrNoCredentials, Err: errors.New("the file is empty")}
	}
	if err := kt.Unmarshal(b[:len(b):len(b)]); err != nil {
		return nil, &Error{Op: "read keytab " + path, Kind: ErrNoCredentials, Err: err}
	}
	return kt, nil
}

// loadCCache reads a credential cache file (the MIT file format, versions
// 1-4), turning a panic of gokrb5's parser on a damaged file into an error.
func loadCCache(path string) (cc *credentials.CCache, err error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, &Error{Op: "read credential cache", Kind: ErrNoCredentials, Err: fmt.Errorf("%w (run kinit, or set %s)", err, EnvCCache)}
	}
	return parseCCache(path, b)
}

// parseCCache decodes credential cache bytes.
func parseCCache(path string, b []byte) (cc *credentials.CCache, err error) {
	cc = new(credentials.CCache)
	defer func() {
		if r := recover(); r != nil {
			cc, err = nil, &Error{Op: "read credential cache " + path, Kind: ErrNoCredentials, Err: fmt.Errorf("malformed credential cache: %v", r)}
		}
	}()
	if len(b) == 0 {
		return nil, &Error{Op: "read credential cache " + path, Kind: ErrNoCredentials, Err: errors.New("the file is empty")}
	}
	if err := checkCCache(b); err != nil {
		return nil, &Error{Op: "read credential cache " + path, Kind: ErrNoCredentials, Err: fmt.Errorf("malformed credential cache: %w", err)}
	}
	// Cap the capacity: gokrb5 slices past the length without checking,
	// and a slice with spare capacity would let it read garbage instead
	// of failing.
	if err := cc.Unmarshal(b[:len(b):len(b)]); err != nil {
		return nil, &Error{Op: "read credential cache " + path, Kind: ErrNoCredentials, Err: err}
	}
	if len(cc.DefaultPrincipal.PrincipalName.NameString) == 0 || cc.DefaultPrincipal.Realm == "" {
		return nil, &Error{Op: "read credential cache " + path, Kind: ErrNoCredentials, Err: errors.New("it names no principal")}
	}
	return cc, nil
}

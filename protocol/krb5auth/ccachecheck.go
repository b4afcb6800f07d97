package krb5auth

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// checkCCache walks a credential cache file (the MIT format,
// https://web.mit.edu/kerberos/krb5-latest/doc/formats/ccache_file_format.html)
// and checks that every length and count stays within the data, before
// gokrb5's parser, which trusts them, sees it: a count of 2^31 addresses
// would make it allocate until the process dies, which no recover catches.
// The walk mirrors gokrb5's reading order, quirks included.
func checkCCache(b []byte) error {
	r := &ccReader{b: b}
	if len(b) < 2 || b[0] != 5 || b[1] < 1 || b[1] > 4 {
		return errors.New("not a credential cache (want 0x05 and version 1-4)")
	}
	r.version = b[1]
	r.p = 2
	r.order = binary.ByteOrder(binary.BigEndian)
	if r.version <= 2 {
		// Versions 1 and 2 use the writer's byte order, which gokrb5
		// takes to be this machine's.
		r.order = binary.NativeEndian
	}
	if r.version == 4 {
		hlen := int(r.u16())
		// gokrb5 reads fields while its absolute offset is at most the
		// header length.
		for r.err == nil && r.p <= hlen {
			r.u16() // tag
			r.skip(int(r.u16()))
		}
	}
	r.principal()
	for r.err == nil && r.p < len(r.b) {
		r.credential()
	}
	return r.err
}

// ccReader reads a credential cache with bounds checks; the first failure
// sticks in err and makes every later read a no-op.
type ccReader struct {
	b       []byte
	p       int
	version byte
	order   binary.ByteOrder
	err     error
}

// need checks that n more bytes are there.
func (r *ccReader) need(n int) bool {
	if r.err != nil {
		return false
	}
	if n < 0 || n > len(r.b)-r.p {
		r.err = fmt.Errorf("truncated at offset %d: %d bytes wanted, %d left", r.p, n, len(r.b)-r.p)
		return false
	}
	return true
}

func (r *ccReader) skip(n int) {
	if r.need(n) {
		r.p += n
	}
}

func (r *ccReader) u16() uint16 {
	if !r.need(2) {
		return 0
	}
	v := r.order.Uint16(r.b[r.p:])
	r.p += 2
	return v
}

// count reads a 32-bit count or length; gokrb5 takes it as a signed int.
func (r *ccReader) count() int {
	if !r.need(4) {
		return 0
	}
	v := int32(r.order.Uint32(r.b[r.p:]))
	r.p += 4
	if v < 0 && r.err == nil {
		r.err = fmt.Errorf("negative length %d at offset %d", v, r.p-4)
	}
	return int(v)
}

// data skips a length-prefixed byte string.
func (r *ccReader) data() { r.skip(r.count()) }

// items checks a count of entries that take at least minSize bytes each,
// then reads each with fn.
func (r *ccReader) items(minSize int, fn func()) {
	n := r.count()
	if r.err == nil && n > (len(r.b)-r.p)/minSize {
		r.err = fmt.Errorf("%d entries at offset %d cannot fit in the %d bytes left", n, r.p-4, len(r.b)-r.p)
	}
	for i := 0; i < n && r.err == nil; i++ {
		fn()
	}
}

// principal skips a principal: name type (not in version 1), component
// count (including the realm in version 1), realm, components.
func (r *ccReader) principal() {
	if r.version != 1 {
		r.skip(4)
	}
	n := r.count()
	if r.version == 1 {
		n--
	}
	r.data() // realm
	if r.err == nil && n > (len(r.b)-r.p)/4 {
		r.err = fmt.Errorf("%d principal components cannot fit in the %d bytes left", n, len(r.b)-r.p)
	}
	for i := 0; i < n && r.err == nil; i++ {
		r.data()
	}
}

// credential skips one credential: client and server principals, keyblock,
// four times, is_skey, flags, addresses, authorization data and the two
// tickets.
func (r *ccReader) credential() {
	r.principal()
	r.principal()
	r.u16() // enctype
	if r.version == 3 {
		r.u16() // repeated in version 3
	}
	r.data()      // key
	r.skip(4 * 4) // authtime, starttime, endtime, renew_till
	r.skip(1)     // is_skey
	r.skip(4)     // ticket flags
	entry := func() {
		r.u16() // address or authdata type
		r.data()
	}
	r.items(6, entry) // addresses
	r.items(6, entry) // authorization data
	r.data()          // ticket
	r.data()          // second ticket
}

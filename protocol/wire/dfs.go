package wire

// DFS referrals (MS-DFSC): a client that meets STATUS_PATH_NOT_COVERED
// asks the server which share really holds a path by sending
// REQ_GET_DFS_REFERRAL as the input of FSCTL_DFS_GET_REFERRALS on IPC$
// (MS-SMB2 3.2.4.20.3) and gets RESP_GET_DFS_REFERRAL back: how much of
// the path the referral covers and one entry per target, best first.

// DFSMaxReferralLevel is the highest referral version this package decodes
// (MS-DFSC 2.2.5.1–2.2.5.4), the MaxReferralLevel a client asks for.
const DFSMaxReferralLevel = 4

// DFSReferralRequest is REQ_GET_DFS_REFERRAL (MS-DFSC 2.2.2).
type DFSReferralRequest struct {
	// MaxReferralLevel is the highest referral version the client
	// understands (1–4).
	MaxReferralLevel uint16
	// RequestFileName is the path to resolve, `\server\share[\path]`
	// (MS-DFSC 3.1.4.2); sent NUL-terminated.
	RequestFileName string
}

// Encode appends the request to b.
func (r *DFSReferralRequest) Encode(b []byte) []byte {
	b = le.AppendUint16(b, r.MaxReferralLevel)
	b = AppendUTF16(b, r.RequestFileName)
	return le.AppendUint16(b, 0)
}

// Decode parses a request (what a server receives). The name must be
// NUL-terminated inside b.
func (r *DFSReferralRequest) Decode(b []byte) error {
	const what = "REQ_GET_DFS_REFERRAL"
	if err := needLen(b, 4, what); err != nil {
		return err
	}
	name, err := nulUTF16(b, 2, len(b), what+" RequestFileName")
	if err != nil {
		return err
	}
	r.MaxReferralLevel = le.Uint16(b)
	r.RequestFileName = name
	return nil
}

// ReferralHeaderFlags are the flags of RESP_GET_DFS_REFERRAL
// (MS-DFSC 2.2.4).
type ReferralHeaderFlags uint32

// Referral header flag bits.
const (
	// ReferralServers (R): every target is a DFS root server that can
	// answer further referral requests.
	ReferralServers ReferralHeaderFlags = 0x00000001
	// StorageServers (S): every target holds the storage.
	StorageServers ReferralHeaderFlags = 0x00000002
	// TargetFailback (T): the client should fail back to a better target
	// when one becomes available again.
	TargetFailback ReferralHeaderFlags = 0x00000004
)

// DFSServerType says what a referral's targets are (MS-DFSC 2.2.5.x).
type DFSServerType uint16

// Server types.
const (
	// DFSNonRootTargets: the targets are link targets.
	DFSNonRootTargets DFSServerType = 0x0000
	// DFSRootTargets: the targets are DFS root targets.
	DFSRootTargets DFSServerType = 0x0001
)

// ReferralEntryFlags are the flags of a referral entry (MS-DFSC 2.2.5.3,
// 2.2.5.4).
type ReferralEntryFlags uint16

// Referral entry flag bits.
const (
	// ReferralNameList marks a domain or DC referral, whose entry carries
	// a special name and a list of expanded names instead of paths
	// (version 3 only).
	ReferralNameList ReferralEntryFlags = 0x0002
	// ReferralTargetSetBoundary marks the first target of a target set
	// (version 4).
	ReferralTargetSetBoundary ReferralEntryFlags = 0x0004
)

// DFSReferralEntry is one referral entry, DFS_REFERRAL_V1 to
// DFS_REFERRAL_V4 (MS-DFSC 2.2.5). Which fields are used depends on
// Version: V1 carries only NetworkAddress (its ShareName); V2–V4 carry
// TimeToLive and the three paths; a V3 entry with ReferralNameList carries
// SpecialName and ExpandedNames instead.
type DFSReferralEntry struct {
	Version    uint16
	ServerType DFSServerType
	Flags      ReferralEntryFlags
	// Proximity is a V2 field servers set to zero.
	Proximity uint32
	// TimeToLive is how long, in seconds, the client may cache the
	// referral (V2–V4).
	TimeToLive uint32
	// DFSPath is the DFS root or link the entry is for, e.g.
	// `\server\root\link` (V2–V4).
	DFSPath string
	// DFSAlternatePath is the same path in 8.3 form (V2–V4); servers
	// usually repeat DFSPath.
	DFSAlternatePath string
	// NetworkAddress is the target, `\host\share[\path]` (V1: ShareName).
	NetworkAddress string
	// SpecialName and ExpandedNames are a name-list referral's domain
	// name and its domain controllers or domain names (V3 with
	// ReferralNameList).
	SpecialName   string
	ExpandedNames []string
}

// Fixed sizes of the referral structures (MS-DFSC 2.2.4, 2.2.5).
const (
	dfsReferralHeaderSize = 8
	dfsReferralV1Fixed    = 8
	dfsReferralV2Size     = 22
	dfsReferralV3Size     = 34 // V3/V4 with paths; ServiceSiteGuid included
	dfsReferralNameList   = 18 // V3 name list without the optional padding
)

// DFSReferralResponse is RESP_GET_DFS_REFERRAL (MS-DFSC 2.2.4), the output
// of FSCTL_DFS_GET_REFERRALS.
type DFSReferralResponse struct {
	// PathConsumed is the number of bytes (of UTF-16, not characters) of
	// the request's path that the referral covers; see ConsumedPath.
	PathConsumed uint16
	Flags        ReferralHeaderFlags
	Entries      []DFSReferralEntry
}

// Decode parses a response. Entries follow one another by their Size
// field (MS-DFSC 3.1.5.4); every string offset is relative to the start of
// its entry, must lie inside b and reach a NUL terminator there.
func (r *DFSReferralResponse) Decode(b []byte) error {
	const what = "RESP_GET_DFS_REFERRAL"
	if err := needLen(b, dfsReferralHeaderSize, what); err != nil {
		return err
	}
	n := int(le.Uint16(b[2:]))
	entries := make([]DFSReferralEntry, 0, min(n, (len(b)-dfsReferralHeaderSize)/dfsReferralV1Fixed))
	at := dfsReferralHeaderSize
	for i := range n {
		var e DFSReferralEntry
		size, err := e.decode(b, at)
		if err != nil {
			return malformed("%s: referral entry %d of %d: %v", what, i, n, err)
		}
		entries = append(entries, e)
		at += size
	}
	r.PathConsumed = le.Uint16(b)
	r.Flags = ReferralHeaderFlags(le.Uint32(b[4:]))
	r.Entries = entries
	return nil
}

// decode parses the entry at b[at:] and returns its Size.
func (e *DFSReferralEntry) decode(b []byte, at int) (int, error) {
	if len(b)-at < 4 {
		return 0, malformed("%d bytes left, need 4 for the entry's version and size", len(b)-at)
	}
	version, size := le.Uint16(b[at:]), int(le.Uint16(b[at+2:]))
	var fixed int
	switch version {
	case 1:
		fixed = dfsReferralV1Fixed
	case 2:
		fixed = dfsReferralV2Size
	case 3, 4:
		fixed = dfsReferralV3Size
		if len(b)-at >= 8 && ReferralEntryFlags(le.Uint16(b[at+6:]))&ReferralNameList != 0 && version == 3 {
			fixed = dfsReferralNameList
		}
	default:
		return 0, malformed("unsupported referral version %d", version)
	}
	if size < fixed {
		return 0, malformed("version %d entry of Size %d, need at least %d", version, size, fixed)
	}
	if size > len(b)-at {
		return 0, malformed("entry of Size %d, %d bytes left", size, len(b)-at)
	}
	ent := b[at : at+size]
	e.Version = version
	e.ServerType = DFSServerType(le.Uint16(ent[4:]))
	e.Flags = ReferralEntryFlags(le.Uint16(ent[6:]))
	// str reads the NUL-terminated string at an offset from the entry.
	str := func(field string, off uint16) (string, error) {
		return nulUTF16(b, at+int(off), len(b), field)
	}
	var err error
	switch {
	case version == 1:
		// The share name lies inside the entry, right after the header.
		e.NetworkAddress, err = nulUTF16(b, at+dfsReferralV1Fixed, at+size, "ShareName")
		return size, err
	case version == 2:
		e.Proximity = le.Uint32(ent[8:])
		e.TimeToLive = le.Uint32(ent[12:])
		err = e.decodePaths(str, ent[16:])
	case fixed == dfsReferralNameList:
		e.TimeToLive = le.Uint32(ent[8:])
		err = e.decodeNameList(b, at, ent)
	default:
		e.TimeToLive = le.Uint32(ent[8:])
		err = e.decodePaths(str, ent[12:])
	}
	return size, err
}

// decodePaths reads DFSPathOffset, DFSAlternatePathOffset and
// NetworkAddressOffset from offs and the strings they point at.
func (e *DFSReferralEntry) decodePaths(str func(string, uint16) (string, error), offs []byte) error {
	var err error
	if e.DFSPath, err = str("DFSPath", le.Uint16(offs)); err != nil {
		return err
	}
	if e.DFSAlternatePath, err = str("DFSAlternatePath", le.Uint16(offs[2:])); err != nil {
		return err
	}
	e.NetworkAddress, err = str("NetworkAddress", le.Uint16(offs[4:]))
	return err
}

// decodeNameList reads a V3 name-list entry's special name and its
// NumberOfExpandedNames consecutive NUL-terminated expanded names.
func (e *DFSReferralEntry) decodeNameList(b []byte, at int, ent []byte) error {
	var err error
	if e.SpecialName, err = nulUTF16(b, at+int(le.Uint16(ent[12:])), len(b), "SpecialName"); err != nil {
		return err
	}
	count := int(le.Uint16(ent[14:]))
	pos := at + int(le.Uint16(ent[16:]))
	// Each name takes at least its 2-byte terminator: a count the buffer
	// cannot hold is refused before anything is allocated for it.
	if count > 0 && (pos > len(b) || count > (len(b)-pos)/2) {
		return malformed("%d expanded names do not fit in %d bytes", count, max(0, len(b)-pos))
	}
	e.ExpandedNames = make([]string, 0, count)
	for i := range count {
		name, end, err := nulUTF16End(b, pos, len(b), "ExpandedName")
		if err != nil {
			return malformed("expanded name %d: %v", i, err)
		}
		e.ExpandedNames = append(e.ExpandedNames, name)
		pos = end
	}
	return nil
}

// nulUTF16 decodes the NUL-terminated UTF-16LE string that starts at
// b[from:] and must end before b[limit:].
func nulUTF16(b []byte, from, limit int, what string) (string, error) {
	s, _, err := nulUTF16End(b, from, limit, what)
	return s, err
}

// nulUTF16End is nulUTF16 that also returns the index after the
// terminator.
func nulUTF16End(b []byte, from, limit int, what string) (string, int, error) {
	limit = min(limit, len(b))
	if from < 0 || from > limit {
		return "", 0, malformed("%s: offset %d outside %d bytes", what, from, limit)
	}
	for i := from; i+1 < limit; i += 2 {
		if b[i] == 0 && b[i+1] == 0 {
			s, err := DecodeUTF16(b[from:i])
			return s, i + 2, err
		}
	}
	return "", 0, malformed("%s at offset %d: no NUL terminator", what, from)
}

// Encode appends the response to b in the layout servers use: the header,
// every entry's fixed part, then one string buffer holding each entry's
// strings, which the entries' offsets point into. V1 entries carry their
// share name inline. An entry with an unknown Version is encoded as V4.
func (r *DFSReferralResponse) Encode(b []byte) []byte {
	base := len(b)
	b = le.AppendUint16(b, r.PathConsumed)
	b = le.AppendUint16(b, uint16(len(r.Entries)))
	b = le.AppendUint32(b, uint32(r.Flags))
	// First pass: where each entry starts, so that the string buffer's
	// position is known before any offset is written.
	starts := make([]int, len(r.Entries))
	at := len(b) - base
	for i := range r.Entries {
		starts[i] = at
		at += r.Entries[i].fixedSize()
	}
	var strs []byte
	strAt := func(entry int, s string) uint16 {
		off := at + len(strs) - starts[entry]
		strs = AppendUTF16(strs, s)
		strs = le.AppendUint16(strs, 0)
		return uint16(off)
	}
	for i := range r.Entries {
		e := &r.Entries[i]
		size := e.fixedSize()
		version := e.Version
		if version < 1 || version > 4 {
			version = 4
		}
		b = le.AppendUint16(b, version)
		b = le.AppendUint16(b, uint16(size))
		b = le.AppendUint16(b, uint16(e.ServerType))
		b = le.AppendUint16(b, uint16(e.Flags))
		switch {
		case version == 1:
			b = AppendUTF16(b, e.NetworkAddress)
			b = le.AppendUint16(b, 0)
		case version == 2:
			b = le.AppendUint32(b, e.Proximity)
			b = le.AppendUint32(b, e.TimeToLive)
			b = le.AppendUint16(b, strAt(i, e.DFSPath))
			b = le.AppendUint16(b, strAt(i, e.DFSAlternatePath))
			b = le.AppendUint16(b, strAt(i, e.NetworkAddress))
		case e.isNameList(version):
			b = le.AppendUint32(b, e.TimeToLive)
			b = le.AppendUint16(b, strAt(i, e.SpecialName))
			b = le.AppendUint16(b, uint16(len(e.ExpandedNames)))
			if len(e.ExpandedNames) == 0 {
				b = le.AppendUint16(b, 0)
			} else {
				b = le.AppendUint16(b, strAt(i, e.ExpandedNames[0]))
				for _, n := range e.ExpandedNames[1:] {
					strAt(i, n)
				}
			}
			b = appendZeros(b, dfsReferralV3Size-dfsReferralNameList) // Padding
		default:
			b = le.AppendUint32(b, e.TimeToLive)
			b = le.AppendUint16(b, strAt(i, e.DFSPath))
			b = le.AppendUint16(b, strAt(i, e.DFSAlternatePath))
			b = le.AppendUint16(b, strAt(i, e.NetworkAddress))
			b = appendZeros(b, 16) // ServiceSiteGuid
		}
	}
	return append(b, strs...)
}

// isNameList reports a V3 name-list entry.
func (e *DFSReferralEntry) isNameList(version uint16) bool {
	return version == 3 && e.Flags&ReferralNameList != 0
}

// fixedSize is the Size Encode gives the entry.
func (e *DFSReferralEntry) fixedSize() int {
	switch e.Version {
	case 1:
		return dfsReferralV1Fixed + len(EncodeUTF16(e.NetworkAddress)) + 2
	case 2:
		return dfsReferralV2Size
	}
	return dfsReferralV3Size // V3/V4, name lists padded to the same size
}

// ConsumedPath returns the prefix of the request path that PathConsumed
// (a count of UTF-16 bytes) covers. A count that is odd or longer than the
// path is malformed.
func ConsumedPath(requestPath string, pathConsumed uint16) (string, error) {
	u := EncodeUTF16(requestPath)
	n := int(pathConsumed)
	if n%2 != 0 || n > len(u) {
		return "", malformed("PathConsumed %d for a request path of %d UTF-16 bytes", n, len(u))
	}
	return DecodeUTF16(u[:n])
}

package wire

// SecurityMode bits of NEGOTIATE and SESSION_SETUP (MS-SMB2 2.2.3, 2.2.5).
type SecurityMode uint16

// Security mode bits.
const (
	SigningEnabled  SecurityMode = 0x0001
	SigningRequired SecurityMode = 0x0002
)

// Capabilities are the global capability bits (MS-SMB2 2.2.3).
type Capabilities uint32

// Capability bits.
const (
	CapDFS               Capabilities = 0x00000001
	CapLeasing           Capabilities = 0x00000002
	CapLargeMTU          Capabilities = 0x00000004
	CapMultiChannel      Capabilities = 0x00000008
	CapPersistentHandles Capabilities = 0x00000010
	CapDirectoryLeasing  Capabilities = 0x00000020
	CapEncryption        Capabilities = 0x00000040
	CapNotifications     Capabilities = 0x00000080
)

// NegotiateContextType identifies a negotiate context (MS-SMB2 2.2.3.1).
type NegotiateContextType uint16

// Negotiate context types.
const (
	ContextPreauthIntegrity NegotiateContextType = 0x0001
	ContextEncryption       NegotiateContextType = 0x0002
	ContextCompression      NegotiateContextType = 0x0003
	ContextNetname          NegotiateContextType = 0x0005
	ContextTransport        NegotiateContextType = 0x0006
	ContextRDMATransform    NegotiateContextType = 0x0007
	ContextSigning          NegotiateContextType = 0x0008
)

// Algorithm identifiers carried in negotiate contexts.
const (
	HashSHA512 uint16 = 0x0001 // MS-SMB2 2.2.3.1.1

	CipherAES128CCM uint16 = 0x0001 // MS-SMB2 2.2.3.1.2
	CipherAES128GCM uint16 = 0x0002
	CipherAES256CCM uint16 = 0x0003
	CipherAES256GCM uint16 = 0x0004

	SigningHMACSHA256 uint16 = 0x0000 // MS-SMB2 2.2.3.1.7
	SigningAESCMAC    uint16 = 0x0001
	SigningAESGMAC    uint16 = 0x0002

	CompressionNone      uint16 = 0x0000 // MS-SMB2 2.2.3.1.3
	CompressionLZNT1     uint16 = 0x0001
	CompressionLZ77      uint16 = 0x0002
	CompressionLZ77Huf   uint16 = 0x0003
	CompressionPatternV1 uint16 = 0x0004
	CompressionLZ4       uint16 = 0x0005
)

// NegotiateContext is one entry of a 3.1.1 negotiate context list: its type
// and its raw data. The typed helpers below build and parse the data.
type NegotiateContext struct {
	Type NegotiateContextType
	Data []byte
}

// NegotiateRequest is the SMB2 NEGOTIATE request (MS-SMB2 2.2.3).
type NegotiateRequest struct {
	Dialects     []Dialect
	SecurityMode SecurityMode
	Capabilities Capabilities
	ClientGUID   [16]byte
	// Contexts are sent only when Dialects contains 3.1.1.
	Contexts []NegotiateContext
}

// Command returns CommandNegotiate.
func (r *NegotiateRequest) Command() Command { return CommandNegotiate }

// Encode appends the request body to msg (which holds the header).
func (r *NegotiateRequest) Encode(msg []byte) []byte {
	base := len(msg) - HeaderSize
	has311 := false
	for _, d := range r.Dialects {
		if d == Dialect311 {
			has311 = true
		}
	}
	contexts := r.Contexts
	if !has311 {
		contexts = nil
	}
	b := le.AppendUint16(msg, 36)
	b = le.AppendUint16(b, uint16(len(r.Dialects)))
	b = le.AppendUint16(b, uint16(r.SecurityMode))
	b = le.AppendUint16(b, 0) // Reserved
	b = le.AppendUint32(b, uint32(r.Capabilities))
	b = append(b, r.ClientGUID[:]...)
	ctxFieldAt := len(b)
	b = le.AppendUint64(b, 0) // NegotiateContextOffset/Count/Reserved2, or ClientStartTime
	for _, d := range r.Dialects {
		b = le.AppendUint16(b, uint16(d))
	}
	if len(contexts) > 0 {
		b = padTo8(b, base)
		le.PutUint32(b[ctxFieldAt:], uint32(len(b)-base))
		le.PutUint16(b[ctxFieldAt+4:], uint16(len(contexts)))
		b = appendNegotiateContexts(b, base, contexts)
	}
	return b
}

// appendNegotiateContexts appends contexts, each 8-byte aligned relative to
// base (the start of the SMB2 header), MS-SMB2 2.2.3.1.
func appendNegotiateContexts(b []byte, base int, contexts []NegotiateContext) []byte {
	for i, c := range contexts {
		if i > 0 {
			b = padTo8(b, base)
		}
		b = le.AppendUint16(b, uint16(c.Type))
		b = le.AppendUint16(b, uint16(len(c.Data)))
		b = le.AppendUint32(b, 0)
		b = append(b, c.Data...)
	}
	return b
}

// NegotiateResponse is the SMB2 NEGOTIATE response (MS-SMB2 2.2.4).
type NegotiateResponse struct {
	SecurityMode    SecurityMode
	Dialect         Dialect
	ServerGUID      [16]byte
	Capabilities    Capabilities
	MaxTransactSize uint32
	MaxReadSize     uint32
	MaxWriteSize    uint32
	SystemTime      uint64 // FILETIME
	ServerStartTime uint64 // FILETIME
	SecurityBuffer  []byte // usually a SPNEGO NegTokenInit with the server's mechanisms
	Contexts        []NegotiateContext
}

// Decode parses msg.
func (r *NegotiateResponse) Decode(msg []byte) error {
	const what = "NEGOTIATE response"
	body := msg[min(len(msg), HeaderSize):]
	if err := checkStructureSize(body, 65, what); err != nil {
		return err
	}
	if err := needLen(body, 64, what); err != nil {
		return err
	}
	r.SecurityMode = SecurityMode(le.Uint16(body[2:]))
	r.Dialect = Dialect(le.Uint16(body[4:]))
	ctxCount := le.Uint16(body[6:])
	copy(r.ServerGUID[:], body[8:24])
	r.Capabilities = Capabilities(le.Uint32(body[24:]))
	r.MaxTransactSize = le.Uint32(body[28:])
	r.MaxReadSize = le.Uint32(body[32:])
	r.MaxWriteSize = le.Uint32(body[36:])
	r.SystemTime = le.Uint64(body[40:])
	r.ServerStartTime = le.Uint64(body[48:])
	secOff, secLen := le.Uint16(body[56:]), le.Uint16(body[58:])
	ctxOff := le.Uint32(body[60:])
	var err error
	if r.SecurityBuffer, err = BufferAt(msg, uint32(secOff), uint32(secLen), what+" security buffer"); err != nil {
		return err
	}
	r.Contexts = nil
	if r.Dialect == Dialect311 && ctxCount > 0 {
		r.Contexts, err = decodeNegotiateContexts(msg, ctxOff, int(ctxCount))
		if err != nil {
			return err
		}
	}
	return nil
}

// decodeNegotiateContexts parses count contexts starting at off in msg.
func decodeNegotiateContexts(msg []byte, off uint32, count int) ([]NegotiateContext, error) {
	const what = "negotiate context"
	if uint64(off) > uint64(len(msg)) {
		return nil, malformed("%s list offset %d beyond message of %d bytes", what, off, len(msg))
	}
	out := make([]NegotiateContext, 0, min(count, 16))
	pos := int(off)
	for i := range count {
		if i > 0 {
			pos = (pos + 7) &^ 7
		}
		if pos+8 > len(msg) {
			return nil, malformed("%s %d: header beyond message end", what, i)
		}
		typ := NegotiateContextType(le.Uint16(msg[pos:]))
		n := int(le.Uint16(msg[pos+2:]))
		if pos+8+n > len(msg) {
			return nil, malformed("%s %d: %d data bytes beyond message end", what, i, n)
		}
		out = append(out, NegotiateContext{Type: typ, Data: msg[pos+8 : pos+8+n : pos+8+n]})
		pos += 8 + n
	}
	return out, nil
}

// Context returns the first context of type t, if any.
func (r *NegotiateResponse) Context(t NegotiateContextType) (NegotiateContext, bool) {
	for _, c := range r.Contexts {
		if c.Type == t {
			return c, true
		}
	}
	return NegotiateContext{}, false
}

// PreauthIntegrityContext builds SMB2_PREAUTH_INTEGRITY_CAPABILITIES
// (MS-SMB2 2.2.3.1.1).
func PreauthIntegrityContext(hashes []uint16, salt []byte) NegotiateContext {
	d := le.AppendUint16(nil, uint16(len(hashes)))
	d = le.AppendUint16(d, uint16(len(salt)))
	for _, h := range hashes {
		d = le.AppendUint16(d, h)
	}
	return NegotiateContext{Type: ContextPreauthIntegrity, Data: append(d, salt...)}
}

// ParsePreauthIntegrity returns the hash algorithms and salt of a
// SMB2_PREAUTH_INTEGRITY_CAPABILITIES context.
func ParsePreauthIntegrity(data []byte) (hashes []uint16, salt []byte, err error) {
	if err := needLen(data, 4, "preauth integrity context"); err != nil {
		return nil, nil, err
	}
	n, saltLen := int(le.Uint16(data)), int(le.Uint16(data[2:]))
	if 4+2*n+saltLen > len(data) {
		return nil, nil, malformed("preauth integrity context: %d algorithms and %d salt bytes in %d bytes", n, saltLen, len(data))
	}
	hashes = parseU16List(data[4:], n)
	end := 4 + 2*n + saltLen
	return hashes, data[4+2*n : end : end], nil
}

// algorithmListContext builds a context whose data is a 16-bit count followed
// by 16-bit algorithm ids (encryption and signing contexts share this shape).
func algorithmListContext(t NegotiateContextType, ids []uint16) NegotiateContext {
	d := le.AppendUint16(nil, uint16(len(ids)))
	for _, id := range ids {
		d = le.AppendUint16(d, id)
	}
	return NegotiateContext{Type: t, Data: d}
}

// parseAlgorithmList parses the count-prefixed list built by algorithmListContext.
func parseAlgorithmList(data []byte, what string) ([]uint16, error) {
	if err := needLen(data, 2, what); err != nil {
		return nil, err
	}
	n := int(le.Uint16(data))
	if 2+2*n > len(data) {
		return nil, malformed("%s: %d ids in %d bytes", what, n, len(data))
	}
	return parseU16List(data[2:], n), nil
}

func parseU16List(b []byte, n int) []uint16 {
	out := make([]uint16, n)
	for i := range out {
		out[i] = le.Uint16(b[2*i:])
	}
	return out
}

// EncryptionContext builds SMB2_ENCRYPTION_CAPABILITIES (MS-SMB2 2.2.3.1.2)
// listing ciphers in order of preference.
func EncryptionContext(ciphers []uint16) NegotiateContext {
	return algorithmListContext(ContextEncryption, ciphers)
}

// ParseEncryption returns the cipher ids of an encryption context. A server
// answers with exactly one (0 meaning none in common).
func ParseEncryption(data []byte) ([]uint16, error) {
	return parseAlgorithmList(data, "encryption context")
}

// SigningContext builds SMB2_SIGNING_CAPABILITIES (MS-SMB2 2.2.3.1.7).
func SigningContext(algorithms []uint16) NegotiateContext {
	return algorithmListContext(ContextSigning, algorithms)
}

// ParseSigning returns the algorithm ids of a signing context.
func ParseSigning(data []byte) ([]uint16, error) {
	return parseAlgorithmList(data, "signing context")
}

// CompressionFlagChained asks for chained compression (MS-SMB2 2.2.3.1.3).
const CompressionFlagChained uint32 = 0x00000001

// CompressionContext builds SMB2_COMPRESSION_CAPABILITIES (MS-SMB2 2.2.3.1.3).
func CompressionContext(algorithms []uint16, flags uint32) NegotiateContext {
	d := le.AppendUint16(nil, uint16(len(algorithms)))
	d = le.AppendUint16(d, 0) // Padding
	d = le.AppendUint32(d, flags)
	for _, a := range algorithms {
		d = le.AppendUint16(d, a)
	}
	return NegotiateContext{Type: ContextCompression, Data: d}
}

// ParseCompression returns the algorithms and flags of a compression context.
func ParseCompression(data []byte) (algorithms []uint16, flags uint32, err error) {
	if err := needLen(data, 8, "compression context"); err != nil {
		return nil, 0, err
	}
	n := int(le.Uint16(data))
	if 8+2*n > len(data) {
		return nil, 0, malformed("compression context: %d ids in %d bytes", n, len(data))
	}
	return parseU16List(data[8:], n), le.Uint32(data[4:]), nil
}

// NetnameContext builds SMB2_NETNAME_NEGOTIATE_CONTEXT_ID (MS-SMB2
// 2.2.3.1.4): the server name the client connects to, in UTF-16LE.
func NetnameContext(server string) NegotiateContext {
	return NegotiateContext{Type: ContextNetname, Data: EncodeUTF16(server)}
}

package wire

// Server-side copy (MS-SMB2 3.2.4.20.2): the client asks the server for a
// resume key naming the source open (FSCTL_SRV_REQUEST_RESUME_KEY), then
// sends FSCTL_SRV_COPYCHUNK or FSCTL_SRV_COPYCHUNK_WRITE on the destination
// open with that key and a list of ranges; the data never crosses the wire.

// ResumeKeySize is the size of the opaque key that names a source open.
const ResumeKeySize = 24

// ResumeKeyResponse is the output of FSCTL_SRV_REQUEST_RESUME_KEY
// (SRV_REQUEST_RESUME_KEY Response, MS-SMB2 2.2.32.3). The ContextLength
// and Context fields that follow the key are unused and ignored on receipt.
type ResumeKeyResponse struct {
	ResumeKey [ResumeKeySize]byte
}

// ResumeKeyResponseSize is the size of the response with an empty context:
// the key and ContextLength. Servers may send more (Samba 4.17 adds 4 bytes
// of Context), so a request's MaxOutputResponse should allow some room.
const ResumeKeyResponseSize = ResumeKeySize + 4

// Encode appends the structure, with an empty context, to b.
func (r *ResumeKeyResponse) Encode(b []byte) []byte {
	b = append(b, r.ResumeKey[:]...)
	return le.AppendUint32(b, 0) // ContextLength
}

// Decode parses the structure at the start of b. Only the key is required:
// the unused ContextLength may be missing.
func (r *ResumeKeyResponse) Decode(b []byte) error {
	if err := needLen(b, ResumeKeySize, "SRV_REQUEST_RESUME_KEY response"); err != nil {
		return err
	}
	copy(r.ResumeKey[:], b)
	return nil
}

// CopyChunk is one range to copy (SRV_COPYCHUNK, MS-SMB2 2.2.31.1.1).
type CopyChunk struct {
	SourceOffset uint64
	TargetOffset uint64
	Length       uint32
}

// copyChunkSize is the encoded size of one CopyChunk (its last 4 bytes are
// Reserved).
const copyChunkSize = 24

// copyChunkHeaderSize is SourceKey, ChunkCount and Reserved.
const copyChunkHeaderSize = ResumeKeySize + 8

// CopyChunkRequest is the input of FSCTL_SRV_COPYCHUNK and
// FSCTL_SRV_COPYCHUNK_WRITE (SRV_COPYCHUNK_COPY, MS-SMB2 2.2.31.1).
type CopyChunkRequest struct {
	SourceKey [ResumeKeySize]byte
	Chunks    []CopyChunk
}

// EncodedLen returns the size Encode appends.
func (r *CopyChunkRequest) EncodedLen() int { return copyChunkHeaderSize + copyChunkSize*len(r.Chunks) }

// Encode appends the structure to b.
func (r *CopyChunkRequest) Encode(b []byte) []byte {
	b = append(b, r.SourceKey[:]...)
	b = le.AppendUint32(b, uint32(len(r.Chunks)))
	b = le.AppendUint32(b, 0) // Reserved
	for _, c := range r.Chunks {
		b = le.AppendUint64(b, c.SourceOffset)
		b = le.AppendUint64(b, c.TargetOffset)
		b = le.AppendUint32(b, c.Length)
		b = le.AppendUint32(b, 0) // Reserved
	}
	return b
}

// Decode parses the structure at the start of b. ChunkCount must be backed
// by that many chunks.
func (r *CopyChunkRequest) Decode(b []byte) error {
	const what = "SRV_COPYCHUNK_COPY"
	if err := needLen(b, copyChunkHeaderSize, what); err != nil {
		return err
	}
	n := uint64(le.Uint32(b[ResumeKeySize:]))
	// In uint64, so that a huge ChunkCount cannot overflow the check.
	if need := uint64(copyChunkHeaderSize) + copyChunkSize*n; need > uint64(len(b)) {
		return malformed("%s: %d chunks need %d bytes, have %d", what, n, need, len(b))
	}
	copy(r.SourceKey[:], b)
	r.Chunks = make([]CopyChunk, n)
	for i := range r.Chunks {
		c := b[copyChunkHeaderSize+copyChunkSize*i:]
		r.Chunks[i] = CopyChunk{SourceOffset: le.Uint64(c), TargetOffset: le.Uint64(c[8:]), Length: le.Uint32(c[16:])}
	}
	return nil
}

// CopyChunkResponseSize is the size of SRV_COPYCHUNK_RESPONSE: what a
// copy-chunk IOCTL's MaxOutputResponse must allow (MS-SMB2 3.3.5.15.6).
const CopyChunkResponseSize = 12

// CopyChunkResponse is the output of FSCTL_SRV_COPYCHUNK(_WRITE)
// (SRV_COPYCHUNK_RESPONSE, MS-SMB2 2.2.32.1). Its meaning depends on the
// status of the IOCTL response:
//   - STATUS_INVALID_PARAMETER: the request broke the server's limits, and
//     the three fields are those limits — the most chunks per request
//     (ChunksWritten), the largest chunk (ChunkBytesWritten) and the most
//     bytes per request (TotalBytesWritten) (MS-SMB2 3.3.5.15.6.2);
//   - otherwise: the chunks written, the bytes of a partially written last
//     chunk, and the bytes written in all (MS-SMB2 3.3.5.15.6.1).
type CopyChunkResponse struct {
	ChunksWritten     uint32
	ChunkBytesWritten uint32
	TotalBytesWritten uint32
}

// Encode appends the structure to b.
func (r *CopyChunkResponse) Encode(b []byte) []byte {
	b = le.AppendUint32(b, r.ChunksWritten)
	b = le.AppendUint32(b, r.ChunkBytesWritten)
	return le.AppendUint32(b, r.TotalBytesWritten)
}

// Decode parses the structure at the start of b.
func (r *CopyChunkResponse) Decode(b []byte) error {
	if err := needLen(b, CopyChunkResponseSize, "SRV_COPYCHUNK_RESPONSE"); err != nil {
		return err
	}
	r.ChunksWritten = le.Uint32(b)
	r.ChunkBytesWritten = le.Uint32(b[4:])
	r.TotalBytesWritten = le.Uint32(b[8:])
	return nil
}

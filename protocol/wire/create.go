package wire

// AccessMask is a file access mask (MS-SMB2 2.2.13.1, MS-DTYP 2.4.3).
type AccessMask uint32

// Access rights for files, pipes and directories.
const (
	FileReadData         AccessMask = 0x00000001 // FILE_LIST_DIRECTORY on directories
	FileWriteData        AccessMask = 0x00000002 // FILE_ADD_FILE on directories
	FileAppendData       AccessMask = 0x00000004 // FILE_ADD_SUBDIRECTORY on directories
	FileReadEA           AccessMask = 0x00000008
	FileWriteEA          AccessMask = 0x00000010
	FileExecute          AccessMask = 0x00000020 // FILE_TRAVERSE on directories
	FileDeleteChild      AccessMask = 0x00000040
	FileReadAttributes   AccessMask = 0x00000080
	FileWriteAttributes  AccessMask = 0x00000100
	Delete               AccessMask = 0x00010000
	ReadControl          AccessMask = 0x00020000
	WriteDAC             AccessMask = 0x00040000
	WriteOwner           AccessMask = 0x00080000
	Synchronize          AccessMask = 0x00100000
	AccessSystemSecurity AccessMask = 0x01000000
	MaximumAllowed       AccessMask = 0x02000000
	GenericAll           AccessMask = 0x10000000
	GenericExecute       AccessMask = 0x20000000
	GenericWrite         AccessMask = 0x40000000
	GenericRead          AccessMask = 0x80000000
)

// ShareAccess says what other opens may do while this one is open
// (MS-SMB2 2.2.13).
type ShareAccess uint32

// Share access bits.
const (
	ShareRead   ShareAccess = 0x00000001
	ShareWrite  ShareAccess = 0x00000002
	ShareDelete ShareAccess = 0x00000004
	// ShareAll lets every other open proceed, which is what POSIX programs
	// expect of a file system (and what lets a Remove succeed while another
	// handle reads the file).
	ShareAll = ShareRead | ShareWrite | ShareDelete
)

// CreateDisposition says what CREATE does when the file exists or not
// (MS-SMB2 2.2.13).
type CreateDisposition uint32

// Create dispositions.
const (
	FileSupersede   CreateDisposition = 0 // replace if exists, else create
	FileOpen        CreateDisposition = 1 // open if exists, else fail
	FileCreate      CreateDisposition = 2 // fail if exists, else create
	FileOpenIf      CreateDisposition = 3 // open if exists, else create
	FileOverwrite   CreateDisposition = 4 // overwrite if exists, else fail
	FileOverwriteIf CreateDisposition = 5 // overwrite if exists, else create
)

// CreateOptions (MS-SMB2 2.2.13).
type CreateOptions uint32

// Create option bits.
const (
	FileDirectoryFile           CreateOptions = 0x00000001
	FileWriteThrough            CreateOptions = 0x00000002
	FileSequentialOnly          CreateOptions = 0x00000004
	FileNoIntermediateBuffering CreateOptions = 0x00000008
	FileNonDirectoryFile        CreateOptions = 0x00000040
	FileNoEAKnowledge           CreateOptions = 0x00000200
	FileRandomAccess            CreateOptions = 0x00000800
	FileDeleteOnClose           CreateOptions = 0x00001000
	FileOpenByFileID            CreateOptions = 0x00002000
	FileOpenForBackupIntent     CreateOptions = 0x00004000
	FileNoCompression           CreateOptions = 0x00008000
	FileOpenReparsePoint        CreateOptions = 0x00200000
	FileOpenNoRecall            CreateOptions = 0x00400000
)

// ImpersonationLevel of CREATE (MS-SMB2 2.2.13).
type ImpersonationLevel uint32

// Impersonation levels; clients normally send Impersonation.
const (
	Anonymous      ImpersonationLevel = 0
	Identification ImpersonationLevel = 1
	Impersonation  ImpersonationLevel = 2
	Delegate       ImpersonationLevel = 3
)

// OplockLevel requested in CREATE and granted in its response (MS-SMB2 2.2.13).
type OplockLevel uint8

// Oplock levels.
const (
	OplockNone      OplockLevel = 0x00
	OplockLevelII   OplockLevel = 0x01
	OplockExclusive OplockLevel = 0x08
	OplockBatch     OplockLevel = 0x09
	OplockLease     OplockLevel = 0xFF
)

// CreateAction reported by the CREATE response (MS-SMB2 2.2.14).
type CreateAction uint32

// Create actions.
const (
	FileSuperseded  CreateAction = 0
	FileOpened      CreateAction = 1
	FileCreated     CreateAction = 2
	FileOverwritten CreateAction = 3
)

// CreateContext is one SMB2_CREATE_CONTEXT (MS-SMB2 2.2.13.2): a 4-byte
// (usually ASCII) name such as "MxAc" or "DH2Q" and opaque data.
type CreateContext struct {
	Name []byte
	Data []byte
}

// Well-known create context names (MS-SMB2 2.2.13.2).
const (
	ContextMaximalAccess = "MxAc"
	ContextQueryOnDiskID = "QFid"
	ContextDurableV2     = "DH2Q"
	ContextReconnectV2   = "DH2C"
	ContextDurable       = "DHnQ"
	ContextReconnect     = "DHnC"
	ContextLease         = "RqLs"
	ContextTimewarp      = "TWrp"
)

// CreateRequest is the SMB2 CREATE request (MS-SMB2 2.2.13). Name is the
// path relative to the share root with backslash separators and no leading
// backslash (on a DFS share, the full DFS path).
type CreateRequest struct {
	SecurityFlags        uint8
	RequestedOplockLevel OplockLevel
	ImpersonationLevel   ImpersonationLevel
	DesiredAccess        AccessMask
	FileAttributes       FileAttributes
	ShareAccess          ShareAccess
	CreateDisposition    CreateDisposition
	CreateOptions        CreateOptions
	Name                 string
	Contexts             []CreateContext
}

// Command returns CommandCreate.
func (r *CreateRequest) Command() Command { return CommandCreate }

// Encode appends the request body to msg.
func (r *CreateRequest) Encode(msg []byte) []byte {
	base := len(msg) - HeaderSize
	b := le.AppendUint16(msg, 57)
	b = append(b, r.SecurityFlags, byte(r.RequestedOplockLevel))
	b = le.AppendUint32(b, uint32(r.ImpersonationLevel))
	b = le.AppendUint64(b, 0) // SmbCreateFlags
	b = le.AppendUint64(b, 0) // Reserved
	b = le.AppendUint32(b, uint32(r.DesiredAccess))
	b = le.AppendUint32(b, uint32(r.FileAttributes))
	b = le.AppendUint32(b, uint32(r.ShareAccess))
	b = le.AppendUint32(b, uint32(r.CreateDisposition))
	b = le.AppendUint32(b, uint32(r.CreateOptions))
	nameFieldAt := len(b)
	b = le.AppendUint16(b, 0) // NameOffset, patched below
	b = le.AppendUint16(b, 0) // NameLength
	b = le.AppendUint32(b, 0) // CreateContextsOffset
	b = le.AppendUint32(b, 0) // CreateContextsLength
	nameAt := len(b)
	b = AppendUTF16(b, r.Name)
	nameLen := len(b) - nameAt
	le.PutUint16(b[nameFieldAt:], uint16(nameAt-base))
	le.PutUint16(b[nameFieldAt+2:], uint16(nameLen))
	if nameLen == 0 {
		b = append(b, 0) // the buffer is never empty on the wire
	}
	if len(r.Contexts) > 0 {
		b = padTo8(b, base)
		ctxAt := len(b)
		b = appendCreateContexts(b, r.Contexts)
		le.PutUint32(b[nameFieldAt+4:], uint32(ctxAt-base))
		le.PutUint32(b[nameFieldAt+8:], uint32(len(b)-ctxAt))
	}
	return b
}

// appendCreateContexts appends a chain of create contexts, each starting on
// an 8-byte boundary, with Next pointing at the following one (MS-SMB2 2.2.13.2).
func appendCreateContexts(b []byte, contexts []CreateContext) []byte {
	for i, c := range contexts {
		start := len(b)
		b = le.AppendUint32(b, 0) // Next, patched below
		b = le.AppendUint16(b, 16)
		b = le.AppendUint16(b, uint16(len(c.Name)))
		b = le.AppendUint16(b, 0) // Reserved
		dataOffAt := len(b)
		b = le.AppendUint16(b, 0)
		b = le.AppendUint32(b, uint32(len(c.Data)))
		b = append(b, c.Name...)
		if len(c.Data) > 0 {
			b = padTo8(b, start)
			le.PutUint16(b[dataOffAt:], uint16(len(b)-start))
			b = append(b, c.Data...)
		}
		if i < len(contexts)-1 {
			b = padTo8(b, start)
			le.PutUint32(b[start:], uint32(len(b)-start))
		}
	}
	return b
}

// DecodeCreateContexts parses a create context chain.
func DecodeCreateContexts(buf []byte) ([]CreateContext, error) {
	const what = "create context"
	var out []CreateContext
	for pos := 0; len(buf) > 0; {
		if len(buf)-pos < 16 {
			return nil, malformed("%s at %d: %d bytes left, need 16", what, pos, len(buf)-pos)
		}
		c := buf[pos:]
		next := le.Uint32(c)
		nameOff, nameLen := le.Uint16(c[4:]), le.Uint16(c[6:])
		dataOff, dataLen := le.Uint16(c[10:]), le.Uint32(c[12:])
		limit := c
		if next != 0 {
			if next < 16 || uint64(next) > uint64(len(c)) {
				return nil, malformed("%s at %d: Next %d out of range", what, pos, next)
			}
			limit = c[:next]
		}
		name, err := BufferAt(limit, uint32(nameOff), uint32(nameLen), what+" name")
		if err != nil {
			return nil, err
		}
		data, err := BufferAt(limit, uint32(dataOff), dataLen, what+" data")
		if err != nil {
			return nil, err
		}
		out = append(out, CreateContext{Name: name, Data: data})
		if next == 0 {
			break
		}
		pos += int(next)
	}
	return out, nil
}

// CreateResponse is the SMB2 CREATE response (MS-SMB2 2.2.14).
type CreateResponse struct {
	OplockLevel    OplockLevel
	Flags          uint8
	CreateAction   CreateAction
	CreationTime   uint64 // FILETIME
	LastAccessTime uint64
	LastWriteTime  uint64
	ChangeTime     uint64
	AllocationSize uint64
	EndOfFile      uint64
	FileAttributes FileAttributes
	FileID         FileID
	Contexts       []CreateContext
}

// Decode parses msg.
func (r *CreateResponse) Decode(msg []byte) error {
	const what = "CREATE response"
	body := msg[min(len(msg), HeaderSize):]
	if err := checkStructureSize(body, 89, what); err != nil {
		return err
	}
	if err := needLen(body, 88, what); err != nil {
		return err
	}
	r.OplockLevel = OplockLevel(body[2])
	r.Flags = body[3]
	r.CreateAction = CreateAction(le.Uint32(body[4:]))
	r.CreationTime = le.Uint64(body[8:])
	r.LastAccessTime = le.Uint64(body[16:])
	r.LastWriteTime = le.Uint64(body[24:])
	r.ChangeTime = le.Uint64(body[32:])
	r.AllocationSize = le.Uint64(body[40:])
	r.EndOfFile = le.Uint64(body[48:])
	r.FileAttributes = FileAttributes(le.Uint32(body[56:]))
	r.FileID = decodeFileID(body[64:])
	ctxBuf, err := BufferAt(msg, le.Uint32(body[80:]), le.Uint32(body[84:]), what+" contexts")
	if err != nil {
		return err
	}
	r.Contexts, err = DecodeCreateContexts(ctxBuf)
	return err
}

// Context returns the data of the response context named name, if present.
func (r *CreateResponse) Context(name string) ([]byte, bool) {
	for _, c := range r.Contexts {
		if string(c.Name) == name {
			return c.Data, true
		}
	}
	return nil, false
}

// CloseFlagPostQueryAttrib asks CLOSE to return the file's final attributes
// (MS-SMB2 2.2.15).
const CloseFlagPostQueryAttrib uint16 = 0x0001

// CloseRequest is the SMB2 CLOSE request (MS-SMB2 2.2.15).
type CloseRequest struct {
	Flags  uint16
	FileID FileID
}

// Command returns CommandClose.
func (r *CloseRequest) Command() Command { return CommandClose }

// Encode appends the request body to msg.
func (r *CloseRequest) Encode(msg []byte) []byte {
	b := le.AppendUint16(msg, 24)
	b = le.AppendUint16(b, r.Flags)
	b = le.AppendUint32(b, 0)
	return appendFileID(b, r.FileID)
}

// CloseResponse is the SMB2 CLOSE response (MS-SMB2 2.2.16). The attribute
// fields are valid only when the request asked for them.
type CloseResponse struct {
	Flags          uint16
	CreationTime   uint64
	LastAccessTime uint64
	LastWriteTime  uint64
	ChangeTime     uint64
	AllocationSize uint64
	EndOfFile      uint64
	FileAttributes FileAttributes
}

// Decode parses msg.
func (r *CloseResponse) Decode(msg []byte) error {
	const what = "CLOSE response"
	body := msg[min(len(msg), HeaderSize):]
	if err := checkStructureSize(body, 60, what); err != nil {
		return err
	}
	if err := needLen(body, 60, what); err != nil {
		return err
	}
	r.Flags = le.Uint16(body[2:])
	r.CreationTime = le.Uint64(body[8:])
	r.LastAccessTime = le.Uint64(body[16:])
	r.LastWriteTime = le.Uint64(body[24:])
	r.ChangeTime = le.Uint64(body[32:])
	r.AllocationSize = le.Uint64(body[40:])
	r.EndOfFile = le.Uint64(body[48:])
	r.FileAttributes = FileAttributes(le.Uint32(body[56:]))
	return nil
}

// FlushRequest is the SMB2 FLUSH request (MS-SMB2 2.2.17).
type FlushRequest struct {
	FileID FileID
}

// Command returns CommandFlush.
func (r *FlushRequest) Command() Command { return CommandFlush }

// Encode appends the request body to msg.
func (r *FlushRequest) Encode(msg []byte) []byte {
	b := le.AppendUint16(msg, 24)
	b = le.AppendUint16(b, 0)
	b = le.AppendUint32(b, 0)
	return appendFileID(b, r.FileID)
}

package wire

// ChangeNotifyFlags of CHANGE_NOTIFY (MS-SMB2 2.2.35).
type ChangeNotifyFlags uint16

// NotifyWatchTree (SMB2_WATCH_TREE) watches the whole subtree, not just the
// directory itself.
const NotifyWatchTree ChangeNotifyFlags = 0x0001

// NotifyFilter is the CompletionFilter of CHANGE_NOTIFY: which kinds of
// change complete the request (MS-SMB2 2.2.35).
type NotifyFilter uint32

// FILE_NOTIFY_CHANGE_* bits.
const (
	NotifyChangeFileName    NotifyFilter = 0x00000001
	NotifyChangeDirName     NotifyFilter = 0x00000002
	NotifyChangeAttributes  NotifyFilter = 0x00000004
	NotifyChangeSize        NotifyFilter = 0x00000008
	NotifyChangeLastWrite   NotifyFilter = 0x00000010
	NotifyChangeLastAccess  NotifyFilter = 0x00000020
	NotifyChangeCreation    NotifyFilter = 0x00000040
	NotifyChangeEA          NotifyFilter = 0x00000080
	NotifyChangeSecurity    NotifyFilter = 0x00000100
	NotifyChangeStreamName  NotifyFilter = 0x00000200
	NotifyChangeStreamSize  NotifyFilter = 0x00000400
	NotifyChangeStreamWrite NotifyFilter = 0x00000800
)

// ChangeNotifyRequest is the SMB2 CHANGE_NOTIFY request (MS-SMB2 2.2.35).
// It has no PayloadSizes method: MS-SMB2 3.2.4.1.5 charges CHANGE_NOTIFY a
// single credit whatever its OutputBufferLength.
type ChangeNotifyRequest struct {
	Flags              ChangeNotifyFlags
	OutputBufferLength uint32
	FileID             FileID
	CompletionFilter   NotifyFilter
}

// Command returns CommandChangeNotify.
func (r *ChangeNotifyRequest) Command() Command { return CommandChangeNotify }

// Encode appends the 32-byte request body to msg (which holds the header).
func (r *ChangeNotifyRequest) Encode(msg []byte) []byte {
	b := le.AppendUint16(msg, 32)
	b = le.AppendUint16(b, uint16(r.Flags))
	b = le.AppendUint32(b, r.OutputBufferLength)
	b = appendFileID(b, r.FileID)
	b = le.AppendUint32(b, uint32(r.CompletionFilter))
	return le.AppendUint32(b, 0) // Reserved
}

// ChangeNotifyResponse is the SMB2 CHANGE_NOTIFY response (MS-SMB2
// 2.2.36). Buffer holds FILE_NOTIFY_INFORMATION entries (see
// ParseFileNotifyInformation) and aliases the message. An empty Buffer with
// STATUS_NOTIFY_ENUM_DIR means changes were lost and the client should
// re-read the directory.
type ChangeNotifyResponse struct {
	Buffer []byte
}

// Decode parses msg.
func (r *ChangeNotifyResponse) Decode(msg []byte) error {
	buf, err := decodeOutputBufferResponse(msg, "CHANGE_NOTIFY response")
	if err != nil {
		return err
	}
	r.Buffer = buf
	return nil
}

// FileAction says what happened to the file of a FILE_NOTIFY_INFORMATION
// entry (MS-FSCC 2.7.1).
type FileAction uint32

// FILE_ACTION_* values.
const (
	FileActionAdded                FileAction = 0x00000001
	FileActionRemoved              FileAction = 0x00000002
	FileActionModified             FileAction = 0x00000003
	FileActionRenamedOldName       FileAction = 0x00000004
	FileActionRenamedNewName       FileAction = 0x00000005
	FileActionAddedStream          FileAction = 0x00000006
	FileActionRemovedStream        FileAction = 0x00000007
	FileActionModifiedStream       FileAction = 0x00000008
	FileActionRemovedByDelete      FileAction = 0x00000009
	FileActionIDNotTunnelled       FileAction = 0x0000000A
	FileActionTunnelledIDCollision FileAction = 0x0000000B
)

// FileNotifyInformation is one decoded FILE_NOTIFY_INFORMATION entry
// (MS-FSCC 2.7.1). FileName is relative to the watched directory, with
// backslash separators.
type FileNotifyInformation struct {
	Action   FileAction
	FileName string
}

// fileNotifyFixedSize is the entry size before FileName.
const fileNotifyFixedSize = 12

// ParseFileNotifyInformation decodes the NextEntryOffset chain of
// FILE_NOTIFY_INFORMATION entries in b. Each NextEntryOffset must be 0 (the
// last entry) or step past the current entry's name while leaving room for
// another entry inside b, so a hostile chain can neither loop nor read out
// of bounds. An empty b yields no entries.
func ParseFileNotifyInformation(b []byte) ([]FileNotifyInformation, error) {
	const what = "FILE_NOTIFY_INFORMATION"
	var out []FileNotifyInformation
	for pos := 0; pos < len(b); {
		e := b[pos:]
		if len(e) < fileNotifyFixedSize {
			return nil, malformed("%s at %d: %d bytes left, need %d", what, pos, len(e), fileNotifyFixedSize)
		}
		next := le.Uint32(e)
		nameLen := uint64(le.Uint32(e[8:]))
		end := fileNotifyFixedSize + nameLen
		if end > uint64(len(e)) {
			return nil, malformed("%s at %d: name of %d bytes overruns buffer", what, pos, nameLen)
		}
		if next != 0 && (uint64(next) < end || uint64(next)+fileNotifyFixedSize > uint64(len(e))) {
			return nil, malformed("%s at %d: NextEntryOffset %d out of range", what, pos, next)
		}
		name, err := decodeUTF16Field(e, fileNotifyFixedSize, uint32(nameLen), what)
		if err != nil {
			return nil, err
		}
		out = append(out, FileNotifyInformation{Action: FileAction(le.Uint32(e[4:])), FileName: name})
		if next == 0 {
			break
		}
		pos += int(next)
	}
	return out, nil
}

// AppendFileNotifyInformation appends entries as a FILE_NOTIFY_INFORMATION
// chain, each entry 4-byte aligned as MS-FSCC 2.7.1 requires. A client has
// no use for it; it exists for tests and server-side fakes.
func AppendFileNotifyInformation(b []byte, entries []FileNotifyInformation) []byte {
	for i, n := range entries {
		start := len(b)
		b = le.AppendUint32(b, 0) // NextEntryOffset, patched below
		b = le.AppendUint32(b, uint32(n.Action))
		b = le.AppendUint32(b, 0) // FileNameLength, patched below
		b = AppendUTF16(b, n.FileName)
		le.PutUint32(b[start+8:], uint32(len(b)-start-fileNotifyFixedSize))
		if i < len(entries)-1 {
			for (len(b)-start)%4 != 0 {
				b = append(b, 0)
			}
			le.PutUint32(b[start:], uint32(len(b)-start))
		}
	}
	return b
}

// PayloadSizes reports the bytes this request may move, for CreditCharge:
// Samba checks the charge of CHANGE_NOTIFY against OutputBufferLength.
func (r *ChangeNotifyRequest) PayloadSizes() (send, recv int) { return 0, int(r.OutputBufferLength) }

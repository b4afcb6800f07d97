package wire

import "fmt"

// Command is the SMB2 command code in the header (MS-SMB2 2.2.1).
type Command uint16

// SMB2 command codes.
const (
	CommandNegotiate      Command = 0x0000
	CommandSessionSetup   Command = 0x0001
	CommandLogoff         Command = 0x0002
	CommandTreeConnect    Command = 0x0003
	CommandTreeDisconnect Command = 0x0004
	CommandCreate         Command = 0x0005
	CommandClose          Command = 0x0006
	CommandFlush          Command = 0x0007
	CommandRead           Command = 0x0008
	CommandWrite          Command = 0x0009
	CommandLock           Command = 0x000A
	CommandIoctl          Command = 0x000B
	CommandCancel         Command = 0x000C
	CommandEcho           Command = 0x000D
	CommandQueryDirectory Command = 0x000E
	CommandChangeNotify   Command = 0x000F
	CommandQueryInfo      Command = 0x0010
	CommandSetInfo        Command = 0x0011
	CommandOplockBreak    Command = 0x0012
)

var commandNames = [...]string{
	"NEGOTIATE", "SESSION_SETUP", "LOGOFF", "TREE_CONNECT", "TREE_DISCONNECT",
	"CREATE", "CLOSE", "FLUSH", "READ", "WRITE", "LOCK", "IOCTL", "CANCEL",
	"ECHO", "QUERY_DIRECTORY", "CHANGE_NOTIFY", "QUERY_INFO", "SET_INFO",
	"OPLOCK_BREAK",
}

// String returns the command's name as MS-SMB2 spells it, e.g. "CREATE".
func (c Command) String() string {
	if int(c) < len(commandNames) {
		return commandNames[c]
	}
	return fmt.Sprintf("COMMAND_0x%04X", uint16(c))
}

// Dialect is an SMB2 dialect revision number (MS-SMB2 2.2.3).
type Dialect uint16

// The dialects this package encodes.
const (
	Dialect202 Dialect = 0x0202
	Dialect210 Dialect = 0x0210
	Dialect300 Dialect = 0x0300
	Dialect302 Dialect = 0x0302
	Dialect311 Dialect = 0x0311
	// DialectWildcard is what an SMB2 server answers to a multi-protocol
	// SMB1 negotiate; a client that sends SMB2 NEGOTIATE never sees it.
	DialectWildcard Dialect = 0x02FF
)

// String returns the dialect in dotted form, e.g. "3.1.1".
func (d Dialect) String() string {
	switch d {
	case Dialect202:
		return "2.0.2"
	case Dialect210:
		return "2.1"
	case Dialect300:
		return "3.0"
	case Dialect302:
		return "3.0.2"
	case Dialect311:
		return "3.1.1"
	case DialectWildcard:
		return "2.???"
	}
	return fmt.Sprintf("0x%04X", uint16(d))
}

// Is3x reports whether d belongs to the SMB 3.x family, which derives keys
// with SP800-108 and can encrypt.
func (d Dialect) Is3x() bool { return d >= Dialect300 && d != DialectWildcard }

package wire

// Request is implemented by every request body in this package.
type Request interface {
	// Command returns the command code the header must carry.
	Command() Command
	// Encode appends the body to msg, which already holds the 64-byte
	// header, and returns the extended slice.
	Encode(msg []byte) []byte
}

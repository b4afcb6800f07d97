package wire

// ErrorResponse is the SMB2 ERROR response body (MS-SMB2 2.2.2), sent with a
// failure status in place of the command's own response.
type ErrorResponse struct {
	ErrorContextCount uint8
	ErrorData         []byte
}

// IsErrorResponse reports whether the body of msg has the shape of an error
// response (StructureSize 9). A few successful responses (QUERY_INFO,
// SESSION_SETUP) share that size, so callers check the status first.
func IsErrorResponse(msg []byte) bool {
	return len(msg) >= HeaderSize+2 && le.Uint16(msg[HeaderSize:]) == 9
}

// Decode parses msg. Servers are inconsistent about the ErrorData byte, so
// a missing one is tolerated.
func (r *ErrorResponse) Decode(msg []byte) error {
	const what = "ERROR response"
	body := msg[min(len(msg), HeaderSize):]
	if err := checkStructureSize(body, 9, what); err != nil {
		return err
	}
	if err := needLen(body, 8, what); err != nil {
		return err
	}
	r.ErrorContextCount = body[2]
	n := le.Uint32(body[4:])
	if n == 0 {
		r.ErrorData = nil
		return nil
	}
	var err error
	r.ErrorData, err = BufferAt(msg, HeaderSize+8, n, what+" data")
	return err
}

package spnego

import "errors"

// ErrMalformed is wrapped by every decoding error: input that is not valid
// DER or not a valid SPNEGO token.
var ErrMalformed = errors.New("spnego: malformed token")

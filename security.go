package smbfs

import (
	"github.com/smbfs/smbfs/protocol"
	"github.com/smbfs/smbfs/protocol/wire"
)

// Cipher identifies an SMB 3 encryption cipher (MS-SMB2 2.2.3.1.2).
type Cipher = uint16

// The ciphers WithCiphers accepts. AES-128-CCM is what 3.0 and 3.0.2 use.
const (
	AES128CCM Cipher = wire.CipherAES128CCM
	AES128GCM Cipher = wire.CipherAES128GCM
	AES256CCM Cipher = wire.CipherAES256CCM
	AES256GCM Cipher = wire.CipherAES256GCM
)

// SigningAlgorithm identifies an SMB 3.1.1 signing algorithm
// (MS-SMB2 2.2.3.1.7).
type SigningAlgorithm = uint16

// The signing algorithms WithSigningAlgorithms accepts.
const (
	HMACSHA256 SigningAlgorithm = wire.SigningHMACSHA256
	AESCMAC    SigningAlgorithm = wire.SigningAESCMAC
	AESGMAC    SigningAlgorithm = wire.SigningAESGMAC
)

// WithCiphers sets the encryption ciphers offered to 3.1.1 servers, most
// preferred first (default AES-128-GCM, AES-256-GCM, AES-128-CCM,
// AES-256-CCM: the GCM ciphers are several times faster).
func WithCiphers(ciphers ...Cipher) Option {
	return func(o *options) { o.proto.Ciphers = ciphers }
}

// WithSigningAlgorithms sets the signing algorithms offered to 3.1.1
// servers, most preferred first (default AES-GMAC, AES-CMAC, HMAC-SHA256).
func WithSigningAlgorithms(algs ...SigningAlgorithm) Option {
	return func(o *options) { o.proto.SigningAlgorithms = algs }
}

// CompressionMode says how the client uses SMB 3.1.1 compression.
type CompressionMode = protocol.CompressionMode

// Compression modes for WithCompression.
const (
	// CompressAuto negotiates LZ4 and compresses on shares that ask for
	// it (the default).
	CompressAuto = protocol.CompressAuto
	// CompressAlways compresses every WRITE that shrinks and asks for
	// compressed READs everywhere.
	CompressAlways = protocol.CompressAlways
	// CompressOff does not negotiate compression.
	CompressOff = protocol.CompressOff
)

// WithCompression sets how compression is used (default CompressAuto).
// Compression needs a 3.1.1 server that supports LZ4 (Windows Server 2022
// and later; Samba 4.17 does not compress).
func WithCompression(m CompressionMode) Option {
	return func(o *options) { o.proto.Compression = m }
}

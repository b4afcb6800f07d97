// Package dcerpc implements the parts of connection-oriented DCE/RPC
// (C706 chapter 12, with the Microsoft extensions of MS-RPCE) that an SMB
// client needs to call a service over a named pipe (ncacn_np): the PDU
// codecs (common header, bind, bind_ack, bind_nak, request, response,
// fault), reassembly of fragmented responses, NDR marshalling primitives
// (C706 chapter 14) and a small Client that binds one presentation context
// and makes calls through a Transport.
//
// The package does no I/O of its own: a Transport (an SMB named pipe, see
// protocol.Pipe) moves the bytes. Only little-endian, ASCII, IEEE data
// representation and the NDR 2.0 transfer syntax are supported; NDR64 is
// deliberately not offered, as at least one client found it broken on
// Samba. Authentication of the RPC layer (auth_length > 0 on requests) is
// not implemented: over SMB the session already authenticates the pipe.
package dcerpc

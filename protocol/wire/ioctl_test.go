package wire

import (
	"bytes"
	"reflect"
	"testing"
)

func TestFsctlCodes(t *testing.T) {
	// CTL_CODE(DeviceType, Function, Method, Access) =
	// DeviceType<<16 | Access<<14 | Function<<2 | Method; checking each value
	// against its parts catches a mistyped digit in the table of
	// MS-SMB2 2.2.31.
	ctl := func(device, function, method, access uint32) uint32 {
		return device<<16 | access<<14 | function<<2 | method
	}
	const (
		deviceDFS        = 0x06
		deviceFileSystem = 0x09
		deviceNamedPipe  = 0x11
		deviceNetworkFS  = 0x14
		methodBuffered   = 0
		methodOutDirect  = 2
		methodNeither    = 3
		accessAny        = 0
		accessRead       = 1
		accessWrite      = 2
	)
	tests := []struct {
		name string
		got  uint32
		want uint32
	}{
		{"FSCTL_DFS_GET_REFERRALS", FsctlDFSGetReferrals, ctl(deviceDFS, 101, methodBuffered, accessAny)},
		{"FSCTL_DFS_GET_REFERRALS_EX", FsctlDFSGetReferralsEx, ctl(deviceDFS, 108, methodBuffered, accessAny)},
		{"FSCTL_SET_REPARSE_POINT", FsctlSetReparsePoint, ctl(deviceFileSystem, 41, methodBuffered, accessAny)},
		{"FSCTL_GET_REPARSE_POINT", FsctlGetReparsePoint, ctl(deviceFileSystem, 42, methodBuffered, accessAny)},
		{"FSCTL_PIPE_PEEK", FsctlPipePeek, ctl(deviceNamedPipe, 3, methodBuffered, accessRead)},
		{"FSCTL_PIPE_WAIT", FsctlPipeWait, ctl(deviceNamedPipe, 6, methodBuffered, accessAny)},
		{"FSCTL_PIPE_TRANSCEIVE", FsctlPipeTransceive, ctl(deviceNamedPipe, 5, methodNeither, accessRead|accessWrite)},
		{"FSCTL_SRV_COPYCHUNK", FsctlSrvCopyChunk, ctl(deviceNetworkFS, 60, methodOutDirect, accessRead)},
		{"FSCTL_SRV_COPYCHUNK_WRITE", FsctlSrvCopyChunkWrite, ctl(deviceNetworkFS, 60, methodOutDirect, accessWrite)},
		{"FSCTL_SRV_ENUMERATE_SNAPSHOTS", FsctlSrvEnumerateSnapshots, ctl(deviceNetworkFS, 25, methodBuffered, accessRead)},
		{"FSCTL_SRV_REQUEST_RESUME_KEY", FsctlSrvRequestResumeKey, ctl(deviceNetworkFS, 30, methodBuffered, accessAny)},
		{"FSCTL_LMR_REQUEST_RESILIENCY", FsctlLMRRequestResiliency, ctl(deviceNetworkFS, 117, methodBuffered, accessAny)},
		{"FSCTL_QUERY_NETWORK_INTERFACE_INFO", FsctlQueryNetworkInterfaceInfo, ctl(deviceNetworkFS, 127, methodBuffered, accessAny)},
		{"FSCTL_VALIDATE_NEGOTIATE_INFO", FsctlValidateNegotiateInfo, ctl(deviceNetworkFS, 129, methodBuffered, accessAny)},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s = %#08x, want %#08x", tt.name, tt.got, tt.want)
		}
	}
}

// fsccVNIRequest is a VALIDATE_NEGOTIATE_INFO request offering 2.1 to 3.0.2.
var fsccVNIRequest = ValidateNegotiateInfoRequest{
	Capabilities: CapDFS | CapLeasing | CapLargeMTU,
	GUID:         [16]byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
	SecurityMode: SigningEnabled,
	Dialects:     []Dialect{Dialect210, Dialect300, Dialect302},
}

const fsccVNIRequestHex = `
	07000000                         // Capabilities DFS|LEASING|LARGE_MTU
	000102030405060708090a0b0c0d0e0f // Guid
	0100                             // SecurityMode SIGNING_ENABLED
	0300                             // DialectCount
	1002 0003 0203                   // Dialects 2.1, 3.0, 3.0.2
`

func TestIoctlRequestEncode(t *testing.T) {
	tests := []struct {
		name      string
		req       IoctlRequest
		want      string
		send, rcv int
	}{
		{
			name: "validate negotiate info",
			req: IoctlRequest{
				CtlCode:           FsctlValidateNegotiateInfo,
				FileID:            RelatedFileID,
				Input:             fsccVNIRequest.Encode(nil),
				MaxOutputResponse: 24,
				Flags:             IoctlIsFSCTL,
			},
			want: `
				3900     // StructureSize 57
				0000     // Reserved
				04021400 // CtlCode FSCTL_VALIDATE_NEGOTIATE_INFO
				ffffffffffffffff ffffffffffffffff // FileId: none
				78000000 // InputOffset 120
				1e000000 // InputCount 30
				00000000 // MaxInputResponse
				00000000 // OutputOffset
				00000000 // OutputCount
				18000000 // MaxOutputResponse 24
				01000000 // Flags SMB2_0_IOCTL_IS_FSCTL
				00000000 // Reserved2
			` + fsccVNIRequestHex,
			send: 30, rcv: 24,
		},
		{
			name: "no input",
			req: IoctlRequest{
				CtlCode:           FsctlQueryNetworkInterfaceInfo,
				FileID:            RelatedFileID,
				MaxOutputResponse: 65536,
				Flags:             IoctlIsFSCTL,
			},
			want: `
				3900 0000 fc011400
				ffffffffffffffff ffffffffffffffff
				00000000 // InputOffset 0: no input
				00000000 00000000 00000000 00000000
				00000100 // MaxOutputResponse 65536
				01000000 00000000
				00       // padding byte
			`,
			send: 0, rcv: 65536,
		},
		{
			name: "pipe transceive",
			req: IoctlRequest{
				CtlCode:           FsctlPipeTransceive,
				FileID:            fsccTestFileID,
				Input:             []byte{5, 0, 0x0b, 3},
				MaxInputResponse:  0,
				MaxOutputResponse: 4280,
				Flags:             IoctlIsFSCTL,
			},
			want: `3900 0000 17c01100` + fsccTestFileIDHex + `
				78000000 04000000 00000000 00000000 00000000 b8100000 01000000 00000000
				05000b03
			`,
			send: 4, rcv: 4280,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := fsccEncodeBody(t, &tt.req)
			if want := fsccHex(t, tt.want); !bytes.Equal(got, want) {
				t.Errorf("body\n got % x\nwant % x", got, want)
			}
			if send, recv := tt.req.PayloadSizes(); send != tt.send || recv != tt.rcv {
				t.Errorf("PayloadSizes = %d, %d; want %d, %d", send, recv, tt.send, tt.rcv)
			}
		})
	}
}

func TestIoctlResponseDecode(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		want    IoctlResponse
		wantErr bool
	}{
		{
			name: "output only",
			body: `
				3100     // StructureSize 49
				0000     // Reserved
				04021400 // CtlCode
				ffffffffffffffff ffffffffffffffff
				70000000 // InputOffset 112
				00000000 // InputCount
				70000000 // OutputOffset 112
				04000000 // OutputCount
				00000000 // Flags
				00000000 // Reserved2
				deadbeef
			`,
			want: IoctlResponse{CtlCode: FsctlValidateNegotiateInfo, FileID: RelatedFileID, Output: []byte{0xde, 0xad, 0xbe, 0xef}},
		},
		{
			name: "input echoed and output",
			body: `3100 0000 17c01100` + fsccTestFileIDHex + `
				70000000 02000000 78000000 03000000 01000000 00000000
				aabb 000000000000 ccddee
			`,
			want: IoctlResponse{CtlCode: FsctlPipeTransceive, FileID: fsccTestFileID, Input: []byte{0xaa, 0xbb}, Output: []byte{0xcc, 0xdd, 0xee}, Flags: IoctlIsFSCTL},
		},
		{
			name:    "output past end",
			body:    `3100 0000 00000000` + fsccTestFileIDHex + `00000000 00000000 70000000 05000000 00000000 00000000 deadbeef`,
			wantErr: true,
		},
		{
			name:    "input past end",
			body:    `3100 0000 00000000` + fsccTestFileIDHex + `ffffff00 01000000 00000000 00000000 00000000 00000000`,
			wantErr: true,
		},
		{name: "truncated", body: `3100 0000 00000000` + fsccTestFileIDHex, wantErr: true},
		{name: "error response shape", body: `0900 0000 00000000 00`, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r IoctlResponse
			err := r.Decode(fsccResponse(CommandIoctl, fsccHex(t, tt.body)))
			if tt.wantErr {
				fsccWantMalformed(t, err)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(r, tt.want) {
				t.Errorf("got %+v\nwant %+v", r, tt.want)
			}
		})
	}
}

func TestValidateNegotiateInfo(t *testing.T) {
	t.Run("request", func(t *testing.T) {
		want := fsccHex(t, fsccVNIRequestHex)
		if got := fsccVNIRequest.Encode(nil); !bytes.Equal(got, want) {
			t.Errorf("Encode\n got % x\nwant % x", got, want)
		}
		var dec ValidateNegotiateInfoRequest
		if err := dec.Decode(want); err != nil || !reflect.DeepEqual(dec, fsccVNIRequest) {
			t.Errorf("Decode = %+v, %v", dec, err)
		}
		fsccWantMalformed(t, dec.Decode(want[:len(want)-1]))
		fsccWantMalformed(t, dec.Decode(want[:23]))
	})
	t.Run("response", func(t *testing.T) {
		resp := ValidateNegotiateInfoResponse{
			Capabilities: CapDFS | CapLargeMTU,
			GUID:         [16]byte{15: 0xAB},
			SecurityMode: SigningEnabled | SigningRequired,
			Dialect:      Dialect302,
		}
		want := fsccHex(t, `
			05000000                         // Capabilities DFS|LARGE_MTU
			000000000000000000000000000000ab // Guid
			0300                             // SecurityMode
			0203                             // Dialect 3.0.2
		`)
		if got := resp.Encode(nil); !bytes.Equal(got, want) {
			t.Errorf("Encode\n got % x\nwant % x", got, want)
		}
		var dec ValidateNegotiateInfoResponse
		if err := dec.Decode(want); err != nil || dec != resp {
			t.Errorf("Decode = %+v, %v", dec, err)
		}
		fsccWantMalformed(t, dec.Decode(want[:23]))
	})
	t.Run("too many dialects", func(t *testing.T) {
		b := fsccHex(t, fsccVNIRequestHex)
		b[22] = 0xFF
		var dec ValidateNegotiateInfoRequest
		fsccWantMalformed(t, dec.Decode(b))
	})
}

func FuzzIoctlResponse(f *testing.F) {
	vni := (&ValidateNegotiateInfoResponse{Dialect: Dialect300}).Encode(nil)
	var body []byte
	body = le.AppendUint16(body, 49)
	body = le.AppendUint16(body, 0)
	body = le.AppendUint32(body, FsctlValidateNegotiateInfo)
	body = appendFileID(body, RelatedFileID)
	body = le.AppendUint32(body, 0)
	body = le.AppendUint32(body, 0)
	body = le.AppendUint32(body, HeaderSize+48)
	body = le.AppendUint32(body, uint32(len(vni)))
	body = le.AppendUint64(body, 0)
	f.Add(fsccResponse(CommandIoctl, append(body, vni...)))
	f.Fuzz(func(t *testing.T, msg []byte) {
		var r IoctlResponse
		if err := r.Decode(msg); err != nil {
			return
		}
		if len(r.Input) > len(msg) || len(r.Output) > len(msg) {
			t.Fatal("buffers larger than the message")
		}
		if r.CtlCode == FsctlValidateNegotiateInfo {
			var v ValidateNegotiateInfoResponse
			_ = v.Decode(r.Output)
		}
	})
}

func FuzzValidateNegotiateInfo(f *testing.F) {
	f.Add(fsccVNIRequest.Encode(nil))
	f.Add((&ValidateNegotiateInfoResponse{Capabilities: CapDFS, Dialect: Dialect302}).Encode(nil))
	f.Fuzz(func(t *testing.T, b []byte) {
		var req ValidateNegotiateInfoRequest
		if err := req.Decode(b); err == nil {
			var again ValidateNegotiateInfoRequest
			if err := again.Decode(req.Encode(nil)); err != nil || !reflect.DeepEqual(again, req) {
				t.Fatalf("request round trip: %v", err)
			}
		}
		var resp ValidateNegotiateInfoResponse
		if err := resp.Decode(b); err == nil {
			var again ValidateNegotiateInfoResponse
			if err := again.Decode(resp.Encode(nil)); err != nil || again != resp {
				t.Fatalf("response round trip: %v", err)
			}
		}
	})
}

package pipeline

import (
	"context"
	"fmt"
	"math/bits"

	"github.com/smbfs/smbfs/protocol"
	"github.com/smbfs/smbfs/protocol/wire"
)

// DiskUsage is the capacity of the volume behind a share, in bytes.
type DiskUsage struct {
	// Total is the size of the volume.
	Total uint64
	// Free is what the volume has left.
	Free uint64
	// Available is what the caller may still use: Free less what quotas
	// (or reserved blocks) keep from this user.
	Available uint64
}

// DiskUsage returns the capacity of the volume holding path (an SMB path;
// "" is the share root) from FileFsFullSizeInformation (MS-FSCC 2.5):
// CREATE+QUERY_INFO+CLOSE in one round trip.
func (s *Share) DiskUsage(ctx context.Context, path string) (DiskUsage, error) {
	var usage DiskUsage
	o := OpenOptions{Disposition: OpenExisting}
	var info wire.FileFsFullSizeInformation
	r := s.run(ctx, plan{create: o.createRequest(path),
		parts: []wire.Request{wire.QueryInfoFor(wire.RelatedFileID, &info, 4096), relatedClose()},
		finish: func(_ context.Context, _ *wire.CreateResponse, resps []*protocol.Response) Result {
			var qr wire.QueryInfoResponse
			if err := resps[1].Decode(&qr); err != nil {
				return Result{Err: err}
			}
			if err := info.Decode(qr.Buffer); err != nil {
				return Result{Err: &protocol.ConnectionError{Op: "decode FileFsFullSizeInformation", Err: err}}
			}
			var err error
			usage, err = fullSizeBytes(&info)
			return Result{Err: err}
		}})
	return usage, r.Err
}

// fullSizeBytes converts allocation units to bytes, refusing values that
// overflow 64 bits rather than reporting nonsense.
func fullSizeBytes(i *wire.FileFsFullSizeInformation) (DiskUsage, error) {
	// Two 32-bit factors: the unit itself always fits.
	unit := uint64(i.SectorsPerAllocationUnit) * uint64(i.BytesPerSector)
	var u DiskUsage
	for _, f := range []struct {
		dst   *uint64
		units uint64
		what  string
	}{
		{&u.Total, i.TotalAllocationUnits, "total"},
		{&u.Free, i.ActualAvailableAllocationUnits, "free"},
		{&u.Available, i.CallerAvailableAllocationUnits, "available"},
	} {
		hi, lo := bits.Mul64(f.units, unit)
		if hi != 0 {
			return DiskUsage{}, fmt.Errorf("FileFsFullSizeInformation: %s of %d units of %d bytes overflows", f.what, f.units, unit)
		}
		*f.dst = lo
	}
	return u, nil
}

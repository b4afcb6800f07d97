package peers

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
)

// NewDataset makes count files of size bytes each, named
// "f0000.bin"..., with pseudo-random content fixed by seed (incompressible,
// and the same in every run). When localRoot is not empty it also writes
// them to a new directory under it and sets LocalDir.
func NewDataset(name string, count, size int, seed uint64, localRoot string) (*Dataset, error) {
	rng := rand.New(rand.NewChaCha8(seedBytes(seed)))
	ds := &Dataset{Name: name, Files: make([]File, count)}
	for i := range ds.Files {
		data := make([]byte, size)
		fill(rng, data)
		ds.Files[i] = File{Name: fmt.Sprintf("f%04d.bin", i), Data: data}
	}
	if localRoot == "" {
		return ds, nil
	}
	dir, err := os.MkdirTemp(localRoot, "dataset-")
	if err != nil {
		return nil, err
	}
	for _, f := range ds.Files {
		if err := os.WriteFile(filepath.Join(dir, f.Name), f.Data, 0o644); err != nil {
			return nil, err
		}
	}
	ds.LocalDir = dir
	return ds, nil
}

func seedBytes(seed uint64) [32]byte {
	var s [32]byte
	for i := range 8 {
		s[i] = byte(seed >> (8 * i))
	}
	return s
}

func fill(rng *rand.Rand, p []byte) {
	for i := 0; i+8 <= len(p); i += 8 {
		v := rng.Uint64()
		for j := range 8 {
			p[i+j] = byte(v >> (8 * j))
		}
	}
	for i := len(p) &^ 7; i < len(p); i++ {
		p[i] = byte(rng.Uint32())
	}
}

// patternBlock is the size of the block a pattern source repeats.
const patternBlock = 1 << 20

// patternReader yields size bytes repeating one block.
type patternReader struct {
	block []byte
	off   int64
	size  int64
}

func (r *patternReader) Read(p []byte) (int, error) {
	if r.off >= r.size {
		return 0, io.EOF
	}
	n := 0
	for n < len(p) && r.off < r.size {
		i := int(r.off % int64(len(r.block)))
		k := copy(p[n:], r.block[i:])
		k = int(min(int64(k), r.size-r.off))
		n += k
		r.off += int64(k)
	}
	return n, nil
}

// NewPatternSource returns a Source of size bytes that repeats a 1 MiB
// pseudo-random block, and writes the same bytes to localPath when it is
// not empty (for smbclient's put, and for placing the file on a server).
func NewPatternSource(size int64, seed uint64, localPath string) (Source, error) {
	block := make([]byte, patternBlock)
	fill(rand.New(rand.NewChaCha8(seedBytes(seed))), block)
	src := Source{
		Size:      size,
		Open:      func() io.Reader { return OnlyReader(&patternReader{block: block, size: size}) },
		LocalPath: localPath,
	}
	if localPath == "" {
		return src, nil
	}
	f, err := os.Create(localPath)
	if err != nil {
		return src, err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	if _, err := io.Copy(w, src.Open()); err != nil {
		f.Close()
		return src, err
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return src, err
	}
	return src, f.Close()
}

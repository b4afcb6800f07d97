package smbcrypto

import (
	"bytes"
	"errors"
	"math"
	"strings"
	"sync"
	"testing"
)

func TestNonceSourceLayout(t *testing.T) {
	for _, size := range []int{11, 12} {
		src, err := NewNonceSource(size, bytes.NewReader([]byte{0xA1, 0xA2, 0xA3, 0xA4}))
		if err != nil {
			t.Fatal(err)
		}
		if src.Size() != size {
			t.Errorf("Size = %d, want %d", src.Size(), size)
		}
		prefix := []byte{0xA1, 0xA2, 0xA3, 0xA4}[:size-8]
		for i := range uint64(3) {
			n := make([]byte, size)
			if err := src.Next(n); err != nil {
				t.Fatal(err)
			}
			want := append(bytes.Clone(prefix), byte(i), 0, 0, 0, 0, 0, 0, 0)
			if !bytes.Equal(n, want) {
				t.Errorf("size %d nonce %d = %x, want %x", size, i, n, want)
			}
		}
	}
}

func TestNonceSourceExhaustion(t *testing.T) {
	src, err := NewNonceSource(12, nil)
	if err != nil {
		t.Fatal(err)
	}
	src.next.Store(math.MaxUint64 - 1)
	n := make([]byte, 12)
	if err := src.Next(n); err != nil {
		t.Fatalf("last nonce: %v", err)
	}
	if want := []byte{0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}; !bytes.Equal(n[4:], want) {
		t.Errorf("last nonce counter = %x, want %x", n[4:], want)
	}
	for range 3 {
		if err := src.Next(n); !errors.Is(err, ErrNoncesExhausted) {
			t.Fatalf("Next after the last nonce: %v", err)
		}
	}
}

func TestNonceSourceErrors(t *testing.T) {
	for _, size := range []int{0, 7, 17} {
		if _, err := NewNonceSource(size, nil); err == nil {
			t.Errorf("NewNonceSource(%d) succeeded", size)
		}
	}
	if _, err := NewNonceSource(12, strings.NewReader("ab")); err == nil {
		t.Error("NewNonceSource succeeded with a short random source")
	}
	src, err := NewNonceSource(11, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := src.Next(make([]byte, 12)); err == nil {
		t.Error("Next accepted a 12-byte buffer for 11-byte nonces")
	}
}

func TestNonceSourceConcurrentUnique(t *testing.T) {
	src, err := NewNonceSource(11, nil)
	if err != nil {
		t.Fatal(err)
	}
	const goroutines, each = 8, 500
	var mu sync.Mutex
	seen := make(map[[11]byte]bool, goroutines*each)
	var wg sync.WaitGroup
	for range goroutines {
		wg.Go(func() {
			local := make([][11]byte, each)
			for i := range local {
				if err := src.Next(local[i][:]); err != nil {
					t.Error(err)
					return
				}
			}
			mu.Lock()
			defer mu.Unlock()
			for _, n := range local {
				if seen[n] {
					t.Errorf("nonce %x handed out twice", n)
				}
				seen[n] = true
			}
		})
	}
	wg.Wait()
	if len(seen) != goroutines*each {
		t.Errorf("%d distinct nonces, want %d", len(seen), goroutines*each)
	}
}

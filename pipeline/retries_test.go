package pipeline

import (
	"testing"
	"testing/synctest"
	"time"
)

// TestRetriesBoundedByTime: an operation that keeps losing its connection
// is tried again while the budget lasts, however many connections break in
// that time, up to the maxRetries backstop; after the budget, never.
func TestRetriesBoundedByTime(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var r retries
		const budget = 10 * time.Second
		// Connections breaking every 300 ms, as in the fault tests: all
		// retries within the budget are allowed.
		for i := range maxRetries {
			if !r.again(budget) {
				t.Fatalf("retry %d refused %v after the first loss", i+1, time.Since(r.first))
			}
			time.Sleep(300 * time.Millisecond)
		}
		if r.again(budget) {
			t.Fatalf("retry %d allowed: the backstop is %d", maxRetries+1, maxRetries)
		}

		var slow retries
		if !slow.again(budget) {
			t.Fatal("first retry refused")
		}
		time.Sleep(budget - time.Millisecond)
		if !slow.again(budget) {
			t.Fatal("retry refused inside the budget")
		}
		time.Sleep(time.Millisecond)
		if slow.again(budget) {
			t.Fatal("retry allowed once the budget is spent")
		}

		var none retries
		if none.again(0) {
			t.Fatal("retry allowed with no budget")
		}
	})
}

package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/smbfs/smbfs"
)

// progressBar draws one transfer's progress on a terminal line:
//
//	report.pdf  [=========>          ]  45%  12.3 MiB / 27.0 MiB  8.1 MiB/s  ETA 0:02
//
// redrawn in place (carriage return, erase to end of line), and a final
// line with the size, the average rate and the time taken.
type progressBar struct {
	w     io.Writer
	width func() int
	label string
	start time.Time

	mu    sync.Mutex
	drawn bool
}

// newBar returns a bar for label, or nil when progress is not shown: it
// is shown only when both standard output and standard error are
// terminals (as scp does), so a pipe or a redirect gets no escape codes.
func (a *app) newBar(label string, quiet bool) *progressBar {
	if quiet || !a.interactive() {
		return nil
	}
	errf, _ := a.stderr.(*os.File)
	return &progressBar{
		w:     a.stderr,
		label: label,
		start: time.Now(),
		width: func() int {
			if w := terminalWidth(errf); w > 0 {
				return w
			}
			return 80
		},
	}
}

// interactive reports whether standard output and error are terminals.
func (a *app) interactive() bool {
	out, ok1 := a.stdout.(*os.File)
	errf, ok2 := a.stderr.(*os.File)
	return ok1 && ok2 && isTerminal(out) && isTerminal(errf)
}

// options returns the transfer options that feed the bar (none for nil).
func (b *progressBar) options() []smbfs.TransferOption {
	if b == nil {
		return nil
	}
	return []smbfs.TransferOption{smbfs.WithProgress(b.update), smbfs.WithProgressInterval(100 * time.Millisecond)}
}

// update redraws the bar; it is the transfer's progress function.
func (b *progressBar) update(p smbfs.Progress) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.drawn = true
	fmt.Fprint(b.w, "\r"+b.line(p, false)+"\x1b[K")
	return nil
}

// finish draws the final line and ends it.
func (b *progressBar) finish(n int64) {
	if b == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	el := time.Since(b.start)
	rate := 0.0
	if el > 0 {
		rate = float64(n) / el.Seconds()
	}
	p := smbfs.Progress{Done: n, Total: n, Elapsed: el, Rate: rate}
	fmt.Fprint(b.w, "\r"+b.line(p, true)+"\x1b[K\n")
	b.drawn = false
}

// abort ends a drawn line, so that an error message starts on its own.
func (b *progressBar) abort() {
	if b == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.drawn {
		fmt.Fprint(b.w, "\n")
		b.drawn = false
	}
}

// line lays out one state of the bar to fit the terminal's width. The
// figures have fixed widths, so that the columns of successive files'
// final lines align.
func (b *progressBar) line(p smbfs.Progress, final bool) string {
	width := b.width() - 1 // never write the last column: some terminals wrap there
	var stats string
	pct := -1
	switch {
	case final:
		stats = fmt.Sprintf("100%%  %8s  %10s  %7s", formatBytes(float64(p.Done)), formatBytes(p.Rate)+"/s", formatClock(p.Elapsed))
	case p.Total > 0:
		pct = int(min(p.Done*100/p.Total, 100))
		stats = fmt.Sprintf("%3d%%  %8s / %-8s  %10s  ETA %-7s", pct, formatBytes(float64(p.Done)), formatBytes(float64(p.Total)), formatBytes(p.Rate)+"/s", etaOf(p))
	default: // size unknown (a pipe), or an empty file
		stats = fmt.Sprintf("%8s  %10s  %7s", formatBytes(float64(p.Done)), formatBytes(p.Rate)+"/s", formatClock(p.Elapsed))
	}
	stats = strings.TrimRight(stats, " ")
	if width-utf8.RuneCountInString(stats)-2 < 20 && pct >= 0 {
		// A narrow terminal: the percentage, the rate and the ETA only.
		stats = fmt.Sprintf("%3d%% %s/s ETA %s", pct, formatBytes(p.Rate), strings.TrimSpace(etaOf(p)))
	}
	// What is left after the figures goes to the label and the bar: the
	// label gets what it needs up to half of it, the bar the rest when
	// that is enough to be worth drawing.
	room := width - utf8.RuneCountInString(stats) - 2
	if pct < 0 {
		label := truncateLeft(b.label, max(room, 1))
		return label + strings.Repeat(" ", max(room-utf8.RuneCountInString(label), 0)+2) + stats
	}
	label := truncateLeft(b.label, max(room/2, min(room-12, utf8.RuneCountInString(b.label))))
	barWidth := room - utf8.RuneCountInString(label) - 2
	if barWidth < 7 {
		label = truncateLeft(b.label, max(room, 1))
		return label + strings.Repeat(" ", max(room-utf8.RuneCountInString(label), 0)+2) + stats
	}
	return label + "  " + bar(pct, barWidth) + "  " + stats
}

// etaOf estimates the time left, "--:--" before there is a rate.
func etaOf(p smbfs.Progress) string {
	if p.Rate <= 0 || p.Total < 0 {
		return "--:--"
	}
	return formatClock(time.Duration(float64(max(p.Total-p.Done, 0)) / p.Rate * float64(time.Second)))
}

// bar draws "[=====>    ]" of width w for pct percent.
func bar(pct, w int) string {
	inner := w - 2
	fill := inner * min(max(pct, 0), 100) / 100
	s := strings.Repeat("=", fill)
	if fill < inner {
		s += ">" + strings.Repeat(" ", inner-fill-1)
	}
	return "[" + s + "]"
}

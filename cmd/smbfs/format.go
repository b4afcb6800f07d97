package main

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// formatBytes prints n with a binary unit: "512 B", "12.3 KiB", "1.00 GiB".
func formatBytes(n float64) string {
	units := []string{"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"}
	i := 0
	for math.Abs(n) >= 1024 && i < len(units)-1 {
		n /= 1024
		i++
	}
	switch {
	case i == 0:
		return fmt.Sprintf("%.0f B", n)
	case n < 10:
		return fmt.Sprintf("%.2f %s", n, units[i])
	case n < 100:
		return fmt.Sprintf("%.1f %s", n, units[i])
	}
	return fmt.Sprintf("%.0f %s", n, units[i])
}

// formatClock prints a duration as m:ss or h:mm:ss.
func formatClock(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	s := int64(d.Round(time.Second) / time.Second)
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}

// parseSize parses "64MiB", "1G", "512k", "100MB" or a plain byte count.
// Decimal (kB, MB, GB) and binary (KiB, MiB, GiB, K, M, G) units are
// accepted; a bare letter is binary, as dd and curl read it.
func parseSize(s string) (int64, error) {
	t := strings.TrimSpace(s)
	i := len(t)
	for i > 0 && (t[i-1] < '0' || t[i-1] > '9') && t[i-1] != '.' {
		i--
	}
	num, unit := t[:i], strings.ToLower(strings.TrimSpace(t[i:]))
	mult := map[string]float64{
		"": 1, "b": 1,
		"k": 1 << 10, "kib": 1 << 10, "kb": 1e3,
		"m": 1 << 20, "mib": 1 << 20, "mb": 1e6,
		"g": 1 << 30, "gib": 1 << 30, "gb": 1e9,
		"t": 1 << 40, "tib": 1 << 40, "tb": 1e12,
	}[unit]
	v, err := strconv.ParseFloat(num, 64)
	if err != nil || mult == 0 || v < 0 || math.IsInf(v*mult, 0) || v*mult > 1<<62 {
		return 0, fmt.Errorf("bad size %q (want e.g. 64MiB, 1G, 500MB)", s)
	}
	return int64(v * mult), nil
}

// truncateLeft shortens s to at most n characters, keeping its end (the
// interesting part of a path) behind an ellipsis.
func truncateLeft(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	if n <= 0 {
		return ""
	}
	if n == 1 {
		return "…"
	}
	r := []rune(s)
	return "…" + string(r[len(r)-(n-1):])
}

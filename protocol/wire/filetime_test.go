package wire

import (
	"math"
	"testing"
	"time"
)

func TestFiletime(t *testing.T) {
	tests := []struct {
		name string
		ft   uint64
		tm   time.Time
	}{
		{"unset", 0, time.Time{}},
		{"Unix epoch", 116444736000000000, time.Unix(0, 0).UTC()},
		{"2000-01-01", 125911584000000000, time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"100ns resolution", 133486382451234567, time.Date(2024, 1, 2, 3, 4, 5, 123456700, time.UTC)},
		{"earliest instant", 1, time.Date(1601, 1, 1, 0, 0, 0, 100, time.UTC)},
		{"largest signed value", math.MaxInt64, time.Date(30828, 9, 14, 2, 48, 5, 477580700, time.UTC)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := FiletimeToTime(tt.ft); !got.Equal(tt.tm) || got.Location() != time.UTC {
				t.Errorf("FiletimeToTime(%d) = %v, want %v", tt.ft, got, tt.tm)
			}
			if got := TimeToFiletime(tt.tm); got != tt.ft {
				t.Errorf("TimeToFiletime(%v) = %d, want %d", tt.tm, got, tt.ft)
			}
		})
	}
}

func TestTimeToFiletimeClamps(t *testing.T) {
	tests := []struct {
		name string
		tm   time.Time
		want uint64
	}{
		{"exactly 1601", time.Date(1601, 1, 1, 0, 0, 0, 0, time.UTC), 1},
		{"before 1601", time.Date(1500, 6, 1, 0, 0, 0, 0, time.UTC), 1},
		{"year 1 but not the zero Time", time.Date(1, 1, 1, 0, 0, 0, 1, time.UTC), 1},
		{"after 30828", time.Date(40000, 1, 1, 0, 0, 0, 0, time.UTC), math.MaxInt64},
		{"last second of range, past its last tick", time.Date(30828, 9, 14, 2, 48, 5, 999999999, time.UTC), math.MaxInt64},
		{"far future", time.Unix(math.MaxInt64/4, 0), math.MaxInt64},
		{"sub-tick truncates", time.Unix(0, 99).UTC(), 116444736000000000},
		{"other zone", time.Date(1970, 1, 1, 1, 0, 0, 0, time.FixedZone("CET", 3600)), 116444736000000000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := TimeToFiletime(tt.tm); got != tt.want {
				t.Errorf("TimeToFiletime(%v) = %d, want %d", tt.tm, got, tt.want)
			}
		})
	}
}

func TestFiletimeToTimeSpecialValues(t *testing.T) {
	// The SET_INFO markers are not times, but converting them must not
	// panic or wrap into the past.
	for _, ft := range []uint64{FiletimeSuspendUpdates, FiletimeResumeUpdates} {
		if got := FiletimeToTime(ft); got.Year() < 30828 {
			t.Errorf("FiletimeToTime(%#x) = %v, want a far-future time", ft, got)
		}
	}
}

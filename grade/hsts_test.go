package grade

import (
	"math"
	"strings"
	"testing"
)

func TestParseHSTS(t *testing.T) {
	tests := []struct {
		values  []string
		maxAge  int64
		subs    bool
		preload bool
		problem string // substring; empty for none
	}{
		{nil, -1, false, false, "no Strict-Transport-Security header"},
		{[]string{"max-age=63072000; includeSubDomains"}, 63072000, true, false, ""},
		{[]string{"max-age=31536000; includeSubDomains; preload"}, 31536000, true, true, ""},
		{[]string{`max-age="15552000"`}, 15552000, false, false, ""},
		{[]string{"MAX-AGE=15552000 ; INCLUDESUBDOMAINS"}, 15552000, true, false, ""},
		{[]string{"max-age=15551999"}, 15551999, false, false, "under 180 days"},
		{[]string{"max-age=86400"}, 86400, false, false, "(1 days) is under 180 days"},
		{[]string{"max-age=0"}, 0, false, false, "HSTS disabled"},
		{[]string{"includeSubDomains"}, -1, true, false, "no max-age"},
		{[]string{"max-age=abc"}, -1, false, false, "not a number"},
		{[]string{"max-age=-5"}, -1, false, false, "not a number"},
		{[]string{"max-age="}, -1, false, false, "not a number"},
		{[]string{"max-age=1; max-age=31536000"}, -1, false, false, "appears twice"},
		{[]string{"max-age=99999999999999999999999"}, math.MaxInt64, false, false, ""},
		// only the first header counts (RFC 6797, 8.1)
		{[]string{"max-age=31536000", "max-age=0"}, 31536000, false, false, ""},
	}
	for _, tt := range tests {
		h := parseHSTS(tt.values)
		if h.MaxAge != tt.maxAge || h.IncludeSubDomains != tt.subs || h.Preload != tt.preload {
			t.Errorf("%q: max-age %d subdomains %v preload %v, want %d %v %v", tt.values, h.MaxAge, h.IncludeSubDomains, h.Preload, tt.maxAge, tt.subs, tt.preload)
		}
		if (tt.problem == "") != (h.Problem == "") || !strings.Contains(h.Problem, tt.problem) {
			t.Errorf("%q: problem %q, want %q", tt.values, h.Problem, tt.problem)
		}
		if h.Present != (len(tt.values) > 0) {
			t.Errorf("%q: present %v", tt.values, h.Present)
		}
	}
}

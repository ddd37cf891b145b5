package shellquote

import (
	"os/exec"
	"testing"
)

func TestQuote(t *testing.T) {
	for in, want := range map[string]string{
		"root.pem":           "root.pem",
		"/tmp/a-b_c.pem":     "/tmp/a-b_c.pem",
		"":                   "''",
		"my root.pem":        "'my root.pem'",
		"it's.pem":           `'it'\''s.pem'`,
		"$HOME/x":            "'$HOME/x'",
		"a;rm -rf b":         "'a;rm -rf b'",
		"https://h:8443/x=y": "https://h:8443/x=y",
	} {
		if got := Quote(in); got != want {
			t.Errorf("Quote(%q) = %s, want %s", in, got, want)
		}
	}
}

// TestQuoteRoundTrip has a real shell read each quoted word back.
func TestQuoteRoundTrip(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Fatalf("no sh: %v", err)
	}
	for _, in := range []string{"plain", "two words", "it's", `back\slash`, "$(echo no)", "*", "new\nline", ""} {
		out, err := exec.Command(sh, "-c", "printf %s "+Quote(in)).Output()
		if err != nil {
			t.Fatalf("sh -c printf %s: %v", Quote(in), err)
		}
		if string(out) != in {
			t.Errorf("sh read %s back as %q, want %q", Quote(in), out, in)
		}
	}
}

package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/chaintool/chaintool/internal/testpki"
)

// TestConvertManyDuplicates: thousands of copies of eight certificates give
// one warning per certificate up to five, then one line for the rest — not
// a line per copy.
func TestConvertManyDuplicates(t *testing.T) {
	root := testpki.NewRoot("Dup Root")
	var once, pile bytes.Buffer
	for i := 0; i < 8; i++ {
		once.Write(root.NewLeaf("dup" + string(rune('a'+i))).PEM())
	}
	for i := 0; i < 500; i++ {
		pile.Write(once.Bytes())
	}
	in := writeTempFile(t, "pile.pem", pile.Bytes())
	code, stdout, stderr := runMain(t, "convert", in, "--to", "pem")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if stdout != once.String() {
		t.Errorf("stdout is not each certificate once, in order")
	}
	lines := strings.Split(strings.TrimSpace(stderr), "\n")
	if len(lines) != 6 {
		t.Fatalf("want 6 warning lines, got %d:\n%s", len(lines), stderr)
	}
	if want := `chaintool: warning: certificate "dupa" appears 500 times; written once`; lines[0] != want {
		t.Errorf("first line %q, want %q", lines[0], want)
	}
	if want := "chaintool: warning: 3 more certificates appear more than once; each written once"; lines[5] != want {
		t.Errorf("last line %q, want %q", lines[5], want)
	}
}

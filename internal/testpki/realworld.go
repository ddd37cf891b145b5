package testpki

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// RealWorldCase is one chain a public site served, from the folder
// ../shared/realworld beside the repository: leaf.pem, intermediates.pem
// and root.pem, with case.json naming the host and a moment the chain was
// valid.
type RealWorldCase struct {
	Name string    // the folder's name, e.g. "akamai.com"
	Dir  string    // the folder
	Host string    // the host the leaf was served for
	At   time.Time // case.json's validation_time
}

// File returns the path of one of the case's files: "leaf.pem",
// "intermediates.pem" or "root.pem".
func (c RealWorldCase) File(name string) string { return filepath.Join(c.Dir, name) }

// RealWorldDir returns the absolute path of ../shared/realworld relative
// to the repository root (the first folder holding go.mod, up from the
// working directory). The folder may be absent.
func RealWorldDir() string {
	dir, err := os.Getwd()
	if err != nil {
		return ""
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(filepath.Dir(dir), "shared", "realworld")
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// LoadRealWorld returns every real-world case in folder-name order. It
// skips the test when there are none, and fails it on a case.json it
// cannot read.
func LoadRealWorld(t testing.TB) []RealWorldCase {
	t.Helper()
	dir := RealWorldDir()
	var files []string
	if dir != "" {
		files, _ = filepath.Glob(filepath.Join(dir, "*", "case.json"))
	}
	if len(files) == 0 {
		t.Skipf("no real-world chains in %s (../shared/realworld)", dir)
	}
	var out []RealWorldCase
	for _, file := range files {
		var meta struct {
			Host           string    `json:"host"`
			ValidationTime time.Time `json:"validation_time"`
		}
		data, err := os.ReadFile(file)
		if err == nil {
			err = json.Unmarshal(data, &meta)
		}
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		site := filepath.Dir(file)
		out = append(out, RealWorldCase{Name: filepath.Base(site), Dir: site, Host: meta.Host, At: meta.ValidationTime})
	}
	return out
}

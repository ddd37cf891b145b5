package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chaintool/chaintool/bundle"
)

// TestBadInputExitCodes runs convert and inspect in-process on each kind of
// bad input the foundation issue lists and checks what the testscripts'
// `! exec` cannot: the exit code is 2 (not 1, not a panic's), stderr is
// exactly one `chaintool: error: FILE: ...` line and at most one hint,
// stdout is empty, and no output or temporary file is left.
func TestBadInputExitCodes(t *testing.T) {
	dir := t.TempDir()
	fixture := func(name string) string {
		p, err := filepath.Abs(filepath.Join("..", "..", "testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	leafPEM, err := os.ReadFile(fixture("leaf.pem"))
	if err != nil {
		t.Fatal(err)
	}
	leafDER, err := os.ReadFile(fixture("leaf.der"))
	if err != nil {
		t.Fatal(err)
	}
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	big := write("big.pem", nil)
	if err := os.Truncate(big, bundle.MaxInputSize+1<<20); err != nil { // sparse, 17 MiB
		t.Fatal(err)
	}
	empty := filepath.Join(dir, "empty-dir")
	if err := os.Mkdir(empty, 0o755); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		path     string
		password string // CHAINTOOL_PASSWORD; "" leaves it unset
	}{
		{"empty file", write("empty.pem", nil), ""},
		{"truncated PEM", write("truncated.pem", leafPEM[:len(leafPEM)/2]), ""},
		{"bad base64", write("badbase64.pem", bytes.Replace(leafPEM, []byte("MII"), []byte("M*I"), 1)), ""},
		{"random bytes", write("random.bin", []byte{0x8f, 0x00, 0x13, 0x37, 0xfe, 0x01, 0x99, 0x42}), ""},
		{"DER certificate with trailing bytes", write("trailing.der", append(append([]byte{}, leafDER...), 0xde, 0xad)), ""},
		{"PFX with the wrong password", fixture("modern.pfx"), "not-the-password"},
		{"encrypted key without a password", fixture("leaf-pkcs8-encrypted.key"), ""},
		{"directory", empty, ""},
		{"missing file", filepath.Join(dir, "missing.pem"), ""},
		{"file over 16 MiB", big, ""},
		{"PFX encrypted with Camellia", fixture("nomac-camellia-key.pfx"), "chaintool"},
		{"PBES1-encrypted key", fixture("leaf-pkcs8-v1.key"), "chaintool"},
	}
	for _, tt := range tests {
		for _, cmd := range [][]string{
			{"convert", tt.path, "--to", "pem", "-o", filepath.Join(dir, "out.pem")},
			{"inspect", tt.path},
		} {
			t.Run(tt.name+"/"+cmd[0], func(t *testing.T) {
				t.Setenv(passwordEnv, tt.password)
				if tt.password == "" {
					os.Unsetenv(passwordEnv)
				}
				code, stdout, stderr := runMain(t, cmd...)
				if code != 2 {
					t.Errorf("exit %d, want 2", code)
				}
				if stdout != "" {
					t.Errorf("stdout %q, want nothing", stdout)
				}
				checkOneErrorLine(t, stderr, tt.path)
				checkNoOutputLeft(t, dir)
			})
		}
	}
}

// checkOneErrorLine: stderr is one error line naming path, then at most
// one hint line, and nothing else.
func checkOneErrorLine(t *testing.T, stderr, path string) {
	t.Helper()
	lines := strings.Split(strings.TrimSuffix(stderr, "\n"), "\n")
	if !strings.HasPrefix(lines[0], "chaintool: error: "+path+": ") {
		t.Errorf("first stderr line %q, want chaintool: error: %s: ...", lines[0], path)
	}
	if len(lines) > 2 || len(lines) == 2 && !strings.HasPrefix(lines[1], "chaintool: hint: ") {
		t.Errorf("stderr holds more than an error line and a hint:\n%s", stderr)
	}
}

// checkNoOutputLeft: no out.pem and no temporary file beside it.
func checkNoOutputLeft(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), "out.pem") || strings.HasPrefix(e.Name(), ".out.pem") {
			t.Errorf("left %s behind", e.Name())
		}
	}
}

// TestUnsupportedEncryptionHints: a scheme chaintool cannot decrypt gets
// the openssl command that converts the file to one it reads.
func TestUnsupportedEncryptionHints(t *testing.T) {
	t.Setenv(passwordEnv, "chaintool")
	for file, hint := range map[string]string{
		"nomac-camellia-key.pfx": "chaintool: hint: convert it with 'openssl pkcs12 -in FILE -nodes -out all.pem'",
		"leaf-pkcs8-v1.key":      "chaintool: hint: re-encrypt the key with 'openssl pkcs8 -topk8 -v2 aes-256-cbc",
	} {
		_, _, stderr := runMain(t, "inspect", filepath.Join("..", "..", "testdata", file))
		if !strings.Contains(stderr, "\n"+hint) {
			t.Errorf("%s: stderr %q, want the hint %q", file, stderr, hint)
		}
	}
}

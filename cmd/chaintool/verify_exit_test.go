package main

import (
	"bytes"
	"net"
	"path/filepath"
	"strings"
	"testing"
)

// TestVerifyExitCodes runs verify in-process and checks the exit code of
// each outcome: 0 for a clean chain (and warnings without --strict), 1 for
// findings, 2 when the input cannot be read or the server not reached,
// with one error line on stderr and nothing on stdout.
func TestVerifyExitCodes(t *testing.T) {
	dir := t.TempDir()
	if err := recipeVerifyChains(dir, nil); err != nil {
		t.Fatal(err)
	}
	in := func(name string) string { return filepath.Join(dir, name) }
	if err := writePKIFiles(dir, map[string][]byte{
		"empty.pem": nil,
		"junk.pem":  []byte("this is not a certificate\x00\x01\x02\n"),
	}); err != nil {
		t.Fatal(err)
	}
	good := []string{"--roots", in("root.pem"), "--host", "localhost"}
	for _, tc := range []struct {
		name   string
		args   []string
		code   int
		stderr string // part of stderr, when it matters
	}{
		{"clean chain", append(good, in("chain.pem")), 0, ""},
		{"only warnings", append(good, in("soon.pem")), 0, ""},
		{"only warnings, --strict", append(good, "--strict", in("soon.pem")), 1, "--strict makes warnings fail"},
		{"wrong order", append(good, in("reversed.pem")), 1, "chaintool bundle"},
		{"expired leaf", append(good, in("expired.pem")), 1, ""},
		{"missing file", append(good, in("missing.pem")), 2, "missing.pem: no such file"},
		{"empty file", append(good, in("empty.pem")), 2, "empty.pem: empty input"},
		{"junk file", append(good, in("junk.pem")), 2, "junk.pem: not a certificate"},
		{"directory", append(good, dir), 2, "is a directory"},
		{"refused port", []string{closedPort(t)}, 2, "cannot connect"},
		{"garbage server", []string{garbageServer(t)}, 2, ""},
		{"port out of range", []string{"127.0.0.1:99999"}, 2, "127.0.0.1:99999: port 99999 out of range (1 to 65535)"},
	} {
		var stdout, stderr bytes.Buffer
		code := run(append([]string{"chaintool", "verify"}, tc.args...), strings.NewReader(""), &stdout, &stderr)
		if code != tc.code {
			t.Errorf("%s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", tc.name, code, tc.code, stdout.String(), stderr.String())
			continue
		}
		switch {
		case !strings.Contains(stderr.String(), tc.stderr):
			t.Errorf("%s: stderr %q, want it to say %q", tc.name, stderr.String(), tc.stderr)
		case code == 2 && (stdout.Len() > 0 || !strings.HasPrefix(stderr.String(), "chaintool: error: ")):
			t.Errorf("%s: stdout %q, stderr %q, want nothing and one error line", tc.name, stdout.String(), stderr.String())
		case code < 2 && (stdout.Len() == 0 || strings.Contains(stderr.String(), "error:")):
			t.Errorf("%s: stdout %q, stderr %q, want the report and no error line", tc.name, stdout.String(), stderr.String())
		}
	}
}

// garbageServer listens on a loopback port, answers every connection with
// bytes that are not TLS and closes it; it returns the address.
func garbageServer(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			_, _ = conn.Write([]byte("HTTP/1.0 400 Bad Request\r\n\r\nnot TLS\r\n"))
			conn.Close()
		}
	}()
	return ln.Addr().String()
}

package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/chaintool/chaintool/bundle"
)

// TestGradeTargetsFileErrors: a --targets file that cannot be used is one
// line on stderr naming FILE (and LINE when a line is at fault), in
// chaintool's words, never a raw Go message nor a huge or binary line
// echoed; nothing is graded (stdout stays empty), exit 2.
func TestGradeTargetsFileErrors(t *testing.T) {
	dir := t.TempDir()
	good := closedPort(t)
	write := func(name, data string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	binary := string([]byte{0x1f, 0x8b, 0x08, 0x00, 0xff, 0xfe, 0x00, 0x1b, '[', '2', 'J', 0x07}) + strings.Repeat("\x9c\x00", 300)
	tests := []struct {
		file string
		want string // the whole stderr line after "chaintool: error: "
	}{
		{filepath.Join(dir, "missing.txt"), filepath.Join(dir, "missing.txt") + ": no such file"},
		{dir, dir + ": is a directory"},
		{write("long.txt", good+"\n# fine\n"+strings.Repeat("x", 70000)+"\n"),
			filepath.Join(dir, "long.txt") + `:3: line too long (at most 4096 bytes): "` + strings.Repeat("x", 40) + `"...`},
		{write("binary.txt", good+"\n"+binary+"\n"),
			filepath.Join(dir, "binary.txt") + `:2: "\x1f\x8b\b\x00\xff\xfe\x00\x1b[2J\a\x9c\x00\x9c\x00\x9c\x00\x9c\x00\x9c\x00\x9c\x00\x9c\x00\x9c\x00\x9c\x00\x9c\x00\x9c\x00\x9c\x00\x9c\x00\x9c\x00"...: not a HOST[:PORT]`},
		{write("cert.pem", "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"),
			filepath.Join(dir, "cert.pem") + `:1: "-----BEGIN CERTIFICATE-----": not a HOST[:PORT]`},
		{write("bad-port.txt", good+"\n\n  example.com:99999  # typo\n"),
			filepath.Join(dir, "bad-port.txt") + `:3: "example.com:99999": not a HOST[:PORT]`},
		{write("control.txt", "exa\tmple.com\n"), filepath.Join(dir, "control.txt") + `:1: "exa\tmple.com": not a HOST[:PORT]`},
		{write("comments.txt", "# nothing\n\n"), filepath.Join(dir, "comments.txt") + ": lists no target"},
	}
	for _, tt := range tests {
		code, out, errOut := runMain(t, "grade", "--targets", tt.file)
		if code != 2 || out != "" || errOut != "chaintool: error: "+tt.want+"\n" {
			t.Errorf("%s: exit %d, stdout %q, stderr\n%q, want\n%q", filepath.Base(tt.file), code, out, errOut, "chaintool: error: "+tt.want+"\n")
		}
		if !utf8.ValidString(errOut) || strings.ContainsFunc(strings.TrimSuffix(errOut, "\n"), func(r rune) bool { return r < ' ' || r == 0x7f }) {
			t.Errorf("%s: stderr holds raw bytes: %q", filepath.Base(tt.file), errOut)
		}
	}
}

// TestGradeTargetsLargeFile: a targets file far over 4 MiB is read to its
// last line (it used to be cut at 4 MiB, the cut line then failing as a
// bad target).
func TestGradeTargetsLargeFile(t *testing.T) {
	padding := strings.Repeat("# "+strings.Repeat("-", 97)+"\n", 50000) // 5 MB of comments
	down := closedPort(t)
	file := writeTempFile(t, "fleet.txt", []byte(padding+down+"\n"))
	code, out, errOut := runMain(t, "grade", "--targets", file)
	if code != 2 || !strings.HasPrefix(errOut, "chaintool: error: "+down+": cannot connect: connection refused\n") {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
	if want := `{"target":"` + down + `","error":"` + down + `: cannot connect: connection refused"}` + "\n"; out != want {
		t.Errorf("stdout %q, want %q", out, want)
	}
	file = writeTempFile(t, "fleet.txt", []byte(padding+down+"\nnot a target\n"))
	code, out, errOut = runMain(t, "grade", "--targets", file)
	if code != 2 || out != "" || errOut != "chaintool: error: "+file+`:50002: "not a target": not a HOST[:PORT]`+"\n" {
		t.Errorf("exit %d, stdout %q, stderr %q", code, out, errOut)
	}
}

// TestGradeTargetsPool: thousands of targets are graded by --concurrency
// workers, not a goroutine each, and reported in the order of the file.
func TestGradeTargetsPool(t *testing.T) {
	const n = 3000
	ports := []string{closedPort(t), closedPort(t), closedPort(t)}
	var list strings.Builder
	for i := range n {
		fmt.Fprintf(&list, "%s\n", ports[i%len(ports)])
	}
	file := writeTempFile(t, "fleet.txt", []byte(list.String()))

	before := runtime.NumGoroutine()
	var peak atomic.Int64
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		for {
			peak.Store(max(peak.Load(), int64(runtime.NumGoroutine())))
			select {
			case <-stop:
				return
			case <-time.After(200 * time.Microsecond):
			}
		}
	}()
	code, out, errOut := runMain(t, "grade", "--targets", file, "--concurrency", "3")
	close(stop)
	<-sampled
	if code != 2 || errOut != fmt.Sprintf("chaintool: error: %d of %d targets could not be graded\n", n, n) {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
	// 3 workers, the feeder, the sampler and what each grade starts: far
	// fewer than one goroutine per target.
	extra := peak.Load() - int64(before)
	t.Logf("%d goroutines at most beyond the %d before", extra, before)
	if extra > 100 {
		t.Errorf("%d goroutines more than before for %d targets and --concurrency 3", extra, n)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != n {
		t.Fatalf("%d lines for %d targets", len(lines), n)
	}
	for i, line := range lines {
		var v struct{ Target, Error string }
		if err := json.Unmarshal([]byte(line), &v); err != nil || v.Target != ports[i%len(ports)] || v.Error == "" {
			t.Fatalf("line %d: %v %s", i+1, err, line)
		}
	}
}

// TestGradeRootsPFX: --roots reads an encrypted PFX with the password
// every command takes (--password-file, $CHAINTOOL_PASSWORD), and the hint
// for a missing password names a flag grade has.
func TestGradeRootsPFX(t *testing.T) {
	srv, addr, root, err := startHTTPSServer("Grade PFX", aPlusConfig(), "max-age=63072000")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	pfx, err := bundle.EncodePFX(root.Key, root.Cert, nil, "s3cret", bundle.PFXModern)
	if err != nil {
		t.Fatal(err)
	}
	roots := writeTempFile(t, "roots.pfx", pfx)
	pw := writeTempFile(t, "pw.txt", []byte("s3cret\n"))

	code, out, errOut := runMain(t, "grade", "--json", "--roots", roots, "--password-file", pw, "--servername", "localhost", addr)
	var res struct{ Grade string }
	if code != 0 || errOut != "" || json.Unmarshal([]byte(out), &res) != nil || res.Grade != "A+" {
		t.Errorf("--password-file: exit %d, grade %q, stderr %q", code, res.Grade, errOut)
	}

	t.Setenv(passwordEnv, "s3cret")
	code, _, errOut = runMain(t, "grade", "--roots", roots, "--servername", "localhost", addr, "--min-grade", "A+")
	if code != 0 || errOut != "" {
		t.Errorf("$%s: exit %d, stderr %q", passwordEnv, code, errOut)
	}

	os.Unsetenv(passwordEnv)
	code, out, errOut = runMain(t, "grade", "--roots", roots, addr)
	if code != 2 || out != "" || !strings.Contains(errOut, "chaintool: error: "+roots+": ") ||
		!strings.Contains(errOut, "chaintool: hint: give the password with --password-file FILE") {
		t.Errorf("no password: exit %d, stderr %q", code, errOut)
	}
	if code, _, _ := runMain(t, "grade", "--help"); code != 0 {
		t.Errorf("help: exit %d", code)
	}
	_, help, _ := runMain(t, "grade", "--help")
	if !strings.Contains(help, "--password-file FILE") {
		t.Errorf("grade --help lists no --password-file:\n%s", help)
	}
}

// TestGradeMinimumRule: --min-grade takes the letters grade.CheckMinimum
// takes; T and M are refused with the reason.
func TestGradeMinimumRule(t *testing.T) {
	for _, g := range []string{"T", "M"} {
		code, out, errOut := runMain(t, "grade", "--min-grade", g, "127.0.0.1:1")
		want := fmt.Sprintf("chaintool: error: --min-grade %q: %s ranks below F, so every grade would pass; want one of A+, A, A-, B, C, D, E, F\n", g, g)
		if code != 2 || out != "" || !strings.HasPrefix(errOut, want) {
			t.Errorf("%s: exit %d, stderr %q", g, code, errOut)
		}
	}
}

// FuzzNormalizeTarget: any line gives either an error that quotes at most
// a short, printable piece of it, or a host:port that normalises to itself.
func FuzzNormalizeTarget(f *testing.F) {
	for _, s := range []string{"example.com", "[::1]:8443", "https://example.com:4443/x", "fe80::1%eth0",
		"bücher.example", "a b", "\x00\xff", "example.com:99999", strings.Repeat("a", 300)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := normalizeTarget(s)
		if err != nil {
			if msg := err.Error(); len(msg) > 256 || !utf8.ValidString(msg) || strings.ContainsAny(msg, "\x00\n\r") {
				t.Fatalf("%q: error %q", s, msg)
			}
			return
		}
		if again, err := normalizeTarget(got); err != nil || again != got {
			t.Fatalf("%q -> %q -> %q, %v", s, got, again, err)
		}
	})
}

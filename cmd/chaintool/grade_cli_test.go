package main

import (
	"crypto/tls"
	"encoding/json"
	"strings"
	"testing"
)

// gradeServer serves HTTPS on loopback with cfg and an ECDSA chain for
// localhost; hsts is the header value ("" for none). It returns the
// address and a file holding the root.
func gradeServer(t *testing.T, cfg *tls.Config, hsts string) (addr, rootFile string) {
	t.Helper()
	srv, addr, root, err := startHTTPSServer("Grade CLI", cfg, hsts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	return addr, writeTempFile(t, "root.pem", root.PEM())
}

// squeeze collapses runs of spaces, so that checks ignore alignment.
func squeeze(s string) string {
	var lines []string
	for _, l := range strings.Split(s, "\n") {
		lines = append(lines, strings.Join(strings.Fields(l), " "))
	}
	return strings.Join(lines, "\n")
}

func aPlusConfig() *tls.Config {
	return &tls.Config{MinVersion: tls.VersionTLS12, CipherSuites: []uint16{0xC02B, 0xC02C, 0xCCA9}}
}

func TestGradeText(t *testing.T) {
	addr, root := gradeServer(t, aPlusConfig(), "max-age=63072000; includeSubDomains")
	code, out, errOut := runMain(t, "grade", addr, "--roots", root, "--servername", "localhost")
	if code != 0 || errOut != "" {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	lines := strings.Split(out, "\n")
	if lines[0] != "+------+" || lines[1] != "|  A+  |  "+addr+" (localhost)" || lines[2] != "+------+" {
		t.Errorf("the letter is not first and large:\n%s", strings.Join(lines[:3], "\n"))
	}
	for _, want := range []string{
		"score 96/100: protocol support 100, key exchange 100, cipher strength 90",
		"TLS 1.3 yes", "TLS 1.1 no",
		"0xC02B TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 ECDHE-ECDSA-AES128-GCM-SHA256 128 FS AEAD X25519",
		"server key ECDSA 256 bits (score 100)",
		"Chrome 142 TLS 1.3 TLS_AES_128_GCM_SHA256 X25519MLKEM768",
		"max-age=63072000; includeSubDomains",
		"not tested: Heartbleed",
	} {
		if !strings.Contains(squeeze(out), want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	for i, line := range lines {
		if strings.TrimRight(line, " ") != line {
			t.Errorf("line %d ends in spaces: %q", i+1, line)
		}
	}
}

func TestGradeJSONAndMinGrade(t *testing.T) {
	addr, root := gradeServer(t, &tls.Config{MinVersion: tls.VersionTLS12, MaxVersion: tls.VersionTLS12}, "")
	code, out, errOut := runMain(t, "grade", "--json", "--roots", root, "--servername", "localhost", addr, "--min-grade", "A-")
	if code != 0 || errOut != "" {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	var res map[string]any
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	// TLS 1.2 only: a warning, so A-; and no HSTS.
	if res["grade"] != "A-" || res["score"] != float64(96) {
		t.Errorf("grade %v score %v", res["grade"], res["score"])
	}
	for _, key := range []string{"protocol_score", "key_exchange_score", "cipher_strength_score", "caps", "warnings",
		"notes", "not_tested", "protocols", "suites", "key_exchange", "simulations", "certificate", "hsts", "problems"} {
		if _, ok := res[key]; !ok {
			t.Errorf("JSON lacks %q", key)
		}
	}
	code, _, errOut = runMain(t, "grade", "--json", "--roots", root, "--servername", "localhost", addr, "--min-grade", "A+")
	if code != 1 || !strings.Contains(errOut, "chaintool: error: "+addr+": grade A- is below A+") {
		t.Errorf("below --min-grade: exit %d, stderr %q", code, errOut)
	}
}

func TestGradeTargets(t *testing.T) {
	good, root := gradeServer(t, aPlusConfig(), "max-age=63072000")
	bad := closedPort(t)
	list := writeTempFile(t, "targets.txt", []byte("# fleet\n"+good+"\n\n"+bad+"  # down\n"+good+"\n"))
	code, out, errOut := runMain(t, "grade", "--targets", list, "--concurrency", "2", "--roots", root, "--servername", "localhost")
	if code != 2 || !strings.Contains(errOut, "1 of 3 targets could not be graded") {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 {
		t.Fatalf("%d lines:\n%s", len(lines), out)
	}
	for i, want := range []string{good, bad, good} {
		var v map[string]any
		if err := json.Unmarshal([]byte(lines[i]), &v); err != nil || v["target"] != want {
			t.Errorf("line %d: %v %s", i, err, lines[i])
		}
		if want == bad && !strings.Contains(v["error"].(string), "cannot connect") {
			t.Errorf("error line %s", lines[i])
		}
		if want == good && v["grade"] != "A+" {
			t.Errorf("grade line %s", lines[i])
		}
	}
}

func TestGradeUnreachable(t *testing.T) {
	addr := closedPort(t)
	code, out, errOut := runMain(t, "grade", addr)
	if code != 2 || out != "" || !strings.HasPrefix(errOut, "chaintool: error: "+addr+": cannot connect") ||
		!strings.Contains(errOut, "chaintool: hint: ") {
		t.Errorf("exit %d, stdout %q, stderr %q", code, out, errOut)
	}
}

func TestNormalizeTarget(t *testing.T) {
	for in, want := range map[string]string{
		"example.com":               "example.com:443",
		"example.com:8443":          "example.com:8443",
		"127.0.0.1":                 "127.0.0.1:443",
		"::1":                       "[::1]:443",
		"[::1]:8443":                "[::1]:8443",
		"https://example.com/path":  "example.com:443",
		"https://example.com:4443/": "example.com:4443",
		"bücher.example":            "bücher.example:443",
		"fe80::1%eth0":              "[fe80::1%eth0]:443",
		"under_score.example:8443":  "under_score.example:8443",
	} {
		if got, err := normalizeTarget(in); err != nil || got != want {
			t.Errorf("%q: %q %v, want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"example.com:0", "example.com:99999", "host:port", ":443", "a b", "https://",
		"exa\x00mple.com", "a\tb:443", "\xff\xfe", "example.com/path", "https://exa%00mple.com/", strings.Repeat("a", 254)} {
		if got, err := normalizeTarget(bad); err == nil {
			t.Errorf("%q accepted as %q", bad, got)
		}
	}
}

// TestGradeTargetsBelowAndUnreachable: with several targets the final
// error names the targets below --min-grade (the first five, then a
// count), also when an unreachable target makes the exit code 2.
func TestGradeTargetsBelowAndUnreachable(t *testing.T) {
	good, root := gradeServer(t, aPlusConfig(), "max-age=63072000")
	tls12, root12 := gradeServer(t, &tls.Config{MinVersion: tls.VersionTLS12, MaxVersion: tls.VersionTLS12}, "max-age=63072000")
	bad := closedPort(t)
	grade := func(targets ...string) (int, string) {
		list := writeTempFile(t, "targets.txt", []byte(strings.Join(targets, "\n")+"\n"))
		code, _, errOut := runMain(t, "grade", "--targets", list, "--roots", root, "--roots", root12, "--servername", "localhost", "--min-grade", "A")
		return code, errOut
	}
	code, errOut := grade(good, bad, tls12)
	if want := "chaintool: error: 1 of 3 targets could not be graded; 1 grade is below A: " + tls12 + " (A-)\n"; code != 2 || errOut != want {
		t.Errorf("exit %d, stderr %q, want 2 and %q", code, errOut, want)
	}
	code, errOut = grade(tls12, good, tls12)
	if want := "chaintool: error: 2 of 3 grades are below A: " + tls12 + " (A-), " + tls12 + " (A-)\n"; code != 1 || errOut != want {
		t.Errorf("exit %d, stderr %q, want 1 and %q", code, errOut, want)
	}
	many := []string{bad}
	for range 7 {
		many = append(many, tls12)
	}
	code, errOut = grade(many...)
	names := strings.TrimSuffix(strings.Repeat(tls12+" (A-), ", 5), ", ")
	if want := "chaintool: error: 1 of 8 targets could not be graded; 7 grades are below A: " + names + " and 2 more\n"; code != 2 || errOut != want {
		t.Errorf("exit %d, stderr %q, want 2 and %q", code, errOut, want)
	}
}

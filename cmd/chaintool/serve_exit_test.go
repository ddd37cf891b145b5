package main

import (
	"bytes"
	"strings"
	"testing"
)

// TestServeExitCodes runs serve in-process and checks the exit code of
// each outcome: 0 for a grade at least --min-grade, 1 for a grade below it
// or a broken bundle, 2 for usage and input errors.
func TestServeExitCodes(t *testing.T) {
	dir := t.TempDir()
	if err := recipeServeChains(dir, nil); err != nil {
		t.Fatal(err)
	}
	in := func(name string) string { return dir + "/" + name }
	for _, tc := range []struct {
		args   []string
		code   int
		stdout string
	}{
		{[]string{"--check"}, 0, "A+"},
		{[]string{in("server.pem"), "--roots", in("root.pem"), "--check"}, 0, "A+"},
		{[]string{"--check", "--hsts-max-age", "86400"}, 1, "A-"},
		{[]string{"--check", "--hsts-max-age", "86400", "--min-grade", "A-"}, 0, "A-"},
		{[]string{in("reversed.pem"), "--roots", in("root.pem"), "--check"}, 1, ""},
		{[]string{in("expired.pem"), "--roots", in("root.pem"), "--check"}, 1, ""},
		{[]string{in("chain.pem"), "--key", in("other.key"), "--roots", in("root.pem"), "--check"}, 1, ""},
		{[]string{in("missing.pem"), "--check"}, 2, ""},
		{[]string{"--check", "--min-grade", "A++"}, 2, ""},
		{[]string{"--json"}, 2, ""},
		{[]string{"--check", "--addr", "256.0.0.1:0"}, 2, ""},
	} {
		var stdout, stderr bytes.Buffer
		code := run(append([]string{"chaintool", "serve"}, tc.args...), strings.NewReader(""), &stdout, &stderr)
		if code != tc.code {
			t.Errorf("serve %s: exit %d, want %d\n%s", strings.Join(tc.args, " "), code, tc.code, stderr.String())
		}
		if tc.stdout != "" && !strings.Contains(stdout.String(), "|  "+tc.stdout+"  |") && !strings.Contains(stdout.String(), "|  "+tc.stdout+" |") {
			t.Errorf("serve %s: stdout lacks the grade %s:\n%s", strings.Join(tc.args, " "), tc.stdout, stdout.String())
		}
		if tc.stdout == "" && stdout.Len() > 0 {
			t.Errorf("serve %s: stdout %q, want nothing", strings.Join(tc.args, " "), stdout.String())
		}
	}
}

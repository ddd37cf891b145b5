package main

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/chaintool/chaintool/internal/testpki"
)

// TestBundleDocsExamples runs the stackoverflow.com examples of
// docs/bundle.md as shown there, on the real chain of
// ../shared/realworld. (The one fetching E8 over AIA needs the network;
// TestBundleAIA covers fetching on loopback.)
func TestBundleDocsExamples(t *testing.T) {
	var site string
	for _, rw := range testpki.LoadRealWorld(t) {
		if rw.Name == "stackoverflow.com" {
			site = rw.Dir
		}
	}
	if site == "" {
		t.Fatal("../shared/realworld has no stackoverflow.com")
	}
	dir := t.TempDir()
	root, leaf, inter := read(t, filepath.Join(site, "root.pem")), read(t, filepath.Join(site, "leaf.pem")), read(t, filepath.Join(site, "intermediates.pem"))
	files := map[string][]byte{
		"isrg-root-x1.pem": root, "stackoverflow.crt": leaf, "intermediate.crt": inter,
		"pile.pem": append(append(append(append([]byte{}, root...), leaf...), inter...), leaf...),
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	const at = "2026-02-20T00:00:00Z"
	const hint = `chaintool: hint: left out the root "ISRG Root X1" [96bcec062649]; add --include-root to write it` + "\n"

	out, stderr := chaintool(t, dir, "bundle", "--at", at, "pile.pem", "-o", "chain.pem")
	if out != "" || stderr != hint {
		t.Errorf("pile: stdout %q, stderr %q", out, stderr)
	}
	if got := string(read(t, filepath.Join(dir, "chain.pem"))); got != string(leaf)+string(inter) {
		t.Errorf("chain.pem is not the leaf then E8:\n%s", got)
	}

	code, out, stderr := chaintoolCode(t, dir, "bundle", "--at", at, "--offline", "stackoverflow.crt")
	want := regexp.MustCompile(`^chaintool: error: no valid chain for "stackoverflow.com" \[224c5db8efb6\]: stopped at the leaf, whose issuer "CN=E8,O=Let's Encrypt,C=US" was not found; searched inputs \(1 certificate\), trust stores \(system, mozilla; \d+ roots\), AIA \(not fetched, offline: http://e8.i.lencr.org/\)
chaintool: hint: drop --offline to fetch the missing issuer from its AIA URL, or add it with --pool FILE
$`)
	if code != 1 || out != "" || !want.MatchString(stderr) {
		t.Errorf("the leaf alone offline: exit %d, stdout %q, stderr %q", code, out, stderr)
	}

	// Without --at the leaf is judged today, after it expired.
	code, _, stderr = chaintoolCode(t, dir, "bundle", "--offline", "stackoverflow.crt", "intermediate.crt")
	expired := regexp.MustCompile(`the path to "ISRG Root X1" \[96bcec062649\] was refused: "stackoverflow.com" \[224c5db8efb6\]: certificate has expired or is not yet valid: current time .* is after 2026-05-20T14:15:01Z\nchaintool: hint: --at TIME judges validity at another time`)
	if code != 1 || !expired.MatchString(stderr) {
		t.Errorf("without --at: exit %d, stderr %q", code, stderr)
	}

	out, _ = chaintool(t, dir, "bundle", "--at", at, "--json", "--roots", "isrg-root-x1.pem", "pile.pem")
	for _, re := range []string{
		`"anchor": "explicit"`, `"trust_store": "isrg-root-x1.pem"`,
		`"reason": "duplicate",\s+"detail": "the same certificate as in input pile.pem"`,
		`"alternatives": \[\],\s+"rejected": \[\],\s+"aia": \[\],`,
		`"warnings": \[\s+"hint: left out the root \\"ISRG Root X1\\" \[96bcec062649\]; add --include-root to write it"\s+\]`,
	} {
		if !regexp.MustCompile(re).MatchString(out) {
			t.Errorf("the JSON excerpt: no %s in\n%s", re, out)
		}
	}
}

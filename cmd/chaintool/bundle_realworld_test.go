package main

import (
	"bytes"
	"encoding/json"
	"math/rand"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chaintool/chaintool/bundle"
	"github.com/chaintool/chaintool/internal/testpki"
)

// TestBundleRealWorld rebuilds each real chain of ../shared/realworld
// from a shuffled pile with the command, at its validation time: with
// --roots its root, and with the default stores when Mozilla holds it.
func TestBundleRealWorld(t *testing.T) {
	for i, rw := range testpki.LoadRealWorld(t) {
		t.Run(rw.Name, func(t *testing.T) {
			at := rw.At.Format(time.RFC3339)
			leaf := read(t, rw.File("leaf.pem"))
			root := read(t, rw.File("root.pem"))
			inters := read(t, rw.File("intermediates.pem"))
			work := t.TempDir()
			pile := shuffledPEM(int64(i), leaf, root, inters)
			if err := os.WriteFile(filepath.Join(work, "pile.pem"), pile, 0o644); err != nil {
				t.Fatal(err)
			}
			rootFile := rw.File("root.pem")
			out, _ := chaintool(t, work, "bundle", "pile.pem", "--at", at, "--roots", rootFile, "--offline", "--include-root")
			checkRealChain(t, out, leaf, root, inters)
			mozilla, _ := bundle.LoadRoots([]string{bundle.RootsMozilla}, nil)
			rootCert, err := bundle.Read(root, "root.pem", nil)
			if err != nil {
				t.Fatal(err)
			}
			if _, ok := mozilla.Contains(rootCert.Certs[0]); !ok {
				return
			}
			out, _ = chaintool(t, work, "bundle", "pile.pem", "--at", at, "--offline", "--json")
			var report bundle.Report
			if err := json.Unmarshal([]byte(out), &report); err != nil {
				t.Fatal(err)
			}
			if !report.OK || report.Anchor != bundle.AnchorStore || report.Chain[0].Role != "leaf" {
				t.Errorf("default stores: ok %v, anchor %s", report.OK, report.Anchor)
			}
		})
	}
}

func read(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// shuffledPEM splits the PEM files into blocks and shuffles them.
func shuffledPEM(seed int64, files ...[]byte) []byte {
	var blocks []string
	for _, f := range files {
		for _, b := range strings.SplitAfter(string(f), "-----END CERTIFICATE-----\n") {
			if strings.TrimSpace(b) != "" {
				blocks = append(blocks, b)
			}
		}
	}
	rand.New(rand.NewSource(seed)).Shuffle(len(blocks), func(i, j int) { blocks[i], blocks[j] = blocks[j], blocks[i] })
	return []byte(strings.Join(blocks, ""))
}

// checkRealChain asserts the output is leaf first, root last, and only the
// site's own certificates between.
func checkRealChain(t *testing.T, out string, leaf, root, inters []byte) {
	t.Helper()
	got, err := bundle.Read([]byte(out), "stdout", nil)
	if err != nil {
		t.Fatalf("output: %v", err)
	}
	l, _ := bundle.Read(leaf, "leaf", nil)
	r, _ := bundle.Read(root, "root", nil)
	in, _ := bundle.Read(inters, "intermediates", nil)
	certs := got.Certs
	if len(certs) < 3 || !certs[0].Equal(l.Certs[0]) || !certs[len(certs)-1].Equal(r.Certs[0]) {
		t.Fatalf("chain of %d certificates does not run from the leaf to the root", len(certs))
	}
	for _, c := range certs[1 : len(certs)-1] {
		found := false
		for _, own := range in.Certs {
			found = found || bytes.Equal(own.Raw, c.Raw)
		}
		if !found {
			t.Errorf("%s is not among the site's intermediates", bundle.Describe(c))
		}
	}
}

// TestBundleAIA fetches a missing intermediate from a loopback server
// named in the leaf, caches it under the user cache folder, and fetches
// nothing with --offline.
func TestBundleAIA(t *testing.T) {
	var hits atomic.Int32
	var body []byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		if r.URL.Path != "/inter.cer" {
			http.NotFound(w, r)
			return
		}
		w.Write(body)
	}))
	defer srv.Close()
	root := testpki.NewRoot("AIA Root")
	inter := root.NewIntermediate("AIA Intermediate")
	leaf := inter.NewLeaf("localhost", testpki.AIA(srv.URL+"/inter.cer"))
	body = inter.DER()
	dir := t.TempDir()
	cache := filepath.Join(dir, "cache")
	t.Setenv("XDG_CACHE_HOME", cache)
	t.Setenv("HOME", dir)
	if err := os.WriteFile(filepath.Join(dir, "leaf.pem"), leaf.PEM(), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "root.pem"), root.PEM(), 0o644); err != nil {
		t.Fatal(err)
	}
	want := string(testpki.ChainPEM(leaf, inter))

	code, _, stderr := chaintoolCode(t, dir, "bundle", "leaf.pem", "--roots", "root.pem", "--offline")
	if code != 1 || hits.Load() != 0 || !strings.Contains(stderr, "not fetched, offline") ||
		!strings.Contains(stderr, "chaintool: hint: drop --offline") {
		t.Fatalf("--offline: exit %d, %d requests, stderr %q", code, hits.Load(), stderr)
	}
	out, stderr := chaintool(t, dir, "bundle", "leaf.pem", "--roots", "root.pem", "--json", "-o", "chain.pem")
	if got := string(read(t, filepath.Join(dir, "chain.pem"))); got != want || hits.Load() != 1 {
		t.Fatalf("chain %q with %d requests", got, hits.Load())
	}
	if !strings.Contains(out, `"source": "aia"`) || !strings.Contains(out, srv.URL+"/inter.cer") || strings.Contains(stderr, "fetching") {
		t.Errorf("report %s\nstderr (not a terminal, so no progress) %q", out, stderr)
	}
	if entries, _ := os.ReadDir(filepath.Join(cache, "chaintool", "aia")); len(entries) != 1 {
		t.Errorf("cache holds %d entries, want 1", len(entries))
	}
	out, _ = chaintool(t, dir, "bundle", "leaf.pem", "--roots", "root.pem")
	if out != want || hits.Load() != 1 {
		t.Errorf("second run: %d requests (want the cache to answer)", hits.Load())
	}
}

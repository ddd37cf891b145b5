package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chaintool/chaintool/internal/testpki"
)

// BenchmarkBundleCommand runs `chaintool bundle leaf.pem pool.pem --roots
// root.pem --offline` in-process on a pool of 10,000 CA certificates, the
// command bench/bundle.sh times against cfssl (there with process start).
func BenchmarkBundleCommand(b *testing.B) {
	dir := b.TempDir()
	root := testpki.NewRoot("Bench Root")
	i1 := root.NewIntermediate("Bench Intermediate 1")
	i2 := i1.NewIntermediate("Bench Intermediate 2")
	leaf := i2.NewLeaf("bench.example.com")
	noise := testpki.NewRoot("Noise Root")
	key := testpki.NewKey(testpki.ECDSAP256)
	var pool []byte
	for i := range 10000 {
		if i == 5000 {
			pool = append(pool, testpki.ChainPEM(i1, i2)...)
		}
		pool = append(pool, noise.NewIntermediate(fmt.Sprintf("Noise CA %06d", i), testpki.WithKey(key)).PEM()...)
	}
	for name, data := range map[string][]byte{"pool.pem": pool, "leaf.pem": leaf.PEM(), "root.pem": root.PEM()} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			b.Fatal(err)
		}
	}
	b.Chdir(dir)
	b.ReportAllocs()
	for b.Loop() {
		if code := run([]string{"chaintool", "bundle", "leaf.pem", "pool.pem", "--roots", "root.pem", "--offline"},
			strings.NewReader(""), io.Discard, io.Discard); code != 0 {
			b.Fatalf("exit %d", code)
		}
	}
}

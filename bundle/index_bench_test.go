package bundle_test

import (
	"bytes"
	"context"
	"crypto/x509/pkix"
	"fmt"
	"sync"
	"testing"

	"github.com/chaintool/chaintool/bundle"
	"github.com/chaintool/chaintool/internal/testpki"
)

// benchPKI is a leaf, its two intermediates and root, and a PEM pool of
// n unrelated CA certificates with the intermediates in the middle, as
// bench/bundle.sh builds for the command.
type benchPKI struct {
	leaf, root *testpki.Cert
	pool       []byte
}

var (
	benchOnce sync.Once
	bench10k  *benchPKI
)

func makeBenchPKI(n int) *benchPKI {
	root := testpki.NewRoot("Bench Root")
	i1 := root.NewIntermediate("Bench Intermediate 1")
	i2 := i1.NewIntermediate("Bench Intermediate 2")
	p := &benchPKI{leaf: i2.NewLeaf("bench.example.com"), root: root}
	noiseRoot := testpki.NewRoot("Noise Root")
	key := testpki.NewKey(testpki.ECDSAP256)
	var buf bytes.Buffer
	for i := range n {
		if i == n/2 {
			buf.Write(testpki.ChainPEM(i1, i2))
		}
		c := noiseRoot.NewIntermediate("", testpki.WithKey(key),
			testpki.Subject(pkix.Name{CommonName: fmt.Sprintf("Noise CA %06d", i), Organization: []string{"Noise"}}))
		buf.Write(c.PEM())
	}
	p.pool = buf.Bytes()
	return p
}

func pki10k() *benchPKI {
	benchOnce.Do(func() { bench10k = makeBenchPKI(10000) })
	return bench10k
}

// BenchmarkPileRead measures indexing a 10,000-certificate PEM pool.
func BenchmarkPileRead(b *testing.B) {
	p := pki10k()
	b.SetBytes(int64(len(p.pool)))
	b.ReportAllocs()
	for b.Loop() {
		pile := bundle.NewPile()
		if _, err := pile.Read(p.pool, bundle.Origin{Source: bundle.SourceInput, Name: "pool"}, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBuild10k measures reading the pool and building the chain, the
// work of `chaintool bundle leaf.pem pool.pem --roots root.pem --offline`.
func BenchmarkBuild10k(b *testing.B) {
	p := pki10k()
	roots := rootsOf(p.root)
	b.ReportAllocs()
	for b.Loop() {
		pile := bundle.NewPile()
		in := bundle.Origin{Source: bundle.SourceInput, Name: "in"}
		if _, err := pile.Read(p.leaf.PEM(), in, nil); err != nil {
			b.Fatal(err)
		}
		if _, err := pile.Read(p.pool, in, nil); err != nil {
			b.Fatal(err)
		}
		c, err := bundle.Build(context.Background(), pile, nil, bundle.BuildOptions{Roots: roots, At: testpki.Now})
		if err != nil || len(c.Links) != 4 {
			b.Fatal(err)
		}
	}
}

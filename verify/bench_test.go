package verify

import (
	"testing"

	"github.com/chaintool/chaintool/bundle"
	"github.com/chaintool/chaintool/internal/testpki"
)

// BenchmarkCheck is the common case: a leaf and an intermediate against
// one root.
func BenchmarkCheck(b *testing.B) {
	p := testPKI()
	chain := testpki.X509(p.leaf, p.inter)
	opts := Options{Roots: rootsOf(p.root), Host: "example.test", At: testpki.Now}
	b.ReportAllocs()
	for b.Loop() {
		if r := Check(chain, p.leaf.Key, opts); len(r.Errors()) != 0 {
			b.Fatal(r.Findings)
		}
	}
}

// BenchmarkCheckStores checks against the system and Mozilla stores, as
// the command does by default.
func BenchmarkCheckStores(b *testing.B) {
	p := testPKI()
	chain := testpki.X509(p.leaf, p.inter, p.root)
	roots, err := bundle.LoadRoots(nil, nil)
	if err != nil {
		b.Fatal(err)
	}
	opts := Options{Roots: roots, Host: "example.test", At: testpki.Now}
	b.ReportAllocs()
	for b.Loop() {
		if r := Check(chain, nil, opts); !r.Has(UntrustedRoot) {
			b.Fatal(r.Findings)
		}
	}
}

// BenchmarkCheckPile hides the chain among a thousand strangers.
func BenchmarkCheckPile(b *testing.B) {
	p := testPKI()
	chain := testpki.X509(p.leaf, p.inter)
	for i := range 1000 {
		chain = append(chain, p.otherRoot.NewLeaf("stranger"+itoa(i)+".test").Cert)
	}
	opts := Options{Roots: rootsOf(p.root), Host: "example.test", At: testpki.Now}
	b.ReportAllocs()
	for b.Loop() {
		if r := Check(chain, p.leaf.Key, opts); len(r.Errors()) != 0 || len(r.Warnings()) != 1000 {
			b.Fatal(len(r.Findings))
		}
	}
}

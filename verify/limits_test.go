package verify

import (
	"crypto"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/chaintool/chaintool/bundle"
	"github.com/chaintool/chaintool/internal/testpki"
)

// sameNameCAs makes n CA certificates all named "X", the first self-signed
// and each other signed by the one before, in that order: the crafted file
// that made the path search quadratic. (crypto/x509 leaves the authority
// key ID out of a certificate whose issuer has its name, so there is no key
// ID to go by.) Shuffled, no neighbour is a hint either.
func sameNameCAs(n int, shuffled bool) []*x509.Certificate {
	name := testpki.Subject(pkix.Name{CommonName: "X"})
	prev := testpki.NewRoot("X", name)
	out := []*x509.Certificate{prev.Cert}
	for len(out) < n {
		prev = prev.NewIntermediate("X", name)
		out = append(out, prev.Cert)
	}
	if shuffled {
		rand.New(rand.NewPCG(1, 2)).Shuffle(n, func(i, j int) { out[i], out[j] = out[j], out[i] })
	}
	return out
}

// countChecks runs Check and counts the signatures it checked itself
// (crypto/x509's Verify bounds its own).
func countChecks(chain []*x509.Certificate, key crypto.Signer, opts Options) (*Report, int) {
	c := check(chain, key, opts)
	return c.r, c.builder.sigs.checks
}

// maxChecksFor is the most signature checks Check may make for n given
// certificates: the search's bound, one per pair of neighbours (is each
// signed by the next?) and the self-signed test of each certificate of
// the path.
func maxChecksFor(n int) int { return checksBase + checksPerCert*n + (n - 1) + maxDepth }

// TestSameNameChainIsLinear checks the crafted file in both orders: each
// certificate's issuer is its neighbour, found with one or two checks.
func TestSameNameChainIsLinear(t *testing.T) {
	const n = 400
	for _, reversed := range []bool{false, true} {
		chain := sameNameCAs(n, false)
		leaf := n - 1
		if reversed {
			slices.Reverse(chain)
			leaf = 0
		}
		r, checks := countChecks(chain, nil, Options{Roots: rootsOf(testPKI().root), At: testpki.Now})
		if checks > 3*n {
			t.Errorf("reversed %v: %d signature checks for %d certificates sharing a name, want at most %d", reversed, checks, n, 3*n)
		}
		if r.Roles[leaf] != RoleLeaf || len(r.Path) != maxDepth {
			t.Errorf("reversed %v: certificate %d is %q, path of %d, want the leaf and a path of %d", reversed, leaf, r.Roles[leaf], len(r.Path), maxDepth)
		}
		assertLimit(t, r, "longer than 10 certificates")
	}
}

// TestSameNameShuffledHitsTheBound: shuffled, the crafted file would take
// n²/2 checks; the search stops at its bound and says so.
func TestSameNameShuffledHitsTheBound(t *testing.T) {
	const n = 300
	chain := sameNameCAs(n, true)
	r, checks := countChecks(chain, nil, Options{Roots: rootsOf(testPKI().root), At: testpki.Now})
	if checks > maxChecksFor(n) {
		t.Errorf("%d signature checks for %d certificates, want at most %d", checks, n, maxChecksFor(n))
	}
	assertLimit(t, r, "stopped after "+itoa(checksBase+checksPerCert*n)+" signature checks, its limit for 300 certificates (300 of them named \"X\")")
}

// assertLimit wants the search-limit error with msg, and none of the
// findings a stopped search cannot back.
func assertLimit(t *testing.T, r *Report, msg string) {
	t.Helper()
	var found bool
	for _, f := range r.Findings {
		if f.ID == SearchLimit {
			found = f.Severity == SeverityError && strings.Contains(f.Message, msg)
			if !found {
				t.Errorf("search-limit finding %q, want it to say %q", f.Message, msg)
			}
		}
	}
	if !found {
		t.Errorf("no search-limit finding: %v", ids(r))
	}
	for _, id := range []ID{IncompleteChain, UntrustedRoot, Unrelated, PathRejected} {
		if r.Has(id) {
			t.Errorf("%s reported although the search stopped", id)
		}
	}
}

// TestStorePileChecks checks the system and Mozilla roots given as a
// pile: realistic piles stay within a few checks per certificate.
func TestStorePileChecks(t *testing.T) {
	roots, err := bundle.LoadRoots(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	var chain []*x509.Certificate
	for _, a := range roots.Anchors {
		chain = append(chain, a.Cert)
	}
	r, checks := countChecks(chain, nil, Options{Roots: roots, At: testpki.Now})
	if checks > 2*len(chain) || r.Has(SearchLimit) {
		t.Errorf("%d signature checks for %d roots (search limit: %v), want at most %d", checks, len(chain), r.Has(SearchLimit), 2*len(chain))
	}
}

// TestLongPathIsNotIncomplete: a path over maxDepth certificates is not
// an incomplete chain; crypto/x509 may still trust it.
func TestLongPathIsNotIncomplete(t *testing.T) {
	p := testPKI()
	issuer := p.root
	var cas []*testpki.Cert
	for i := range maxDepth {
		issuer = issuer.NewIntermediate("Level " + itoa(i))
		cas = append([]*testpki.Cert{issuer}, cas...)
	}
	chain := testpki.X509(append([]*testpki.Cert{issuer.NewLeaf("example.test")}, cas...)...)
	r := Check(chain, nil, Options{Roots: rootsOf(p.otherRoot), At: testpki.Now})
	assertLimit(t, r, "longer than 10 certificates")
	r = Check(chain, nil, Options{Roots: rootsOf(p.root), At: testpki.Now})
	if !r.Trusted || len(r.Findings) != 0 {
		t.Errorf("trusted %v, findings %v, want a trusted path and no finding", r.Trusted, r.Findings)
	}
}

func benchmarkSameName(b *testing.B, n int, shuffled bool) {
	chain := sameNameCAs(n, shuffled)
	opts := Options{Roots: rootsOf(testPKI().root), At: testpki.Now}
	for b.Loop() {
		Check(chain, nil, opts)
	}
}

// BenchmarkCheckSameName is the crafted pile of CAs sharing one name.
func BenchmarkCheckSameName300(b *testing.B)  { benchmarkSameName(b, 300, false) }
func BenchmarkCheckSameName1000(b *testing.B) { benchmarkSameName(b, 1000, false) }

// BenchmarkCheckSameNameShuffled shuffles it: the bound stops it.
func BenchmarkCheckSameNameShuffled300(b *testing.B)  { benchmarkSameName(b, 300, true) }
func BenchmarkCheckSameNameShuffled1000(b *testing.B) { benchmarkSameName(b, 1000, true) }

package verify

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"sync"
	"testing"

	"github.com/chaintool/chaintool/internal/testpki"
)

// fuzzPool is a small PKI with the awkward cases: a cross-signed
// intermediate, an impostor, an expired intermediate, a stranger and a
// self-signed certificate.
var fuzzPool = sync.OnceValue(func() []*testpki.Cert {
	p := testPKI()
	cross := p.otherRoot.CrossSign(p.inter)
	expired := p.root.NewIntermediate("Test Intermediate", testpki.WithKey(p.inter.Key), testpki.Expired())
	return []*testpki.Cert{
		p.leaf, p.inter, p.root, cross, expired, p.otherRoot,
		testpki.Impostor(p.inter, p.root), p.otherRoot.NewLeaf("stranger.test"), selfSignedLeaf(),
	}
})

// FuzzCheck feeds Check every order, subset and repetition of the pool
// with and without a key, a host, a live connection and AIA completion,
// and holds it to its invariants.
func FuzzCheck(f *testing.F) {
	f.Add([]byte{0, 1}, uint8(0))
	f.Add([]byte{2, 1, 0}, uint8(1))
	f.Add([]byte{0, 3, 5, 1}, uint8(8))
	f.Add([]byte{0, 6, 4}, uint8(16))
	f.Add([]byte{8, 8, 7}, uint8(31))
	f.Fuzz(func(t *testing.T, picks []byte, flags uint8) {
		pool := fuzzPool()
		if len(picks) > 12 {
			picks = picks[:12]
		}
		var chain []*x509.Certificate
		for _, b := range picks {
			chain = append(chain, pool[int(b)%len(pool)].Cert)
		}
		opts := Options{Roots: rootsOf(testPKI().root), At: testpki.Now}
		if flags&4 != 0 {
			opts.State = &tls.ConnectionState{Version: tls.VersionTLS13}
		}
		if flags&8 != 0 {
			opts.Host = "example.test"
		}
		if flags&16 != 0 {
			opts.Complete = func(context.Context, []*x509.Certificate) ([]*x509.Certificate, error) {
				return testpki.X509(testPKI().inter, testPKI().root), nil
			}
		}
		var key = pool[0].Key
		if flags&1 == 0 {
			key = nil
		}
		checkInvariants(t, chain, Check(chain, key, opts), opts)
	})
}

func checkInvariants(t *testing.T, chain []*x509.Certificate, r *Report, opts Options) {
	t.Helper()
	if len(r.Roles) != len(chain) {
		t.Fatalf("%d roles for %d certificates", len(r.Roles), len(chain))
	}
	for i, role := range r.Roles {
		if role == "" {
			t.Errorf("certificate %d has no role", i)
		}
	}
	counted := len(r.Errors()) + len(r.Warnings())
	for _, f := range r.Findings {
		if f.Severity == SeverityInfo {
			counted++
		}
		if f.Severity != SeverityOf(f.ID) || f.Severity == "" {
			t.Errorf("%s: severity %q", f.ID, f.Severity)
		}
		if f.Cert < -1 || f.Cert >= len(chain) {
			t.Errorf("%s: certificate %d out of range", f.ID, f.Cert)
		}
	}
	if counted != len(r.Findings) {
		t.Errorf("findings of unknown severity: %v", r.Findings)
	}
	if len(chain) == 0 {
		return
	}
	if len(r.Path) == 0 || r.Path[0].Role != RoleLeaf || r.Roles[r.Path[0].Index] != RoleLeaf {
		t.Fatalf("path %+v, roles %v", r.Path, r.Roles)
	}
	if r.EarliestExpiry.IsZero() {
		t.Error("no earliest expiry")
	}
	if r.Trusted && opts.Complete == nil && (r.Has(IncompleteChain) || r.Has(UntrustedRoot)) {
		t.Errorf("crypto/x509 trusts the chain but the path builder found %v", ids(r))
	}
	if !r.Trusted && len(r.Errors()) == 0 {
		t.Errorf("crypto/x509 refuses the chain and no error says why: %v", ids(r))
	}
	if len(r.Entries()) < len(chain) {
		t.Errorf("entries %d for %d certificates", len(r.Entries()), len(chain))
	}
}

package verify

import (
	"crypto"
	"crypto/x509"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chaintool/chaintool/bundle"
	"github.com/chaintool/chaintool/internal/testpki"
)

// finding returns the first finding with id, failing the test without one.
func finding(t *testing.T, r *Report, id ID) Finding {
	t.Helper()
	for _, f := range r.Findings {
		if f.ID == id {
			return f
		}
	}
	t.Fatalf("no %s finding in %v", id, ids(r))
	return Finding{}
}

func checkAtNow(chain []*testpki.Cert, key crypto.Signer, roots ...*testpki.Cert) *Report {
	return Check(testpki.X509(chain...), key, Options{Roots: rootsOf(roots...), Host: "example.test", At: testpki.Now})
}

func TestKeyMismatchEveryKeyType(t *testing.T) {
	types := map[string]testpki.KeyType{"rsa": testpki.RSA2048, "ecdsa": testpki.ECDSAP256, "ed25519": testpki.Ed25519}
	for leafName, leafType := range types {
		for keyName, keyType := range types {
			t.Run(leafName+" leaf, "+keyName+" key", func(t *testing.T) {
				p := testPKI()
				leaf := p.inter.NewLeaf("example.test", testpki.Key(leafType))
				chain := []*testpki.Cert{leaf, p.inter}
				if r := checkAtNow(chain, leaf.Key, p.root); r.Has(KeyMismatch) || len(r.Errors()) > 0 {
					t.Errorf("own key: %v", ids(r))
				}
				other := testpki.NewKey(keyType)
				for bundle.KeyMatches(leaf.Cert, other) { // the RSA cache hands keys out in turn
					other = testpki.NewKey(keyType)
				}
				r := checkAtNow(chain, other, p.root)
				f := finding(t, r, KeyMismatch)
				if f.Cert != 0 || f.Severity != SeverityError || !strings.Contains(f.Message, "does not belong to the leaf") {
					t.Errorf("finding %+v", f)
				}
			})
		}
	}
}

func TestFindingsNameTheCertificate(t *testing.T) {
	p := testPKI()
	inter := p.root.NewIntermediate("Short Intermediate",
		testpki.Validity(testpki.Now.AddDate(-1, 0, 0), testpki.Now.AddDate(0, 0, 12)))
	leaf := inter.NewLeaf("example.test")
	r := checkAtNow([]*testpki.Cert{leaf, inter}, leaf.Key, p.root)
	f := finding(t, r, ExpiresSoon)
	if f.Cert != 1 || f.Subject != inter.Cert.Subject.String() || !strings.Contains(f.Message, `intermediate "Short Intermediate"`) ||
		!strings.Contains(f.Message, "in 12 days") {
		t.Errorf("expires-soon finding %+v", f)
	}
	if !r.EarliestExpiry.Equal(inter.Cert.NotAfter) || r.EarliestExpiryCert != 1 {
		t.Errorf("earliest expiry %v at %d, want the intermediate's %v", r.EarliestExpiry, r.EarliestExpiryCert, inter.Cert.NotAfter)
	}
	if len(r.Errors()) != 0 || len(r.Warnings()) != 1 {
		t.Errorf("errors %v warnings %v", r.Errors(), r.Warnings())
	}
}

func TestEarliestExpiryIsTheAnchor(t *testing.T) {
	root := testpki.NewRoot("Ending Root", testpki.Validity(testpki.Now.AddDate(-9, 0, 0), testpki.Now.AddDate(0, 0, 45)))
	inter := root.NewIntermediate("Long Intermediate")
	leaf := inter.NewLeaf("example.test")
	r := checkAtNow([]*testpki.Cert{leaf, inter}, nil, root)
	if r.EarliestExpiryCert != -1 || !r.EarliestExpiry.Equal(root.Cert.NotAfter) || r.EarliestExpirySubject != root.Cert.Subject.String() {
		t.Errorf("earliest expiry %v cert %d %q, want the root's", r.EarliestExpiry, r.EarliestExpiryCert, r.EarliestExpirySubject)
	}
	if len(r.Path) != 3 || r.Path[2].Index != -1 || r.Path[2].Source != "test" || r.Path[2].Role != RoleRoot {
		t.Errorf("path %+v", r.Path)
	}
	if !r.Trusted || r.Has(ExpiresSoon) {
		t.Errorf("trusted %v findings %v", r.Trusted, ids(r))
	}
}

func TestReversedChainRoles(t *testing.T) {
	p := testPKI()
	r := checkAtNow([]*testpki.Cert{p.root, p.inter, p.leaf}, nil, p.root)
	if want := []Role{RoleRoot, RoleIntermediate, RoleLeaf}; !slices.Equal(r.Roles, want) {
		t.Errorf("roles %v, want %v", r.Roles, want)
	}
	f := finding(t, r, WrongOrder)
	if !strings.Contains(f.Message, `"example.test", "Test Intermediate", "Test Root"`) {
		t.Errorf("message %q does not give the right order", f.Message)
	}
	if !r.Trusted {
		t.Error("crypto/x509 trusts the chain whatever its order")
	}
}

func TestKeyPicksTheLeaf(t *testing.T) {
	p := testPKI()
	// Two leaves of one issuer: the key says which one the chain is for.
	other := p.inter.NewLeaf("example.test")
	r := checkAtNow([]*testpki.Cert{p.leaf, other, p.inter}, other.Key, p.root)
	if got, want := ids(r), sorted(WrongOrder, Unrelated); !slices.Equal(got, want) {
		t.Errorf("findings %v, want %v", got, want)
	}
	if want := []Role{RoleUnrelated, RoleLeaf, RoleIntermediate}; !slices.Equal(r.Roles, want) {
		t.Errorf("roles %v, want %v", r.Roles, want)
	}
}

func TestUntrustedRootIsSeparable(t *testing.T) {
	p := testPKI()
	r := checkAtNow([]*testpki.Cert{p.leaf, p.inter, p.root}, p.leaf.Key, p.otherRoot)
	if !r.Has(UntrustedRoot) || r.Trusted {
		t.Fatalf("findings %v trusted %v", ids(r), r.Trusted)
	}
	if rest := r.ErrorsExcept(UntrustedRoot); len(rest) != 0 {
		t.Errorf("other errors beside the private root: %v", rest)
	}
	// An expired private chain is more than an untrusted root.
	leaf := p.inter.NewLeaf("example.test", testpki.Validity(testpki.Now.AddDate(0, -3, 0), testpki.Now.AddDate(0, 0, -1)))
	r = checkAtNow([]*testpki.Cert{leaf, p.inter, p.root}, nil, p.otherRoot)
	if rest := r.ErrorsExcept(UntrustedRoot); len(rest) != 1 || rest[0].ID != Expired {
		t.Errorf("errors beside the private root: %v", rest)
	}
}

func TestMD5Signature(t *testing.T) {
	c, err := bundle.ReadFile("testdata/md5-chain.pem", nil)
	if err != nil {
		t.Fatal(err)
	}
	leaf, ca := c.Certs[0], c.Certs[1]
	if leaf.SignatureAlgorithm != x509.MD5WithRSA {
		t.Fatalf("fixture leaf signed with %v", leaf.SignatureAlgorithm)
	}
	roots := &bundle.Roots{}
	roots.Add(bundle.Anchor{Cert: ca, Source: "test"})
	r := Check(c.Certs, nil, Options{Roots: roots, Host: "md5.test", At: leaf.NotBefore.Add(time.Hour)})
	if got, want := ids(r), sorted(WeakSignature, ContainsAnchor); !slices.Equal(got, want) {
		t.Errorf("findings %v, want %v", got, want)
	}
	if f := finding(t, r, WeakSignature); f.Cert != 0 || !strings.Contains(f.Message, "MD5") {
		t.Errorf("finding %+v", f)
	}
}

func TestFindingsSortedBySeverity(t *testing.T) {
	p := testPKI()
	leaf := p.inter.NewLeaf("example.test", testpki.ExpiresIn(24*time.Hour))
	r := checkAtNow([]*testpki.Cert{p.inter, leaf, p.root, p.inter}, testpki.NewKey(testpki.ECDSAP256), p.root)
	last := -1
	for _, f := range r.Findings {
		if rank := severityRank(f.Severity); rank < last {
			t.Fatalf("findings out of order: %v", r.Findings)
		} else {
			last = rank
		}
	}
	if got, want := ids(r), sorted(KeyMismatch, WrongOrder, ExpiresSoon, Duplicate, ContainsAnchor); !slices.Equal(got, want) {
		t.Errorf("findings %v, want %v", got, want)
	}
}

func TestDefaults(t *testing.T) {
	p := testPKI()
	// No roots: the system and Mozilla stores, which do not hold Test Root.
	r := Check(testpki.X509(p.leaf, p.inter, p.root), nil, Options{})
	if !r.Has(UntrustedRoot) || r.At.IsZero() {
		t.Errorf("findings %v at %v", ids(r), r.At)
	}
	if time.Since(r.At) > time.Minute {
		t.Errorf("default time %v is not now", r.At)
	}
}

func TestCompletedPath(t *testing.T) {
	p := testPKI()
	r := Check(testpki.X509(p.leaf), nil, Options{Roots: rootsOf(p.root), At: testpki.Now, Complete: fetchFrom(p.leaf, p.inter, p.root)})
	var sources []string
	for _, pc := range r.Path {
		sources = append(sources, pc.Source)
	}
	if want := []string{SourceGiven, SourceAIA, "test"}; !slices.Equal(sources, want) {
		t.Errorf("path sources %v, want %v", sources, want)
	}
	if f := finding(t, r, AIANeeded); f.Cert != -1 || f.Subject != p.inter.Cert.Subject.String() {
		t.Errorf("aia finding %+v", f)
	}
	if f := finding(t, r, IncompleteChain); f.Cert != 0 || !strings.Contains(f.Message, "SSL Labs caps this at B when clients can fetch it from an AIA URL, else T") {
		t.Errorf("incomplete finding %+v", f)
	}
	if !r.Trusted {
		t.Error("the completed path is trusted")
	}
}

func TestEntries(t *testing.T) {
	p := testPKI()
	r := checkAtNow([]*testpki.Cert{p.inter, p.leaf, p.inter}, nil, p.root)
	got := r.Entries()
	want := []Entry{
		{Cert: p.inter.Cert, Index: 0, Role: RoleIntermediate, Source: SourceGiven, InPath: true, OK: true},
		{Cert: p.leaf.Cert, Index: 1, Role: RoleLeaf, Source: SourceGiven, InPath: true, OK: true},
		{Cert: p.inter.Cert, Index: 2, Role: RoleDuplicate, Source: SourceGiven, InPath: false, OK: true},
		{Cert: p.root.Cert, Index: -1, Role: RoleRoot, Source: "test", InPath: true, OK: true},
	}
	if !slices.Equal(got, want) {
		t.Errorf("entries:\n%+v\nwant\n%+v", got, want)
	}
	// An error on the store's root marks its entry.
	old := testpki.NewRoot("Old Root", testpki.Validity(testpki.Now.AddDate(-20, 0, 0), testpki.Now.AddDate(0, 0, -1)))
	inter := old.NewIntermediate("Young Intermediate", testpki.Validity(testpki.Now.AddDate(0, -1, 0), testpki.Now.AddDate(1, 0, 0)))
	r = checkAtNow([]*testpki.Cert{inter.NewLeaf("example.test"), inter}, nil, old)
	entries := r.Entries()
	if len(entries) != 3 || entries[2].OK || !entries[0].OK || !entries[1].OK {
		t.Errorf("entries %+v, findings %v", entries, r.Findings)
	}
}

func TestKeyOfTheIntermediate(t *testing.T) {
	p := testPKI()
	r := checkAtNow([]*testpki.Cert{p.leaf, p.inter}, p.inter.Key, p.root)
	if got, want := ids(r), sorted(KeyMismatch); !slices.Equal(got, want) {
		t.Fatalf("findings %v, want %v", got, want)
	}
	if f := finding(t, r, KeyMismatch); f.Cert != 0 || !strings.HasSuffix(f.Message, `but to the intermediate "Test Intermediate"`) {
		t.Errorf("finding %+v", f)
	}
}

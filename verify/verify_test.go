package verify

import (
	"context"
	"crypto"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chaintool/chaintool/bundle"
	"github.com/chaintool/chaintool/internal/testpki"
)

// pki is the clean chain most cases start from.
type pki struct {
	root, inter, leaf *testpki.Cert
	otherRoot         *testpki.Cert
}

var testPKI = sync.OnceValue(func() *pki {
	root := testpki.NewRoot("Test Root")
	inter := root.NewIntermediate("Test Intermediate")
	return &pki{
		root:      root,
		inter:     inter,
		leaf:      inter.NewLeaf("example.test"),
		otherRoot: testpki.NewRoot("Other Root"),
	}
})

func rootsOf(certs ...*testpki.Cert) *bundle.Roots {
	r := &bundle.Roots{}
	for _, c := range certs {
		r.Add(bundle.Anchor{Cert: c.Cert, Source: "test"})
	}
	return r
}

// ids returns the distinct finding ids of r, sorted.
func ids(r *Report) []ID {
	var out []ID
	for _, f := range r.Findings {
		if !slices.Contains(out, f.ID) {
			out = append(out, f.ID)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

func sorted(in ...ID) []ID {
	out := slices.Clone(in)
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

type checkCase struct {
	name  string
	chain []*testpki.Cert
	key   crypto.Signer
	opts  func(*Options)
	want  []ID
}

// run checks c at testpki.Now for example.test against Test Root.
func (c checkCase) run(t *testing.T) *Report {
	t.Helper()
	p := testPKI()
	opts := Options{Roots: rootsOf(p.root), Host: "example.test", At: testpki.Now}
	if c.opts != nil {
		c.opts(&opts)
	}
	r := Check(testpki.X509(c.chain...), c.key, opts)
	if got, want := ids(r), sorted(c.want...); !slices.Equal(got, want) {
		t.Errorf("findings %v, want %v", got, want)
		for _, f := range r.Findings {
			t.Logf("  %s %s [%d] %s", f.Severity, f.ID, f.Cert, f.Message)
		}
	}
	for _, f := range r.Findings {
		if f.Severity != SeverityOf(f.ID) || f.Severity == "" {
			t.Errorf("%s has severity %q", f.ID, f.Severity)
		}
		if f.Message == "" || strings.HasSuffix(f.Message, ".") || strings.Contains(f.Message, "\n") {
			t.Errorf("%s: message %q is not one sentence without a final period", f.ID, f.Message)
		}
	}
	return r
}

func TestCheckFindings(t *testing.T) {
	p := testPKI()
	rsaInter := p.root.NewIntermediate("RSA Intermediate", testpki.Key(testpki.RSA2048))
	soonRoot := testpki.NewRoot("Soon Root", testpki.Validity(testpki.Now.AddDate(-5, 0, 0), testpki.Now.AddDate(0, 0, 20)))
	soonInter := soonRoot.NewIntermediate("Soon Intermediate", testpki.Validity(testpki.Now.AddDate(-1, 0, 0), testpki.Now.AddDate(0, 0, 20)))
	constrained := p.root.NewIntermediate("Constrained", testpki.PermittedDNS("allowed.test"))
	cases := []checkCase{
		{name: "clean", chain: []*testpki.Cert{p.leaf, p.inter}, key: p.leaf.Key},
		{name: "clean with root", chain: []*testpki.Cert{p.leaf, p.inter, p.root}, want: []ID{ContainsAnchor}},
		{name: "key of another leaf", chain: []*testpki.Cert{p.leaf, p.inter}, key: testpki.NewKey(testpki.ECDSAP256), want: []ID{KeyMismatch}},
		{name: "inter before leaf", chain: []*testpki.Cert{p.inter, p.leaf}, want: []ID{WrongOrder}},
		{name: "root before inter", chain: []*testpki.Cert{p.leaf, p.root, p.inter}, want: []ID{WrongOrder, ContainsAnchor}},
		{name: "reversed", chain: []*testpki.Cert{p.root, p.inter, p.leaf}, want: []ID{WrongOrder, ContainsAnchor}},
		{name: "impostor intermediate", chain: []*testpki.Cert{p.leaf, testpki.Impostor(p.inter, p.root)}, want: []ID{BadSignature, IncompleteChain}},
		{name: "no intermediate", chain: []*testpki.Cert{p.leaf}, want: []ID{IncompleteChain}},
		{name: "root not trusted", chain: []*testpki.Cert{p.leaf, p.inter, p.root}, opts: func(o *Options) { o.Roots = rootsOf(p.otherRoot) }, want: []ID{UntrustedRoot, ContainsAnchor}},
		{name: "self-signed leaf", chain: []*testpki.Cert{selfSignedLeaf()}, want: []ID{UntrustedRoot}},
		{name: "expired leaf", chain: []*testpki.Cert{p.inter.NewLeaf("example.test", testpki.Validity(testpki.Now.AddDate(0, 0, -100), testpki.Now.AddDate(0, 0, -10))), p.inter}, want: []ID{Expired}},
		{name: "expired intermediate", chain: expiredInterChain(p), want: []ID{Expired}},
		{name: "not yet valid", chain: []*testpki.Cert{p.inter.NewLeaf("example.test", testpki.NotYetValid()), p.inter}, want: []ID{NotYetValid}},
		{name: "other host", chain: []*testpki.Cert{p.leaf, p.inter}, opts: func(o *Options) { o.Host = "other.test" }, want: []ID{HostnameMismatch}},
		{name: "ip host", chain: []*testpki.Cert{p.inter.NewLeaf("ip", testpki.IP("127.0.0.1")), p.inter}, opts: func(o *Options) { o.Host = "127.0.0.1" }},
		{name: "client auth leaf", chain: []*testpki.Cert{p.inter.NewLeaf("example.test", testpki.EKU(x509.ExtKeyUsageClientAuth)), p.inter}, want: []ID{LeafNoServerAuth}},
		{name: "leaf without eku", chain: []*testpki.Cert{p.inter.NewLeaf("example.test", testpki.EKU()), p.inter}, want: []ID{LeafNoServerAuth}},
		{name: "leaf is CA", chain: []*testpki.Cert{p.inter.NewLeaf("example.test", testpki.CA()), p.inter}, want: []ID{LeafIsCA}},
		{name: "intermediate not CA", chain: nonCAChain(p, testpki.NotCA()), want: []ID{IntermediateNotCA}},
		{name: "intermediate without certSign", chain: nonCAChain(p, testpki.KeyUsage(x509.KeyUsageDigitalSignature)), want: []ID{IntermediateNotCA}},
		{name: "rsa 1024 leaf", chain: []*testpki.Cert{p.inter.NewLeaf("example.test", testpki.Key(testpki.RSA1024)), p.inter}, want: []ID{WeakRSAKey}},
		{name: "sha1 leaf", chain: []*testpki.Cert{rsaInter.NewLeaf("example.test", testpki.SignatureAlgorithm(x509.SHA1WithRSA)), rsaInter}, want: []ID{WeakSignature}},
		{name: "sha1 root is fine", chain: sha1RootChain(), opts: func(o *Options) { o.Roots = rootsOf(sha1RootChain()[2]) }, want: []ID{ContainsAnchor}},
		{name: "leaf expires soon", chain: []*testpki.Cert{p.inter.NewLeaf("example.test", testpki.ExpiresIn(10*24*time.Hour)), p.inter}, want: []ID{ExpiresSoon}},
		{name: "warn days", chain: []*testpki.Cert{p.leaf, p.inter}, opts: func(o *Options) { o.WarnDays = 90 }, want: []ID{ExpiresSoon}},
		{name: "anchor expires soon", chain: []*testpki.Cert{soonInter.NewLeaf("example.test", testpki.ExpiresIn(10*24*time.Hour)), soonInter}, opts: func(o *Options) { o.Roots = rootsOf(soonRoot) }, want: []ID{ExpiresSoon}},
		{name: "duplicate", chain: []*testpki.Cert{p.leaf, p.inter, p.inter}, want: []ID{Duplicate}},
		{name: "unrelated", chain: []*testpki.Cert{p.leaf, p.inter, p.otherRoot.NewLeaf("stranger.test")}, want: []ID{Unrelated}},
		{name: "leaf valid 400 days", chain: []*testpki.Cert{p.inter.NewLeaf("example.test", testpki.Validity(testpki.Now.AddDate(0, 0, -1), testpki.Now.AddDate(0, 0, 399))), p.inter}, want: []ID{LeafValidityTooLong}},
		{name: "name constraints", chain: []*testpki.Cert{constrained.NewLeaf("example.test"), constrained}, want: []ID{PathRejected}},
		{name: "nothing given", want: []ID{NoCertificate}},
		{name: "completed through aia", chain: []*testpki.Cert{p.leaf}, opts: func(o *Options) { o.Complete = fetchFrom(p.inter) }, want: []ID{IncompleteChain, AIANeeded}},
		{name: "aia brings the root too", chain: []*testpki.Cert{p.leaf}, opts: func(o *Options) { o.Complete = fetchFrom(p.leaf, p.inter, p.root) }, want: []ID{IncompleteChain, AIANeeded}},
		{name: "aia fails", chain: []*testpki.Cert{p.leaf}, opts: func(o *Options) { o.Complete = fetchFails }, want: []ID{IncompleteChain}},
		{name: "live without staple", chain: []*testpki.Cert{p.leaf, p.inter}, opts: func(o *Options) {
			o.State = &tls.ConnectionState{Version: tls.VersionTLS13, CipherSuite: tls.TLS_AES_128_GCM_SHA256}
		}, want: []ID{Negotiated, NoOCSPStaple}},
		{name: "live with staple", chain: []*testpki.Cert{p.leaf, p.inter}, opts: func(o *Options) {
			o.State = &tls.ConnectionState{Version: tls.VersionTLS12, OCSPResponse: []byte{0x30}}
		}, want: []ID{Negotiated, OCSPStapled}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { c.run(t) })
	}
}

func selfSignedLeaf() *testpki.Cert {
	root := testpki.NewRoot("example.test", testpki.NotCA(), testpki.DNS("example.test"),
		testpki.EKU(x509.ExtKeyUsageServerAuth), testpki.KeyUsage(x509.KeyUsageDigitalSignature),
		testpki.Validity(testpki.Now.AddDate(0, 0, -1), testpki.Now.AddDate(0, 0, 89)))
	return root
}

func expiredInterChain(p *pki) []*testpki.Cert {
	inter := p.root.NewIntermediate("Expired Intermediate", testpki.Expired())
	return []*testpki.Cert{inter.NewLeaf("example.test"), inter}
}

func nonCAChain(p *pki, opt testpki.Option) []*testpki.Cert {
	inter := p.root.NewIntermediate("Weak Intermediate", opt)
	return []*testpki.Cert{inter.NewLeaf("example.test"), inter}
}

var sha1RootChain = sync.OnceValue(func() []*testpki.Cert {
	root := testpki.NewRoot("SHA-1 Root", testpki.Key(testpki.RSA2048), testpki.SignatureAlgorithm(x509.SHA1WithRSA))
	inter := root.NewIntermediate("SHA-256 Intermediate")
	return []*testpki.Cert{inter.NewLeaf("example.test"), inter, root}
})

func fetchFrom(certs ...*testpki.Cert) func(context.Context, []*x509.Certificate) ([]*x509.Certificate, error) {
	return func(context.Context, []*x509.Certificate) ([]*x509.Certificate, error) {
		return testpki.X509(certs...), nil
	}
}

func fetchFails(context.Context, []*x509.Certificate) ([]*x509.Certificate, error) {
	return nil, errors.New("no AIA URL")
}

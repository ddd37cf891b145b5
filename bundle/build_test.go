package bundle_test

import (
	"context"
	"crypto"
	"crypto/x509"
	"errors"
	"math/rand"
	"strings"
	"testing"

	"github.com/chaintool/chaintool/bundle"
	"github.com/chaintool/chaintool/internal/testpki"
)

// graph is one test PKI: what the pile holds, the pool, the roots, the
// keys, and what Build must answer.
type graph struct {
	inputs, pool []*testpki.Cert
	roots        []*testpki.Cert
	keys         []crypto.Signer
	opts         bundle.BuildOptions
	want         []*testpki.Cert // the chain, leaf first, anchor last
	wantErr      error
	check        func(t *testing.T, c *bundle.Chain, err error)
}

// Shared PKI for the table: made once, reused by every case.
var (
	root      = testpki.NewRoot("Table Root")
	inter     = root.NewIntermediate("Table Intermediate")
	leaf      = inter.NewLeaf("www.example.com")
	otherRoot = testpki.NewRoot("Other Root")
	noise1    = otherRoot.NewIntermediate("Noise CA 1")
	noise2    = testpki.NewRoot("Noise Root 2")
	impostor  = testpki.Impostor(inter, otherRoot)
)

func TestBuild(t *testing.T) {
	// Cross-signed: the same intermediate (name and key) under an expired
	// and a valid root.
	oldRoot := testpki.NewRoot("Old Root", testpki.Expired())
	interX := oldRoot.CrossSign(inter)
	// Renewed: same name and key, the predecessor expired.
	interOld := root.CrossSign(inter, testpki.Expired())
	// Loop: A and B issue each other, no root reachable.
	loopRoot := testpki.NewRoot("Loop Root")
	loopA := loopRoot.NewIntermediate("Loop A")
	loopB := loopA.NewIntermediate("Loop B")
	loopAx := loopB.CrossSign(loopA)
	loopLeaf := loopA.NewLeaf("loop.example.com")
	// Two leaves under one intermediate.
	leaf2 := inter.NewLeaf("api.example.com")
	// Two valid roots for one intermediate.
	rootB := testpki.NewRoot("Root B")
	interB := rootB.CrossSign(inter)
	// A self-signed leaf and a private root.
	self := testpki.NewRoot("self.example.com", testpki.NotCA(), testpki.DNS("self.example.com"),
		testpki.EKU(x509.ExtKeyUsageServerAuth))
	// What `openssl req -x509` makes: self-signed, CA:TRUE, serverAuth.
	selfCA := testpki.NewRoot("selfca.example.com", testpki.DNS("selfca.example.com"),
		testpki.EKU(x509.ExtKeyUsageServerAuth))
	// A leaf without serverAuth.
	clientLeaf := inter.NewLeaf("client", testpki.EKU(x509.ExtKeyUsageClientAuth))

	tests := map[string]graph{
		"in order":       {inputs: cs(leaf, inter), roots: cs(root), want: cs(leaf, inter, root)},
		"reversed order": {inputs: cs(root, inter, leaf), roots: cs(root), want: cs(leaf, inter, root)},
		"duplicates": {inputs: cs(inter, leaf, inter, leaf, root, root), roots: cs(root), want: cs(leaf, inter, root),
			check: wantDropped(bundle.DropDuplicate, 3)},
		"noise": {inputs: cs(noise1, leaf, noise2, otherRoot, inter), roots: cs(root, otherRoot), want: cs(leaf, inter, root),
			check: wantDropped(bundle.DropUnrelated, 3)},
		"impostor beside the real one": {inputs: cs(impostor, leaf, inter), roots: cs(root, otherRoot), want: cs(leaf, inter, root),
			check: wantDropped(bundle.DropImpostor, 1)},
		"impostor alone": {inputs: cs(impostor, leaf), roots: cs(root, otherRoot), wantErr: bundle.ErrNoPath,
			check: func(t *testing.T, _ *bundle.Chain, err error) {
				np := noPath(t, err)
				if len(np.Impostors) != 1 || !np.Impostors[0].Equal(impostor.Cert) || !np.Last.Equal(leaf.Cert) {
					t.Errorf("impostors %d, last %s", len(np.Impostors), bundle.Describe(np.Last))
				}
				if !strings.Contains(err.Error(), "does not verify") {
					t.Errorf("message %q does not name the impostor", err)
				}
			}},
		"cross-signed under expired and valid root": {inputs: cs(interX, leaf, inter), roots: cs(oldRoot, root), want: cs(leaf, inter, root),
			check: func(t *testing.T, c *bundle.Chain, _ error) {
				if len(c.Rejected) != 1 || !strings.Contains(c.Rejected[0].Reason, "expired") {
					t.Errorf("rejected: %+v", c.Rejected)
				}
			}},
		"only the expired cross-sign": {inputs: cs(interX, leaf), roots: cs(oldRoot), wantErr: bundle.ErrNoPath,
			check: func(t *testing.T, _ *bundle.Chain, err error) {
				if np := noPath(t, err); len(np.Rejected) != 1 || !strings.Contains(err.Error(), "Old Root") {
					t.Errorf("error %q, rejected %d", err, len(np.Rejected))
				}
			}},
		"renewed intermediate beside its expired predecessor": {inputs: cs(interOld, leaf, inter), roots: cs(root), want: cs(leaf, inter, root)},
		"loop": {inputs: cs(loopLeaf, loopAx, loopB), roots: cs(root), wantErr: bundle.ErrNoPath,
			check: func(t *testing.T, _ *bundle.Chain, err error) {
				if np := noPath(t, err); !np.Loop || !np.Last.Equal(loopB.Cert) {
					t.Errorf("loop %v, last %s: %v", np.Loop, bundle.Describe(np.Last), err)
				}
			}},
		"loop with the root": {inputs: cs(loopLeaf, loopAx, loopB, loopA), roots: cs(loopRoot), want: cs(loopLeaf, loopA, loopRoot)},
		"missing link": {inputs: cs(leaf, root), roots: cs(root), wantErr: bundle.ErrNoPath,
			check: func(t *testing.T, _ *bundle.Chain, err error) {
				np := noPath(t, err)
				if !np.Last.Equal(leaf.Cert) || !strings.Contains(err.Error(), "Table Intermediate") || !strings.Contains(err.Error(), "inputs (2 certificates)") {
					t.Errorf("explanation: %v", err)
				}
			}},
		"missing link found in the pool": {inputs: cs(leaf), pool: cs(noise1, inter, noise2), roots: cs(root), want: cs(leaf, inter, root),
			check: func(t *testing.T, c *bundle.Chain, _ error) {
				if c.Links[1].Origin.Source != bundle.SourcePool || c.Links[2].Origin.Source != bundle.SourceTrustStore {
					t.Errorf("origins %v %v", c.Links[1].Origin, c.Links[2].Origin)
				}
			}},
		"key that matches nothing": {inputs: cs(leaf, inter), roots: cs(root), keys: []crypto.Signer{noise2.Key}, wantErr: bundle.ErrKeyMismatch},
		"key chooses the leaf":     {inputs: cs(leaf2, inter, leaf), roots: cs(root), keys: []crypto.Signer{leaf.Key}, want: cs(leaf, inter, root)},
		"two leaves": {inputs: cs(leaf, inter, leaf2), roots: cs(root), wantErr: bundle.ErrSeveralLeaves,
			check: func(t *testing.T, _ *bundle.Chain, err error) {
				var e *bundle.SeveralLeavesError
				if !errors.As(err, &e) || len(e.Leaves) != 2 {
					t.Errorf("%v", err)
				}
			}},
		"two keys, two leaves":  {inputs: cs(leaf, inter, leaf2), roots: cs(root), keys: []crypto.Signer{leaf.Key, leaf2.Key}, wantErr: bundle.ErrSeveralLeaves},
		"two keys, one matches": {inputs: cs(leaf, inter), roots: cs(root), keys: []crypto.Signer{noise2.Key, leaf.Key}, want: cs(leaf, inter, root)},
		"no leaf":               {inputs: cs(inter, root), roots: cs(root), wantErr: bundle.ErrNoLeaf},
		"prefer root B": {inputs: cs(leaf, inter, interB), roots: cs(root, rootB), want: cs(leaf, interB, rootB),
			opts: bundle.BuildOptions{PreferRoot: "root b"}},
		"prefer root by fingerprint": {inputs: cs(leaf, inter, interB), roots: cs(root, rootB), want: cs(leaf, interB, rootB),
			opts: bundle.BuildOptions{PreferRoot: colons(bundle.Fingerprint(rootB.Cert))}},
		"prefer a root nobody ends at": {inputs: cs(leaf, inter, interB), roots: cs(root, rootB), opts: bundle.BuildOptions{PreferRoot: "Nope"},
			check: func(t *testing.T, c *bundle.Chain, _ error) {
				if !c.PreferredRootMissing || len(c.Alternatives) != 1 {
					t.Errorf("missing %v, alternatives %d", c.PreferredRootMissing, len(c.Alternatives))
				}
			}},
		"input-only root": {inputs: cs(leaf, root, inter), want: cs(leaf, inter, root),
			check: wantAnchor(bundle.AnchorInputOnly)},
		"trust store beats input-only root": {inputs: cs(leaf, inter, interB, rootB), roots: cs(root), want: cs(leaf, inter, root),
			check: wantAnchor(bundle.AnchorExplicit)},
		"self-signed leaf": {inputs: cs(self), want: cs(self), check: wantAnchor(bundle.AnchorInputOnly)},
		"leaf without serverAuth": {inputs: cs(clientLeaf, inter), roots: cs(root), wantErr: bundle.ErrNoPath,
			check: func(t *testing.T, _ *bundle.Chain, err error) {
				if !strings.Contains(err.Error(), "usage") {
					t.Errorf("%v", err)
				}
			}},
		"forced leaf": {inputs: cs(inter, leaf2), roots: cs(root), opts: bundle.BuildOptions{Leaf: leaf.Cert}, want: cs(leaf, inter, root)},
		"the key of a CA": {inputs: cs(leaf, inter), roots: cs(root), keys: []crypto.Signer{inter.Key}, want: cs(inter, root),
			check: func(t *testing.T, c *bundle.Chain, _ error) {
				if !c.LeafIsCA() {
					t.Errorf("LeafIsCA false for the intermediate taken as the leaf")
				}
			}},
		"the leaf's own key": {inputs: cs(leaf, inter), roots: cs(root), keys: []crypto.Signer{leaf.Key}, want: cs(leaf, inter, root),
			check: func(t *testing.T, c *bundle.Chain, _ error) {
				if c.LeafIsCA() {
					t.Errorf("LeafIsCA true for an end-entity leaf")
				}
			}},
		"a self-signed CA:TRUE server certificate": {inputs: cs(selfCA), keys: []crypto.Signer{selfCA.Key}, want: cs(selfCA),
			check: func(t *testing.T, c *bundle.Chain, _ error) {
				if c.LeafIsCA() {
					t.Errorf("LeafIsCA true for a self-signed leaf, which verify accepts")
				}
			}},
	}
	for name, g := range preferenceGraphs() {
		tests[name] = g
	}
	for name, g := range tests {
		t.Run(name, func(t *testing.T) { g.run(t) })
	}
}

func (g graph) run(t *testing.T) {
	t.Helper()
	pile := bundle.NewPile()
	for _, c := range g.inputs {
		if _, err := pile.Read(c.PEM(), bundle.Origin{Source: bundle.SourceInput, Name: "in.pem"}, nil); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range g.pool {
		if err := pile.AddDER(c.DER(), bundle.Origin{Source: bundle.SourcePool, Name: "pool.pem"}); err != nil {
			t.Fatal(err)
		}
	}
	opts := g.opts
	opts.Roots = rootsOf(g.roots...)
	opts.At = testpki.Now
	opts.ListDropped = true
	chain, err := bundle.Build(context.Background(), pile, g.keys, opts)
	switch {
	case g.wantErr != nil && !errors.Is(err, g.wantErr):
		t.Fatalf("error %v, want %v", err, g.wantErr)
	case g.wantErr == nil && err != nil:
		t.Fatalf("unexpected error: %v", err)
	}
	if g.want != nil {
		assertChain(t, chain, g.want)
	}
	if g.check != nil {
		g.check(t, chain, err)
	}
}

func cs(certs ...*testpki.Cert) []*testpki.Cert { return certs }

func rootsOf(certs ...*testpki.Cert) *bundle.Roots {
	r := &bundle.Roots{}
	for _, c := range certs {
		r.Add(bundle.Anchor{Cert: c.Cert, Source: "roots.pem"})
	}
	return r
}

func assertChain(t *testing.T, c *bundle.Chain, want []*testpki.Cert) {
	t.Helper()
	got := c.Certificates()
	ok := len(got) == len(want)
	for i := 0; ok && i < len(got); i++ {
		ok = got[i].Equal(want[i].Cert)
	}
	if !ok {
		t.Fatalf("chain %s, want %s", names(got), names(testpki.X509(want...)))
	}
}

func names(certs []*x509.Certificate) string {
	var s []string
	for _, c := range certs {
		s = append(s, bundle.Describe(c))
	}
	return strings.Join(s, " -> ")
}

func noPath(t *testing.T, err error) *bundle.NoPathError {
	t.Helper()
	var np *bundle.NoPathError
	if !errors.As(err, &np) {
		t.Fatalf("want *NoPathError, got %v", err)
	}
	return np
}

func wantDropped(reason bundle.DropReason, n int) func(*testing.T, *bundle.Chain, error) {
	return func(t *testing.T, c *bundle.Chain, _ error) {
		t.Helper()
		got := 0
		for _, d := range c.Dropped {
			if d.Reason == reason {
				got++
			}
		}
		if got != n {
			t.Errorf("%d dropped as %s, want %d: %+v", got, reason, n, c.Dropped)
		}
	}
}

func wantAnchor(k bundle.AnchorKind) func(*testing.T, *bundle.Chain, error) {
	return func(t *testing.T, c *bundle.Chain, _ error) {
		t.Helper()
		if c.Anchor != k {
			t.Errorf("anchor %s, want %s", c.Anchor, k)
		}
	}
}

func colons(hex string) string {
	var parts []string
	for i := 0; i < len(hex); i += 2 {
		parts = append(parts, strings.ToUpper(hex[i:i+2]))
	}
	return strings.Join(parts, ":")
}

// shuffled returns a copy of certs in a random order from a fixed seed.
func shuffled(seed int64, certs []*x509.Certificate) []*x509.Certificate {
	out := append([]*x509.Certificate(nil), certs...)
	rand.New(rand.NewSource(seed)).Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}

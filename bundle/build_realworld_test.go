package bundle_test

import (
	"bytes"
	"context"
	"crypto/x509"
	"testing"
	"time"

	"github.com/chaintool/chaintool/bundle"
	"github.com/chaintool/chaintool/internal/testpki"
)

// realCase is one chain of ../shared/realworld.
type realCase struct {
	name          string
	leaf, root    *x509.Certificate
	intermediates []*x509.Certificate
	at            time.Time
}

func realCases(t *testing.T) []realCase {
	t.Helper()
	var out []realCase
	for _, rw := range testpki.LoadRealWorld(t) {
		read := func(name string) []*x509.Certificate {
			c, err := bundle.ReadFile(rw.File(name), nil)
			if err != nil {
				t.Fatal(err)
			}
			return c.Certs
		}
		out = append(out, realCase{name: rw.Name, leaf: read("leaf.pem")[0], root: read("root.pem")[0],
			intermediates: read("intermediates.pem"), at: rw.At})
	}
	return out
}

// pile is the case's certificates shuffled, as one input.
func (rc realCase) pile(seed int64) *bundle.Pile {
	all := append([]*x509.Certificate{rc.leaf, rc.root}, rc.intermediates...)
	return bundle.PileOf(rc.name, shuffled(seed, all)...)
}

// TestRealWorld rebuilds every real chain from a shuffled pile, trusting
// its root alone, then (when Mozilla holds the root) trusting Mozilla.
func TestRealWorld(t *testing.T) {
	mozilla, err := bundle.LoadRoots([]string{bundle.RootsMozilla}, nil)
	if err != nil {
		t.Fatal(err)
	}
	inMozilla := 0
	for i, rc := range realCases(t) {
		t.Run(rc.name, func(t *testing.T) {
			roots := &bundle.Roots{}
			roots.Add(bundle.Anchor{Cert: rc.root, Source: "root.pem"})
			c, err := bundle.Build(context.Background(), rc.pile(int64(i)), nil, bundle.BuildOptions{Roots: roots, At: rc.at, ListDropped: true})
			if err != nil {
				t.Fatal(err)
			}
			rc.checkChain(t, c)
			if !c.Root().Equal(rc.root) || c.Anchor != bundle.AnchorExplicit {
				t.Errorf("anchored at %s (%s), want root.pem", bundle.Describe(c.Root()), c.Anchor)
			}
			if _, ok := mozilla.Contains(rc.root); !ok {
				return
			}
			inMozilla++
			c, err = bundle.Build(context.Background(), rc.pile(int64(i+100)), nil, bundle.BuildOptions{Roots: mozilla, At: rc.at})
			if err != nil {
				t.Fatalf("with the Mozilla store: %v", err)
			}
			rc.checkChain(t, c)
			if c.Anchor != bundle.AnchorStore || c.Store != bundle.RootsMozilla {
				t.Errorf("anchor %s %s, want the mozilla store", c.Anchor, c.Store)
			}
		})
	}
	t.Logf("%d roots in the Mozilla store", inMozilla)
}

// checkChain asserts the leaf comes first, every other certificate is the
// case's own, and crypto/x509 accepts the served chain on its own.
func (rc realCase) checkChain(t *testing.T, c *bundle.Chain) {
	t.Helper()
	if !c.Leaf().Equal(rc.leaf) {
		t.Fatalf("leaf %s", bundle.Describe(c.Leaf()))
	}
	inters := x509.NewCertPool()
	for _, cert := range c.Intermediates() {
		found := false
		for _, own := range rc.intermediates {
			found = found || bytes.Equal(own.Raw, cert.Raw)
		}
		if !found {
			t.Errorf("intermediate %s is not the site's", bundle.Describe(cert))
		}
		inters.AddCert(cert)
	}
	roots := x509.NewCertPool()
	roots.AddCert(c.Root())
	if _, err := rc.leaf.Verify(x509.VerifyOptions{Roots: roots, Intermediates: inters, CurrentTime: rc.at,
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}); err != nil {
		t.Errorf("crypto/x509 refuses the chain: %v", err)
	}
}

// TestRealWorldOnePile puts every real certificate into one pile and
// builds each site's chain from it, the others being noise.
func TestRealWorldOnePile(t *testing.T) {
	cases := realCases(t)
	var all []*x509.Certificate
	roots := &bundle.Roots{}
	for _, rc := range cases {
		all = append(all, rc.leaf)
		all = append(all, rc.intermediates...)
		roots.Add(bundle.Anchor{Cert: rc.root, Source: "roots.pem"})
	}
	pile := bundle.PileOf("all.pem", shuffled(1, all)...)
	for _, rc := range cases {
		c, err := bundle.Build(context.Background(), pile, nil, bundle.BuildOptions{Roots: roots, At: rc.at, Leaf: rc.leaf})
		if err != nil {
			t.Errorf("%s: %v", rc.name, err)
			continue
		}
		rc.checkChain(t, c)
	}
}

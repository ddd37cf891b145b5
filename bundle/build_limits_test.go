package bundle_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/chaintool/chaintool/bundle"
	"github.com/chaintool/chaintool/internal/testpki"
)

// TestBuildDepthLimit: a path longer than MaxDepth is not followed, and
// the explanation says the search hit its limit.
func TestBuildDepthLimit(t *testing.T) {
	root := testpki.NewRoot("Deep Root")
	certs := []*testpki.Cert{}
	parent := root
	for i := range 12 {
		parent = parent.NewIntermediate(fmt.Sprintf("Deep %d", i))
		certs = append(certs, parent)
	}
	leaf := parent.NewLeaf("deep.example.com")
	pile := bundle.PileOf("in.pem", testpki.X509(append(certs, leaf)...)...)
	_, err := bundle.Build(context.Background(), pile, nil, bundle.BuildOptions{Roots: rootsOf(root), At: testpki.Now})
	np := noPath(t, err)
	if !np.Truncated || !strings.Contains(err.Error(), "depth or work limit") {
		t.Errorf("truncated %v: %v", np.Truncated, err)
	}
	c, err := bundle.Build(context.Background(), pile, nil, bundle.BuildOptions{Roots: rootsOf(root), At: testpki.Now, MaxDepth: 20})
	if err != nil || len(c.Links) != 14 {
		t.Fatalf("MaxDepth 20: %v", err)
	}
}

// TestBuildMesh: every intermediate cross-signed three ways makes 3^6
// paths; the search stays within its bounds and still returns a valid
// chain.
func TestBuildMesh(t *testing.T) {
	roots := []*testpki.Cert{testpki.NewRoot("Mesh Root A"), testpki.NewRoot("Mesh Root B"), testpki.NewRoot("Mesh Root C")}
	level := roots
	var pile []*testpki.Cert
	for i := range 6 {
		base := level[0].NewIntermediate(fmt.Sprintf("Mesh %d", i))
		next := []*testpki.Cert{base}
		for _, p := range level[1:] {
			next = append(next, p.CrossSign(base))
		}
		pile = append(pile, next...)
		level = next
	}
	leaf := level[0].NewLeaf("mesh.example.com")
	c, err := bundle.Build(context.Background(), bundle.PileOf("in.pem", testpki.X509(append(pile, leaf)...)...), nil,
		bundle.BuildOptions{Roots: rootsOf(roots...), At: testpki.Now})
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Links) != 8 || len(c.Alternatives) == 0 {
		t.Errorf("%d links, %d alternatives", len(c.Links), len(c.Alternatives))
	}
}

// TestBuildNameConstraints: crypto/x509's name constraints decide.
func TestBuildNameConstraints(t *testing.T) {
	root := testpki.NewRoot("NC Root")
	inter := root.NewIntermediate("NC Intermediate", testpki.PermittedDNS("other.org"))
	leaf := inter.NewLeaf("www.example.com")
	_, err := bundle.Build(context.Background(), bundle.PileOf("in.pem", leaf.Cert, inter.Cert), nil,
		bundle.BuildOptions{Roots: rootsOf(root), At: testpki.Now})
	if !errors.Is(err, bundle.ErrNoPath) || !strings.Contains(err.Error(), "constraint") {
		t.Errorf("%v", err)
	}
}

// TestBuildCancelled returns the context's error.
func TestBuildCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := bundle.Build(ctx, bundle.PileOf("in.pem", leaf.Cert, inter.Cert), nil, bundle.BuildOptions{Roots: rootsOf(root), At: testpki.Now})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("%v", err)
	}
}

// TestComplete completes a chain given leaf first.
func TestComplete(t *testing.T) {
	c, err := bundle.Complete(context.Background(), testpki.X509(leaf, inter), bundle.BuildOptions{Roots: rootsOf(root), At: testpki.Now})
	if err != nil {
		t.Fatal(err)
	}
	assertChain(t, c, cs(leaf, inter, root))
}

// TestBuildLeafDoesNotParse: a leaf whose structure scans but which
// crypto/x509 refuses (a damaged date) is reported as bad input.
func TestBuildLeafDoesNotParse(t *testing.T) {
	der := append([]byte(nil), leaf.DER()...)
	at := bytes.Index(der, []byte{0x17, 0x0d}) // the first UTCTime
	if at < 0 {
		t.Fatal("no UTCTime in the leaf")
	}
	der[at+2] = 'x'
	pile := bundle.NewPile()
	if err := pile.AddDER(der, bundle.Origin{Source: bundle.SourceInput, Name: "bad.der"}); err != nil {
		t.Fatalf("the scan refuses what only crypto/x509 should: %v", err)
	}
	_, err := bundle.Build(context.Background(), pile, nil, bundle.BuildOptions{Roots: rootsOf(root), At: testpki.Now})
	if err == nil || !strings.HasPrefix(err.Error(), "bad.der: invalid certificate: ") {
		t.Errorf("%v", err)
	}
}

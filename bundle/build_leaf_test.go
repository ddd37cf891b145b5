package bundle_test

import (
	"context"
	"crypto"
	"errors"
	"testing"

	"github.com/chaintool/chaintool/bundle"
	"github.com/chaintool/chaintool/internal/testpki"
)

// TestLeafByKeyType: with leaves of RSA, ECDSA and Ed25519 keys in one
// pile, each key picks its own leaf.
func TestLeafByKeyType(t *testing.T) {
	leaves := map[string]*testpki.Cert{
		"rsa":     inter.NewLeaf("rsa.example.com", testpki.Key(testpki.RSA2048)),
		"ecdsa":   inter.NewLeaf("ecdsa.example.com", testpki.Key(testpki.ECDSAP256)),
		"ed25519": inter.NewLeaf("ed25519.example.com", testpki.Key(testpki.Ed25519)),
	}
	pile := bundle.PileOf("in.pem", inter.Cert, leaves["rsa"].Cert, leaves["ecdsa"].Cert, leaves["ed25519"].Cert)
	for name, want := range leaves {
		t.Run(name, func(t *testing.T) {
			c := buildWithKeys(t, pile, want.Key)
			assertChain(t, c, cs(want, inter, root))
			if c.Key == nil || !bundle.KeyMatches(want.Cert, c.Key) {
				t.Errorf("the chain's key is not the one given")
			}
		})
	}
}

// TestLeafByEd25519KeyTwice: Ed25519 private keys are byte slices, which
// Go cannot compare with ==; keys matching several certificates must not
// panic.
func TestLeafByEd25519KeyTwice(t *testing.T) {
	key := testpki.NewKey(testpki.Ed25519)
	old := inter.NewLeaf("ed.example.com", testpki.WithKey(key), testpki.Expired())
	renewed := inter.NewLeaf("ed.example.com", testpki.WithKey(key))
	c := buildWithKeys(t, bundle.PileOf("in.pem", old.Cert, inter.Cert, renewed.Cert), key)
	assertChain(t, c, cs(renewed, inter, root))

	other := inter.NewLeaf("other.example.com", testpki.Key(testpki.Ed25519))
	pile := bundle.PileOf("in.pem", old.Cert, inter.Cert, renewed.Cert, other.Cert)
	_, err := bundle.Build(context.Background(), pile, []crypto.Signer{key, other.Key}, bundle.BuildOptions{Roots: rootsOf(root), At: testpki.Now})
	var several *bundle.SeveralLeavesError
	if !errors.As(err, &several) || len(several.Leaves) != 2 {
		t.Errorf("two Ed25519 keys of two leaves: %v", err)
	}
}

func buildWithKeys(t *testing.T, pile *bundle.Pile, keys ...crypto.Signer) *bundle.Chain {
	t.Helper()
	c, err := bundle.Build(context.Background(), pile, keys, bundle.BuildOptions{Roots: rootsOf(root), At: testpki.Now})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestLeafBySameKeyTwice: one key given twice (say in leaf.key and in a
// PFX among the inputs) still names one leaf.
func TestLeafBySameKeyTwice(t *testing.T) {
	copyOf := func(k crypto.Signer) crypto.Signer {
		t.Helper()
		got, err := bundle.Read((&testpki.Cert{Key: k}).KeyPEM(), "key.pem", nil)
		if err != nil || len(got.Keys) != 1 {
			t.Fatalf("reading the key back: %v", err)
		}
		return got.Keys[0]
	}
	for _, kt := range []testpki.KeyType{testpki.ECDSAP256, testpki.Ed25519} {
		l := inter.NewLeaf("twice.example.com", testpki.Key(kt))
		c := buildWithKeys(t, bundle.PileOf("in.pem", l.Cert, inter.Cert), l.Key, copyOf(l.Key))
		assertChain(t, c, cs(l, inter, root))
	}
}

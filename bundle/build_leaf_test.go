package bundle_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"errors"
	"testing"
	"time"

	"github.com/chaintool/chaintool/bundle"
	"github.com/chaintool/chaintool/internal/testpki"
	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
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

// TestLeafByKeyOddlyEncoded: two certificates of one key whose
// SubjectPublicKeyInfo encodes it in two ways crypto/x509 reads alike
// (an extra element after the key, or after the curve) match the key only
// when parsed; they are one key, so one leaf, not "several leaves".
func TestLeafByKeyOddlyEncoded(t *testing.T) {
	key := testpki.NewKey(testpki.ECDSAP256)
	afterKey := withSPKI(t, inter.NewLeaf("odd.example.com", testpki.WithKey(key)), inter,
		func(b *cryptobyte.Builder, alg, bits []byte) { b.AddBytes(alg); b.AddBytes(bits); b.AddASN1NULL() })
	afterCurve := withSPKI(t, inter.NewLeaf("odd.example.com", testpki.WithKey(key), testpki.ExpiresIn(400*24*time.Hour)), inter,
		func(b *cryptobyte.Builder, alg, bits []byte) {
			s := cryptobyte.String(alg)
			var inner cryptobyte.String
			s.ReadASN1(&inner, cbasn1.SEQUENCE)
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { b.AddBytes(inner); b.AddASN1NULL() })
			b.AddBytes(bits)
		})
	for _, c := range []*testpki.Cert{afterKey, afterCurve} {
		if pub, err := x509.MarshalPKIXPublicKey(key.Public()); err != nil || bytes.Equal(c.Cert.RawSubjectPublicKeyInfo, pub) {
			t.Fatalf("the SubjectPublicKeyInfo is the usual encoding (%v)", err)
		}
		if !key.Public().(*ecdsa.PublicKey).Equal(c.Cert.PublicKey) {
			t.Fatal("crypto/x509 reads another key")
		}
	}
	c := buildWithKeys(t, bundle.PileOf("in.pem", afterKey.Cert, inter.Cert, afterCurve.Cert), key)
	assertChain(t, c, cs(afterCurve, inter, root))
}

// withSPKI re-issues cert with its SubjectPublicKeyInfo rewritten by spki
// (given the algorithm and BIT STRING elements), signed again by issuer.
func withSPKI(t *testing.T, cert, issuer *testpki.Cert, spki func(b *cryptobyte.Builder, alg, bits []byte)) *testpki.Cert {
	t.Helper()
	raw := cryptobyte.String(cert.Cert.Raw)
	var certSeq, tbs, sigAlg cryptobyte.String
	if !raw.ReadASN1(&certSeq, cbasn1.SEQUENCE) || !certSeq.ReadASN1(&tbs, cbasn1.SEQUENCE) ||
		!certSeq.ReadASN1Element(&sigAlg, cbasn1.SEQUENCE) {
		t.Fatal("cannot split the certificate")
	}
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		for range 6 { // version, serial, signature, issuer, validity, subject
			var field cryptobyte.String
			var tag cbasn1.Tag
			tbs.ReadAnyASN1Element(&field, &tag)
			b.AddBytes(field)
		}
		var old, inner, alg, bits cryptobyte.String
		tbs.ReadASN1Element(&old, cbasn1.SEQUENCE)
		old.ReadASN1(&inner, cbasn1.SEQUENCE)
		inner.ReadASN1Element(&alg, cbasn1.SEQUENCE)
		inner.ReadASN1Element(&bits, cbasn1.BIT_STRING)
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { spki(b, alg, bits) })
		b.AddBytes(tbs) // extensions
	})
	newTBS := b.BytesOrPanic()
	digest := sha256.Sum256(newTBS)
	sig, err := issuer.Key.Sign(rand.Reader, digest[:], crypto.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	var out cryptobyte.Builder
	out.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddBytes(newTBS)
		b.AddBytes(sigAlg)
		b.AddASN1BitString(sig)
	})
	parsed, err := x509.ParseCertificate(out.BytesOrPanic())
	if err != nil {
		t.Fatal(err)
	}
	if err := parsed.CheckSignatureFrom(issuer.Cert); err != nil {
		t.Fatal(err)
	}
	return &testpki.Cert{Cert: parsed, Key: cert.Key}
}

package bundle

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"strings"
	"testing"

	"github.com/chaintool/chaintool/internal/testpki"
)

func TestEncodePEM(t *testing.T) {
	root, inter, leaf := readChain(t)
	var b bytes.Buffer
	if err := EncodePEM(&b, testpki.X509(leaf, inter, root), []crypto.Signer{leaf.Key}); err != nil {
		t.Fatal(err)
	}
	var types []string
	for rest := b.Bytes(); ; {
		var blk *pem.Block
		if blk, rest = pem.Decode(rest); blk == nil {
			break
		}
		types = append(types, blk.Type)
	}
	if got := strings.Join(types, ","); got != "CERTIFICATE,CERTIFICATE,CERTIFICATE,PRIVATE KEY" {
		t.Errorf("blocks %s", got)
	}
	got, err := Read(b.Bytes(), "out.pem", nil)
	if err != nil {
		t.Fatal(err)
	}
	assertSameCerts(t, got.Certs, testpki.X509(leaf, inter, root))
	if len(got.Keys) != 1 || !KeyMatches(leaf.Cert, got.Keys[0]) {
		t.Errorf("key did not survive the round trip")
	}
}

// TestEncodePFXRoundTrip writes every key type in both profiles and reads
// the file back: the same key, leaf first, then the others in order.
func TestEncodePFXRoundTrip(t *testing.T) {
	root := testpki.NewRoot("PFX Root")
	inter := root.NewIntermediate("PFX Intermediate")
	for _, kt := range []testpki.KeyType{testpki.ECDSAP256, testpki.RSA2048, testpki.Ed25519} {
		leaf := inter.NewLeaf("pfx.test", testpki.Key(kt))
		for _, profile := range []PFXProfile{PFXModern, PFXLegacy, ""} {
			for _, password := range []string{"s3cret", ""} {
				pfx, err := EncodePFX(leaf.Key, leaf.Cert, testpki.X509(inter, root), password, profile)
				if err != nil {
					t.Fatalf("%v %q: %v", kt, profile, err)
				}
				calls := 0
				got, err := Read(pfx, "out.pfx", countingPassword(password, &calls))
				if err != nil {
					t.Fatalf("%v %q: read back: %v", kt, profile, err)
				}
				if password == "" && calls != 0 {
					t.Errorf("empty password: asked for one")
				}
				assertSameCerts(t, got.Certs, testpki.X509(leaf, inter, root))
				if len(got.Keys) != 1 || !KeyMatches(leaf.Cert, got.Keys[0]) {
					t.Errorf("%v %q: key lost", kt, profile)
				}
			}
		}
	}
}

func TestEncodePFXErrors(t *testing.T) {
	_, inter, leaf := readChain(t)
	if _, err := EncodePFX(leaf.Key, leaf.Cert, nil, "x", "ancient"); err == nil || !strings.Contains(err.Error(), `unknown PFX profile "ancient"`) {
		t.Errorf("unknown profile: %v", err)
	}
	if _, err := EncodePFX(leaf.Key, nil, []*x509.Certificate{inter.Cert}, "x", PFXModern); err == nil {
		t.Errorf("a key without its certificate was accepted")
	}
	if _, err := EncodePFX(nil, nil, nil, "x", PFXModern); err == nil {
		t.Errorf("an empty file was written")
	}
}

func TestKeyMatches(t *testing.T) {
	_, inter, leaf := readChain(t)
	other := testpki.NewKey(testpki.ECDSAP256)
	rsaKey := testpki.NewKey(testpki.RSA2048)
	if !KeyMatches(leaf.Cert, leaf.Key) || KeyMatches(leaf.Cert, inter.Key) || KeyMatches(leaf.Cert, other) || KeyMatches(leaf.Cert, rsaKey) {
		t.Errorf("KeyMatches gives wrong answers")
	}
	if FindKey(leaf.Cert, []crypto.Signer{other, rsaKey, leaf.Key}) != leaf.Key || FindKey(leaf.Cert, []crypto.Signer{other}) != nil {
		t.Errorf("FindKey gives wrong answers")
	}
}

// TestKeyMatchesEd25519: Ed25519 keys match their own certificate only,
// across key types both ways.
func TestKeyMatchesEd25519(t *testing.T) {
	_, inter, ecLeaf := readChain(t)
	edLeaf := inter.NewLeaf("ed25519.example.com", testpki.Key(testpki.Ed25519))
	otherEd := testpki.NewKey(testpki.Ed25519)
	for _, tc := range []struct {
		name string
		cert *x509.Certificate
		key  crypto.Signer
		want bool
	}{
		{"its own key", edLeaf.Cert, edLeaf.Key, true},
		{"another Ed25519 key", edLeaf.Cert, otherEd, false},
		{"an ECDSA key", edLeaf.Cert, ecLeaf.Key, false},
		{"an Ed25519 key for an ECDSA certificate", ecLeaf.Cert, edLeaf.Key, false},
	} {
		if got := KeyMatches(tc.cert, tc.key); got != tc.want {
			t.Errorf("%s: KeyMatches = %v, want %v", tc.name, got, tc.want)
		}
	}
	got, err := Read(edLeaf.KeyPEM(), "ed.key", nil)
	if err != nil || len(got.Keys) != 1 || !KeyMatches(edLeaf.Cert, got.Keys[0]) {
		t.Errorf("the Ed25519 key read back from PKCS#8 does not match: %v", err)
	}
	if k := FindKey(edLeaf.Cert, []crypto.Signer{otherEd, ecLeaf.Key, got.Keys[0]}); k == nil || !KeyMatches(edLeaf.Cert, k) {
		t.Errorf("FindKey missed the Ed25519 key")
	}
}

// TestWrongPasswordOnWrittenPFX: a wrong password on a file chaintool
// wrote is ErrWrongPassword, for both profiles.
func TestWrongPasswordOnWrittenPFX(t *testing.T) {
	_, inter, leaf := readChain(t)
	for _, profile := range []PFXProfile{PFXModern, PFXLegacy} {
		pfx, err := EncodePFX(leaf.Key, leaf.Cert, testpki.X509(inter), "right", profile)
		if err != nil {
			t.Fatal(err)
		}
		calls := 0
		if _, err := Read(pfx, "x.pfx", countingPassword("wrong", &calls)); !errors.Is(err, ErrWrongPassword) {
			t.Errorf("%s: got %v, want ErrWrongPassword", profile, err)
		}
	}
}

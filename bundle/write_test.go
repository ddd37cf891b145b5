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

package bundle

import (
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"strings"
	"testing"
)

// fixtureLeafKey is the unencrypted key every encrypted fixture holds.
func fixtureLeafKey(t *testing.T) crypto.Signer {
	t.Helper()
	c, err := Read(readFixture(t, "leaf.key"), "leaf.key", nil)
	if err != nil || len(c.Keys) != 1 {
		t.Fatalf("leaf.key: %v", err)
	}
	return c.Keys[0]
}

func sameKey(a, b crypto.Signer) bool {
	type equaler interface{ Equal(crypto.PublicKey) bool }
	pub, ok := a.Public().(equaler)
	return ok && pub.Equal(b.Public())
}

// TestReadPBES2Fixtures: encrypted PKCS#8 keys OpenSSL writes with every
// PBKDF2 PRF and cipher of the fixtures decrypt to leaf.key with the right
// password, in PEM and in DER, and a wrong password is ErrWrongPassword.
// go.step.sm/crypto's pemutil read every PRF but SHA-256 as SHA-1, so the
// SHA-512, SHA-384 and SHA-224 keys came out as "wrong password".
func TestReadPBES2Fixtures(t *testing.T) {
	want := fixtureLeafKey(t)
	for _, name := range []string{
		"leaf-pkcs8-encrypted.key", // AES-256-CBC, HMAC-SHA-256
		"leaf-pkcs8-sha512.key",
		"leaf-pkcs8-sha384.key",
		"leaf-pkcs8-sha224.key",
		"leaf-pkcs8-3des-sha1.key",
	} {
		t.Run(name, func(t *testing.T) {
			data := readFixture(t, name)
			block, _ := pem.Decode(data)
			for form, in := range map[string][]byte{"PEM": data, "DER": block.Bytes} {
				calls := 0
				got, err := Read(in, name, countingPassword(readFixturePassword, &calls))
				if err != nil {
					t.Fatalf("%s: %v", form, err)
				}
				if len(got.Keys) != 1 || !sameKey(got.Keys[0], want) {
					t.Errorf("%s: got %d keys, want leaf.key", form, len(got.Keys))
				}
				if calls != 1 {
					t.Errorf("%s: password asked %d times, want 1", form, calls)
				}
				if _, err := Read(in, name, countingPassword("not-"+readFixturePassword, new(int))); !errors.Is(err, ErrWrongPassword) {
					t.Errorf("%s, wrong password: got %v, want ErrWrongPassword", form, err)
				}
			}
		})
	}
}

// TestReadPBES1Refused: a key encrypted with the old PKCS#12 scheme
// (`openssl pkcs8 -v1 PBE-SHA1-3DES`) is refused in one clear line that
// names the scheme, before any password is asked for.
func TestReadPBES1Refused(t *testing.T) {
	_, err := Read(readFixture(t, "leaf-pkcs8-v1.key"), "v1.key", forbidPassword(t))
	if !errors.Is(err, ErrUnsupportedEncryption) {
		t.Fatalf("got %v, want ErrUnsupportedEncryption", err)
	}
	const want = "PEM block 1 (ENCRYPTED PRIVATE KEY, line 1): PBES1 (PBE-SHA1-3DES) encryption is not supported"
	if err.Error() != want {
		t.Errorf("error\n %q\nwant\n %q", err, want)
	}
	if strings.Contains(err.Error(), "asn1") {
		t.Errorf("error shows the ASN.1 decoder's words: %q", err)
	}
}

// TestReadPFXWithoutMAC: a PFX with no MAC (`openssl pkcs12 -export
// -nomac`) is read with its password (go-pkcs12 reads such files only with
// the empty password, and the first, empty, try's error did not look like
// a password error, so the password was never tried). A wrong password is
// ErrWrongPassword; no password at all is ErrPasswordRequired.
func TestReadPFXWithoutMAC(t *testing.T) {
	data := readFixture(t, "nomac.pfx")
	leaf, inter, _ := fixtureChain(t)
	calls := 0
	got, err := Read(data, "nomac.pfx", countingPassword(readFixturePassword, &calls))
	if err != nil {
		t.Fatal(err)
	}
	if got.Format != FormatPKCS12 || len(got.Keys) != 1 || !sameKey(got.Keys[0], fixtureLeafKey(t)) {
		t.Errorf("format %s, %d keys; want pkcs12 with leaf.key", got.Format, len(got.Keys))
	}
	assertSameCerts(t, got.Certs, []*x509.Certificate{leaf, inter})
	if calls != 1 {
		t.Errorf("password asked %d times, want 1", calls)
	}
	if _, err := Read(data, "nomac.pfx", countingPassword("wrong", new(int))); !errors.Is(err, ErrWrongPassword) {
		t.Errorf("wrong password: got %v, want ErrWrongPassword", err)
	}
	if _, err := Read(data, "nomac.pfx", nil); !errors.Is(err, ErrPasswordRequired) {
		t.Errorf("no password: got %v, want ErrPasswordRequired", err)
	}
}

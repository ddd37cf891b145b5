package bundle

import (
	"errors"
	"strings"
	"testing"

	"software.sslmate.com/src/go-pkcs12"
)

// TestReadPFXUnsupportedCipher: a PFX whose parts use a cipher go-pkcs12
// cannot decrypt (Camellia, which OpenSSL writes on request) is refused as
// ErrUnsupportedEncryption naming the cipher, not as a wrong password.
// Without a MAC, a Camellia part met before any other encrypted part is
// refused before the password is asked for; a Camellia key behind an AES
// part, or a MAC to check, needs the password first.
func TestReadPFXUnsupportedCipher(t *testing.T) {
	for _, tt := range []struct {
		file string
		asks int
	}{
		{"nomac-camellia.pfx", 0},
		{"nomac-camellia-key.pfx", 1},
		{"camellia.pfx", 1},
	} {
		t.Run(tt.file, func(t *testing.T) {
			calls := 0
			_, err := Read(readFixture(t, tt.file), tt.file, countingPassword(readFixturePassword, &calls))
			if !errors.Is(err, ErrUnsupportedEncryption) || errors.Is(err, ErrWrongPassword) {
				t.Fatalf("got %v, want ErrUnsupportedEncryption", err)
			}
			const want = "PKCS#12: pbes2 algorithm camellia-256-cbc is not supported"
			if err.Error() != want {
				t.Errorf("error\n %q\nwant\n %q", err, want)
			}
			if calls != tt.asks {
				t.Errorf("password asked %d times, want %d", calls, tt.asks)
			}
		})
	}
}

// TestPKCS12MissingPartWording pins the go-pkcs12 error texts that
// isMissingPart and readPKCS12TrustStore recognise: a library that words
// them otherwise fails here, not in front of a user.
func TestPKCS12MissingPartWording(t *testing.T) {
	for file, want := range map[string]string{
		"certs-only.pfx": "private key missing",
		"key-only.pfx":   "certificate missing",
	} {
		_, _, _, err := pkcs12.DecodeChain(readFixture(t, file), readFixturePassword)
		if err == nil || !isMissingPart(err) || !strings.HasSuffix(err.Error(), want) {
			t.Errorf("%s: go-pkcs12 says %v; isMissingPart %v, want a missing part ending %q",
				file, err, err != nil && isMissingPart(err), want)
		}
	}
	_, _, _, err := pkcs12.DecodeChain(readFixture(t, "modern.pfx"), "not-"+readFixturePassword)
	if err == nil || isMissingPart(err) {
		t.Errorf("a wrong password (%v) counts as a missing part", err)
	}
	if _, err := Read(readFixture(t, "certs-only.pfx"), "certs-only.pfx", countingPassword(readFixturePassword, new(int))); !errors.Is(err, ErrCertOnlyPFX) {
		t.Errorf("certs-only.pfx: got %v, want ErrCertOnlyPFX", err)
	}
}

// TestPFXIterationsEveryPass: go-pkcs12 derives every key of a PFX again
// on each decode, so each decode is charged: the empty-password try (a
// MAC is tried twice there, as the empty password and as none; the parts
// are given back when the MAC stops it), the try with the password (with
// a PBMAC1 MAC made and checked once each when the file has no MAC) and
// the trust-store read of a certificate-only file. Counted, not timed.
func TestPFXIterationsEveryPass(t *testing.T) {
	const n = 2048 // OpenSSL's count for MACs, parts and keys alike
	for _, tt := range []struct {
		file string
		want int64
	}{
		{"nomac.pfx", n + 1 + (1 + n)},                  // key; PBMAC1 made; PBMAC1 + key
		{"modern.pfx", 2*n + (n + 2*n)},                 // MAC twice; MAC + part + key
		{"empty-password.pfx", 2*n + 2*n},               // MAC twice, part + key
		{"certs-only.pfx", 2*n + (n + n) + (n + n)},     // MAC twice; MAC + part; again for the trust store
		{"nomac-camellia-key.pfx", 2*n + 1 + (1 + 2*n)}, // part + key (Camellia, refused before its derivation); PBMAC1 made; PBMAC1 + part + key
	} {
		r := &reader{name: tt.file, password: countingPassword(readFixturePassword, new(int)), out: &Contents{}}
		if tt.file == "empty-password.pfx" {
			r.password = forbidPassword(t)
		}
		r.readPKCS12(readFixture(t, tt.file))
		if r.iterations != tt.want {
			t.Errorf("%s: %d iterations charged, want %d", tt.file, r.iterations, tt.want)
		}
	}
}

// TestPFXWithoutMACRefusedBeforeSecondPass: a PFX without a MAC whose
// empty-password try fits the input's allowance but whose try with the
// password would pass it is refused before the password is asked for.
func TestPFXWithoutMACRefusedBeforeSecondPass(t *testing.T) {
	calls := 0
	r := &reader{name: "nomac.pfx", password: countingPassword(readFixturePassword, &calls), out: &Contents{}}
	r.iterations = MaxKDFIterations - 3000 // spent on earlier parts of the input
	err := r.readPKCS12(readFixture(t, "nomac.pfx"))
	if !errors.Is(err, ErrTooManyIterations) {
		t.Fatalf("got %v, want ErrTooManyIterations", err)
	}
	if calls != 0 {
		t.Errorf("password asked %d times before the refusal", calls)
	}
}

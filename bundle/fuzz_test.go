package bundle

import (
	"bytes"
	"encoding/base64"
	"strings"
	"testing"
	"time"
)

// readFixtureNames are the OpenSSL fixtures every fuzz target starts from.
var readFixtureNames = []string{
	"leaf.pem", "leaf.der", "leaf.key", "root-trusted.pem", "text-crlf.pem", "chain.p7b", "chain.p7c",
	"modern.pfx", "legacy-rc2.pfx", "legacy-3des.pfx", "empty-password.pfx", "certs-only.pfx",
	"leaf-pkcs8-encrypted.key", "leaf-legacy-encrypted.key",
}

// FuzzRead feeds Read any bytes (seeded with every fixture and the corpus
// in testdata/fuzz/FuzzRead). Read must never panic; an error is one line
// and comes without contents; a success holds something, summarizes
// without panicking, and survives a PEM round trip unchanged.
func FuzzRead(f *testing.F) {
	for _, name := range readFixtureNames {
		f.Add(readFixture(f, name))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := Read(data, "fuzz", fuzzPassword)
		checkReadResult(t, got, err)
	})
}

// FuzzReadPEMBlock wraps any bytes in a PEM block of each type Read knows,
// with and without legacy encryption headers, to reach the certificate,
// key, PKCS#7 and decryption parsers past the base64 layer.
func FuzzReadPEMBlock(f *testing.F) {
	for _, name := range []string{"leaf.der", "chain.p7c"} {
		f.Add(uint8(0), false, readFixture(f, name))
	}
	f.Add(uint8(4), false, []byte{0x30, 0x00})
	f.Add(uint8(5), true, bytes.Repeat([]byte{0x42}, 48))
	f.Fuzz(func(t *testing.T, kind uint8, encrypted bool, der []byte) {
		types := []string{"CERTIFICATE", "TRUSTED CERTIFICATE", "PKCS7", "PRIVATE KEY",
			"RSA PRIVATE KEY", "EC PRIVATE KEY", "ENCRYPTED PRIVATE KEY", "X509 CRL"}
		var b strings.Builder
		b.WriteString("-----BEGIN " + types[int(kind)%len(types)] + "-----\n")
		if encrypted {
			b.WriteString("Proc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00112233445566778899AABBCCDDEEFF\n\n")
		}
		enc := base64.StdEncoding.EncodeToString(der)
		for len(enc) > 64 {
			b.WriteString(enc[:64] + "\n")
			enc = enc[64:]
		}
		b.WriteString(enc + "\n-----END " + types[int(kind)%len(types)] + "-----\n")
		got, err := Read([]byte(b.String()), "fuzz.pem", fuzzPassword)
		checkReadResult(t, got, err)
	})
}

func fuzzPassword(string) ([]byte, error) { return []byte(readFixturePassword), nil }

func checkReadResult(t *testing.T, got *Contents, err error) {
	t.Helper()
	if err != nil {
		if got != nil {
			t.Errorf("contents returned with error %q", err)
		}
		if strings.ContainsAny(err.Error(), "\r\n") {
			t.Errorf("multi-line error %q", err)
		}
		return
	}
	if len(got.Certs) == 0 && len(got.Keys) == 0 {
		t.Fatalf("success with nothing found")
	}
	now := time.Now()
	for _, c := range got.Certs {
		s := Summarize(c, now)
		_ = s.Validity(now)
	}
	LinkLine(got.Certs)
	for _, k := range got.Keys {
		SummarizeKey(k, got.Certs)
	}
	var pemOut bytes.Buffer
	if err := EncodePEM(&pemOut, got.Certs, got.Keys); err != nil {
		return // a key Go parses but cannot marshal is not Read's concern
	}
	again, err := Read(pemOut.Bytes(), "again", nil)
	if err != nil {
		t.Fatalf("our own PEM does not read back: %v", err)
	}
	if len(again.Certs) != len(got.Certs) || len(again.Keys) != len(got.Keys) {
		t.Fatalf("round trip: %d certs %d keys, then %d certs %d keys",
			len(got.Certs), len(got.Keys), len(again.Certs), len(again.Keys))
	}
	for i := range got.Certs {
		if !again.Certs[i].Equal(got.Certs[i]) {
			t.Fatalf("round trip changed certificate %d", i)
		}
	}
}

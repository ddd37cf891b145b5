package bundle

import (
	"bytes"
	"crypto/x509"
	"os"
	"path/filepath"
	"testing"

	"github.com/chaintool/chaintool/internal/testpki"
)

// FuzzScanFields checks that the cryptobyte scan finds the very fields
// crypto/x509 parses, for every certificate x509 accepts.
func FuzzScanFields(f *testing.F) {
	for _, name := range []string{"leaf.pem", "inter.pem", "root.pem"} {
		c, err := ReadFile(filepath.Join("..", "testdata", name), nil)
		if err == nil {
			f.Add(c.Certs[0].Raw)
		}
	}
	for _, name := range realWorldPEMs() {
		if c, err := ReadFile(name, nil); err == nil {
			for _, cert := range c.Certs {
				f.Add(cert.Raw)
			}
		}
	}
	f.Fuzz(func(t *testing.T, der []byte) {
		e, scanErr := scanCertificate(der)
		cert, err := x509.ParseCertificate(der)
		if err != nil {
			return
		}
		if scanErr != nil {
			t.Fatalf("x509 parses it, the scan refuses it: %v", scanErr)
		}
		check := func(what string, got, want []byte) {
			if !bytes.Equal(got, want) {
				t.Errorf("%s: scan %x, x509 %x", what, got, want)
			}
		}
		check("subject", e.subject.of(der), cert.RawSubject)
		check("issuer", e.issuer.of(der), cert.RawIssuer)
		check("public key", e.spki.of(der), cert.RawSubjectPublicKeyInfo)
		check("subject key ID", e.ski.of(der), cert.SubjectKeyId)
		check("authority key ID", e.aki.of(der), cert.AuthorityKeyId)
		if e.isCA != (cert.BasicConstraintsValid && cert.IsCA) {
			t.Errorf("CA: scan %v, x509 %v", e.isCA, cert.IsCA)
		}
	})
}

// TestScanRealWorld runs the field check over the real chains.
func TestScanRealWorld(t *testing.T) {
	files := realWorldPEMs()
	if len(files) == 0 {
		t.Skip("../shared/realworld absent")
	}
	n := 0
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		c, err := Read(data, name, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, cert := range c.Certs {
			e, err := scanCertificate(cert.Raw)
			if err != nil || !bytes.Equal(e.subject.of(cert.Raw), cert.RawSubject) ||
				!bytes.Equal(e.ski.of(cert.Raw), cert.SubjectKeyId) || !bytes.Equal(e.aki.of(cert.Raw), cert.AuthorityKeyId) ||
				e.isCA != cert.IsCA {
				t.Errorf("%s: %s: scan differs from x509 (%v)", name, cert.Subject, err)
			}
			n++
		}
	}
	if n < 40 {
		t.Errorf("only %d certificates checked", n)
	}
}

// realWorldPEMs lists the PEM files of ../shared/realworld (none when it
// is absent).
func realWorldPEMs() []string {
	dir := testpki.RealWorldDir()
	if dir == "" {
		return nil
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*", "*.pem"))
	return files
}

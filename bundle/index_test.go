package bundle_test

import (
	"bytes"
	"crypto/x509"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/chaintool/chaintool/bundle"
	"github.com/chaintool/chaintool/internal/testpki"
)

var in = bundle.Origin{Source: bundle.SourceInput, Name: "in"}

func TestPileRead(t *testing.T) {
	chainPEM := testpki.ChainPEM(leaf, inter, root)
	crlf := bytes.ReplaceAll(chainPEM, []byte("\n"), []byte("\r\n"))
	withText := append([]byte("subject=CN = www.example.com\nissuer=CN = Table Intermediate\n"), chainPEM...)
	der := append(append(leaf.DER(), inter.DER()...), root.DER()...)
	tests := map[string]struct {
		data      []byte
		certs     int
		keys      int
		wantErr   error
		errSubstr string
	}{
		"PEM":                {data: chainPEM, certs: 3},
		"PEM with CRLF":      {data: crlf, certs: 3},
		"PEM with text":      {data: withText, certs: 3},
		"PEM with a key":     {data: append(leaf.KeyPEM(), chainPEM...), certs: 3, keys: 1},
		"concatenated DER":   {data: der, certs: 3},
		"one DER":            {data: leaf.DER(), certs: 1},
		"duplicates":         {data: append(chainPEM, chainPEM...), certs: 3},
		"empty":              {data: []byte(" \n"), wantErr: bundle.ErrEmpty},
		"text only":          {data: []byte("hello"), wantErr: bundle.ErrUnrecognized},
		"CSR only":           {data: []byte("-----BEGIN CERTIFICATE REQUEST-----\nMIIB\n-----END CERTIFICATE REQUEST-----\n"), wantErr: bundle.ErrNothingFound},
		"truncated block":    {data: chainPEM[:len(chainPEM)-40], errSubstr: "truncated or its base64 is damaged"},
		"truncated then new": {data: append(leaf.PEM()[:100], inter.PEM()...), errSubstr: "line 1 is truncated"},
		"damaged base64":     {data: bytes.Replace(leaf.PEM(), []byte("M"), []byte("!"), 1), errSubstr: "base64 is damaged"},
		"not a certificate":  {data: []byte("-----BEGIN CERTIFICATE-----\nMAMCAQE=\n-----END CERTIFICATE-----\n"), errSubstr: "PEM block 1 (CERTIFICATE): invalid certificate"},
		"DER with trailing":  {data: append(leaf.DER(), 1, 2, 3), errSubstr: "trailing bytes"},
		"DER then junk":      {data: append(leaf.DER(), 0x30, 3, 2, 1, 1), errSubstr: "bytes that are not a certificate"},
		"END type mismatch":  {data: bytes.Replace(leaf.PEM(), []byte("END CERTIFICATE"), []byte("END X509 CRL"), 1), errSubstr: "truncated or its base64 is damaged"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			pile := bundle.NewPile()
			// One byte at a time exercises the window refills.
			keys, err := pile.ReadStream(iotest.OneByteReader(bytes.NewReader(tc.data)), in, nil)
			switch {
			case tc.wantErr != nil:
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("error %v, want %v", err, tc.wantErr)
				}
				return
			case tc.errSubstr != "":
				if err == nil || !strings.Contains(err.Error(), tc.errSubstr) {
					t.Fatalf("error %v, want one saying %q", err, tc.errSubstr)
				}
				return
			case err != nil:
				t.Fatal(err)
			}
			if pile.Len() != tc.certs || len(keys) != tc.keys {
				t.Errorf("%d certificates and %d keys, want %d and %d", pile.Len(), len(keys), tc.certs, tc.keys)
			}
		})
	}
}

// TestPileReadFixtures reads the foundation's fixtures of other tools
// (PKCS#7, PKCS#12, encrypted keys) through the pile.
func TestPileReadFixtures(t *testing.T) {
	password := func(string) ([]byte, error) { return []byte("chaintool"), nil } // testdata/README.md
	for _, name := range []string{"chain.p7b", "chain.p7c", "modern.pfx", "legacy-3des.pfx", "text-crlf.pem", "leaf.der", "leaf-pkcs8-encrypted.key"} {
		path := filepath.Join("..", "testdata", name)
		want, err := bundle.ReadFile(path, password)
		if err != nil {
			t.Fatalf("%s: bundle.ReadFile: %v", name, err)
		}
		pile := bundle.NewPile()
		keys, err := pile.ReadFile(path, bundle.SourceInput, password)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if pile.Len() != len(dedup(want.Certs)) || len(keys) != len(want.Keys) {
			t.Errorf("%s: pile %d certificates %d keys; Read %d and %d", name, pile.Len(), len(keys), len(want.Certs), len(want.Keys))
		}
	}
}

func dedup(certs []*x509.Certificate) []*x509.Certificate {
	var out []*x509.Certificate
	for _, c := range certs {
		seen := false
		for _, o := range out {
			seen = seen || o.Equal(c)
		}
		if !seen {
			out = append(out, c)
		}
	}
	return out
}

func TestPileReadFileErrors(t *testing.T) {
	dir := t.TempDir()
	pile := bundle.NewPile()
	if _, err := pile.ReadFile(filepath.Join(dir, "nope.pem"), bundle.SourceInput, nil); err == nil || !strings.Contains(err.Error(), "nope.pem: no such file") {
		t.Errorf("missing file: %v", err)
	}
	if _, err := pile.ReadFile(dir, bundle.SourceInput, nil); err == nil || !strings.Contains(err.Error(), "is a directory") {
		t.Errorf("directory: %v", err)
	}
}

// FuzzScan checks the pile's cryptobyte reading against crypto/x509: any
// DER that x509.ParseCertificate accepts is indexed under the same
// subject, and nothing panics on any input.
func FuzzScan(f *testing.F) {
	for _, c := range []*testpki.Cert{leaf, inter, root, impostor} {
		f.Add(c.DER())
		f.Add(c.PEM())
	}
	f.Add([]byte("-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		pile := bundle.NewPile()
		_, _ = pile.Read(data, in, nil)
		cert, err := x509.ParseCertificate(data)
		if err != nil {
			return
		}
		pile = bundle.NewPile()
		if err := pile.AddDER(data, in); err != nil {
			t.Fatalf("x509 parses it but the pile refuses it: %v", err)
		}
		c, err := bundle.Build(t.Context(), pile, nil, bundle.BuildOptions{Roots: &bundle.Roots{}, Leaf: cert, At: testpki.Now})
		if err == nil && !c.Leaf().Equal(cert) {
			t.Fatalf("built for another leaf")
		}
	})
}

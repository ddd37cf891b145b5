package bundle

import (
	"crypto/x509"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestReadRealWorld reads the fourteen chains public sites served (in
// ../shared/realworld, skipped when absent) and summarizes them at the
// moment each was valid: the leaf names its host, every certificate is in
// its validity window, and leaf, intermediates (the issuer, and for two
// sites a cross-signed root) and root link by signature in that order.
func TestReadRealWorld(t *testing.T) {
	dir := filepath.Join("..", "..", "shared", "realworld")
	cases, _ := filepath.Glob(filepath.Join(dir, "*", "case.json"))
	if len(cases) == 0 {
		t.Skip("no real-world chains in " + dir)
	}
	for _, c := range cases {
		site := filepath.Dir(c)
		t.Run(filepath.Base(site), func(t *testing.T) {
			var meta struct {
				Host           string    `json:"host"`
				ValidationTime time.Time `json:"validation_time"`
			}
			data, err := os.ReadFile(c)
			if err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(data, &meta); err != nil {
				t.Fatal(err)
			}
			leaf := readOne(t, filepath.Join(site, "leaf.pem"), 1)[0]
			inters := readOne(t, filepath.Join(site, "intermediates.pem"), -1)
			root := readOne(t, filepath.Join(site, "root.pem"), 1)[0]

			s := Summarize(leaf, meta.ValidationTime)
			if s.Role != RoleLeaf || s.Expired || s.NotYetValid || s.DaysLeft < 0 {
				t.Errorf("leaf at %s: role %s, %s", meta.ValidationTime, s.Role, s.Validity(meta.ValidationTime))
			}
			if leaf.VerifyHostname(meta.Host) != nil {
				t.Errorf("leaf names %v, not %s", s.DNSNames, meta.Host)
			}
			if len(s.SHA256) != 64 || s.SubjectKeyID == "" && s.AuthorityKeyID == "" {
				t.Errorf("fingerprint or key IDs missing: %+v", s)
			}
			if r := Summarize(root, meta.ValidationTime); r.Role != RoleRoot || !r.SelfSigned {
				t.Errorf("root: role %s", r.Role)
			}
			issuer := issuerOf(leaf, inters)
			if issuer == nil {
				t.Fatalf("no intermediate signed the leaf")
			}
			if i := Summarize(issuer, meta.ValidationTime); i.Role != RoleIntermediate || i.Expired {
				t.Errorf("intermediate: role %s, %s", i.Role, i.Validity(meta.ValidationTime))
			}
			all := append(append([]*x509.Certificate{leaf}, inters...), root)
			line, linked := LinkLine(all)
			if !linked || strings.Count(line, " -> ") != len(all)-1 {
				t.Errorf("leaf, intermediates, root: %s", line)
			}
		})
	}
}

// readOne reads a file expecting want certificates (-1: at least one).
func readOne(t *testing.T, path string, want int) []*x509.Certificate {
	t.Helper()
	got, err := ReadFile(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if (want < 0 && len(got.Certs) == 0) || (want >= 0 && len(got.Certs) != want) || len(got.Keys) != 0 {
		t.Fatalf("%s: %d certificates, %d keys", path, len(got.Certs), len(got.Keys))
	}
	return got.Certs
}

func issuerOf(cert *x509.Certificate, candidates []*x509.Certificate) *x509.Certificate {
	for _, c := range candidates {
		if cert.CheckSignatureFrom(c) == nil {
			return c
		}
	}
	return nil
}

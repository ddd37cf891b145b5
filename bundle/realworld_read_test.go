package bundle

import (
	"crypto/x509"
	"strings"
	"testing"

	"github.com/chaintool/chaintool/internal/testpki"
)

// TestReadRealWorld reads the fourteen chains public sites served (in
// ../shared/realworld, skipped when absent) and summarizes them at the
// moment each was valid: the leaf names its host, every certificate is in
// its validity window, and leaf, intermediates (the issuer, and for two
// sites a cross-signed root) and root link by signature in that order.
func TestReadRealWorld(t *testing.T) {
	for _, rw := range testpki.LoadRealWorld(t) {
		t.Run(rw.Name, func(t *testing.T) {
			leaf := readOne(t, rw.File("leaf.pem"), 1)[0]
			inters := readOne(t, rw.File("intermediates.pem"), -1)
			root := readOne(t, rw.File("root.pem"), 1)[0]

			s := Summarize(leaf, rw.At)
			if s.Role != RoleLeaf || s.Expired || s.NotYetValid || s.DaysLeft < 0 {
				t.Errorf("leaf at %s: role %s, %s", rw.At, s.Role, s.Validity(rw.At))
			}
			if leaf.VerifyHostname(rw.Host) != nil {
				t.Errorf("leaf names %v, not %s", s.DNSNames, rw.Host)
			}
			if len(s.SHA256) != 64 || s.SubjectKeyID == "" && s.AuthorityKeyID == "" {
				t.Errorf("fingerprint or key IDs missing: %+v", s)
			}
			if r := Summarize(root, rw.At); r.Role != RoleRoot || !r.SelfSigned {
				t.Errorf("root: role %s", r.Role)
			}
			issuer := issuerOf(leaf, inters)
			if issuer == nil {
				t.Fatalf("no intermediate signed the leaf")
			}
			if i := Summarize(issuer, rw.At); i.Role != RoleIntermediate || i.Expired {
				t.Errorf("intermediate: role %s, %s", i.Role, i.Validity(rw.At))
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

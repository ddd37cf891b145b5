package grade

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chaintool/chaintool/bundle"
	"github.com/chaintool/chaintool/internal/testpki"
)

// fetchGives is an Options.Complete that "downloads" certs, whatever the
// chain.
func fetchGives(certs ...*testpki.Cert) func(context.Context, []*x509.Certificate) ([]*x509.Certificate, error) {
	return func(context.Context, []*x509.Certificate) ([]*x509.Certificate, error) {
		return testpki.X509(certs...), nil
	}
}

// fetchFails is an Options.Complete whose downloads fail with msg.
func fetchFails(msg string) func(context.Context, []*x509.Certificate) ([]*x509.Certificate, error) {
	return func(context.Context, []*x509.Certificate) ([]*x509.Certificate, error) {
		return nil, errors.New(msg)
	}
}

func rootsOf(certs ...*x509.Certificate) *bundle.Roots {
	r := &bundle.Roots{}
	for _, c := range certs {
		r.Add(bundle.Anchor{Cert: c, Source: "test"})
	}
	return r
}

// TestCertificateCaps maps chains to the caps of the rating guide: an
// incomplete chain is B only when its issuer can be fetched (AIA) and the
// path then reaches a trusted root, else T; dates and SHA-1 are T, a name
// mismatch M.
func TestCertificateCaps(t *testing.T) {
	const aia = "http://127.0.0.1:9/inter.der"
	root := testpki.NewRoot("Caps Root")
	inter := root.NewIntermediate("Caps Intermediate", testpki.AIA("http://127.0.0.1:9/root.der"))
	leaf := inter.NewLeaf("caps.test")
	aiaLeaf := inter.NewLeaf("caps.test", testpki.AIA(aia))
	unknownRoot := testpki.NewRoot("Unknown Root")
	unknownInter := unknownRoot.NewIntermediate("Unknown Intermediate")
	rsaInter := root.NewIntermediate("Caps RSA Intermediate", testpki.Key(testpki.RSA2048))
	long := []*testpki.Cert{unknownInter}
	for i := range 11 {
		long = append([]*testpki.Cert{long[0].NewIntermediate(fmt.Sprintf("Caps Deep %d", i))}, long...)
	}
	long = append([]*testpki.Cert{long[0].NewLeaf("caps.test")}, long...)
	tests := []struct {
		name     string
		chain    []*testpki.Cert
		complete func(context.Context, []*x509.Certificate) ([]*x509.Certificate, error)
		want     []string // "GRADE: reason substring", exactly these caps
		trusted  bool
	}{
		{name: "complete", chain: []*testpki.Cert{leaf, inter}, trusted: true},
		{name: "unknown CA, no AIA", chain: []*testpki.Cert{unknownRoot.NewLeaf("caps.test")},
			want: []string{`T: certificate not trusted: the issuer of "caps.test" ("Unknown Root") is neither sent nor a trusted root, and "caps.test" names no URL to fetch it from`}},
		{name: "unknown root above the intermediate, no AIA", chain: []*testpki.Cert{unknownInter.NewLeaf("caps.test"), unknownInter},
			want: []string{`T: certificate not trusted: the issuer of "Unknown Intermediate" ("Unknown Root")`}},
		{name: "missing intermediate without AIA", chain: []*testpki.Cert{leaf},
			want: []string{`T: certificate not trusted: the issuer of "caps.test" ("Caps Intermediate") is neither sent nor a trusted root, and "caps.test" names no URL`}},
		{name: "missing intermediate with AIA, not fetched", chain: []*testpki.Cert{aiaLeaf},
			want: []string{"B: incomplete chain: the issuer of \"caps.test\" (\"Caps Intermediate\") is neither sent nor a trusted root; it was not fetched from the AIA URL " + aia + " (SSL Labs fetches it"}},
		{name: "missing intermediate with AIA, fetched", chain: []*testpki.Cert{aiaLeaf}, complete: fetchGives(inter),
			want:    []string{"B: incomplete chain: the issuer of \"caps.test\" (\"Caps Intermediate\") is neither sent nor a trusted root; fetched from the AIA URL " + aia + ", the path reaches a trusted root"},
			trusted: true},
		{name: "missing intermediate with AIA, fetch fails", chain: []*testpki.Cert{aiaLeaf}, complete: fetchGives(),
			want: []string{"T: certificate not trusted: the issuer of \"caps.test\" (\"Caps Intermediate\") is neither sent nor a trusted root, and fetching it from the AIA URL " + aia + " gave no trusted path"}},
		{name: "missing intermediate with AIA, download fails", chain: []*testpki.Cert{aiaLeaf}, complete: fetchFails("AIA " + aia + " (connection refused)"),
			want: []string{"T: certificate not trusted: the issuer of \"caps.test\" (\"Caps Intermediate\") is neither sent nor a trusted root, and completing it from the AIA URL " + aia + " failed: AIA " + aia + " (connection refused)"}},
		{name: "expired leaf", chain: []*testpki.Cert{inter.NewLeaf("caps.test", testpki.Expired()), inter},
			want: []string{"T: certificate not trusted: the leaf \"caps.test\" expired on"}},
		{name: "leaf not yet valid", chain: []*testpki.Cert{inter.NewLeaf("caps.test", testpki.NotYetValid()), inter},
			want: []string{"T: certificate not trusted: the leaf \"caps.test\" is not valid before"}},
		{name: "expired intermediate", chain: []*testpki.Cert{leaf, root.NewIntermediate("Caps Intermediate", testpki.WithKey(inter.Key), testpki.Expired())},
			want: []string{"T: certificate not trusted: the intermediate \"Caps Intermediate\" expired on"}},
		{name: "SHA-1 leaf", chain: []*testpki.Cert{rsaInter.NewLeaf("caps.test", testpki.SignatureAlgorithm(x509.SHA1WithRSA)), rsaInter},
			want: []string{`T: certificate not trusted: "caps.test" is signed with SHA-1`}},
		{name: "self-signed", chain: []*testpki.Cert{testpki.NewRoot("caps.test", testpki.NotCA(), testpki.DNS("caps.test"), testpki.EKU(x509.ExtKeyUsageServerAuth))},
			want: []string{`T: certificate not trusted: the leaf "caps.test" is self-signed`}},
		{name: "too long to search, untrusted", chain: long,
			want: []string{`T: certificate not trusted: the path from the leaf is longer than 10 certificates, where the search stops`}},
		{name: "another name", chain: []*testpki.Cert{inter.NewLeaf("other.test"), inter},
			want: []string{"M: certificate name mismatch: "}, trusted: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := Options{Roots: rootsOf(root.Cert), At: testpki.Now, Complete: tt.complete}
			res, caps := certificateResult(testpki.X509(tt.chain...), opts, "caps.test", nil)
			checkCaps(t, caps, tt.want)
			if res.Trusted != tt.trusted {
				t.Errorf("trusted %v, want %v", res.Trusted, tt.trusted)
			}
		})
	}
}

// TestSHA1IntermediateCap: an intermediate signed with SHA-1 by the root
// is T; the root's own (self-)signature does not count: the same
// intermediate signed with SHA-256 under that root is no cap.
func TestSHA1IntermediateCap(t *testing.T) {
	root := testpki.NewRoot("SHA-1 Root", testpki.Key(testpki.RSA2048), testpki.SignatureAlgorithm(x509.SHA1WithRSA))
	inter := root.NewIntermediate("SHA-1 Intermediate", testpki.SignatureAlgorithm(x509.SHA1WithRSA))
	leaf := inter.NewLeaf("caps.test")
	opts := Options{Roots: rootsOf(root.Cert), At: testpki.Now}
	_, caps := certificateResult(testpki.X509(leaf, inter, root), opts, "caps.test", nil)
	checkCaps(t, caps, []string{`T: certificate not trusted: "SHA-1 Intermediate" is signed with SHA-1`})
	_, caps = certificateResult(testpki.X509(inter.NewLeaf("caps.test"), root.NewIntermediate("SHA-1 Intermediate",
		testpki.WithKey(inter.Key))), opts, "caps.test", nil)
	checkCaps(t, caps, nil)
}

// TestMD5Cap: a leaf signed with MD5 caps the grade at F. Go refuses to
// sign with MD5, so openssl signs it, with a CA made by testpki.
func TestMD5Cap(t *testing.T) {
	openssl := testpki.NeedTool(t, "openssl")
	dir := t.TempDir()
	ca := testpki.NewRoot("MD5 CA", testpki.Key(testpki.RSA2048))
	leafKey := testpki.NewRoot("key holder") // only its key is used
	for name, data := range map[string][]byte{"ca.pem": ca.PEM(), "ca.key": ca.KeyPEM(), "leaf.key": leafKey.KeyPEM()} {
		write(t, filepath.Join(dir, name), string(data))
	}
	cmd := exec.Command(openssl, "req", "-new", "-x509", "-key", "leaf.key", "-subj", "/CN=md5.test",
		"-CA", "ca.pem", "-CAkey", "ca.key", "-md5", "-days", "30",
		"-addext", "subjectAltName=DNS:md5.test", "-addext", "extendedKeyUsage=serverAuth",
		"-addext", "basicConstraints=critical,CA:FALSE", "-out", "leaf.pem")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("openssl: %v\n%s", err, out)
	}
	data, err := os.ReadFile(filepath.Join(dir, "leaf.pem"))
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(data)
	if block == nil {
		t.Fatalf("openssl wrote no PEM: %q", data)
	}
	leaf, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	if leaf.SignatureAlgorithm != x509.MD5WithRSA {
		t.Fatalf("leaf signed with %v", leaf.SignatureAlgorithm)
	}
	opts := Options{Roots: rootsOf(ca.Cert), At: leaf.NotBefore.Add(time.Hour)}
	_, caps := certificateResult([]*x509.Certificate{leaf}, opts, "md5.test", nil)
	checkCaps(t, caps, []string{`F: "md5.test" is signed with MD5-RSA`})
	if r := rate(ratingInput{offered: map[uint16]bool{VersionTLS13: true}, certCaps: caps}); r.grade != "F" {
		t.Errorf("grade %s, want F", r.grade)
	}
}

// checkCaps wants exactly one cap per entry of want, each starting with
// it ("GRADE: reason prefix"), in any order.
func checkCaps(t *testing.T, caps []Cap, want []string) {
	t.Helper()
	got := capStrings(caps)
	ok := len(got) == len(want)
	for _, w := range want {
		found := false
		for _, g := range got {
			found = found || strings.HasPrefix(g, w)
		}
		ok = ok && found
	}
	if !ok {
		t.Errorf("caps\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

package bundle

import (
	"crypto/x509"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/chaintool/chaintool/internal/testpki"
)

func TestSummarizeFixtureLeaf(t *testing.T) {
	leaf, inter, root := fixtureChain(t)
	now := leaf.NotAfter.Add(-10*24*time.Hour - time.Hour)
	s := Summarize(leaf, now)
	want := CertSummary{
		Subject: "CN=localhost", Issuer: "CN=chaintool test intermediate,O=chaintool test", Name: "localhost",
		Serial: "20:02", DaysLeft: 10, KeyType: "ECDSA", KeyBits: 256, Curve: "P-256",
		SignatureAlgorithm: "ECDSA-SHA256", Role: RoleLeaf,
	}
	if s.Subject != want.Subject || s.Issuer != want.Issuer || s.Name != want.Name || s.Serial != want.Serial ||
		s.DaysLeft != want.DaysLeft || s.KeyType != want.KeyType || s.KeyBits != want.KeyBits || s.Curve != want.Curve ||
		s.SignatureAlgorithm != want.SignatureAlgorithm || s.Role != want.Role || s.IsCA || s.SelfSigned || s.Expired {
		t.Errorf("summary\n got %+v\nwant %+v", s, want)
	}
	if strings.Join(s.DNSNames, ",") != "localhost,www.example.test" || strings.Join(s.IPAddresses, ",") != "127.0.0.1" {
		t.Errorf("SANs %v %v", s.DNSNames, s.IPAddresses)
	}
	if strings.Join(s.ExtKeyUsage, ",") != "serverAuth" || strings.Join(s.KeyUsage, ",") != "digitalSignature" {
		t.Errorf("usages %v %v", s.KeyUsage, s.ExtKeyUsage)
	}
	if s.AuthorityKeyID != Summarize(inter, now).SubjectKeyID || s.AuthorityKeyID == "" {
		t.Errorf("AKI %q does not name the intermediate's SKI", s.AuthorityKeyID)
	}
	if len(s.SHA256) != 64 || s.SHA256 == Summarize(inter, now).SHA256 {
		t.Errorf("fingerprint %q", s.SHA256)
	}
	if got := s.Validity(now); got != "10 days left" {
		t.Errorf("validity %q", got)
	}
	if r := Summarize(root, now); r.Role != RoleRoot || !r.SelfSigned || !r.IsCA {
		t.Errorf("root: role %q self-signed %v", r.Role, r.SelfSigned)
	}
	if i := Summarize(inter, now); i.Role != RoleIntermediate || i.SelfSigned {
		t.Errorf("intermediate: role %q", i.Role)
	}
}

func TestSummaryValidity(t *testing.T) {
	_, _, leaf := readChain(t)
	c := leaf.Cert
	day := 24 * time.Hour
	tests := []struct {
		now  time.Time
		want string
		left int
	}{
		{c.NotAfter.Add(-day - time.Hour), "1 day left", 1},
		{c.NotAfter.Add(-time.Hour), "expires within a day", 0},
		{c.NotAfter.Add(time.Hour), "expired less than a day ago", 0},
		{c.NotAfter.Add(3*day + time.Hour), "expired 3 days ago", -3},
		{c.NotBefore.Add(-2*day - time.Hour), "not valid until " + c.NotBefore.Format(time.DateOnly) + " (in 2 days)", wholeDays(c.NotBefore.Add(-2*day-time.Hour), c.NotAfter)},
	}
	for _, tt := range tests {
		s := Summarize(c, tt.now)
		if got := s.Validity(tt.now); got != tt.want || s.DaysLeft != tt.left {
			t.Errorf("at %s: %q (days_left %d), want %q (%d)", tt.now, got, s.DaysLeft, tt.want, tt.left)
		}
		if r := Summarize(c, c.NotBefore).JudgedAt(tt.now); r.DaysLeft != s.DaysLeft || r.Expired != s.Expired || r.NotYetValid != s.NotYetValid {
			t.Errorf("at %s: judged again, days_left %d expired %v not_yet_valid %v, want %d %v %v",
				tt.now, r.DaysLeft, r.Expired, r.NotYetValid, s.DaysLeft, s.Expired, s.NotYetValid)
		}
	}
}

func TestSummarizeKeyTypes(t *testing.T) {
	root := testpki.NewRoot("Keys Root")
	tests := []struct {
		kt   testpki.KeyType
		desc string
		bits int
	}{
		{testpki.ECDSAP256, "ECDSA P-256", 256},
		{testpki.ECDSAP384, "ECDSA P-384", 384},
		{testpki.RSA2048, "RSA 2048 bits", 2048},
		{testpki.Ed25519, "Ed25519", 256},
	}
	for _, tt := range tests {
		leaf := root.NewLeaf("k.test", testpki.Key(tt.kt))
		s := Summarize(leaf.Cert, testpki.Now)
		if s.KeyDescription() != tt.desc || s.KeyBits != tt.bits {
			t.Errorf("%s: got %q %d bits", tt.desc, s.KeyDescription(), s.KeyBits)
		}
		k := SummarizeKey(leaf.Key, []*x509.Certificate{root.Cert, leaf.Cert})
		if k.Description() != tt.desc || len(k.Matches) != 1 || k.Matches[0] != 1 {
			t.Errorf("%s key: %q matches %v, want certificate 1", tt.desc, k.Description(), k.Matches)
		}
	}
	other := SummarizeKey(testpki.NewKey(testpki.ECDSAP256), []*x509.Certificate{root.Cert})
	if len(other.Matches) != 0 {
		t.Errorf("unrelated key matches %v", other.Matches)
	}
}

func TestLinkLine(t *testing.T) {
	root, inter, leaf := readChain(t)
	other := testpki.NewRoot("Other Root")
	tests := []struct {
		certs  []*testpki.Cert
		want   string
		linked bool
	}{
		{[]*testpki.Cert{leaf, inter, root}, "CN=read.test -> CN=Read Intermediate -> CN=Read Root", true},
		{[]*testpki.Cert{leaf}, "CN=read.test", true},
		{[]*testpki.Cert{root, inter, leaf}, "not a chain in this order; reversed it is CN=read.test -> CN=Read Intermediate -> CN=Read Root", false},
		{[]*testpki.Cert{leaf, root}, "not a chain: CN=read.test (#1) is not signed by CN=Read Root (#2)", false},
		{[]*testpki.Cert{leaf, inter, other}, "not a chain: CN=Read Intermediate (#2) is not signed by CN=Other Root (#3)", false},
	}
	for _, tt := range tests {
		got, linked := LinkLine(testpki.X509(tt.certs...))
		if got != tt.want || linked != tt.linked {
			t.Errorf("got %q %v, want %q %v", got, linked, tt.want, tt.linked)
		}
	}
	// An impostor with the right name and key ID but another key does not link.
	impostor := testpki.Impostor(inter, root)
	if line, linked := LinkLine(testpki.X509(leaf, impostor)); linked {
		t.Errorf("impostor links: %q", line)
	}
}

// TestSummaryJSONSchema pins the JSON keys: the schema is documented and
// stable, so a renamed or dropped key must fail here.
func TestSummaryJSONSchema(t *testing.T) {
	_, _, leaf := readChain(t)
	b, err := json.Marshal(Summarize(leaf.Cert, testpki.Now))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	want := []string{"subject", "issuer", "name", "serial", "not_before", "not_after", "days_left",
		"expired", "not_yet_valid", "key_type", "key_bits", "curve", "signature_algorithm", "dns_names",
		"ip_addresses", "email_addresses", "uris", "sha256", "subject_key_id", "authority_key_id", "is_ca",
		"role", "self_signed", "key_usage", "ext_key_usage", "ocsp_servers", "ca_issuers"}
	for _, k := range want {
		if _, ok := m[k]; !ok {
			t.Errorf("JSON lacks %q", k)
		}
	}
	if len(m) != len(want) {
		t.Errorf("JSON has %d keys, want %d: %s", len(m), len(want), b)
	}
	if string(jsonOf(t, m["uris"])) != "[]" {
		t.Errorf("empty list is %s, want []", jsonOf(t, m["uris"]))
	}
}

func jsonOf(t *testing.T, v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

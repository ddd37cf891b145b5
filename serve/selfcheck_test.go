package serve

import (
	"context"
	"encoding/json"
	"net"
	"testing"
	"time"

	"github.com/chaintool/chaintool/bundle"
	"github.com/chaintool/chaintool/internal/testpki"
)

func demoRoots(t testing.TB) *bundle.Roots {
	r := &bundle.Roots{}
	r.Add(bundle.Anchor{Cert: testDemo(t).Root, Source: "demo"})
	return r
}

// TestSelfCheck grades the demo server: A+ with the profile's scores,
// shown on the page afterwards; a short HSTS max-age costs the A+.
func TestSelfCheck(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s := startTest(t, Options{})
	sg, err := s.SelfCheck(ctx, demoRoots(t))
	if err != nil {
		t.Fatal(err)
	}
	if sg.Grade != "A+" || sg.ProtocolScore != 100 || sg.KeyExchangeScore != 100 || sg.CipherScore != 90 ||
		len(sg.Caps) != 0 || len(sg.Warnings) != 0 {
		t.Errorf("demo graded %s %d/%d/%d, caps %v, warnings %v", sg.Grade, sg.ProtocolScore, sg.KeyExchangeScore,
			sg.CipherScore, sg.Caps, sg.Warnings)
	}
	if sg.ServerName != "localhost" || sg.Target != s.Addr().String() {
		t.Errorf("graded %s as %q", sg.Target, sg.ServerName)
	}
	_, body := get(t, httpClient(t, clientConfig(t)), s.URL()+"?format=json")
	var page struct {
		SelfGrade struct {
			Grade     string    `json:"grade"`
			CheckedAt time.Time `json:"checked_at"`
		} `json:"self_grade"`
	}
	if err := json.Unmarshal([]byte(body), &page); err != nil {
		t.Fatal(err)
	}
	if page.SelfGrade.Grade != "A+" || page.SelfGrade.CheckedAt.IsZero() {
		t.Errorf("page self_grade = %+v", page.SelfGrade)
	}

	short := startTest(t, Options{HSTS: &HSTS{MaxAge: 86400, IncludeSubDomains: true}})
	sg, err = short.SelfCheck(ctx, demoRoots(t))
	if err != nil {
		t.Fatal(err)
	}
	if sg.Grade != "A-" || len(sg.Warnings) == 0 {
		t.Errorf("one-day HSTS graded %s, warnings %v; want A- with a warning", sg.Grade, sg.Warnings)
	}
}

// TestSelfCheckRSA grades an RSA-2048 chain, the bench's: A+ with key
// exchange 90, as GRADING.md computes it.
func TestSelfCheckRSA(t *testing.T) {
	root := testpki.NewRoot("RSA Root", testpki.Key(testpki.RSA2048))
	leaf := root.NewLeaf("localhost", testpki.Key(testpki.RSA2048),
		testpki.Validity(time.Now().Add(-time.Hour), time.Now().Add(24*time.Hour)))
	s, err := Start(&Certificate{Chain: testpki.X509(leaf), Key: leaf.Key}, Options{Addr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	roots := &bundle.Roots{}
	roots.Add(bundle.Anchor{Cert: root.Cert, Source: "test"})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	sg, err := s.SelfCheck(ctx, roots)
	if err != nil {
		t.Fatal(err)
	}
	if sg.Grade != "A+" || sg.KeyExchangeScore != 90 || sg.Score != 93 {
		t.Errorf("RSA-2048 graded %s, score %d, key exchange %d; want A+, 93, 90", sg.Grade, sg.Score, sg.KeyExchangeScore)
	}
}

func TestLoopbackAddr(t *testing.T) {
	for in, want := range map[string]string{
		"0.0.0.0:8443":   "127.0.0.1:8443",
		"[::]:8443":      "127.0.0.1:8443",
		"127.0.0.1:8443": "127.0.0.1:8443",
		"[::1]:1":        "[::1]:1",
	} {
		a, _ := net.ResolveTCPAddr("tcp", in)
		if got := loopbackAddr(a); got != want {
			t.Errorf("loopbackAddr(%s) = %s, want %s", in, got, want)
		}
	}
}

func TestClientName(t *testing.T) {
	for _, tc := range []struct {
		opts []testpki.Option
		want string
	}{
		{[]testpki.Option{testpki.DNS("www.example.com", "example.com")}, "www.example.com"},
		{[]testpki.Option{testpki.DNS("*.example.com")}, "www.example.com"},
		{[]testpki.Option{testpki.DNS(), testpki.IP("192.0.2.1")}, "192.0.2.1"},
		{[]testpki.Option{testpki.DNS()}, "cn.example"},
	} {
		leaf := testpki.NewRoot("Name Root").NewLeaf("cn.example", tc.opts...)
		if got := ClientName(leaf.Cert); got != tc.want {
			t.Errorf("ClientName(%v, %v) = %q, want %q", leaf.Cert.DNSNames, leaf.Cert.IPAddresses, got, tc.want)
		}
	}
}

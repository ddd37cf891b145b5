package serve

import (
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chaintool/chaintool/bundle"
	"github.com/chaintool/chaintool/grade"
	"github.com/chaintool/chaintool/internal/testpki"
)

func TestPageJSON(t *testing.T) {
	s := startTest(t, Options{})
	for _, tc := range []struct {
		maxVersion     uint16
		version, group string
	}{
		{tls.VersionTLS13, "TLS 1.3", "X25519MLKEM768"},
		{tls.VersionTLS12, "TLS 1.2", "X25519"},
	} {
		cfg := clientConfig(t)
		cfg.MaxVersion = tc.maxVersion
		resp, body := get(t, httpClient(t, cfg), s.URL()+"?format=json")
		if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
			t.Errorf("Content-Type %q", ct)
		}
		var page map[string]any
		if err := json.Unmarshal([]byte(body), &page); err != nil {
			t.Fatalf("%v\n%s", err, body)
		}
		conn := page["connection"].(map[string]any)
		if conn["tls_version"] != tc.version || conn["group"] != tc.group || conn["http_protocol"] != "HTTP/2.0" ||
			conn["server_name"] != "localhost" || conn["cipher_suite"] != tls.CipherSuiteName(resp.TLS.CipherSuite) {
			t.Errorf("connection = %v, want %s with %s", conn, tc.version, tc.group)
		}
		chain := page["chain"].([]any)
		if len(chain) != 2 {
			t.Fatalf("chain has %d certificates, want 2", len(chain))
		}
		leaf := chain[0].(map[string]any)
		if leaf["role"] != "leaf" || leaf["subject"] != "CN=localhost" || leaf["curve"] != "P-256" ||
			leaf["days_left"].(float64) < 88 || len(leaf["sha256"].(string)) != 64 {
			t.Errorf("leaf = %v", leaf)
		}
		if chain[1].(map[string]any)["role"] != "intermediate" {
			t.Errorf("second certificate = %v", chain[1])
		}
		if page["hsts"] != "max-age=63072000; includeSubDomains" || page["self_grade"] != nil {
			t.Errorf("hsts %v, self_grade %v", page["hsts"], page["self_grade"])
		}
	}
	req, _ := http.NewRequest("GET", s.URL(), nil)
	req.Header.Set("Accept", "application/json")
	resp, err := httpClient(t, clientConfig(t)).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Accept: application/json got %q", ct)
	}
}

func TestPageHTML(t *testing.T) {
	root := testpki.NewRoot("Root <script>alert(1)</script>")
	leaf := root.NewLeaf("localhost", testpki.Subject(pkix.Name{CommonName: "<b>evil</b>"}),
		testpki.Validity(time.Now().Add(-time.Hour), time.Now().Add(240*time.Hour)))
	s, err := Start(&Certificate{Chain: testpki.X509(leaf, root), Key: leaf.Key}, Options{Addr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	cfg := &tls.Config{RootCAs: testpki.Pool(root), ServerName: "localhost"}
	resp, body := get(t, httpClient(t, cfg), s.URL())
	if ct := resp.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	for _, want := range []string{"TLS 1.3", "X25519MLKEM768", `\&lt;b\&gt;evil`, "9 days left", "root", "Not graded yet"} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if strings.Contains(body, "<script>alert") || strings.Contains(body, "<b>evil") {
		t.Error("page does not escape certificate names")
	}
	s.grade.Store(&SelfGrade{Result: &grade.Result{Grade: "A+", Score: 93, ProtocolScore: 100, KeyExchangeScore: 90, CipherScore: 90,
		Warnings: []string{"a warning"}}, CheckedAt: time.Now()})
	_, body = get(t, httpClient(t, cfg), s.URL())
	for _, want := range []string{`class="grade">A&#43;<`, "score 93", "a warning"} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %q after a self-grade", want)
		}
	}
}

func TestDemo(t *testing.T) {
	d := testDemo(t)
	if len(d.Certificate.Chain) != 2 || !d.Root.IsCA || !d.Certificate.Chain[1].IsCA {
		t.Fatal("demo is not leaf, intermediate and root")
	}
	inters := x509.NewCertPool()
	inters.AddCert(d.Certificate.Chain[1])
	roots := x509.NewCertPool()
	roots.AddCert(d.Root)
	for _, name := range DemoNames {
		if _, err := d.Certificate.Chain[0].Verify(x509.VerifyOptions{DNSName: name, Roots: roots, Intermediates: inters}); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, bits, curve := bundle.PublicKeyInfo(d.Certificate.Chain[0].PublicKey); curve != "P-256" || bits != 256 {
		t.Errorf("demo key %s %d", curve, bits)
	}
}

// TestRefreshJudgesAsInspect: the page's day counts, judged again at each
// request, are inspect's (whole days, truncated), also once expired.
func TestRefreshJudgesAsInspect(t *testing.T) {
	c := testpki.NewRoot("Page Root").NewLeaf("page.example.com").Cert
	now := c.NotAfter.Add(2*24*time.Hour + 12*time.Hour)
	got := refresh(summaries([]*x509.Certificate{c}), now)[0]
	want := bundle.Summarize(c, now)
	if got.DaysLeft != want.DaysLeft || got.Expired != want.Expired || got.NotYetValid != want.NotYetValid || got.DaysLeft != -2 {
		t.Errorf("page: days_left %d expired %v, inspect: %d %v (want -2)", got.DaysLeft, got.Expired, want.DaysLeft, want.Expired)
	}
}

package grade

import (
	"context"
	"strings"
	"testing"

	"github.com/chaintool/chaintool/internal/testpki"
)

// mozillaIntermediate is Mozilla's "intermediate" TLS 1.2 suite list.
const mozillaIntermediate = "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:" +
	"ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:" +
	"ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305"

const hstsTwoYears = "max-age=63072000; includeSubDomains"

// expectation is the grade SSL Labs' guide gives a configuration.
type expectation struct {
	grade                    string
	score, proto, kx, cipher int
	caps, warnings, notes    []string // substrings that must appear
	protocols                []string // offered, exactly
	suitesTLS12, suitesTLS13 []string // OpenSSL names accepted, exactly (nil: not checked)
}

// agreementCase is one nginx configuration and its expected grade.
type agreementCase struct {
	site *nginxSite
	want expectation
	aia  bool // grade with Options.Complete (AIA downloads), as --aia
}

var modernProtocols = []string{"TLS 1.2", "TLS 1.3"}

func agreementCases() []agreementCase {
	tls13 := []string{"TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256", "TLS_AES_128_GCM_SHA256"}
	rsaAEAD := []string{"ECDHE-RSA-AES256-GCM-SHA384", "ECDHE-RSA-CHACHA20-POLY1305", "ECDHE-RSA-AES128-GCM-SHA256"}
	profile := func(name, cert string) *nginxSite {
		return &nginxSite{name: name, cert: cert, protocols: "TLSv1.2 TLSv1.3", ciphers: mozillaIntermediate, hsts: hstsTwoYears}
	}
	nohsts := profile("no HSTS", "rsa")
	nohsts.hsts = ""
	short := profile("short HSTS", "rsa")
	short.hsts = "max-age=86400"
	return []agreementCase{
		{site: profile("A+ profile", "rsa"), want: expectation{grade: "A+", score: 93, proto: 100, kx: 90, cipher: 90,
			protocols: modernProtocols, suitesTLS12: rsaAEAD, suitesTLS13: tls13}},
		{site: &nginxSite{name: "TLS 1.0 and 1.1", cert: "rsa", protocols: "TLSv1 TLSv1.1 TLSv1.2 TLSv1.3", hsts: hstsTwoYears,
			ciphers: "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-SHA:ECDHE-RSA-AES256-SHA:@SECLEVEL=0"},
			want: expectation{grade: "B", score: 91, proto: 95, kx: 90, cipher: 90, caps: []string{"TLS 1.0 offered", "TLS 1.1 offered"},
				protocols:   []string{"TLS 1.0", "TLS 1.1", "TLS 1.2", "TLS 1.3"},
				suitesTLS12: []string{"ECDHE-RSA-AES256-GCM-SHA384", "ECDHE-RSA-AES128-GCM-SHA256", "ECDHE-RSA-AES256-SHA", "ECDHE-RSA-AES128-SHA"}}},
		{site: &nginxSite{name: "TLS 1.2 only", cert: "rsa", protocols: "TLSv1.2", ciphers: mozillaIntermediate, hsts: hstsTwoYears},
			want: expectation{grade: "A-", score: 93, proto: 100, kx: 90, cipher: 90, warnings: []string{"TLS 1.3 not supported"},
				protocols: []string{"TLS 1.2"}, suitesTLS12: rsaAEAD}},
		{site: nohsts, want: expectation{grade: "A", score: 93, proto: 100, kx: 90, cipher: 90, notes: []string{"no HSTS header"}}},
		{site: short, want: expectation{grade: "A-", score: 93, proto: 100, kx: 90, cipher: 90, warnings: []string{"under 180 days"}}},
		{site: profile("leaf without intermediate", "leafonly"), want: expectation{grade: "B", score: 93, proto: 100, kx: 90, cipher: 90,
			caps: []string{"B: incomplete chain: ", "it was not fetched from the AIA URL http://127.0.0.1:"}}},
		{site: profile("leaf without intermediate, AIA fetched", "leafonly"), aia: true,
			want: expectation{grade: "B", score: 93, proto: 100, kx: 90, cipher: 90,
				caps: []string{"B: incomplete chain: ", "the path reaches a trusted root"}}},
		{site: profile("unknown CA, no AIA URL", "unknownca"), want: expectation{grade: "T", score: 93, proto: 100, kx: 90, cipher: 90,
			caps: []string{"T: certificate not trusted: ", "names no URL to fetch it from"}}},
		{site: profile("self-signed", "selfsigned"), want: expectation{grade: "T", score: 93, proto: 100, kx: 90, cipher: 90,
			caps: []string{"not trusted"}}},
		{site: &nginxSite{name: "CBC only", cert: "rsa", protocols: "TLSv1.2", hsts: hstsTwoYears,
			ciphers: "ECDHE-RSA-AES128-SHA256:ECDHE-RSA-AES256-SHA384:ECDHE-RSA-AES128-SHA:ECDHE-RSA-AES256-SHA"},
			want: expectation{grade: "B", score: 93, proto: 100, kx: 90, cipher: 90, caps: []string{"no AEAD suite"}, warnings: []string{"TLS 1.3 not supported"},
				suitesTLS12: []string{"ECDHE-RSA-AES256-SHA384", "ECDHE-RSA-AES256-SHA", "ECDHE-RSA-AES128-SHA256", "ECDHE-RSA-AES128-SHA"}}},
		{site: profile("RSA-1024 leaf", "rsa1024"), want: expectation{grade: "B", score: 90, proto: 100, kx: 80, cipher: 90,
			caps: []string{"server key RSA 1024 bits is weak"}}},
		{site: &nginxSite{name: "DHE only, 1024-bit group", cert: "rsa", protocols: "TLSv1.2", hsts: hstsTwoYears,
			ciphers: "DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384", extra: "    ssl_dhparam " + dhParamPath() + ";\n"},
			want: expectation{grade: "B", score: 90, proto: 100, kx: 80, cipher: 90, caps: []string{"weak DH group"}, warnings: []string{"TLS 1.3 not supported"},
				suitesTLS12: []string{"DHE-RSA-AES256-GCM-SHA384", "DHE-RSA-AES128-GCM-SHA256"}}},
		{site: profile("another name", "othername"), want: expectation{grade: "M", score: 93, proto: 100, kx: 90, cipher: 90,
			caps: []string{"name mismatch"}}},
		{site: profile("ECDSA P-256 leaf", "ecdsa"), want: expectation{grade: "A+", score: 96, proto: 100, kx: 100, cipher: 90,
			suitesTLS12: []string{"ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-ECDSA-CHACHA20-POLY1305", "ECDHE-ECDSA-AES128-GCM-SHA256"}}},
		{site: &nginxSite{name: "TLS 1.2 static RSA only", cert: "rsa", protocols: "TLSv1.2", hsts: hstsTwoYears,
			ciphers: "AES128-GCM-SHA256:AES256-GCM-SHA384"},
			want: expectation{grade: "B", score: 93, proto: 100, kx: 90, cipher: 90, caps: []string{"no forward secrecy"}, warnings: []string{"TLS 1.3 not supported"},
				suitesTLS12: []string{"AES256-GCM-SHA384", "AES128-GCM-SHA256"}}},
	}
}

// TestAgreementNginx grades nginx in every configuration the issue lists
// and checks letter, scores, caps and the suites found.
func TestAgreementNginx(t *testing.T) {
	pki := sharedPKI(t)
	cases := agreementCases()
	sites := make([]*nginxSite, len(cases))
	for i, c := range cases {
		sites[i] = c.site
	}
	startNginx(t, pki, sites)
	for _, c := range cases {
		t.Run(c.site.name, func(t *testing.T) {
			t.Parallel()
			opts := Options{ServerName: "localhost", Roots: pki.roots, At: testpki.Now}
			if c.aia {
				opts.Complete = aiaCompleter(pki.roots)
			}
			res := gradeWith(t, c.site.addr(), opts)
			checkExpectation(t, res, c.want)
			crossCheckSSLScan(t, c.site.addr(), res)
		})
	}
}

// TestAgreementPython grades the seed's Python server: A+ (its CBC suites
// are never what a modern client gets, TLS 1.3 being there).
func TestAgreementPython(t *testing.T) {
	pki := sharedPKI(t)
	addr := startPython(t, pki)
	res := gradeLocal(t, addr, pki)
	checkExpectation(t, res, expectation{grade: "A+", score: 93, proto: 100, kx: 90, cipher: 90, protocols: modernProtocols,
		suitesTLS12: []string{"ECDHE-RSA-AES256-GCM-SHA384", "ECDHE-RSA-AES256-SHA384", "ECDHE-RSA-AES256-SHA"}})
	crossCheckSSLScan(t, addr, res)
}

func gradeLocal(t *testing.T, addr string, pki *testPKI) *Result {
	t.Helper()
	return gradeWith(t, addr, Options{ServerName: "localhost", Roots: pki.roots, At: testpki.Now})
}

func gradeWith(t *testing.T, addr string, opts Options) *Result {
	t.Helper()
	res, err := Grade(context.Background(), addr, opts)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func checkExpectation(t *testing.T, res *Result, w expectation) {
	t.Helper()
	got := [5]int{0, res.Score, res.ProtocolScore, res.KeyExchangeScore, res.CipherScore}
	want := [5]int{0, w.score, w.proto, w.kx, w.cipher}
	if res.Grade != w.grade || got != want {
		t.Errorf("got %s score %d (protocol %d, key exchange %d, cipher %d), want %s %d (%d, %d, %d)\ncaps: %v\nwarnings: %v\nproblems: %v",
			res.Grade, res.Score, res.ProtocolScore, res.KeyExchangeScore, res.CipherScore,
			w.grade, w.score, w.proto, w.kx, w.cipher, res.Caps, res.Warnings, res.Problems)
	}
	var caps []string
	for _, c := range res.Caps {
		caps = append(caps, c.Grade+": "+c.Reason)
	}
	mustContain(t, "caps", caps, w.caps)
	mustContain(t, "warnings", res.Warnings, w.warnings)
	mustContain(t, "notes", res.Notes, w.notes)
	if w.caps == nil && len(res.Caps) > 0 {
		t.Errorf("unexpected caps: %v", caps)
	}
	if w.warnings == nil && len(res.Warnings) > 0 {
		t.Errorf("unexpected warnings: %v", res.Warnings)
	}
	if w.protocols != nil {
		if got := offeredNames(res); strings.Join(got, ",") != strings.Join(w.protocols, ",") {
			t.Errorf("protocols %v, want %v", got, w.protocols)
		}
	}
	checkSuites(t, res, "TLS 1.2", w.suitesTLS12)
	checkSuites(t, res, "TLS 1.3", w.suitesTLS13)
	if len(res.Problems) > 0 {
		t.Errorf("probe problems: %v", res.Problems)
	}
}

func mustContain(t *testing.T, what string, got, want []string) {
	t.Helper()
	for _, w := range want {
		found := false
		for _, g := range got {
			found = found || strings.Contains(g, w)
		}
		if !found {
			t.Errorf("%s %q lack %q", what, got, w)
		}
	}
}

func offeredNames(res *Result) []string {
	var out []string
	for _, p := range res.Protocols {
		if p.Offered {
			out = append(out, p.Name)
		}
	}
	return out
}

func suiteNames(res *Result, protocol string) []string {
	var out []string
	for _, s := range res.Suites {
		if s.Protocol == protocol {
			out = append(out, s.OpenSSL)
		}
	}
	return out
}

func checkSuites(t *testing.T, res *Result, protocol string, want []string) {
	t.Helper()
	if want == nil {
		return
	}
	if got := suiteNames(res, protocol); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("%s suites %v, want %v", protocol, got, want)
	}
}

package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chaintool/chaintool/internal/testpki"
)

func verifyLiveChain() (root, inter, leaf *testpki.Cert) {
	root = testpki.NewRoot("Live Root")
	inter = root.NewIntermediate("Live Intermediate")
	leaf = inter.NewLeaf("localhost", testpki.DNS("localhost"), testpki.IP("127.0.0.1", "::1"))
	return root, inter, leaf
}

func TestVerifyLiveServer(t *testing.T) {
	root, inter, leaf := verifyLiveChain()
	roots := writeTempFile(t, "root.pem", root.PEM())

	// A good chain: the host defaults to the address's host, 127.0.0.1.
	code, out, errOut := runMain(t, "verify", "--roots", roots, startTLSServer(t, []*testpki.Cert{leaf, inter}).addr)
	if code != 0 || errOut != "" {
		t.Fatalf("good chain: exit %d, stderr %q, stdout:\n%s", code, errOut, out)
	}
	for _, want := range []string{"\ninfo: negotiated: negotiated TLS 1.3 with ", "\ninfo: no-ocsp-staple: ", "\nok\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("good chain: stdout lacks %q:\n%s", want, out)
		}
	}

	// Without --roots the private root is missing: the hint offers --roots.
	code, out, errOut = runMain(t, "verify", startTLSServer(t, []*testpki.Cert{leaf, inter}).addr)
	if code != 1 || !strings.Contains(out, "\nerror: incomplete-chain: ") || !strings.Contains(errOut,
		`hint: the issuer of "Live Intermediate" is not sent: if it is a private root, trust it with --roots ROOT.pem; if it is an intermediate, 'chaintool bundle' adds it`) {
		t.Errorf("private root not sent: exit %d, stderr %q, stdout:\n%s", code, errOut, out)
	}

	// The issuers sent the wrong way round.
	addr := startTLSServer(t, []*testpki.Cert{leaf, root, inter}).addr
	code, out, errOut = runMain(t, "verify", "--roots", roots, addr)
	if code != 1 || !strings.Contains(out, "\nerror: wrong-order: ") || !strings.Contains(errOut, "chaintool bundle") {
		t.Errorf("reversed chain: exit %d, stderr %q, stdout:\n%s", code, errOut, out)
	}

	// JSON describes the connection; --servername is the default host.
	code, out, _ = runMain(t, "verify", "--json", "--roots", roots, "--servername", "localhost", addr)
	var report struct {
		Host       string `json:"host"`
		Connection struct {
			Address    string `json:"address"`
			ServerName string `json:"server_name"`
			TLSVersion string `json:"tls_version"`
		} `json:"connection"`
		Findings []struct {
			ID string `json:"id"`
		} `json:"findings"`
	}
	if err := json.Unmarshal([]byte(out), &report); err != nil || code != 1 {
		t.Fatalf("json: exit %d, %v:\n%s", code, err, out)
	}
	if report.Host != "localhost" || report.Connection.Address != addr || report.Connection.ServerName != "localhost" ||
		report.Connection.TLSVersion != "TLS 1.3" || len(report.Findings) == 0 || report.Findings[0].ID != "wrong-order" {
		t.Errorf("json report %+v", report)
	}

	// Another name than the certificate's.
	code, out, _ = runMain(t, "verify", "--roots", roots, "--host", "www.example.com", addr)
	if code != 1 || !strings.Contains(out, "\nerror: hostname-mismatch: ") {
		t.Errorf("other host: exit %d:\n%s", code, out)
	}
}

func TestVerifyAIACompletion(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir()) // the AIA cache
	root := testpki.NewRoot("AIA Root")
	inter := root.NewIntermediate("AIA Intermediate")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/inter.cer" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/pkix-cert")
		_, _ = w.Write(inter.DER())
	}))
	t.Cleanup(srv.Close)
	leaf := inter.NewLeaf("localhost", testpki.AIA(srv.URL+"/inter.cer"))
	leafFile := writeTempFile(t, "leaf.pem", leaf.PEM())
	roots := writeTempFile(t, "root.pem", root.PEM())

	code, out, _ := runMain(t, "verify", "--roots", roots, leafFile)
	if code != 1 || !strings.Contains(out, "\nerror: incomplete-chain: ") || strings.Contains(out, "aia-needed") {
		t.Errorf("without --aia: exit %d:\n%s", code, out)
	}
	code, out, errOut := runMain(t, "verify", "--aia", "--roots", roots, leafFile)
	for _, want := range []string{
		"\n✓ -   intermediate \"AIA Intermediate\", expires ",
		", fetched through AIA, not sent\n",
		"\nerror: incomplete-chain: ",
		"\nwarning: aia-needed: the intermediate \"AIA Intermediate\" is not sent",
		"\n1 error, 1 warning\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("with --aia: stdout lacks %q", want)
		}
	}
	if code != 1 || strings.Contains(errOut, "error") {
		t.Errorf("with --aia: exit %d, stderr %q, stdout:\n%s", code, errOut, out)
	}

	// A download that fails is reported, not passed over in silence.
	missing := srv.URL + "/missing.cer"
	broken := writeTempFile(t, "broken.pem", inter.NewLeaf("localhost", testpki.AIA(missing)).PEM())
	code, out, _ = runMain(t, "verify", "--aia", "--roots", roots, broken)
	want := "; completing it through AIA failed: stopped at the leaf: AIA " + missing + " ("
	if code != 1 || !strings.Contains(out, "\nerror: incomplete-chain: ") || !strings.Contains(out, want) {
		t.Errorf("failed download: exit %d, want %q in:\n%s", code, want, out)
	}
}

package main

import (
	"bytes"
	"crypto/tls"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chaintool/chaintool/internal/testpki"
)

// verifyRunMain runs the real main in-process and returns its exit code,
// stdout and stderr.
func verifyRunMain(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(append([]string{"chaintool"}, args...), strings.NewReader(""), &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// verifyTLSServer serves chain (leaf first) on loopback until the test ends.
func verifyTLSServer(t *testing.T, chain ...*testpki.Cert) string {
	t.Helper()
	cert := tls.Certificate{PrivateKey: chain[0].Key}
	for _, c := range chain {
		cert.Certificate = append(cert.Certificate, c.DER())
	}
	srv := httptest.NewUnstartedServer(http.NotFoundHandler())
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv.Listener.Addr().String()
}

func verifyWriteFile(t *testing.T, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func verifyLiveChain() (root, inter, leaf *testpki.Cert) {
	root = testpki.NewRoot("Live Root")
	inter = root.NewIntermediate("Live Intermediate")
	leaf = inter.NewLeaf("localhost", testpki.DNS("localhost"), testpki.IP("127.0.0.1", "::1"))
	return root, inter, leaf
}

func TestVerifyLiveServer(t *testing.T) {
	root, inter, leaf := verifyLiveChain()
	roots := verifyWriteFile(t, "root.pem", root.PEM())

	// A good chain: the host defaults to the address's host, 127.0.0.1.
	code, out, errOut := verifyRunMain(t, "verify", "--roots", roots, verifyTLSServer(t, leaf, inter))
	if code != 0 || errOut != "" {
		t.Fatalf("good chain: exit %d, stderr %q, stdout:\n%s", code, errOut, out)
	}
	for _, want := range []string{"\ninfo: negotiated: negotiated TLS 1.3 with ", "\ninfo: no-ocsp-staple: ", "\nok\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("good chain: stdout lacks %q:\n%s", want, out)
		}
	}

	// The issuers sent the wrong way round.
	addr := verifyTLSServer(t, leaf, root, inter)
	code, out, errOut = verifyRunMain(t, "verify", "--roots", roots, addr)
	if code != 1 || !strings.Contains(out, "\nerror: wrong-order: ") || !strings.Contains(errOut, "chaintool bundle") {
		t.Errorf("reversed chain: exit %d, stderr %q, stdout:\n%s", code, errOut, out)
	}

	// JSON describes the connection; --servername is the default host.
	code, out, _ = verifyRunMain(t, "verify", "--json", "--roots", roots, "--servername", "localhost", addr)
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
	code, out, _ = verifyRunMain(t, "verify", "--roots", roots, "--host", "www.example.com", addr)
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
	leafFile := verifyWriteFile(t, "leaf.pem", leaf.PEM())
	roots := verifyWriteFile(t, "root.pem", root.PEM())

	code, out, _ := verifyRunMain(t, "verify", "--roots", roots, leafFile)
	if code != 1 || !strings.Contains(out, "\nerror: incomplete-chain: ") || strings.Contains(out, "aia-needed") {
		t.Errorf("without --aia: exit %d:\n%s", code, out)
	}
	code, out, errOut := verifyRunMain(t, "verify", "--aia", "--roots", roots, leafFile)
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
}

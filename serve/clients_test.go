package serve

import (
	"context"
	"crypto/tls"
	"net"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chaintool/chaintool/internal/testpki"
)

// These tests talk to the server with real clients: curl, openssl
// s_client and python3's urllib. Each refusal is paired with a control
// server that accepts the same command, so that a refusal proves the
// profile and not a client limitation.

func runTool(t *testing.T, name string, args ...string) (string, error) {
	t.Helper()
	path := testpki.NeedTool(t, name)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.Stdin = strings.NewReader("")
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func TestCurl(t *testing.T) {
	s := startTest(t, Options{})
	rootFile := writeRootFile(t)
	url := "https://localhost:" + port(s) + "/missing"
	for _, tc := range []struct{ flags []string }{
		{[]string{"--tlsv1.2", "--tls-max", "1.2"}},
		{[]string{"--tlsv1.3"}},
		{[]string{"--http1.1"}},
	} {
		args := append([]string{"-sS", "-o", "/dev/null", "-o", "/dev/null", "-D", "-", "-w", "%{http_code} %{http_version}\n",
			"--cacert", rootFile}, tc.flags...)
		out, err := runTool(t, "curl", append(args, url, "https://localhost:"+port(s)+"/")...)
		if err != nil {
			t.Fatalf("curl %v: %v\n%s", tc.flags, err, out)
		}
		lower := strings.ToLower(out)
		if strings.Count(lower, "strict-transport-security: max-age=63072000; includesubdomains") != 2 {
			t.Errorf("curl %v: HSTS missing on the 404 or the 200:\n%s", tc.flags, out)
		}
		if !strings.Contains(out, "404 ") || !strings.Contains(out, "200 ") {
			t.Errorf("curl %v: want a 404 and a 200:\n%s", tc.flags, out)
		}
	}
	// Without the demo root, curl must refuse the certificate.
	if out, err := runTool(t, "curl", "-sS", "-o", "/dev/null", "https://localhost:"+port(s)+"/"); err == nil {
		t.Errorf("curl without --cacert succeeded:\n%s", out)
	}
}

// controlServer serves certificate with a permissive configuration: the
// versions and suites given.
func controlServer(t *testing.T, cert *Certificate, minVersion uint16, suites []uint16) string {
	l, err := load(cert)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{
		Certificates: []tls.Certificate{*l.tls},
		MinVersion:   minVersion,
		CipherSuites: suites,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				c.SetDeadline(time.Now().Add(5 * time.Second))
				c.(*tls.Conn).Handshake()
				c.Close()
			}()
		}
	}()
	return ln.Addr().String()
}

// sClient runs openssl s_client against addr and returns its output,
// and whether the handshake succeeded.
func sClient(t *testing.T, addr string, flags ...string) (string, bool) {
	args := append([]string{"s_client", "-connect", addr, "-servername", "localhost"}, flags...)
	out, err := runTool(t, "openssl", args...)
	return out, err == nil
}

// wantRefused fails unless the server refused the handshake with alert.
func wantRefused(t *testing.T, addr, alert string, flags ...string) {
	t.Helper()
	out, ok := sClient(t, addr, flags...)
	if ok || !strings.Contains(out, alert) {
		t.Errorf("openssl s_client %s: want %q, got:\n%s", strings.Join(flags, " "), alert, lastLines(out, 25))
	}
}

func wantAccepted(t *testing.T, what, addr string, flags ...string) {
	t.Helper()
	if out, ok := sClient(t, addr, flags...); !ok {
		t.Fatalf("%s: openssl s_client %s failed:\n%s", what, strings.Join(flags, " "), lastLines(out, 25))
	}
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

func TestOpenSSLRefusals(t *testing.T) {
	rsa := rsaCertificate(t)
	s, err := Start(rsa, Options{Addr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	addr := s.Addr().String()
	cbc := []uint16{tls.TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA, tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256}
	control := controlServer(t, rsa, tls.VersionTLS10, cbc)

	// OpenSSL 3 refuses TLS 1.1 itself at security level 1: lower it so
	// that only the server can say no.
	tls11 := []string{"-tls1_1", "-cipher", "DEFAULT:@SECLEVEL=0"}
	wantAccepted(t, "control", control, tls11...)
	wantRefused(t, addr, "alert protocol version", tls11...)
	cbcSuite := []string{"-tls1_2", "-cipher", "ECDHE-RSA-AES256-SHA"}
	wantAccepted(t, "control", control, cbcSuite...)
	wantRefused(t, addr, "alert handshake failure", cbcSuite...)
	for _, ok := range [][]string{
		{"-tls1_2", "-cipher", "ECDHE-RSA-AES256-GCM-SHA384"},
		{"-tls1_2", "-cipher", "ECDHE-RSA-CHACHA20-POLY1305"},
		{"-tls1_3"},
	} {
		wantAccepted(t, "chaintool serve", addr, ok...)
	}
}

// rsaCertificate is an RSA-2048 leaf for localhost under an RSA root,
// valid today.
func rsaCertificate(t *testing.T) *Certificate {
	root := testpki.NewRoot("RSA Root", testpki.Key(testpki.RSA2048))
	leaf := root.NewLeaf("localhost", testpki.Key(testpki.RSA2048), testpki.IP("127.0.0.1"),
		testpki.DNS("localhost"), testpki.Validity(time.Now().Add(-time.Hour), time.Now().Add(24*time.Hour)))
	return &Certificate{Chain: testpki.X509(leaf), Key: leaf.Key}
}

func TestPythonUrllib(t *testing.T) {
	s := startTest(t, Options{})
	rootFile := writeRootFile(t)
	const script = `
import ssl, sys, urllib.request
ctx = ssl.create_default_context(cafile=sys.argv[1])
with urllib.request.urlopen(sys.argv[2], context=ctx, timeout=10) as r:
    print(r.status, r.headers["Strict-Transport-Security"], r.fp.raw._sock.version())
`
	out, err := runTool(t, "python3", "-c", script, rootFile, "https://localhost:"+port(s)+"/")
	if err != nil {
		t.Fatalf("python3: %v\n%s", err, out)
	}
	if want := "200 max-age=63072000; includeSubDomains TLSv1.3"; strings.TrimSpace(out) != want {
		t.Errorf("python3 said %q, want %q", strings.TrimSpace(out), want)
	}
	// The same script must refuse the server without the root.
	if out, err := runTool(t, "python3", "-c", script, "/dev/null", "https://localhost:"+port(s)+"/"); err == nil {
		t.Errorf("python3 trusted the demo without its root: %s", out)
	}
}

func TestGoClientOverIPv6(t *testing.T) {
	ln, err := net.Listen("tcp", "[::1]:0")
	if err != nil {
		t.Skip("no IPv6 loopback here")
	}
	s := startTest(t, Options{Listener: ln})
	cfg := clientConfig(t)
	cfg.ServerName = ""
	resp, _ := get(t, httpClient(t, cfg), s.URL())
	if resp.StatusCode != 200 || !strings.HasPrefix(s.URL(), "https://[::1]:") {
		t.Errorf("%s: %d", s.URL(), resp.StatusCode)
	}
}

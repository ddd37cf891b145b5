package serve

import (
	"bufio"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

var (
	demoOnce sync.Once
	demo     *Demo
)

// testDemo returns one demo chain shared by the package's tests.
func testDemo(t testing.TB) *Demo {
	t.Helper()
	demoOnce.Do(func() {
		var err error
		if demo, err = NewDemo(time.Now()); err != nil {
			panic(err)
		}
	})
	return demo
}

// startTest starts a server on a free loopback port with the demo chain
// and stops it when the test ends.
func startTest(t testing.TB, opts Options) *Server {
	t.Helper()
	if opts.Addr == "" && opts.Listener == nil {
		opts.Addr = "127.0.0.1:0"
	}
	if opts.RedirectAddr == "-" {
		opts.RedirectAddr = "127.0.0.1:0"
	}
	s, err := Start(testDemo(t).Certificate, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// clientConfig trusts the demo root.
func clientConfig(t testing.TB) *tls.Config {
	pool := x509.NewCertPool()
	pool.AddCert(testDemo(t).Root)
	return &tls.Config{RootCAs: pool, ServerName: "localhost"}
}

func httpClient(t testing.TB, cfg *tls.Config) *http.Client {
	return &http.Client{
		Transport: &http.Transport{TLSClientConfig: cfg, ForceAttemptHTTP2: true},
		Timeout:   10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

func get(t testing.TB, c *http.Client, url string) (*http.Response, string) {
	t.Helper()
	resp, err := c.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(body)
}

// dialTLS opens a TLS connection to s that trusts the demo root and
// negotiates proto ("http/1.1" or "h2"); it is closed when the test ends.
func dialTLS(t testing.TB, s *Server, proto string) *tls.Conn {
	t.Helper()
	cfg := clientConfig(t)
	cfg.NextProtos = []string{proto}
	conn, err := tls.Dial("tcp", s.Addr().String(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	if p := conn.ConnectionState().NegotiatedProtocol; p != proto {
		t.Fatalf("negotiated %q, want %q", p, proto)
	}
	return conn
}

// rawRequest sends request exactly as written over a new TLS connection
// and returns the response, so that paths reach the server unnormalised.
func rawRequest(t testing.TB, s *Server, request string) *http.Response {
	t.Helper()
	conn := dialTLS(t, s, "http/1.1")
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(conn, request); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("%q: %v", request, err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp
}

func rawGet(t testing.TB, s *Server, path string) *http.Response {
	return rawRequest(t, s, "GET "+path+" HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
}

// wantSecureHeaders fails unless resp carries HSTS and nosniff.
func wantSecureHeaders(t testing.TB, what string, resp *http.Response, hsts string) {
	t.Helper()
	if got := resp.Header.Values("Strict-Transport-Security"); len(got) != 1 || got[0] != hsts {
		t.Errorf("%s (%d): Strict-Transport-Security = %q, want %q", what, resp.StatusCode, got, hsts)
	}
	if got := resp.Header.Get("X-Content-Type-Options"); got != "nosniff" {
		t.Errorf("%s (%d): X-Content-Type-Options = %q, want nosniff", what, resp.StatusCode, got)
	}
}

// writeRootFile writes the demo root as PEM for external clients.
func writeRootFile(t testing.TB) string {
	path := filepath.Join(t.TempDir(), "root.pem")
	data := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: testDemo(t).Root.Raw})
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func port(s *Server) string {
	_, p, _ := net.SplitHostPort(s.Addr().String())
	return p
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }

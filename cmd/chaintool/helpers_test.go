package main

import (
	"bytes"
	"crypto/tls"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chaintool/chaintool/internal/testpki"
)

// Helpers the command tests share: running main in-process, loopback
// servers and ports, temporary files.

// runMain runs chaintool in-process and returns its exit code and streams.
func runMain(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errs bytes.Buffer
	code = run(append([]string{"chaintool"}, args...), strings.NewReader(""), &out, &errs)
	return code, out.String(), errs.String()
}

// tlsServer serves chain (leaf first) with key on a loopback port and
// records the SNI names clients send.
type tlsServer struct {
	addr string
	mu   sync.Mutex
	sni  []string
}

func startTLSServer(t *testing.T, chain []*testpki.Cert) *tlsServer {
	t.Helper()
	cert := tls.Certificate{PrivateKey: chain[0].Key}
	for _, c := range chain {
		cert.Certificate = append(cert.Certificate, c.DER())
	}
	s := &tlsServer{}
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{
		GetCertificate: func(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
			s.mu.Lock()
			s.sni = append(s.sni, hello.ServerName)
			s.mu.Unlock()
			return &cert, nil
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	s.addr = ln.Addr().String()
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go func(c net.Conn) {
				defer c.Close()
				_ = c.(*tls.Conn).Handshake()
			}(conn)
		}
	}()
	return s
}

func (s *tlsServer) lastSNI() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.sni) == 0 {
		return ""
	}
	return s.sni[len(s.sni)-1]
}

// startHTTPSServer serves HTTPS on a free loopback port with cfg and a new
// ECDSA chain for localhost and 127.0.0.1 (name+" Root", name+"
// Intermediate", the leaf), answering every request "ok" with the
// Strict-Transport-Security header hsts ("" for none).
func startHTTPSServer(name string, cfg *tls.Config, hsts string) (srv *http.Server, addr string, root *testpki.Cert, err error) {
	root = testpki.NewRoot(name + " Root")
	inter := root.NewIntermediate(name + " Intermediate")
	leaf := inter.NewLeaf("localhost", testpki.DNS("localhost"), testpki.IP("127.0.0.1"))
	cfg.Certificates = []tls.Certificate{{Certificate: [][]byte{leaf.DER(), inter.DER()}, PrivateKey: leaf.Key}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, "", nil, err
	}
	srv = &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			if hsts != "" {
				w.Header().Set("Strict-Transport-Security", hsts)
			}
			_, _ = io.WriteString(w, "ok\n")
		}),
		TLSConfig: cfg, ErrorLog: log.New(io.Discard, "", 0), ReadHeaderTimeout: 5 * time.Second,
	}
	go func() { _ = srv.ServeTLS(ln, "", "") }()
	return srv, ln.Addr().String(), root, nil
}

// freePort returns a loopback port nobody listens on right now.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// closedPort returns a loopback address nobody listens on right now.
func closedPort(t *testing.T) string {
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(freePort(t)))
}

// writeTempFile writes data to a file name in a new temporary folder and
// returns its path.
func writeTempFile(t *testing.T, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

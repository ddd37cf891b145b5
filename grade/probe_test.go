package grade

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chaintool/chaintool/bundle"
	"github.com/chaintool/chaintool/internal/testpki"
)

// goServer serves HTTPS with cfg on loopback, HSTS on every response; wrap
// may sabotage the listener. It returns the address and the trust roots.
func goServer(t testing.TB, cfg *tls.Config, wrap func(net.Listener) net.Listener) (string, *bundle.Roots) {
	t.Helper()
	root := testpki.NewRoot("Go Test Root")
	inter := root.NewIntermediate("Go Test Intermediate")
	leaf := inter.NewLeaf("localhost", testpki.DNS("localhost"), testpki.IP("127.0.0.1"))
	cfg.Certificates = []tls.Certificate{{Certificate: [][]byte{leaf.Cert.Raw, inter.Cert.Raw}, PrivateKey: leaf.Key}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if wrap != nil {
		ln = wrap(ln)
	}
	srv := &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Strict-Transport-Security", hstsTwoYears)
			_, _ = io.WriteString(w, "ok\n")
		}),
		TLSConfig:         cfg,
		ErrorLog:          log.New(io.Discard, "", 0),
		ReadHeaderTimeout: 5 * time.Second,
	}
	go func() { _ = srv.ServeTLS(ln, "", "") }()
	t.Cleanup(func() { _ = srv.Close() })
	roots := &bundle.Roots{}
	roots.Add(bundle.Anchor{Cert: root.Cert, Source: "test"})
	return ln.Addr().String(), roots
}

// TestGoServer grades crypto/tls set up as GRADING.md describes: TLS 1.2
// and 1.3, ECDHE with AEAD, a P-256 chain: A+ with 96.
func TestGoServer(t *testing.T) {
	addr, roots := goServer(t, &tls.Config{
		MinVersion:       tls.VersionTLS12,
		CipherSuites:     []uint16{0xC02B, 0xC02C, 0xCCA9},
		CurvePreferences: []tls.CurveID{tls.X25519MLKEM768, tls.X25519, tls.CurveP256, tls.CurveP384},
	}, nil)
	res, err := Grade(context.Background(), addr, Options{ServerName: "localhost", Roots: roots, At: testpki.Now})
	if err != nil {
		t.Fatal(err)
	}
	checkExpectation(t, res, expectation{grade: "A+", score: 96, proto: 100, kx: 100, cipher: 90, protocols: modernProtocols,
		suitesTLS12: []string{"ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-ECDSA-CHACHA20-POLY1305", "ECDHE-ECDSA-AES128-GCM-SHA256"},
		suitesTLS13: []string{"TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256", "TLS_AES_128_GCM_SHA256"}})
	if got := strings.Join(res.KeyExchange.GroupsTLS13, ","); got != "X25519MLKEM768,X25519,P-256,P-384" {
		t.Errorf("TLS 1.3 groups %s", got)
	}
	for _, s := range res.Simulations {
		if s.Protocol != "TLS 1.3" || s.Error != "" {
			t.Errorf("simulation %+v", s)
		}
	}
	if res.Simulations[0].Group != "X25519MLKEM768" {
		t.Errorf("Chrome got %q, want X25519MLKEM768", res.Simulations[0].Group)
	}
}

// sabotage is a listener that spoils every nth connection: reset, stall
// or garbage.
type sabotage struct {
	net.Listener
	every int
	how   string
	n     atomic.Int64
}

func (s *sabotage) Accept() (net.Conn, error) {
	for {
		c, err := s.Listener.Accept()
		if err != nil || s.n.Add(1)%int64(s.every) != 0 {
			return c, err
		}
		go spoil(c, s.how)
	}
}

// spoil answers c as a broken server would, then closes it: a reset, a
// stall (reading until the client gives up), an HTTP answer, or half a
// TLS record.
func spoil(c net.Conn, how string) {
	defer c.Close()
	switch how {
	case "reset":
		_ = c.(*net.TCPConn).SetLinger(0)
	case "stall":
		_, _ = io.Copy(io.Discard, c)
	case "garbage":
		_, _ = io.WriteString(c, "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
	case "half":
		_, _ = c.Write([]byte{recordHandshake, 3, 3, 0x10, 0, 2, 0})
		_, _ = io.Copy(io.Discard, c)
	}
}

// TestMisbehavingServers: a server that resets, stalls or answers garbage
// on every connection fails with ErrUnreachable, in bounded time.
func TestMisbehavingServers(t *testing.T) {
	for _, how := range []string{"reset", "stall", "garbage", "half"} {
		t.Run(how, func(t *testing.T) {
			t.Parallel()
			addr := loopbackServer(t, 10*time.Second, func(c net.Conn) { spoil(c, how) })
			_, err := Grade(context.Background(), addr, Options{Timeout: 300 * time.Millisecond})
			if !errors.Is(err, ErrUnreachable) {
				t.Fatalf("err %v, want ErrUnreachable", err)
			}
		})
	}
}

// TestFlakyServer: a working server that spoils some connections is still
// graded, and the spoilt probes are reported as problems.
func TestFlakyServer(t *testing.T) {
	for _, how := range []string{"reset", "stall"} {
		t.Run(how, func(t *testing.T) {
			t.Parallel()
			addr, roots := goServer(t, &tls.Config{MinVersion: tls.VersionTLS12}, func(ln net.Listener) net.Listener {
				return &sabotage{Listener: ln, every: 7, how: how}
			})
			res, err := Grade(context.Background(), addr, Options{ServerName: "localhost", Roots: roots, At: testpki.Now, Timeout: 500 * time.Millisecond})
			if err != nil {
				t.Fatal(err)
			}
			want := map[string]string{"reset": "connection reset", "stall": "no answer before the timeout"}[how]
			if !strings.Contains(strings.Join(res.Problems, "\n"), want) {
				t.Errorf("problems %q lack %q", res.Problems, want)
			}
			if res.Grade == "" || res.Score == 0 {
				t.Errorf("no grade: %+v", res)
			}
		})
	}
}

func TestUnreachable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	if _, err := Grade(context.Background(), addr, Options{}); !errors.Is(err, ErrUnreachable) {
		t.Errorf("closed port: %v", err)
	}
	if _, err := Grade(context.Background(), "no-port", Options{}); err == nil || errors.Is(err, ErrUnreachable) {
		t.Errorf("bad address: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Grade(ctx, "127.0.0.1:443", Options{}); err == nil {
		t.Error("cancelled context graded")
	}
}

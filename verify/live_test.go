package verify

import (
	"context"
	"crypto/tls"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chaintool/chaintool/bundle"
	"github.com/chaintool/chaintool/internal/testpki"
)

// serveChain starts a loopback TLS server that sends chain (leaf first)
// with key, and stapled when not nil.
func serveChain(t *testing.T, chain []*testpki.Cert, stapled []byte) string {
	t.Helper()
	cert := tls.Certificate{PrivateKey: chain[0].Key, OCSPStaple: stapled}
	for _, c := range chain {
		cert.Certificate = append(cert.Certificate, c.DER())
	}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv.Listener.Addr().String()
}

func checkLive(t *testing.T, addr string, roots *bundle.Roots) *Report {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	remote, err := bundle.FromServer(ctx, addr, "example.test")
	if err != nil {
		t.Fatal(err)
	}
	return Check(remote.Certs, nil, Options{Roots: roots, Host: "example.test", At: testpki.Now, State: &remote.State})
}

func TestLiveServerReversedChain(t *testing.T) {
	p := testPKI()
	// TLS needs the leaf first (its key signs the handshake); the issuers
	// come root first, the wrong way round.
	r := checkLive(t, serveChain(t, []*testpki.Cert{p.leaf, p.root, p.inter}, nil), rootsOf(p.root))
	if got, want := ids(r), sorted(WrongOrder, ContainsAnchor, Negotiated, NoOCSPStaple); !slices.Equal(got, want) {
		t.Errorf("findings %v, want %v", got, want)
	}
	if want := []Role{RoleLeaf, RoleRoot, RoleIntermediate}; !slices.Equal(r.Roles, want) {
		t.Errorf("roles %v, want %v", r.Roles, want)
	}
	if f := finding(t, r, Negotiated); !strings.Contains(f.Message, "TLS 1.3") {
		t.Errorf("negotiated %q", f.Message)
	}
}

func TestLiveServerGoodChainStapled(t *testing.T) {
	p := testPKI()
	r := checkLive(t, serveChain(t, []*testpki.Cert{p.leaf, p.inter}, []byte{0x30, 0x03, 0x0a, 0x01, 0x00}), rootsOf(p.root))
	if got, want := ids(r), sorted(Negotiated, OCSPStapled); !slices.Equal(got, want) {
		t.Errorf("findings %v, want %v", got, want)
	}
	if !r.Trusted {
		t.Error("not trusted")
	}
}

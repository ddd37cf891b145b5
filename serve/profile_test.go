package serve

import (
	"crypto/tls"
	"slices"
	"testing"
	"time"

	"github.com/chaintool/chaintool/internal/testpki"
)

func TestTLSConfigIsExplicit(t *testing.T) {
	cfg := TLSConfig(nil)
	if cfg.MinVersion != tls.VersionTLS12 || cfg.MaxVersion != tls.VersionTLS13 {
		t.Errorf("versions = %x..%x, want TLS 1.2..1.3", cfg.MinVersion, cfg.MaxVersion)
	}
	want := []uint16{
		tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
		tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
		tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
	}
	if !slices.Equal(cfg.CipherSuites, want) {
		t.Errorf("CipherSuites = %v, want the six of Mozilla intermediate", cfg.CipherSuites)
	}
	groups := []tls.CurveID{tls.X25519MLKEM768, tls.X25519, tls.CurveP256, tls.CurveP384}
	if !slices.Equal(cfg.CurvePreferences, groups) {
		t.Errorf("CurvePreferences = %v, want %v", cfg.CurvePreferences, groups)
	}
	if cfg.SessionTicketsDisabled {
		t.Error("session tickets are disabled")
	}
	if !slices.Contains(cfg.NextProtos, "h2") {
		t.Errorf("NextProtos = %v, want h2", cfg.NextProtos)
	}
}

func TestHSTSString(t *testing.T) {
	for _, tc := range []struct {
		h    HSTS
		want string
	}{
		{DefaultHSTS, "max-age=63072000; includeSubDomains"},
		{HSTS{MaxAge: 100, IncludeSubDomains: true, Preload: true}, "max-age=100; includeSubDomains; preload"},
		{HSTS{MaxAge: 0}, "max-age=0"},
	} {
		if got := tc.h.String(); got != tc.want {
			t.Errorf("%+v: %q, want %q", tc.h, got, tc.want)
		}
	}
}

// dialWith connects to s with cfg and reports the state or the error.
func dialWith(s *Server, cfg *tls.Config) (tls.ConnectionState, error) {
	conn, err := tls.Dial("tcp", s.Addr().String(), cfg)
	if err != nil {
		return tls.ConnectionState{}, err
	}
	defer conn.Close()
	return conn.ConnectionState(), nil
}

func TestProtocolsOffered(t *testing.T) {
	s := startTest(t, Options{})
	for _, tc := range []struct {
		version uint16
		ok      bool
	}{
		{tls.VersionTLS10, false},
		{tls.VersionTLS11, false},
		{tls.VersionTLS12, true},
		{tls.VersionTLS13, true},
	} {
		cfg := clientConfig(t)
		cfg.MinVersion, cfg.MaxVersion = tc.version, tc.version
		cfg.CipherSuites = allSuites()
		st, err := dialWith(s, cfg)
		if tc.ok && (err != nil || st.Version != tc.version) {
			t.Errorf("%s: %v (version %x)", tls.VersionName(tc.version), err, st.Version)
		}
		if !tc.ok && err == nil {
			t.Errorf("%s: accepted", tls.VersionName(tc.version))
		}
	}
}

func allSuites() []uint16 {
	var ids []uint16
	for _, cs := range append(tls.CipherSuites(), tls.InsecureCipherSuites()...) {
		ids = append(ids, cs.ID)
	}
	return ids
}

// TestTLS12Suites offers each suite crypto/tls knows, alone, over TLS 1.2
// to an ECDSA and an RSA server: exactly the profile's suites for that key
// type are accepted.
func TestTLS12Suites(t *testing.T) {
	root := testpki.NewRoot("RSA Root", testpki.Key(testpki.RSA2048))
	leaf := root.NewLeaf("localhost", testpki.Key(testpki.RSA2048),
		testpki.Validity(time.Now().Add(-time.Hour), time.Now().Add(time.Hour)))
	rsaServer, err := Start(&Certificate{Chain: testpki.X509(leaf), Key: leaf.Key}, Options{Addr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	defer rsaServer.Close()
	servers := map[string]struct {
		s    *Server
		cfg  func() *tls.Config
		auth string
	}{
		"ecdsa": {startTest(t, Options{}), func() *tls.Config { return clientConfig(t) }, "ECDSA"},
		"rsa": {rsaServer, func() *tls.Config {
			return &tls.Config{RootCAs: testpki.Pool(root), ServerName: "localhost"}
		}, "RSA"},
	}
	for name, srv := range servers {
		var accepted []uint16
		for _, id := range allSuites() {
			cfg := srv.cfg()
			cfg.MinVersion, cfg.MaxVersion = tls.VersionTLS12, tls.VersionTLS12
			cfg.CipherSuites = []uint16{id}
			if st, err := dialWith(srv.s, cfg); err == nil {
				if st.CipherSuite != id {
					t.Errorf("%s: offered %s, got %s", name, tls.CipherSuiteName(id), tls.CipherSuiteName(st.CipherSuite))
				}
				accepted = append(accepted, id)
			}
		}
		var want []uint16
		for _, id := range TLS12Suites {
			if contains(tls.CipherSuiteName(id), "_"+srv.auth+"_") {
				want = append(want, id)
			}
		}
		slices.Sort(accepted)
		slices.Sort(want)
		if !slices.Equal(accepted, want) {
			t.Errorf("%s: accepted %v, want %v", name, suiteNames(accepted), suiteNames(want))
		}
	}
}

func suiteNames(ids []uint16) []string {
	var out []string
	for _, id := range ids {
		out = append(out, tls.CipherSuiteName(id))
	}
	return out
}

func TestGroups(t *testing.T) {
	s := startTest(t, Options{})
	for _, tc := range []struct {
		version uint16
		offer   []tls.CurveID
		want    tls.CurveID
	}{
		{tls.VersionTLS13, nil, tls.X25519MLKEM768}, // Go's default offer
		{tls.VersionTLS13, []tls.CurveID{tls.X25519}, tls.X25519},
		{tls.VersionTLS13, []tls.CurveID{tls.CurveP384, tls.CurveP256}, tls.CurveP256},
		{tls.VersionTLS12, []tls.CurveID{tls.CurveP384}, tls.CurveP384},
		{tls.VersionTLS12, nil, tls.X25519},
	} {
		cfg := clientConfig(t)
		cfg.MaxVersion = tc.version
		cfg.CurvePreferences = tc.offer
		st, err := dialWith(s, cfg)
		if err != nil {
			t.Errorf("%s %v: %v", tls.VersionName(tc.version), tc.offer, err)
			continue
		}
		if st.CurveID != tc.want {
			t.Errorf("%s %v: group %v, want %v", tls.VersionName(tc.version), tc.offer, st.CurveID, tc.want)
		}
	}
	cfg := clientConfig(t)
	cfg.CurvePreferences = []tls.CurveID{tls.CurveP521}
	if _, err := dialWith(s, cfg); err == nil {
		t.Error("P-521 alone accepted; the profile offers X25519MLKEM768, X25519, P-256, P-384")
	}
}

func TestSessionResumption(t *testing.T) {
	s := startTest(t, Options{})
	for _, v := range []uint16{tls.VersionTLS12, tls.VersionTLS13} {
		cfg := clientConfig(t)
		cfg.MaxVersion = v
		cfg.ClientSessionCache = tls.NewLRUClientSessionCache(4)
		c := httpClient(t, cfg)
		get(t, c, s.URL()) // TLS 1.3 tickets arrive after the handshake
		c.CloseIdleConnections()
		resp, _ := get(t, c, s.URL())
		if resp.TLS == nil || !resp.TLS.DidResume {
			t.Errorf("%s: second connection did not resume", tls.VersionName(v))
		}
	}
}

func TestHTTP2(t *testing.T) {
	s := startTest(t, Options{})
	resp, _ := get(t, httpClient(t, clientConfig(t)), s.URL())
	if resp.ProtoMajor != 2 {
		t.Errorf("protocol %s, want HTTP/2", resp.Proto)
	}
}

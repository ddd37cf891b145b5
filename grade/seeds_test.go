package grade

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"
)

var captureSeeds = flag.Bool("capture-seeds", false,
	"TestFuzzSeeds: write the replies of the test nginx to testdata/fuzz as the fuzz seeds")

// seedProbe is one hello sent to one nginx configuration, and what the
// reply must hold.
type seedProbe struct {
	target, file string // fuzz target, seed file name
	site         string // agreement case name
	hello        func(sc *scanner) []byte
	check        func(f *flight, err error) error
}

func seedProbes() []seedProbe {
	legacy := func(v uint16) func(sc *scanner) []byte {
		return func(sc *scanner) []byte { return sc.legacyHello(v, suitesFor(v)).marshal() }
	}
	tls13 := func(shares []uint16) func(sc *scanner) []byte {
		return func(sc *scanner) []byte { return sc.tls13Hello(suitesFor(VersionTLS13), groupsTLS13, shares).marshal() }
	}
	hello := func(v uint16, want func(f *flight) bool) func(f *flight, err error) error {
		return func(f *flight, err error) error {
			if err != nil || f.hello == nil || f.hello.negotiatedVersion() != v || !want(f) {
				return fmt.Errorf("not the %s flight wanted (error %v)", VersionName(v), err)
			}
			return nil
		}
	}
	full := func(f *flight) bool { return f.done && len(f.certs) > 0 }
	const flights = "FuzzReadFlight"
	return []seedProbe{
		{flights, "nginx-aplus-tls12", "A+ profile", legacy(VersionTLS12), hello(VersionTLS12, full)},
		{flights, "nginx-aplus-tls13", "A+ profile", tls13([]uint16{groupX25519}), hello(VersionTLS13, func(f *flight) bool { return !f.hello.retry })},
		{flights, "nginx-aplus-hrr", "A+ profile", tls13(nil), hello(VersionTLS13, func(f *flight) bool { return f.hello.retry })},
		{flights, "nginx-aplus-ssl3", "A+ profile", legacy(VersionSSL3), func(f *flight, err error) error {
			if err != nil || f.alert == nil {
				return fmt.Errorf("no alert (error %v)", err)
			}
			return nil
		}},
		{flights, "nginx-tls10-tls10", "TLS 1.0 and 1.1", legacy(VersionTLS10), hello(VersionTLS10, full)},
		{flights, "nginx-dhe1024-tls12", "DHE only, 1024-bit group", legacy(VersionTLS12), hello(VersionTLS12, func(f *flight) bool {
			k, err := parseKeyExchange(kxDHE, f.keyExchange)
			return full(f) && err == nil && k.dhBits == 1024
		})},
		{flights, "nginx-ecdsa-tls12", "ECDSA P-256 leaf", legacy(VersionTLS12), hello(VersionTLS12, full)},
		{flights, "nginx-ecdsa-chrome", "ECDSA P-256 leaf", func(sc *scanner) []byte { return clientProfiles[0].hello(sc.p.serverName).marshal() },
			hello(VersionTLS13, func(f *flight) bool { return !f.hello.retry })},
		{flights, "nginx-staticrsa-tls12", "TLS 1.2 static RSA only", legacy(VersionTLS12), hello(VersionTLS12, func(f *flight) bool {
			return full(f) && f.keyExchange == nil
		})},
		{"FuzzSSL2ServerHello", "nginx-alert", "A+ profile", func(*scanner) []byte { return ssl2ClientHello() }, nil},
	}
}

// judge checks that reply is what the probe expects.
func (p seedProbe) judge(reply []byte) error {
	if p.check != nil {
		return p.check(readFlight(bytes.NewReader(reply)))
	}
	if _, err := readSSL2ServerHello(bytes.NewReader(reply)); !errors.Is(err, errNotSSL2) {
		return fmt.Errorf("SSL 2.0 reply read with error %v, want a TLS answer", err)
	}
	return nil
}

// TestFuzzSeeds sends the probes' hellos to nginx and checks that each
// reply, and the committed seed in testdata/fuzz made the same way, reads
// as expected. Run with -capture-seeds to write the seeds afresh:
//
//	go test ./grade -run TestFuzzSeeds -capture-seeds
func TestFuzzSeeds(t *testing.T) {
	pki := sharedPKI(t)
	sites := map[string]*nginxSite{}
	var list []*nginxSite
	for _, c := range agreementCases() {
		for _, p := range seedProbes() {
			if p.site == c.site.name && sites[c.site.name] == nil {
				sites[c.site.name] = c.site
				list = append(list, c.site)
			}
		}
	}
	startNginx(t, pki, list)
	for _, p := range seedProbes() {
		site := sites[p.site]
		if site == nil {
			t.Fatalf("%s: no agreement case %q", p.file, p.site)
		}
		t.Run(p.file, func(t *testing.T) {
			t.Parallel()
			sc := &scanner{p: newProber(site.addr(), "localhost", 2*time.Second, 1)}
			reply, err := rawReply(site.addr(), p.hello(sc))
			if err != nil {
				t.Fatal(err)
			}
			if err := p.judge(reply); err != nil {
				t.Errorf("nginx's reply: %v: %q", err, reply)
			}
			path := filepath.Join("testdata", "fuzz", p.target, p.file)
			if *captureSeeds {
				data := fmt.Appendf(nil, "go test fuzz v1\n[]byte(%q)\n", reply)
				if err := os.WriteFile(path, data, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if err := p.judge(corpusBytes(t, path)); err != nil {
				t.Errorf("committed seed %s: %v", path, err)
			}
		})
	}
}

// rawReply sends hello to addr and returns every byte read until the
// server closes or is silent for 300 ms.
func rawReply(addr string, hello []byte) ([]byte, error) {
	conn, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	if _, err := conn.Write(hello); err != nil {
		return nil, err
	}
	var out []byte
	buf := make([]byte, 16<<10)
	for {
		_ = conn.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
		n, err := conn.Read(buf)
		out = append(out, buf[:n]...)
		var ne net.Error
		switch {
		case err == nil:
			continue
		case errors.Is(err, io.EOF), errors.As(err, &ne) && ne.Timeout():
			return out, nil
		}
		return out, err
	}
}

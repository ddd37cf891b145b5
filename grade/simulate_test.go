package grade

import (
	"context"
	"net"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chaintool/chaintool/internal/testpki"
)

// cannedServer answers every connection on loopback, once it has read
// something, with the same bytes, then closes it: a server that picks its
// protocol and suite whatever the client offered.
func cannedServer(t *testing.T, reply []byte) string {
	t.Helper()
	return loopbackServer(t, 5*time.Second, func(c net.Conn) {
		if _, err := c.Read(make([]byte, 4096)); err == nil {
			_, _ = c.Write(reply)
		}
	})
}

// loopbackServer listens on loopback and runs handle on each connection,
// in its own goroutine, with the connection's deadline limit from now; it
// closes the connection after handle. It stops, and waits for every
// handler, when the test ends. It returns the address.
func loopbackServer(t *testing.T, limit time.Duration, handle func(net.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	t.Cleanup(func() { _ = ln.Close(); wg.Wait() })
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Go(func() {
				defer c.Close()
				_ = c.SetDeadline(time.Now().Add(limit))
				handle(c)
			})
		}
	})
	return ln.Addr().String()
}

// helloFlight is a ServerHello in version v with suite, then
// ServerHelloDone.
func helloFlight(v, suite uint16) []byte {
	msgs := append(handshakeMsg(msgServerHello, serverHelloBody(v, suite, nil, nil)), handshakeMsg(msgServerHelloDone, nil)...)
	return records(recordHandshake, v, msgs)
}

// TestSimulationNeedsWhatTheClientOffers: a server that answers in a
// version or with a suite a client never offered completes no handshake
// with that client (it would abort), rather than being reported as what
// the client "negotiated".
func TestSimulationNeedsWhatTheClientOffers(t *testing.T) {
	simulateAll := func(addr string) map[string]Simulation {
		sc := &scanner{p: newProber(addr, "", 2*time.Second, 2), facts: newFacts()}
		for _, c := range clientProfiles {
			sc.simulate(context.Background(), c)
		}
		out := map[string]Simulation{}
		for _, s := range sc.facts.sims {
			out[s.Client] = s
		}
		return out
	}
	ssl3 := simulateAll(cannedServer(t, helloFlight(VersionSSL3, 0x000A)))
	for _, c := range clientProfiles {
		s := ssl3[c.name]
		if s.Protocol != "" || s.Error != "the server chose SSL 3.0, which the client does not offer" {
			t.Errorf("SSL 3.0 server, %s: protocol %q suite %q error %q", c.name, s.Protocol, s.Suite, s.Error)
		}
	}
	// DES-CBC3-SHA in TLS 1.2: Safari still offers it, Chrome does not.
	tdes := simulateAll(cannedServer(t, helloFlight(VersionTLS12, 0x000A)))
	for _, c := range clientProfiles {
		s := tdes[c.name]
		if slices.Contains(c.suites, 0x000A) {
			if s.Error != "" || s.Protocol != "TLS 1.2" || s.OpenSSL != "DES-CBC3-SHA" {
				t.Errorf("3DES server, %s (offers it): %+v", c.name, s)
			}
		} else if s.Protocol != "" || s.Error != "the server chose DES-CBC3-SHA, which the client does not offer" {
			t.Errorf("3DES server, %s: protocol %q suite %q error %q", c.name, s.Protocol, s.Suite, s.Error)
		}
	}
	if s := tdes["Safari 26"]; s.Protocol == "" {
		t.Errorf("Safari 26 no longer offers 3DES, the test needs another client: %+v", s)
	}
}

// TestSSL3OnlyServerSimulations grades a server that answers SSL 3.0 to
// everything: no simulated client connects, so the caps they decide fall
// back to the suites offered, and the note says so.
func TestSSL3OnlyServerSimulations(t *testing.T) {
	addr := cannedServer(t, helloFlight(VersionSSL3, 0x000A))
	res, err := Grade(context.Background(), addr, Options{Timeout: 2 * time.Second, At: testpki.Now})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range res.Simulations {
		if s.Protocol != "" || s.Error == "" {
			t.Errorf("simulation %+v", s)
		}
	}
	if !slices.ContainsFunc(res.Notes, func(n string) bool { return strings.HasPrefix(n, "no simulated client completed a handshake") }) {
		t.Errorf("notes %q lack the fallback", res.Notes)
	}
	if res.Grade != "T" {
		t.Errorf("grade %s (no certificate was sent), caps %v", res.Grade, res.Caps)
	}
}
